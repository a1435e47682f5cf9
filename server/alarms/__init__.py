"""Alarms: the book of active instances, their lifecycle and transitions, acknowledgement."""

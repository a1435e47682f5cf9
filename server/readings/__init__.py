"""Readings of a channel: raw or bucketed, bounded."""

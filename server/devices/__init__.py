"""Devices: the registry's controllers, commissioning, remote control and the site box's poller."""

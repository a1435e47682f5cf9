"""Ingest: one function takes a batch of samples and events from HTTP, the BLE poller or a site box's sync."""

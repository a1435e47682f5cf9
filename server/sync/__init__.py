"""Offline sync on the server: the SQLite side of offline_sync (docs/sync.md)."""

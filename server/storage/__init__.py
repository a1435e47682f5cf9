"""Storage: the only package that holds SQL, one module per domain, behind the ``Backend`` seam (backend.py)."""

from server.storage.backend import Backend, Connection, open_backend, upgrade
from server.storage.database import Database, chunks, make_durable, on_rollback, ping

__all__ = ["Backend", "Connection", "Database", "chunks", "make_durable", "on_rollback", "open_backend", "ping",
           "upgrade"]

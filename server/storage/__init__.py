"""Storage: the only package that holds SQL. Plain SQL, so a PostgreSQL backend can follow."""

from server.storage.database import Database
from server.storage.migrations import upgrade

__all__ = ["Database", "upgrade"]

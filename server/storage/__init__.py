"""Storage: the only package that holds SQL. Plain SQL, so a PostgreSQL backend can follow."""

from .database import Database
from .migrations import upgrade

__all__ = ["Database", "upgrade"]

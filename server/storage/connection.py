"""What a storage function receives: a ``Connection`` whose ``execute`` takes SQL with ``?`` or ``:name`` marks.

SQLite's own ``sqlite3.Connection`` is one (``SqliteConnection`` adds its dialect); the PostgreSQL backend wraps
a psycopg connection in the same surface (``postgres.connection.PgConnection``). Rows answer by position and by
column name, as ``sqlite3.Row`` does. Storage modules write portable SQL and ask ``conn.dialect`` (through the
small helpers in ``dialect.py``) only where the engines differ.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal, Protocol

__all__ = ["Connection", "Cursor", "Dialect", "Params", "Row", "SqliteConnection", "plain_rows"]

Dialect = Literal["sqlite", "postgresql"]
Params = Sequence[Any] | Mapping[str, Any]


class Row(Protocol):
    def __getitem__(self, key: int | str, /) -> Any: ...

    def keys(self) -> list[str]: ...


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def close(self) -> None: ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    @property
    def dialect(self) -> Dialect: ...

    def execute(self, sql: str, parameters: Params = ..., /) -> Cursor: ...

    def executemany(self, sql: str, parameters: Iterable[Params], /) -> Cursor: ...


class SqliteConnection(sqlite3.Connection):
    """``sqlite3.Connection`` that says which dialect it speaks (``sqlite3.connect(..., factory=...)``)."""

    @property
    def dialect(self) -> Dialect:
        return "sqlite"


def plain_rows(conn: Connection, sql: str, parameters: Params = ()) -> Iterable[tuple[Any, ...]]:
    """The rows as plain tuples where that is cheaper (SQLite builds no ``sqlite3.Row``): for reads of many rows."""
    if isinstance(conn, sqlite3.Connection):
        cursor = conn.cursor()
        cursor.row_factory = None
        return cursor.execute(sql, parameters)
    return conn.execute(sql, parameters)

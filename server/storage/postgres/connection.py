"""A psycopg connection with the surface storage functions expect (``storage.connection.Connection``).

Storage SQL marks parameters as SQLite does, ``?`` or ``:name``; psycopg wants ``%s`` and ``%(name)s`` and reads
every other ``%`` as the start of one. ``psycopg_sql`` rewrites a statement once (cached) outside its string
literals, quoted names and comments. Rows come back as ``Row``: a tuple that also answers by column name, like
``sqlite3.Row``. Python booleans are stored as 0/1 and whole ``numeric`` results (``SUM`` of integers) come back
as ``int``, so answers are the same on both engines.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

import psycopg
from psycopg.adapt import Dumper, Loader
from psycopg.rows import RowMaker

from server.storage.connection import Cursor, Dialect, Params

__all__ = ["PgConnection", "Row", "configure", "psycopg_sql"]


@functools.lru_cache(maxsize=8192)
def psycopg_sql(sql: str) -> str:
    """``sql`` with ``?`` → ``%s``, ``:name`` → ``%(name)s`` and ``%`` → ``%%``, outside literals, quoted names and
    comments. Storage SQL uses neither dollar quoting nor E'' strings nor array slices (``a[1:n]``), which this
    does not parse; tests/test_pg_marks.py keeps what it does."""
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c in "'\"":  # a literal or a quoted name, to its closing quote ('' and "" stay inside)
            end = i + 1
            while end < n and sql[end] != c:
                end += 1
            out.append(sql[i:end + 1].replace("%", "%%"))
            i = end + 1
        elif sql.startswith("--", i) or sql.startswith("/*", i):
            line = sql.startswith("--", i)
            end = sql.find("\n" if line else "*/", i)
            end = n if end < 0 else end + (0 if line else 2)
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        elif c == "?":
            out.append("%s")
            i += 1
        elif c == "%":
            out.append("%%")
            i += 1
        elif c == ":" and i + 1 < n and (sql[i + 1].isalpha() or sql[i + 1] == "_") and (i == 0 or sql[i - 1] != ":"):
            end = i + 1
            while end < n and (sql[end].isalnum() or sql[end] == "_"):
                end += 1
            out.append(f"%({sql[i + 1:end]})s")
            i = end
        else:
            out.append(c)
            i += 1
    return "".join(out)


class Row(tuple[Any, ...]):
    """One result row: by position, or by column name as ``row["name"]``; ``dict(row)`` works."""

    _index: ClassVar[dict[str, int]] = {}

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


@functools.lru_cache(maxsize=1024)
def _row_class(names: tuple[str, ...]) -> type[Row]:
    index: dict[str, int] = {}
    for i, name in enumerate(names):
        index.setdefault(name, i)  # two columns of one name: the first, as sqlite3.Row answers
    return type("Row", (Row,), {"_index": index, "__slots__": ()})


def _rows(cursor: psycopg.Cursor[Any]) -> RowMaker[Row]:
    names = tuple(col.name for col in cursor.description or ())
    cls = _row_class(names)
    return lambda values: cls(values)


class _BoolAsInt(Dumper):
    """SQLite has no boolean: flags are INTEGER columns holding 0/1 on both engines."""

    oid = psycopg.postgres.types["int8"].oid

    def dump(self, obj: bool) -> bytes:
        return b"1" if obj else b"0"


class _WholeNumeric(Loader):
    """``numeric`` (``SUM`` of integers, ``ROUND``) as ``int`` when whole, else ``float`` — never ``Decimal``."""

    def load(self, data: Any) -> int | float:
        text = bytes(data).decode()
        return int(text) if text.lstrip("-").isdigit() else float(text)


def configure(conn: psycopg.Connection[Any]) -> None:
    """Type adaptation for a new connection (also a pool's ``configure``)."""
    conn.adapters.register_dumper(bool, _BoolAsInt)
    conn.adapters.register_loader("numeric", _WholeNumeric)


class PgConnection:
    """A psycopg connection behind the storage ``Connection`` surface."""

    dialect: Dialect = "postgresql"

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.raw = conn

    def execute(self, sql: str, parameters: Params = (), /) -> Cursor:
        cursor = self.raw.cursor(row_factory=_rows)
        cursor.execute(psycopg_sql(sql), parameters)
        return cursor

    def executemany(self, sql: str, parameters: Iterable[Params], /) -> Cursor:
        cursor = self.raw.cursor(row_factory=_rows)
        cursor.executemany(psycopg_sql(sql), parameters)
        return cursor

    def copy_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]],
                  types: Sequence[str] | None = None) -> None:
        """Rows into ``table`` through ``COPY … FROM STDIN`` (bulk readings); binary when the columns' ``types``
        (PostgreSQL type names, e.g. ``bytea``) are given."""
        cols = ", ".join(columns)
        binary = " (FORMAT BINARY)" if types else ""
        with self.raw.cursor().copy(f"COPY {table} ({cols}) FROM STDIN{binary}") as copy:
            if types:
                copy.set_types(list(types))
            for row in rows:
                copy.write_row(row)

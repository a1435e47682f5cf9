"""The few places where SQLite and PostgreSQL need different SQL, as small functions of the connection's dialect.

Everything else in storage is written once, in SQL both engines run. Functions SQLite has and PostgreSQL lacks
(``instr``, ``group_concat``) are defined in PostgreSQL's schema instead; ``greatest``/``least`` the other way round
(``database.connect`` registers them on SQLite).
"""

from __future__ import annotations

from server.storage.connection import Connection

__all__ = ["insertion_order", "json_array_has"]


def insertion_order(conn: Connection) -> str:
    """An ORDER BY term for the order rows of a table without an id column were inserted in (never updated)."""
    return "rowid" if conn.dialect == "sqlite" else "ctid"


def json_array_has(conn: Connection, column: str) -> str:
    """A condition: the JSON array in TEXT ``column`` holds the value of the next ``?`` (a string or an integer)."""
    if conn.dialect == "sqlite":
        return f"EXISTS (SELECT 1 FROM json_each({column}) WHERE value = ?)"
    return f"EXISTS (SELECT 1 FROM json_array_elements_text(CAST({column} AS json)) AS e(v) WHERE v = CAST(? AS TEXT))"

"""The few places where SQLite and PostgreSQL need different SQL, as small functions of the connection's dialect.

Everything else in storage is written once, in SQL both engines run. Functions SQLite has and PostgreSQL lacks
(``instr``, ``group_concat``) are defined in PostgreSQL's schema instead; ``greatest``/``least`` the other way round
(``database.connect`` registers them on SQLite).
"""

from __future__ import annotations

from server.storage.connection import Connection

__all__ = ["insertion_order", "json_array_has", "newest_chunk_per_channel"]


def insertion_order(conn: Connection) -> str:
    """An ORDER BY term for the order rows of a table without an id column were inserted in (never updated)."""
    return "rowid" if conn.dialect == "sqlite" else "ctid"


def json_array_has(conn: Connection, column: str) -> str:
    """A condition: the JSON array in TEXT ``column`` holds the value of the next ``?`` (a string or an integer)."""
    if conn.dialect == "sqlite":
        return f"EXISTS (SELECT 1 FROM json_each({column}) WHERE value = ?)"
    return f"EXISTS (SELECT 1 FROM json_array_elements_text(CAST({column} AS json)) AS e(v) WHERE v = CAST(? AS TEXT))"


def newest_chunk_per_channel(conn: Connection, where: str) -> str:
    """A query of (channel_id, t1, value): each channel's raw-reading chunk with the greatest t1 among those
    matching ``where`` (its newest reading is the chunk's last)."""
    if conn.dialect == "sqlite":  # the bare column beside MAX takes the value of the row with the greatest t1
        return f"SELECT channel_id, MAX(t1) AS t1, value FROM reading_chunks WHERE {where} GROUP BY channel_id"
    return (f"SELECT DISTINCT ON (channel_id) channel_id, t1, value FROM reading_chunks WHERE {where} "
            "ORDER BY channel_id, t1 DESC")

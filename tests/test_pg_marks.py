"""The PostgreSQL connection reads storage SQL as SQLite does: ``?`` and ``:name`` marks outside literals, quoted
names and comments; ``%`` doubled for psycopg; rows by position and by name. A table of cases, then the real
database answering them (the throwaway cluster, on either suite engine)."""

from __future__ import annotations

import psycopg
import pytest

from server.storage.postgres.connection import PgConnection, configure, psycopg_sql

from . import backends

CASES = [
    ("SELECT a FROM t WHERE b = ? AND c = ?", "SELECT a FROM t WHERE b = %s AND c = %s"),
    ("UPDATE t SET a = :a WHERE id = :id", "UPDATE t SET a = %(a)s WHERE id = %(id)s"),
    ("SELECT '?' || ? AS q", "SELECT '?' || %s AS q"),
    ("SELECT 'it''s :no' WHERE x LIKE 'modbus-%'", "SELECT 'it''s :no' WHERE x LIKE 'modbus-%%'"),
    ('SELECT "end", "full" FROM t WHERE "a?" = ?', 'SELECT "end", "full" FROM t WHERE "a?" = %s'),
    ("SELECT x::text, 10 % 3 FROM t -- a ? in a comment\nWHERE y = ?",
     "SELECT x::text, 10 %% 3 FROM t -- a ? in a comment\nWHERE y = %s"),
    ("SELECT /* don't ? */ ?", "SELECT /* don't ? */ %s"),
]


@pytest.mark.parametrize(("sqlite", "psycopg_form"), CASES)
def test_marks_are_translated_outside_literals_and_comments(sqlite: str, psycopg_form: str) -> None:
    assert psycopg_sql(sqlite) == psycopg_form


def test_the_database_answers_as_sqlite_would() -> None:
    with psycopg.connect(backends.cluster().new_database(), autocommit=True) as raw:
        configure(raw)
        conn = PgConnection(raw)
        row = conn.execute("SELECT ? AS a, 'it''s ?' AS c, 2 AS a, SUM(x) AS s FROM (VALUES (1), (2)) v(x)",
                           [1]).fetchone()
        assert row["a"] == 1 and row[2] == 2  # two columns named a: by name the first, as sqlite3.Row
        assert row["c"] == "it's ?" and row["s"] == 3 and isinstance(row["s"], int)  # numeric SUM as int
        assert dict(row) == {"a": 1, "c": "it's ?", "s": 3}
        named = conn.execute("SELECT :x + 1 AS y", {"x": 41}).fetchone()
        assert named["y"] == 42
        flag = conn.execute("SELECT CAST(? AS BIGINT) AS f", [True]).fetchone()
        assert flag["f"] == 1  # a Python bool is stored as 0/1, as SQLite stores it

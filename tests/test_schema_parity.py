"""SQLite's and PostgreSQL's migrations end in the same schema: tables, columns (type, NOT NULL), primary keys,
named indexes (columns, uniqueness, partial or not) and triggers; and every SQLite migration after the PostgreSQL
baseline has its PostgreSQL twin. Runs on either suite engine: it starts the throwaway cluster itself."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import psycopg

from server.storage import migrations as sqlite_migrations
from server.storage.postgres import migrations as pg_migrations

from . import backends

# How each engine spells the same kind of column.
SQLITE_TYPES = {"INTEGER": "integer", "REAL": "real", "TEXT": "text", "BLOB": "bytes", "": "any"}
PG_TYPES = {"bigint": "integer", "double precision": "real", "text": "text", "bytea": "bytes"}
BASELINE = "0028"


def sqlite_schema(path: Path) -> dict[str, Any]:
    sqlite_migrations.upgrade(path)
    conn = sqlite3.connect(path)
    tables: dict[str, Any] = {}
    indexes: dict[str, Any] = {}
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                        "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_sqlite%' ESCAPE '\\'")]
    for table in names:
        columns = {}
        for _, name, kind, notnull, _, pk in conn.execute(f"PRAGMA table_info({table})"):
            columns[name] = (SQLITE_TYPES[kind.upper()], bool(notnull or pk), pk)
        tables[table] = columns
        for _, index, unique, origin, partial in conn.execute(f"PRAGMA index_list({table})"):
            if origin != "c":  # primary keys and UNIQUE constraints are part of the table
                continue
            cols = tuple(r[2] for r in conn.execute(f"PRAGMA index_info({index})"))
            indexes[index] = (table, cols, bool(unique), bool(partial))
    triggers = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    conn.close()
    return {"tables": tables, "indexes": indexes, "triggers": triggers}


def pg_schema(url: str) -> dict[str, Any]:
    pg_migrations.upgrade(url)
    with psycopg.connect(url) as conn:
        tables: dict[str, Any] = {}
        for table, name, kind, nullable in conn.execute(
                "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns "
                "WHERE table_schema = 'public' AND table_name <> 'andian_migrations' AND table_name NOT IN "
                "(SELECT relname FROM pg_class WHERE relispartition) ORDER BY ordinal_position"):
            tables.setdefault(table, {})[name] = [PG_TYPES[kind], nullable == "NO", 0]
        for table, column, position in conn.execute(
                "SELECT c.relname, a.attname, array_position(i.indkey::int2[], a.attnum) FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indrelid JOIN pg_attribute a ON a.attrelid = c.oid "
                "AND a.attnum = ANY(i.indkey) JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE i.indisprimary AND n.nspname = 'public' AND c.relname <> 'andian_migrations' "
                "AND NOT c.relispartition"):
            tables[table][column][2] = position + 1
        indexes = {}
        for index, table, unique, partial, cols in conn.execute(
                "SELECT ic.relname, c.relname, i.indisunique, i.indpred IS NOT NULL, "
                "ARRAY(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(attnum, n) "
                "      LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum ORDER BY k.n) "
                "FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND NOT i.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
                "AND c.relname <> 'andian_migrations' AND NOT c.relispartition"):
            indexes[index] = (table, tuple(cols), unique, partial)
        triggers = {r[0] for r in conn.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")}
    return {"tables": {t: {c: tuple(v) for c, v in cols.items()} for t, cols in tables.items()},
            "indexes": indexes, "triggers": triggers}


def test_both_engines_end_in_the_same_schema(tmp_path: Path) -> None:
    lite = sqlite_schema(tmp_path / "parity.db")
    pg = pg_schema(backends.cluster().new_database())
    assert sorted(pg["tables"]) == sorted(lite["tables"])
    for table, columns in lite["tables"].items():
        assert pg["tables"][table] == columns, table
    assert pg["indexes"] == lite["indexes"]
    assert pg["triggers"] == lite["triggers"]


def test_every_sqlite_migration_after_the_baseline_has_its_postgresql_twin() -> None:
    later = [m.name for m in sqlite_migrations.migrations._migrations if m.name[:4] > BASELINE]
    assert list(pg_migrations.MIGRATIONS[1:]) == later
    for name in pg_migrations.MIGRATIONS:
        assert (pg_migrations.SCHEMA / f"{name}.sql").is_file(), name


def test_the_comparison_sees_a_difference(tmp_path: Path) -> None:
    """A column only one engine has would be noticed."""
    url = backends.cluster().new_database()
    pg_migrations.upgrade(url)
    with psycopg.connect(url) as conn:
        conn.execute("ALTER TABLE sites ADD COLUMN only_here TEXT")
    assert pg_schema(url)["tables"]["sites"] != sqlite_schema(tmp_path / "parity.db")["tables"]["sites"]


def test_partitions_are_left_out_but_a_difference_in_their_parent_is_seen(tmp_path: Path) -> None:
    """PostgreSQL's reading_chunks has a partition per day (SQLite has none): the comparison looks at the parent
    only, and a column only the parent has would be noticed."""
    url = backends.cluster().new_database()
    pg_migrations.upgrade(url)
    with psycopg.connect(url) as conn:
        conn.execute("CREATE TABLE reading_chunks_d20261206 PARTITION OF reading_chunks FOR VALUES FROM (2994192) "
                     "TO (2994336)")
        conn.execute("CREATE INDEX reading_chunks_d20261206_t1 ON reading_chunks_d20261206 (t1)")
    lite = sqlite_schema(tmp_path / "parity.db")
    pg = pg_schema(url)
    assert "reading_chunks_d20261206" not in pg["tables"]
    assert pg["tables"] == lite["tables"] and pg["indexes"] == lite["indexes"]
    with psycopg.connect(url) as conn:
        conn.execute("ALTER TABLE reading_chunks ADD COLUMN only_here TEXT")
    assert pg_schema(url)["tables"]["reading_chunks"] != lite["tables"]["reading_chunks"]

"""Migration 0031 (checklist copies) on a database that already holds inspections with their items, on both
engines: every inspection reads the same items after it as before, equal items share one copy, different ones
(a template edited without a new version) keep their own, each copy is logged once for pulls at no site, and
the inspections are not moved in the log (phones keep what they have). Runs on either suite engine: it starts
the throwaway cluster itself."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import sqlite_utils

from server.storage import migrations as sqlite_migrations
from server.storage.postgres import migrations as pg_migrations

from . import backends

ITEMS = [{"key": "board_clear", "text": {"zh-CN": "配电箱前无杂物", "en": "Nothing in front of the board"},
          "section": "配电箱（柜）", "major": False, "photo": False, "finding": {}}]
EDITED = [{**ITEMS[0], "text": {"zh-CN": "配电箱前 0.8 m 内无杂物", "en": "Nothing within 0.8 m of the board"}}]
# (template, version, items) of each inspection, in the order they were made.
VISITS = [("inspection-market", 1, ITEMS), ("inspection-market", 1, ITEMS), ("inspection-market", 1, EDITED),
          ("inspection-care", 1, ITEMS), ("inspection-market", 2, EDITED)]
Run = Callable[[str, list[Any]], list[Any]]


def _fill(run: Run) -> None:
    """A site, an inspector and the VISITS, with the items in each inspection as before 0031."""
    run("INSERT INTO regions (code, name, parent, level, path) VALUES ('430903', '赫山区', NULL, 'county', '/430903/')",
        [])
    run("INSERT INTO users (username, password_hash, role, display_name, created_at) "
        "VALUES ('li', 'x', 'inspector', '李娟', 1)", [])
    run("INSERT INTO sites (name, address, region_code, venue_type, created_at) "
        "VALUES ('市场', '龙岭大道 1 号', '430903', 'market', 1)", [])
    for template, version, items in VISITS:
        run("INSERT INTO inspections (site_id, template_id, template_version, items, inspector_id, started_at) "
            "VALUES (1, ?, ?, ?, 1, 2)", [template, version, json.dumps(items, ensure_ascii=False)])


def _check(run: Run, log_before: list[Any]) -> None:
    read = run("SELECT i.id, i.template_id, i.template_version, c.items, i.checklist_id, c.template_id, "
               "c.template_version FROM inspections i JOIN checklists c ON c.id = i.checklist_id ORDER BY i.id", [])
    assert [(r[1], r[2], json.loads(r[3])) for r in read] == VISITS
    assert all((r[1], r[2]) == (r[5], r[6]) for r in read)
    copies = [r[4] for r in read]
    assert copies[0] == copies[1] and len(set(copies)) == 4
    log = run("SELECT seq, entity, local_id, site_id FROM sync_log ORDER BY seq", [])
    assert [tuple(r) for r in log if r[1] == "inspection"] == [tuple(r) for r in log_before]
    assert sorted((r[2], r[3]) for r in log if r[1] == "checklist") == [(c, 0) for c in sorted(set(copies))]
    assert min(r[0] for r in log if r[1] == "checklist") > max(r[0] for r in log_before)


def test_sqlite_inspections_keep_their_items_through_0031(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    db = sqlite_utils.Database(conn)
    sqlite_migrations.migrations.apply(db, stop_before="0031_checklists")

    def run(sql: str, params: list[Any]) -> list[Any]:
        return conn.execute(sql, params).fetchall()

    _fill(run)
    conn.commit()
    before = run("SELECT seq, entity, local_id, site_id FROM sync_log ORDER BY seq", [])
    conn.close()
    assert sqlite_migrations.upgrade(path) == ["0031_checklists"]
    conn = sqlite3.connect(path)
    _check(run, before)
    conn.close()


def test_postgresql_inspections_keep_their_items_through_0031() -> None:
    cluster = backends.cluster()
    url = cluster.new_database()
    name = url.rsplit("/", 1)[1]
    cluster.admin(f"DROP DATABASE {name}")
    cluster.admin(f"CREATE DATABASE {name} TEMPLATE template0")  # empty: migrated below up to 0031
    earlier = pg_migrations.MIGRATIONS[:pg_migrations.MIGRATIONS.index("0031_checklists")]
    with psycopg.connect(url) as conn:
        conn.execute("CREATE TABLE andian_migrations (name TEXT PRIMARY KEY, applied_at DOUBLE PRECISION NOT NULL)")
        for migration in earlier:
            conn.execute((pg_migrations.SCHEMA / f"{migration}.sql").read_text("utf-8").encode())
            conn.execute("INSERT INTO andian_migrations (name, applied_at) VALUES (%s, 0)", [migration])

        def run(sql: str, params: list[Any]) -> list[Any]:
            cur = conn.execute(sql.replace("?", "%s").encode(), params)
            return cur.fetchall() if cur.description else []

        _fill(run)
        conn.commit()
        before = run("SELECT seq, entity, local_id, site_id FROM sync_log ORDER BY seq", [])
    assert pg_migrations.upgrade(url) == ["0031_checklists"]
    with psycopg.connect(url) as conn:
        _check(run, before)

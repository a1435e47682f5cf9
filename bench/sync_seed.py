"""A grid inspector's world for the sync benchmark (P6): one district, SITES sites of different venue types, each
with an owner, HAZARDS hazards and INSPECTIONS signed inspections with every checklist item answered.

The inspector is made through ``services.auth.create_user`` (the command line's code path); everything else is
plain SQL, as bench/common.py does, so the sync_log triggers of 0007_sync.sql record every record as it is
written. The data follow what the server itself writes: an inspection names the checklist copy of its template's
items (``visits.start``, ``storage.checklists``: one copy per template here, logged once for every caller), each
failed item became a hazard assigned to the site's owner (``visits.sign``), and a hazard's timeline is created →
assigned → the owner's comment → rectified with a photo (``automation.open_hazard``, ``actions.comment``,
``actions.move``).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from server.accounts.schemas import UserCreate
from server.accounts.service import create_user
from server.context import open_context
from server.inspections import templates
from server.inspections.visits import item_out, server_stamp
from server.settings import Settings
from server.storage.database import connect

__all__ = ["INSPECTOR", "PASSWORD", "World", "seed"]

PASSWORD = "correct-horse-42"
INSPECTOR = "grid_li"
DISTRICT = "430903"  # 赫山区: the inspector's region; it covers the grids below
GRIDS = ("430903001001", "430903001002", "430903002001")
SITES = 50
HAZARDS = 7_000
INSPECTIONS = 3_000
# Mostly markets and malls (40 checklist items each), as a commerce grid is; the rest bring their own templates.
VENUES = ("market",) * 5 + ("mall", "supermarket", "rental_housing", "elderly_care", "underground_garage")
DAY = 86_400.0
COMMENTS = ("已联系电工，本周内整改", "插排已拆除，等待复查", "配电箱门锁已更换，请核实",
            "线路老化需停电更换，约定周六上午施工", "已购买新的漏电保护器，明天安装")
NOTES = ("插排串接，负载过大", "配电箱内有杂物", "电线裸露未穿管", "漏电保护器试验按钮无动作", "私拉乱接电线")


@dataclass(frozen=True)
class World:
    """What the benchmark needs to know of the seeded data."""

    inspector_id: int
    market_site_ids: list[int]  # sites whose checklist is inspection-market (40 items)
    open_hazard_ids: list[int]  # assigned or rectified: still editable, still open to comments
    records: int  # hazards + inspections + checklist copies: what a first pull brings


def seed(path: Path, now: float, rng: random.Random) -> World:
    inspector_id = asyncio.run(_inspector(path))
    conn = connect(path)
    conn.execute("BEGIN")
    owners, sites = _sites(conn, now)
    visits = _inspections(conn, inspector_id, sites, now, rng)
    open_ids = _hazards(conn, inspector_id, owners, visits, now, rng)
    conn.execute("COMMIT")
    logged = conn.execute("SELECT COUNT(*) FROM sync_log").fetchone()[0]
    copies = conn.execute("SELECT COUNT(*) FROM checklists").fetchone()[0]
    conn.close()
    assert logged == HAZARDS + INSPECTIONS + copies, f"sync_log holds {logged} records"
    return World(inspector_id, [s for s, venue in sites if venue == "market"], open_ids, logged)


async def _inspector(path: Path) -> int:
    async with open_context(Settings(db_path=path)) as ctx:  # migrations and regions, as `andian serve` does
        user = await create_user(ctx, None, UserCreate(username=INSPECTOR, password=PASSWORD, role="inspector",
                                                       display_name="李网格员", regions=[DISTRICT]))
    return user.id


def _sites(conn: sqlite3.Connection, now: float) -> tuple[dict[int, tuple[int, str]], list[tuple[int, str]]]:
    """Site id → (owner id, owner's name), and (site id, venue type) of every site."""
    owners: dict[int, tuple[int, str]] = {}
    sites = []
    password_hash = "argon2-not-for-login"  # owners never sign in here
    for n in range(1, SITES + 1):
        name = f"业主{n:02d}"
        owner = _insert(conn, "INSERT INTO users (username, password_hash, role, display_name, phone, created_at) "
                              "VALUES (?, ?, 'owner', ?, ?, ?)",
                        [f"owner{n:02d}", password_hash, name, f"1390737{n:04d}", now])
        venue = VENUES[n % len(VENUES)]
        site = _insert(conn, "INSERT INTO sites (name, address, region_code, venue_type, owner_id, lat, lon, "
                             "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       [f"赫山第{n}商户", f"益阳市赫山区龙岭大道{100 + n}号", GRIDS[n % len(GRIDS)], venue, owner,
                        28.55 + n / 1000, 112.36 + n / 1000, now - 400 * DAY])
        owners[site] = (owner, name)
        sites.append((site, venue))
    return owners, sites


@dataclass(frozen=True)
class _Visit:
    id: int
    site_id: int
    signed_at: float
    items: list[dict[str, Any]]
    failed: dict[str, str]  # item key → the inspector's note


def _insert(conn: sqlite3.Connection, sql: str, params: list[Any]) -> int:
    return int(conn.execute(sql, params).lastrowid or 0)


def _inspections(conn: sqlite3.Connection, inspector_id: int, sites: list[tuple[int, str]], now: float,
                 rng: random.Random) -> list[_Visit]:
    """INSPECTIONS signed visits over the last 180 days, every item answered; two or three items failed in each,
    HAZARDS in all."""
    out = []
    copies: dict[str, int] = {}  # template id → its checklist copy
    for n in range(INSPECTIONS):
        site, venue = sites[n % len(sites)]
        template = templates.template_for("inspection", venue)
        assert template is not None
        items = [msgspec.to_builtins(item_out(i)) for i in template.items]
        if template.id not in copies:
            copies[template.id] = _insert(
                conn, "INSERT INTO checklists (template_id, template_version, items) VALUES (?, ?, ?)",
                [template.id, template.version, json.dumps(items, ensure_ascii=False)])
        started = now - 180 * DAY + n * (180 * DAY / INSPECTIONS)
        signed = started + 1800
        inspection = _insert(
            conn, "INSERT INTO inspections (site_id, template_id, template_version, checklist_id, state, "
                  "inspector_id, started_at, completed_at, signed_by, summary) "
                  "VALUES (?, ?, ?, ?, 'completed', ?, ?, ?, ?, ?)",
            [site, template.id, template.version, copies[template.id], inspector_id, started,
             signed, "李网格员", "现场检查完毕，问题已告知业主"])
        fails = set(rng.sample(range(len(items)), 2 + (n < HAZARDS - 2 * INSPECTIONS)))
        rows, failed = [], {}
        for i, item in enumerate(items):
            answer = "fail" if i in fails else ("na" if rng.random() < 0.05 else "pass")
            note = rng.choice(NOTES) if answer == "fail" else ""
            if answer == "fail":
                failed[item["key"]] = note
            rows.append((inspection, item["key"], answer, note, started + 30 * i, inspector_id,
                         server_stamp(started + 30 * i)))
        conn.executemany(
            "INSERT INTO inspection_answers (inspection_id, key, answer, note, attachments, answered_at, answered_by, "
            "hlc) VALUES (?, ?, ?, ?, '[]', ?, ?, ?)", rows)
        out.append(_Visit(inspection, site, signed, items, failed))
    return out


def _hazards(conn: sqlite3.Connection, inspector_id: int, owners: dict[int, tuple[int, str]], visits: list[_Visit],
             now: float, rng: random.Random) -> list[int]:
    """A hazard per failed item, assigned to the site's owner when the visit was signed. Timelines: 20 % created +
    assigned, 40 % + the owner's comment a day later, 40 % + rectified with a photo after five days (2–4 events).
    None is closed or overdue, so every one takes comments and edits; answers their ids."""
    made: list[int] = []
    for visit in visits:
        owner, owner_name = owners[visit.site_id]
        by_key = {i["key"]: i for i in visit.items}
        for key, note in visit.failed.items():
            severity = "major" if by_key[key]["major"] else "general"
            due = now + (3 if severity == "major" else 15) * DAY + rng.random() * 30 * DAY
            kind = len(made) % 5  # 0: assigned; 1, 2: + comment; 3, 4: + comment + rectified
            signed = visit.signed_at
            rectified_at = signed + 5 * DAY if kind >= 3 else None
            hazard = _insert(
                conn, "INSERT INTO hazards (site_id, title, description, severity, source, inspection_id, state, "
                      "assignee_id, due_at, created_by, created_at, updated_at, rectified_by, rectified_at) "
                      "VALUES (?, ?, ?, ?, 'inspection', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [visit.site_id, str(by_key[key]["text"]["zh-CN"])[:100], note, severity, visit.id,
                 "rectified" if rectified_at else "assigned", owner, due, inspector_id, signed,
                 rectified_at or signed, owner if rectified_at else None, rectified_at])
            events: list[tuple[float, int, str, str, str, dict[str, Any]]] = [
                (signed, inspector_id, "created", "open", note, {"inspection_id": visit.id, "item": key}),
                (signed, inspector_id, "assigned", "assigned", "",
                 {"assignee_id": owner, "assignee": owner_name, "due_at": due}),
            ]
            if kind >= 1:
                events.append((signed + DAY, owner, "comment", "assigned", rng.choice(COMMENTS), {}))
            if rectified_at:
                events.append((rectified_at, owner, "rectified", "rectified", "已整改，见照片", {}))
            for ts, actor, what, state, text, detail in events:
                event = _insert(
                    conn, "INSERT INTO hazard_events (hazard_id, ts, actor_id, kind, state, note, detail) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [hazard, ts, actor, what, state, text, json.dumps(detail, ensure_ascii=False)])
                if what == "rectified":
                    conn.execute("INSERT INTO hazard_event_attachments (event_id, sha256) VALUES (?, ?)",
                                 [event, _photo(conn, hazard, now)])
            made.append(hazard)
    return made


def _photo(conn: sqlite3.Connection, n: int, now: float) -> str:
    """An uploaded photo's row (the pull sends hashes, never the bytes)."""
    sha = hashlib.sha256(f"rectified-{n}".encode()).hexdigest()
    conn.execute("INSERT INTO attachments (sha256, size, content_type, created_at) VALUES (?, 184320, 'image/jpeg', ?)",
                 [sha, now])
    return sha

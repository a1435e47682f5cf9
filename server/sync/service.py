"""Offline sync: a device's push (its mutations, applied one by one in one transaction) and pull (what changed
since its cursor, scoped to what the person may see). Wire contract: docs/sync.md."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import msgspec

from offline_sync.apply import apply_push
from offline_sync.protocol import PROTOCOL_VERSION, Change, PullResult, Push, PushResult
from server.accounts.principal import Principal
from server.accounts.roles import require_user
from server.context import Context
from server.errors import InvalidInput
from server.hazards.actions import Doer
from server.hazards.service import announcer, hazard_out
from server.inspections.service import template_title
from server.live.events import LiveEvent
from server.storage import Connection
from server.storage import checklists as checklist_sql
from server.storage import hazards as hazard_sql
from server.storage import inspections as inspection_sql
from server.storage import sync_ids as ids
from server.storage.scopes import assigned_only, site_scope
from server.storage.sync_ledger import SqliteLedger
from server.sync import pull as pulling
from server.sync.handlers import Handlers
from server.sync.records import checklist_record, hazard_record, inspection_record

__all__ = ["pull", "push"]


async def push(ctx: Context, principal: Principal, body: Push) -> PushResult:
    require_user(principal, "sync")
    if body.v != PROTOCOL_VERSION:
        raise InvalidInput("v", f"this server speaks sync protocol {PROTOCOL_VERSION}; update the app")
    now = ctx.clock()
    doer = Doer(principal, ctx.reference, announcer(ctx), now)
    touched: set[int] = set()

    def apply(conn: Connection) -> PushResult:
        handlers = Handlers(conn, doer, touched)
        ids = [m["mutation_id"] for m in body.mutations
               if isinstance(m, dict) and isinstance(m.get("mutation_id"), str)]
        ledger = SqliteLedger(conn, principal.id, now, ids)
        result = apply_push(body, ledger, handlers, int(now * 1000))
        ledger.flush()
        return result

    result = await ctx.db.write(apply, durable=True)
    if touched:
        ctx.doorbell.ring()  # messages about the hazards were written with them: wake the sender
        await _tell_pages(ctx, sorted(touched))
    return result


async def _tell_pages(ctx: Context, hazard_ids: list[int]) -> None:
    """Open site pages hear of hazards changed by a push, as they do of changes made online."""
    rows = await ctx.db.read(lambda c: hazard_sql.get_hazards(c, hazard_ids))
    now = ctx.clock()
    ctx.hub.publish([LiveEvent(r["site_id"], "hazard", {**msgspec.to_builtins(hazard_out(r, now)), "event": "sync"})
                     for r in rows])


async def pull(ctx: Context, principal: Principal, cursor: str | None, limit: int) -> PullResult:
    require_user(principal, "sync")
    scope = site_scope(principal, ctx.reference)
    only = assigned_only(principal)  # an electrician: the hazards assigned to them, as GET /api/v1/hazards
    since = pulling.parse_cursor(cursor)
    now = ctx.clock()

    def read(conn: Connection) -> tuple[pulling.Page, list[Change]]:
        found = pulling.page(conn, scope, since, limit, only)
        with _cycles_left_alone():
            return found, _changes(conn, found, now)

    found, changes = await ctx.db.read(read)
    if found.new_scope:
        await ctx.db.write(lambda c: pulling.remember_scope(c, found.sites, found.hazards))
    return PullResult(str(found.cursor), changes, found.more)


@contextmanager
def _cycles_left_alone() -> Iterator[None]:
    """A page of 2,000 records is some 10⁵ small dicts and lists, all alive until the answer is encoded: Python's
    cycle collector would walk them again and again while they are built and find no cycle (a third of a first
    pull's time, bench/sync.py). Paused meanwhile; reference counting frees as ever. The collector is
    process-wide: of two pulls at once, the one that found it running turns it on again when it ends."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _changes(conn: Connection, found: pulling.Page, now: float) -> list[Change]:
    """The page's records as GET /api/v1/hazards/{id} and /inspections/{id} answer them (inspections naming their
    checklist copy, sent as its own record), then the tombstones."""
    by_entity: dict[str, list[pulling.Row]] = {}
    for row in found.rows:
        by_entity.setdefault(row.entity, []).append(row)
    records: dict[tuple[str, int], dict[str, Any]] = {}
    hazard_ids = [r.local_id for r in by_entity.get("hazard", [])]
    if hazard_ids:
        events = hazard_sql.events_of(conn, hazard_ids)
        for hazard in hazard_sql.get_hazards(conn, hazard_ids):
            records["hazard", hazard["id"]] = hazard_record(hazard, events.get(hazard["id"], []), now)
    inspection_ids = [r.local_id for r in by_entity.get("inspection", [])]
    for visit in inspection_sql.get_inspections(conn, inspection_ids):
        records["inspection", visit["id"]] = inspection_record(visit, template_title(visit["template_id"]))
    for copy in checklist_sql.get_checklists(conn, [r.local_id for r in by_entity.get("checklist", [])]):
        records["checklist", copy["id"]] = checklist_record(copy, template_title(copy["template_id"]))
    every = [*found.rows, *found.tombstones]
    names = {entity: ids.names(conn, entity, [r.local_id for r in every if r.entity == entity])
             for entity in {r.entity for r in every}}
    changes = [Change(r.entity, names[r.entity][r.local_id], r.seq, False, records[r.entity, r.local_id])
               for r in found.rows if (r.entity, r.local_id) in records]
    changes += [Change(r.entity, names[r.entity][r.local_id], r.seq, True, {}) for r in found.tombstones]
    return changes

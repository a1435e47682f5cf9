"""Work that time alone causes: offline devices, arc alarms going quiet, detector checkpoints, rollups, hazards
made from alarms by the sites' rules, and overdue hazards.

Each function runs on the writer thread inside one transaction; ``run`` is the loop the app starts in exactly
one process.
"""

from __future__ import annotations

import asyncio
import logging

import msgspec

from server.alarms.service import present
from server.context import Context
from server.errors import StorageFull
from server.hazards import automation
from server.hazards.notices import Announcer
from server.hazards.service import hazard_out
from server.ingest.pipeline import Pipeline
from server.live.events import LiveEvent
from server.storage import Connection
from server.storage import cluster as cluster_sql
from server.storage import hazards as hazard_sql
from server.storage import readings as readings_sql
from server.upstream import stamps as mirror_stamps

__all__ = ["OFFLINE_INTERVALS", "housekeeping", "run", "tick"]

log = logging.getLogger("andian.watchdog")

# Offline after no data for 3 poll intervals: the 1.5× keep-alive rule of MQTT doubled for radio links, as
# ThingsBoard's inactivity timeout is used in practice (ARCHITECTURE "Detection").
OFFLINE_INTERVALS = 3.0
# Calls handed between workers are kept this long after their answer (what was handed where, for a look).
CALLS_KEPT_S = 3600.0
# Rollups and retention run this often; they are idempotent, so a missed round costs nothing.
HOUSEKEEPING_S = 60.0


def tick(pipeline: Pipeline, conn: Connection, now: float) -> list[LiveEvent]:
    """Alarms that time alone changes: devices gone silent, arc alarms gone quiet, test alarms that were no test;
    and the detector checkpoint."""
    alarms = pipeline.alarms
    owns = pipeline.owns  # several workers: each judges the sites of its partitions (server/cluster)
    touched = alarms.offline(conn, now, OFFLINE_INTERVALS, owns)
    detector = pipeline.detector
    arcs = detector.slots_of(alarms.active_arc_channels(owns))
    touched += alarms.apply(conn, pipeline.wanted(detector.tick(now, arcs)))
    touched += alarms.promote_tests(conn, now, owns)
    pipeline.checkpoint(conn)
    return alarms.events(conn, touched)


def housekeeping(conn: Connection, now: float, raw_days: float, minute_days: float) -> None:
    readings_sql.rollup(conn, now)
    readings_sql.prune(conn, now, raw_days, minute_days)
    cluster_sql.prune_calls(conn, now - CALLS_KEPT_S)


async def _hazards(ctx: Context, announcer: Announcer, now: float) -> int:
    """Hazards from alarms and overdue notices; looked for on a reader, written only when there are some. Open
    site pages are told of each hazard made, joined by a repeat alarm, or overdue (live ``hazard`` events)."""
    if not await ctx.db.read(lambda conn: automation.pending(conn, now)):
        return 0
    changed: automation.Changed = []
    count = await ctx.db.write(lambda conn: automation.run(conn, announcer, now, changed))
    rows = await ctx.db.read(lambda conn: hazard_sql.get_hazards(conn, [h for h, _ in changed]))
    by_id = {row["id"]: row for row in rows}
    ctx.hub.publish([LiveEvent(by_id[h]["site_id"], "hazard", {
        **msgspec.to_builtins(hazard_out(by_id[h], now)), "event": kind}) for h, kind in changed if h in by_id])
    return count


async def run(ctx: Context) -> None:
    settings = ctx.settings
    since_housekeeping = HOUSEKEEPING_S
    hazard_announcer = Announcer(ctx.reference, settings.timezone, settings.link_base())
    while True:
        await asyncio.sleep(settings.watchdog_interval_s)
        try:
            # Also the periodic look at the disk: before each job the writer checks the free space, so full mode
            # ends (and the reserve is made again) within a round of space coming back, even with no ingest.
            events = await ctx.db.write(lambda conn: tick(ctx.pipeline, conn, ctx.clock()))
            ctx.hub.publish(present(events))
            ctx.doorbell.ring_for(events)
            if not ctx.node.leader:  # what follows runs once across the workers of a database (server/cluster)
                continue
            try:  # device and channel edits get their stamps within a round; hazards and housekeeping go on if not
                await mirror_stamps.stamp_dirty_sites(ctx)
            except StorageFull as exc:
                log.warning("edits not stamped: %s", exc.detail)
            except Exception:
                log.exception("stamping the sites' edits failed")
            if await _hazards(ctx, hazard_announcer, ctx.clock()):
                ctx.doorbell.ring()  # hazards made or overdue: their messages wait for the sender
            since_housekeeping += settings.watchdog_interval_s
            if since_housekeeping >= HOUSEKEEPING_S:
                since_housekeeping = 0.0
                await ctx.db.write(lambda conn: housekeeping(conn, ctx.clock(), settings.raw_retention_days,
                                                             settings.minute_retention_days))
        except StorageFull as exc:  # checkpoints and rollups wait for space; alarm transitions were written
            log.warning("watchdog round not stored: %s", exc.detail)
        except Exception:  # the loop must outlive one bad round; the log says what happened
            log.exception("watchdog round failed")

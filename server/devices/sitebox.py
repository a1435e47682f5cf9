"""``SiteBox``: one link pool and one poller for the process, feeding the same ingest function as HTTP."""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Any

from ble.device import Reading
from ble.errors import LinkError
from ble.link import Backends
from ble.poller import Gathered, Poller, Target
from ble.pool import LinkPool
from ble.scanner import Found
from server.alarms.service import present
from server.devices.bus_scan import BusScans
from server.ingest.pipeline import Access
from server.ingest.service import ingest
from server.ingest.wire import Event, Fault, IngestResult, ParsedBatch, Sample
from server.live.events import LiveEvent
from server.storage import Connection, make_durable
from server.storage import devices as sql

if TYPE_CHECKING:
    from server.context import Context

__all__ = ["SiteBox", "to_batch"]

log = logging.getLogger("andian.sitebox")


def to_batch(gathered: Gathered) -> ParsedBatch:
    samples = [Sample(serial, key, ts, value) for serial, key, ts, value in gathered.samples]
    events = [Event(serial, kind, ts, count)  # type: ignore[arg-type]  # kinds come from the poller: arc, self_test
              for serial, kind, ts, count in gathered.events]
    faults = [Fault(serial, key, ts, reason) for serial, key, ts, reason in gathered.faults]
    return ParsedBatch(f"box-{uuid.uuid4()}", samples, list(range(len(samples))), events, list(range(len(events))),
                       [], faults, list(range(len(faults))))


class SiteBox:
    def __init__(self, ctx: Context, backends: Backends, radio: Any = None) -> None:
        self.ctx = ctx
        self.backends = backends
        self.radio = radio  # the simulated radio when there is one (demo, tests, benchmarks)
        self.pool = LinkPool(backends)
        self.poller = Poller(self.pool, self.ingest, self._link_fault, clock=ctx.clock)
        self.heard: dict[str, Found] = {}  # the last scan, by address
        self.bus_scans = BusScans(ctx.db, self.poller.buses)  # wired buses: on the poller's own buses

    async def refresh(self) -> None:
        """Poll exactly the commissioned devices (after a commissioning or a change of interval)."""
        rows = await self.ctx.db.read(sql.commissioned_targets)
        self.poller.set_targets([Target(r["serial"], r["address"] or r["link"], r["model"], r["interval_s"], r["link"])
                                 for r in rows])

    async def run(self) -> None:
        await self.refresh()
        try:
            await self.poller.run()
        finally:
            await self.bus_scans.close()
            await self.pool.close()

    async def ingest(self, gathered: Gathered, by: int | None = None) -> IngestResult:
        """A batch of readings; breaker positions first, so an alarm that the opening ends is known to be ended by
        it. ``by``: the user whose remote command moved the breaker (None: the device itself, or someone on site)."""
        if gathered.switches:
            now = self.ctx.clock()
            moved = await self.ctx.db.write(lambda conn: self._switches(conn, gathered.switches, now, by))
            self.ctx.hub.publish(moved)
        result = await ingest(self.ctx, Access(), to_batch(gathered))
        if result.rejected:
            log.warning("BLE batch: %d rejected, first: %s", len(result.rejected), result.rejected[0].error)
        return result

    def _switches(self, conn: Connection, switches: dict[str, str], now: float,
                  by: int | None) -> list[LiveEvent]:
        pipeline = self.ctx.pipeline
        events: list[LiveEvent] = []
        for serial, position in switches.items():
            entry = pipeline.registry.lookup(conn, serial)
            if entry is not None:
                events += pipeline.alarms.switched(conn, entry.id, entry.site_id, position, now, by)
        if events:
            make_durable(conn)
        return events

    async def ingest_reading(self, serial: str, reading: Reading, by: int | None = None) -> IngestResult:
        """One reading taken outside the poller (commissioning, remote control), stamped now."""
        return await self.ingest(Gathered.of(serial, reading, self.ctx.clock()), by)

    async def _link_fault(self, target: Target, exc: LinkError) -> None:
        now = self.ctx.clock()
        detail = {"code": exc.code, "error": exc.message, "address": target.address}
        events = await self.ctx.db.write(lambda conn: self.ctx.pipeline.link_fault(conn, target.serial, now, detail))
        self.ctx.hub.publish(present(events))
        self.ctx.doorbell.ring_for(events)

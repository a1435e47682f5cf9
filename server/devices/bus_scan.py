"""Bus scans on a site box: which units of a wired bus answer, and which model each most likely is — the first step
of commissioning wired devices (docs/devices.md "Commissioning a wired bus").

A scan is a task on the box. It uses the poller's own bus (``poller.buses``: one owner per serial port or socket),
so its requests take turns with polling, one request at a time, and it waits ``ble.bus.SCAN_TIMEOUT_S`` for each
unit: a silent unit costs only that. Cancelling stops it at once (the request in flight is dropped). Scans live in
memory: every running one and the last ``KEEP`` finished ones.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from ble.bus import Buses, Identified, identify
from ble.errors import LinkError
from ble.links import BadLink, ModbusLink, parse_link
from ble.profiles import profiles
from server.devices.wired_schemas import BusScan, FoundUnit
from server.storage import devices as sql

if TYPE_CHECKING:
    from server.storage import Backend

__all__ = ["KEEP", "BusScans", "bus_prefix"]

log = logging.getLogger("andian.bus_scan")

# Finished scans kept for GET: enough for an installer going back to an earlier bus, bounded for the box's memory.
KEEP = 8
State = Literal["running", "done", "cancelled", "failed"]


def bus_prefix(link: ModbusLink) -> str:
    """How every stored link of a device on this bus starts (``str(ModbusLink)``'s text before its query)."""
    return f"modbus-rtu://{link.where}" if link.scheme == "modbus-rtu" else link.bus


@dataclass
class _Scan:
    id: int
    site_id: int
    link: ModbusLink
    first: int
    last: int
    state: State = "running"
    done: int = 0
    found: list[FoundUnit] = field(default_factory=list)
    error: str | None = None
    task: asyncio.Task[None] | None = None

    def out(self) -> BusScan:
        return BusScan(id=self.id, site_id=self.site_id, link=str(self.link), first=self.first, last=self.last,
                       state=self.state, done=self.done, total=self.last - self.first + 1, found=list(self.found),
                       error=self.error)


class BusScans:
    """The box's scans by id; each running one owns its task, cancelled by ``cancel`` or ``close``."""

    def __init__(self, db: Backend, buses: Buses) -> None:
        self.db = db
        self.buses = buses
        self._scans: dict[int, _Scan] = {}
        self._ids = itertools.count(1)

    def get(self, scan_id: int) -> BusScan | None:
        scan = self._scans.get(scan_id)
        return scan.out() if scan else None

    def running_on(self, link: ModbusLink) -> BusScan | None:
        """The scan running on ``link``'s bus, if one is (one at a time: a second would only halve both)."""
        scan = next((s for s in self._scans.values() if s.state == "running" and s.link.bus == link.bus), None)
        return scan.out() if scan else None

    def start(self, site_id: int, link: ModbusLink, first: int, last: int) -> BusScan:
        scan = _Scan(next(self._ids), site_id, link, first, last)
        self._scans[scan.id] = scan
        scan.task = asyncio.get_running_loop().create_task(self._run(scan), name=f"bus scan {scan.id}")
        finished = [s.id for s in self._scans.values() if s.state != "running"]
        for old in finished[:max(0, len(finished) - KEEP)]:
            del self._scans[old]
        return scan.out()

    def cancel(self, scan_id: int) -> None:
        scan = self._scans.get(scan_id)
        if scan is not None and scan.state == "running":
            scan.state = "cancelled"
            if scan.task is not None:
                scan.task.cancel()

    async def close(self) -> None:
        tasks = [s.task for s in self._scans.values() if s.task is not None and not s.task.done()]
        for scan_id in list(self._scans):
            self.cancel(scan_id)
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _run(self, scan: _Scan) -> None:
        bus = self.buses.get(scan.link)
        try:
            for unit in range(scan.first, scan.last + 1):
                identified = await identify(bus, unit)
                if identified is not None:
                    found = await self._found(scan, identified)
                    scan.found.append(found)
                scan.done += 1
            scan.state = "done"
        except asyncio.CancelledError:
            scan.state = "cancelled"
            raise
        except LinkError as exc:  # the bus cannot be opened, or was lost
            scan.state, scan.error = "failed", str(exc)
        except Exception as exc:
            log.exception("bus scan %d of %s failed", scan.id, scan.link)
            scan.state, scan.error = "failed", f"the scan stopped: {exc}"

    async def _found(self, scan: _Scan, identified: Identified) -> FoundUnit:
        """The unit with the device already registered at its bus and unit, if any (this site's first)."""
        rows = await self.db.read(lambda c: sql.devices_on_bus(c, bus_prefix(scan.link)))
        known = [r for r in rows if _unit_on(r, scan.link) == identified.unit]
        here = next((r for r in known if r["site_id"] == scan.site_id), None)
        return FoundUnit(unit=identified.unit, model=identified.model, candidates=identified.candidates,
                         known="here" if here else "elsewhere" if known else None,
                         device_id=here["id"] if here else None)


def _unit_on(row: dict[str, object], link: ModbusLink) -> int | None:
    """The unit of a stored device on ``link``'s bus (None: another bus): its link's, else its model's default."""
    try:
        device_link = parse_link(str(row["link"]))
    except BadLink:
        return None
    if not isinstance(device_link, ModbusLink) or device_link.bus != link.bus:
        return None
    profile = profiles().get(str(row["model"]))
    return device_link.unit or (profile.unit_id if profile else 1)

"""Which items of a batch may be stored: the devices the sender may feed, and the samples and events of theirs that
are well placed in time and not repeated. Decisions only; the pipeline stores what is admitted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from server.ingest.registry import DeviceEntry, Registry
from server.ingest.wire import ParsedBatch, Rejected
from server.storage import Connection
from server.storage import sites as site_sql
from server.storage.scopes import EVERY_SITE, Scope

__all__ = ["MAX_CLOCK_SKEW_S", "Access", "check", "feedable", "samples"]

# A device clock may run a little ahead of the server's; more than this and the sample is refused.
MAX_CLOCK_SKEW_S = 300.0


@dataclass(frozen=True)
class Access:
    """Which devices the caller may feed: a gateway's own site, or the sites a user's scope covers.

    ``sender`` owns the batch ids it sends (``gateway:7``, ``user:3``; the box's own poller is ``local``):
    a batch id repeated by the same sender is a retry, the same id from another sender is its own batch.
    """

    sender: str = "local"
    site_id: int | None = None
    scope: Scope = EVERY_SITE


def samples(batch: ParsedBatch, devices: dict[str, DeviceEntry], now: float,
             rejected: list[Rejected]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Slots, timestamps and values of the samples that may be stored; the others are added to ``rejected``.

    Written as whole-list passes rather than a loop with branches: this is the per-sample hot path.
    """
    lookup = {(serial, key): slot for serial, entry in devices.items() for key, slot in entry.slots.items()}
    samples = batch.samples
    n = len(samples)
    slots = np.fromiter([lookup.get((s.device, s.channel), -1) for s in samples], np.int64, n)
    ts = np.fromiter([s.ts for s in samples], np.float64, n)
    values = np.fromiter([s.value for s in samples], np.float64, n)
    ok = (slots >= 0) & (ts <= now + MAX_CLOCK_SKEW_S)
    repeat = _repeats(slots, ts) & ok
    ok &= ~repeat
    if ok.all():
        return slots, ts, values
    for i in np.flatnonzero(~ok).tolist():
        sample = samples[i]
        index = batch.sample_index[i]
        if repeat[i]:
            rejected.append(Rejected(index, f"samples[{index}]: an earlier sample of this batch has the same "
                                            "device, channel and ts; a channel has one value at a time"))
            continue
        entry = devices.get(sample.device)
        error = check(entry, sample.device, sample.ts, now)
        if error is None and entry is not None:
            have = ", ".join(sorted(entry.slots))
            error = f"device {sample.device!r} has no channel {sample.channel!r} (it has {have})"
        rejected.append(Rejected(index, f"samples[{index}]: {error}"))
    return slots[ok], ts[ok], values[ok]


def feedable(conn: Connection, registry: Registry, batch: ParsedBatch,
             access: Access) -> dict[str, DeviceEntry]:
    """The batch's devices that exist and that the caller may feed (others stay unknown, by design)."""
    serials = ({s.device for s in batch.samples} | {e.device for e in batch.events} | {f.device for f in batch.faults}
               | {s.device for s in batch.states})
    found = {serial: entry for serial in serials if (entry := registry.lookup(conn, serial))}
    if access.site_id is not None:
        return {k: v for k, v in found.items() if v.site_id == access.site_id}
    visible = site_sql.visible_site_ids(conn, sorted({e.site_id for e in found.values()}), access.scope)
    return {k: v for k, v in found.items() if v.site_id in visible}

def check(entry: DeviceEntry | None, serial: str, ts: float, now: float) -> str | None:
    if entry is None:
        return f"unknown device {serial!r}; register it on its site first"
    if ts > now + MAX_CLOCK_SKEW_S:
        ahead = ts - now
        return f"ts is {ahead:.0f} s in the future; check the device clock (allowed skew {MAX_CLOCK_SKEW_S:.0f} s)"
    return None


def _repeats(slots: np.ndarray[Any, Any], ts: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """True for each sample whose (channel slot, ts) an earlier sample of the batch already has."""
    n = slots.shape[0]
    out = np.zeros(n, dtype=bool)
    if n < 2:
        return out
    order = np.lexsort((np.arange(n), ts, slots))
    same = (slots[order][1:] == slots[order][:-1]) & (ts[order][1:] == ts[order][:-1])
    out[order[1:][same]] = True
    return out

"""The ingest function: validate → one transaction {readings, events, detector state, alarm transitions}.

Runs on the database's writer thread (``Pipeline.ingest`` is handed to the backend's ``write``), which is the one
owner of the detector and its state. HTTP, the BLE poller and site-box sync all call it the same way. Data walks
one way: admitted samples go to detection, detection's changes to the alarm stage (server/alarms/stage.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import msgspec
import numpy as np

from server.alarms.book import RANK, Key
from server.alarms.stage import AlarmStage, Touched, Wanted
from server.detection.engine import Change, Detector, Findings
from server.ingest import admit
from server.ingest.admit import Access
from server.ingest.registry import DeviceEntry, Registry
from server.ingest.wire import IngestResult, ParsedBatch, Rejected
from server.live.events import LiveEvent
from server.storage import Connection, make_durable, on_rollback
from server.storage import alarms as alarm_sql
from server.storage import forward_box as forward_sql
from server.storage import readings as readings_sql

__all__ = ["Access", "Outcome", "Pipeline"]

# Events that move a breaker: the position it is in afterwards.
SWITCH_EVENTS = {"trip": "open", "close": "closed"}


@dataclass
class Outcome:
    result: IngestResult
    live: list[LiveEvent] = field(default_factory=list)


@dataclass
class _Admitted:
    """One batch after admission: what it may store, and what it changed already (device-reported alarms)."""

    access: Access
    batch_id: str
    rejected: list[Rejected]
    slots: np.ndarray[Any, Any]
    ts: np.ndarray[Any, Any]
    values: np.ndarray[Any, Any]
    seen: set[int]
    arcs: list[tuple[int, float, float]] = field(default_factory=list)
    event_rows: list[tuple[int, str, float, int, float]] = field(default_factory=list)
    moved: list[tuple[DeviceEntry, str, float]] = field(default_factory=list)
    touched: Touched = field(default_factory=list)
    reports: int = 0  # faults and states taken


class Pipeline:
    def __init__(self) -> None:
        self.detector = Detector()
        # Several workers: a device re-read here is re-read by the others (server/cluster/bridge.py sets it).
        self.registry_changed: Callable[[Connection, str], None] | None = None
        self.registry = Registry(self.detector)
        self.alarms = AlarmStage(self.reload, self._owns)
        # The sites this process judges (server/cluster/node.py): every site unless workers share the database.
        self.owns: Callable[[int], bool] = lambda site_id: True
        # Per detector slot, the newest reading this process stored for the channel (``_maybe_stored``).
        self._stored_for: Detector | None = None
        self._stored_to: np.ndarray[Any, Any] = np.full(0, np.nan)

    def _owns(self, site_id: int) -> bool:
        return self.owns(site_id)

    def load(self, conn: Connection) -> None:
        self.registry.load(conn)
        for active in self.alarms.load(conn):  # the detectors carry on from the levels their alarms are at
            self.detector.restore_level(active.channel_id or 0, active.cause, RANK[active.level])

    def reload(self, conn: Connection) -> None:
        """Back to what the database holds, as after a restart: a write that made alarm transitions was rolled
        back (a full disk), so the book and the detectors must not keep what it decided."""
        self.detector = Detector()
        self.registry = Registry(self.detector, self.registry_changed)
        self.alarms = AlarmStage(self.reload, self._owns)
        self.load(conn)

    def take_over(self, conn: Connection, parts: tuple[int, frozenset[int]]) -> int:
        """Sites whose id modulo n is one of ``parts`` = (n, ks) come from another worker (server/cluster): their
        channels continue from the state it last saved, and from their active alarms as the database holds them.
        Only their own state is read, not every device again as ``reload`` does: at 10⁵ sites that is a second
        against half a minute, so channels move within seconds of a worker's death. Answers the channels taken."""
        of, which = parts
        chosen = np.asarray(sorted(which), dtype=np.int64)
        slots = self.detector.slots_of_sites(lambda site_ids: np.isin(site_ids % of, chosen))
        self.detector.reset(slots)
        # What this process stored for them is older than what their last owner stored since: look up again.
        known = slots[slots < self._stored_to.shape[0]]
        self._stored_to[known] = np.nan
        self.detector.restore({channel_id: msgspec.msgpack.decode(blob, type=list[float]) for channel_id, blob
                               in alarm_sql.load_checkpoints(conn, (of, chosen.tolist())).items()})
        for active in self.alarms.resync_sites(conn, lambda site_id: site_id % of in which):
            self.detector.restore_level(active.channel_id or 0, active.cause, RANK[active.level])
        return int(slots.shape[0])

    def checkpoint(self, conn: Connection, keep: Callable[[int], bool] | None = None) -> int:
        """Persist the detector state of channels that changed since the last checkpoint, of the sites ``keep``
        keeps (default: those this process judges; the others' state is another worker's and is let go).

        Between checkpoints only soft state is at risk (a pending duration timer, the thermal state): after a
        crash an alarm can come up to one delay later, never twice, because active alarms are rows and the state
        of a channel whose alarm changed is saved with the change (``ingest``).
        """
        detector = self.detector
        dirty = detector.take_dirty()
        keep = keep or self.owns
        others = [slot for slot in dirty if not keep(detector.channel(slot).site_id)]
        if others:  # not ours to save now: left dirty (a reload when partitions move starts them afresh)
            detector.mark_dirty(others)
            dirty = [slot for slot in dirty if keep(detector.channel(slot).site_id)]
        self._save_state(conn, dirty)
        on_rollback(conn, lambda _: detector.mark_dirty(dirty))  # not saved after all: next time
        return len(dirty)

    def _save_state(self, conn: Connection, slots: list[int]) -> None:
        alarm_sql.save_checkpoints(
            conn, [(channel_id, msgspec.msgpack.encode(state)) for channel_id, state in self.detector.states(slots)])

    def ingest(self, conn: Connection, batch: ParsedBatch, access: Access, now: float,
               watched: frozenset[int]) -> Outcome:
        return self.ingest_many(conn, [(access, batch)], now, watched)[0]

    def ingest_many(self, conn: Connection, items: list[tuple[Access, ParsedBatch]], now: float,
                    watched: frozenset[int]) -> list[Outcome]:
        """Several senders' batches in one transaction, each admitted (and answered) as if alone, detected in one
        pass: a receiver's group of frames costs one detection, not one per frame. The live events of the whole
        group ride on the last outcome."""
        outcomes: list[Outcome | None] = [None] * len(items)
        fresh: list[tuple[int, _Admitted]] = []
        first: dict[tuple[str, str], int] = {}  # (sender, batch id) → the item that takes it in this group
        again: list[tuple[int, int]] = []
        for n, (access, batch) in enumerate(items):
            key = (access.sender, batch.batch_id)
            if key in first:  # the same batch twice in one group: stored once, the second answered as a repeat
                again.append((n, first[key]))
                continue
            first[key] = n
            stored = readings_sql.batch_result(conn, access.sender, batch.batch_id)
            if stored is not None:
                accepted, previous = stored
                outcomes[n] = Outcome(IngestResult(accepted, True, [Rejected(**r) for r in previous]))
            else:
                fresh.append((n, self._admit(conn, access, batch, now)))
        if fresh:
            judged = self._judge(conn, [took for _, took in fresh], now, watched)
            for (n, _), outcome in zip(fresh, judged, strict=True):
                outcomes[n] = outcome
        for n, of in again:
            took = outcomes[of]
            assert took is not None
            outcomes[n] = Outcome(IngestResult(took.result.accepted, True, took.result.rejected))
        return [outcome for outcome in outcomes if outcome is not None]

    def _admit(self, conn: Connection, access: Access, batch: ParsedBatch, now: float) -> _Admitted:
        """One batch checked item by item: what may be stored, and the device-reported changes it makes."""
        rejected = list(batch.rejected)
        devices = admit.feedable(conn, self.registry, batch, access)
        slots, ts_arr, values = admit.samples(batch, devices, now, rejected)
        took = _Admitted(access, batch.batch_id, rejected, slots, ts_arr, values, self.detector.device_ids(slots))
        for index, event in zip(batch.event_index, batch.events, strict=True):
            entry = devices.get(event.device)
            error = admit.check(entry, event.device, event.ts, now)
            if error is None and entry is not None and event.kind == "arc":
                slot = entry.slots.get("arc")
                if slot is None:
                    error = f"device {event.device!r} has no arc channel; register channel 'arc' to detect fault arcs"
                else:
                    took.arcs.append((slot, event.ts, float(event.count)))
            if error is not None or entry is None:
                rejected.append(Rejected(index, f"events[{index}]: {error}", "event"))
                continue
            took.event_rows.append((entry.id, event.kind, event.ts, event.count, now))
            took.seen.add(entry.id)
            if event.kind == "self_test":
                self.alarms.self_test(conn, entry.id, min(event.ts, now))
            elif event.kind in SWITCH_EVENTS:
                took.moved.append((entry, SWITCH_EVENTS[event.kind], min(event.ts, now)))

        for index, fault in zip(batch.fault_index, batch.faults, strict=True):
            entry = devices.get(fault.device)
            error = admit.check(entry, fault.device, fault.ts, now)
            if error is None and entry is not None and fault.channel not in entry.channel_ids:
                error = f"device {fault.device!r} has no channel {fault.channel!r} (it has {', '.join(entry.slots)})"
            if error is not None or entry is None:
                rejected.append(Rejected(index, f"faults[{index}]: {error}", "fault"))
                continue
            took.seen.add(entry.id)
            took.reports += 1
            key: Key = (entry.id, entry.channel_ids[fault.channel], "sensor")
            took.touched += self.alarms.sensor_fault(conn, key, entry.site_id, min(fault.ts, now), fault.reason)
        extras = batch.state_detail or [{}] * len(batch.states)
        for index, state, extra in zip(batch.state_index, batch.states, extras, strict=True):
            entry = devices.get(state.device)
            error = admit.check(entry, state.device, state.ts, now)
            if error is None and (state.level == "fault") != (state.cause == "sensor"):
                error = "a device's fault is cause 'sensor'; its alarms are of the other causes"
            if error is None and state.channel is not None and not 0 < len(state.channel) <= 32:
                error = "channel: a channel key of 1–32 characters, e.g. residual_ma"
            if error is not None or entry is None:
                rejected.append(Rejected(index, f"states[{index}]: {error}", "state"))
                continue
            took.seen.add(entry.id)
            took.reports += 1
            took.touched += self.alarms.device_state(conn, (entry.id, 0, state.cause), entry.site_id,
                                                     state.level if state.active else None, min(state.ts, now),
                                                     {"reason": "device", **({"channel": state.channel}
                                                                             if state.channel else {}), **extra},
                                                     state.test)
        if self.alarms.reported and slots.shape[0]:  # a value again from a channel whose device reported a fault
            back = [key for key in self._keys(slots, "sensor") if key in self.alarms.reported]
            took.touched += self.alarms.sensor_back(conn, back, now)
        return took

    def _judge(self, conn: Connection, group: list[_Admitted], now: float,
               watched: frozenset[int]) -> list[Outcome]:
        """Store what the batches admitted, detect over all of it at once, and make the alarm transitions."""
        slots = np.concatenate([took.slots for took in group])
        ts_arr = np.concatenate([took.ts for took in group])
        values = np.concatenate([took.values for took in group])
        arcs = [arc for took in group for arc in took.arcs]
        event_rows = [row for took in group for row in took.event_rows]
        moved = sorted((m for took in group for m in took.moved), key=lambda m: m[2])
        seen = set().union(*(took.seen for took in group))
        if slots.shape[0]:
            readings_sql.insert_readings(conn, self.detector.channel_ids(slots), ts_arr, values,
                                         self._maybe_stored(slots, ts_arr))
            readings_sql.mark_late(conn, float(ts_arr.min()))
            forward_sql.note_late(conn, ts_arr)  # a site box sends readings behind its forward cursor again
        if event_rows:
            readings_sql.insert_events(conn, event_rows)
        findings = self.detector.detect(
            slots, ts_arr, values,
            np.asarray([a[0] for a in arcs], dtype=np.int64), np.asarray([a[1] for a in arcs], dtype=np.float64),
            np.asarray([a[2] for a in arcs], dtype=np.float64), now=now,
        )
        live: list[LiveEvent] = []
        for entry, position, ts in moved:
            live += self.alarms.switched(conn, entry.id, entry.site_id, position, ts, None)
        touched: Touched = [t for took in group for t in took.touched]
        touched += self.alarms.apply(conn, self.wanted(findings.changes))
        for device_id in seen:
            touched += self.alarms.device_back(conn, device_id, now)
        self.alarms.peaks(conn, self._peaks(findings))
        alarm_sql.touch_devices(conn, seen, now)
        outcomes = []
        for took in group:
            accepted = int(took.slots.shape[0]) + len(took.event_rows) + took.reports
            took.rejected.sort(key=lambda r: (r.kind, r.index))
            readings_sql.record_batch(conn, took.access.sender, took.batch_id, now, accepted,
                                      [{"index": r.index, "error": r.error, "kind": r.kind} for r in took.rejected])
            outcomes.append(Outcome(IngestResult(accepted, False, took.rejected)))
        if touched or moved:
            make_durable(conn)
            live += self.alarms.events(conn, touched)
            # The detector state behind these transitions commits with them: a restart before the next checkpoint
            # must not find an alarm active while its channel's trigger is off (it would clear, then rise again).
            self._save_state(conn, sorted({change.slot for change in findings.changes}))
        if watched:
            for info, t, v in self.detector.latest(findings, watched):
                live.append(LiveEvent(info.site_id, "reading", {
                    "channel_id": info.channel_id, "device_id": info.device_id, "channel": info.key,
                    "ts": t, "value": v}))
        outcomes[-1].live = live
        return outcomes

    def _maybe_stored(self, slots: np.ndarray[Any, Any], ts: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """Which of a batch's readings may be stored already: all but those newer than what this process stored
        for their channel since its detector was made (a restart or a reload — a write with alarm transitions
        rolled back — starts afresh, and so do partitions taken over: the first batch then looks every reading up).
        Not the detector's newest time: it lags what is stored for a disabled channel, a clock ahead of the server,
        history."""
        if self._stored_for is not self.detector:
            self._stored_for, self._stored_to = self.detector, np.full(0, np.nan)
        if self._stored_to.shape[0] <= int(slots.max()):
            grown = np.full(max(64, 2 * (int(slots.max()) + 1)), np.nan)
            grown[:self._stored_to.shape[0]] = self._stored_to
            self._stored_to = grown
        with np.errstate(invalid="ignore"):
            maybe: np.ndarray[Any, Any] = ~(ts > self._stored_to[slots])  # NaN, nothing known: maybe
        # If this write is rolled back, the times run ahead of what is stored: that only looks up more, never less.
        np.fmax.at(self._stored_to, slots, ts)
        return maybe

    def wanted(self, changes: list[Change]) -> list[Wanted]:
        """Detection's changes, by slot, as the alarm stage takes them: by device, channel and cause."""
        out = []
        for change in changes:
            info = self.detector.channel(change.slot)
            out.append(Wanted((info.device_id, info.channel_id, change.cause), info.site_id, change.level, change.ts,
                              None if np.isnan(change.value) else change.value, self.detector.threshold(change),
                              change.detail))
        return out

    def _keys(self, slots: np.ndarray[Any, Any], cause: str) -> list[Key]:
        out = []
        for slot in np.unique(slots).tolist():
            info = self.detector.channel(slot)
            out.append((info.device_id, info.channel_id, cause))
        return out

    def _peaks(self, findings: Findings) -> dict[Key, float]:
        out = {}
        for (slot, cause), value in findings.peaks.items():
            info = self.detector.channel(slot)
            out[(info.device_id, info.channel_id, cause)] = value
        return out

    def link_fault(self, conn: Connection, serial: str, ts: float, detail: dict[str, Any]) -> list[LiveEvent]:
        """A device's radio link failed: a device-level ``fault`` (cause ``sensor``, reason ``link``)."""
        entry = self.registry.lookup(conn, serial)
        if entry is None:
            return []
        raised = self.alarms.raise_level(conn, (entry.id, 0, "sensor"), "fault", ts, entry.site_id,
                                         {"reason": "link", **detail})
        return self.alarms.events(conn, [raised]) if raised else []

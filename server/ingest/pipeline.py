"""The ingest function: validate → one transaction {readings, events, detector state, alarm transitions}.

Runs on the database's writer thread (``Pipeline.ingest`` is handed to ``Database.write``), which is the one
owner of the detector and its state. HTTP, the BLE poller and site-box sync all call it the same way.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

import msgspec
import numpy as np

from server.alarms.book import RANK, Active, AlarmBook, Decision, Key
from server.detection import detectors
from server.detection.engine import Change, Detector
from server.detection.table import CAUSES
from server.ingest import admit
from server.ingest.admit import Access
from server.ingest.registry import DeviceEntry, Registry
from server.ingest.wire import IngestResult, ParsedBatch, Rejected
from server.storage import alarms as alarm_sql
from server.storage import readings as readings_sql
from server.storage.database import make_durable, on_rollback

__all__ = ["Access", "LiveEvent", "Outcome", "Pipeline"]

# API.md "Test alarms": a device is in self-test from its self_test event until this long after it.
SELF_TEST_S = 60.0
# A self-test alarm clears within seconds; one still active this long after it rose is not a test (a real fault
# during a self-test, or self_test events sent over and over): it is raised again as a real alarm.
TEST_ALARM_MAX_S = 300.0
# An alarm that ends while its device's breaker is open ended because of the trip (and not because the fault went
# away) when the breaker opened after the alarm rose, or up to this long before (a device that trips at once
# reports the trip and the reading in the same instant).
TRIP_GRACE_S = 60.0
# Causes on the circuit itself, which a trip removes along with the power; sensor, link and supply faults stay theirs.
TRIPPED_CAUSES = frozenset({"overload", "leakage", "overtemp", "arc", "short_circuit", "hot_joint", "leakage_trend",
                            "imbalance"})
# Events that move a breaker: the position it is in afterwards.
SWITCH_EVENTS = {"trip": "open", "close": "closed"}


@dataclass(frozen=True)
class LiveEvent:
    site_id: int
    event: str  # "reading" | "alarm" | "device" | "hazard"
    data: dict[str, Any]


@dataclass
class Outcome:
    result: IngestResult
    live: list[LiveEvent] = field(default_factory=list)


class Pipeline:
    def __init__(self) -> None:
        self.detector = Detector()
        self.registry = Registry(self.detector)
        self.book = AlarmBook()

    def load(self, conn: sqlite3.Connection) -> None:
        self.registry.load(conn)
        table = self.detector.table
        for row in alarm_sql.active_alarms(conn):
            key: Key = (row["device_id"], row["channel_id"] or 0, row["cause"])
            self.book.add(key, Active(row["id"], row["site_id"], row["device_id"], row["channel_id"], row["cause"],
                                      row["level"], row["started_at"], row["peak"], row["threshold"], row["detail"],
                                      bool(row["test"])))
            slot = table.slot_of.get(row["channel_id"] or 0)
            if slot is not None and row["cause"] in CAUSES:
                table.desired[CAUSES.index(row["cause"]), slot] = RANK[row["level"]]

    def reload(self, conn: sqlite3.Connection) -> None:
        """Back to what the database holds, as after a restart: a write that made alarm transitions was rolled
        back (a full disk), so the book and the detectors must not keep what it decided."""
        self.detector = Detector()
        self.registry = Registry(self.detector)
        self.book = AlarmBook()
        self.load(conn)

    def checkpoint(self, conn: sqlite3.Connection) -> int:
        """Persist the detector state of channels that changed since the last checkpoint.

        Between checkpoints only soft state is at risk (a pending duration timer, the thermal state): after a
        crash an alarm can come up to one delay later, never twice, because active alarms are rows and the state
        of a channel whose alarm changed is saved with the change (``ingest``).
        """
        table = self.detector.table
        dirty = np.flatnonzero(table.dirty[: table.size]).tolist()
        self._save_state(conn, dirty)
        table.dirty[:] = False
        on_rollback(conn, lambda _: table.dirty.__setitem__(dirty, True))  # not saved after all: next time
        return len(dirty)

    def _save_state(self, conn: sqlite3.Connection, slots: list[int]) -> None:
        table = self.detector.table
        alarm_sql.save_checkpoints(
            conn, [(table.info[slot].channel_id, msgspec.msgpack.encode(table.export(slot))) for slot in slots])

    # ---- ingest ---------------------------------------------------------------------------------------------

    def ingest(self, conn: sqlite3.Connection, batch: ParsedBatch, access: Access, now: float,
               watched: frozenset[int]) -> Outcome:
        stored = readings_sql.batch_result(conn, access.sender, batch.batch_id)
        if stored is not None:
            accepted, previous = stored
            return Outcome(IngestResult(accepted, True, [Rejected(**r) for r in previous]))
        rejected = list(batch.rejected)
        devices = admit.feedable(conn, self.registry, batch, access)

        slots, ts_arr, values = admit.samples(batch, devices, now, rejected)
        table = self.detector.table
        seen = set(table.device_id[np.unique(slots)].tolist())

        event_rows: list[tuple[int, str, float, int, float]] = []
        moved: list[tuple[DeviceEntry, str, float]] = []
        arc_slot: list[int] = []
        arc_ts: list[float] = []
        arc_count: list[float] = []
        for index, event in zip(batch.event_index, batch.events, strict=True):
            entry = devices.get(event.device)
            error = admit.check(entry, event.device, event.ts, now)
            if error is None and entry is not None and event.kind == "arc":
                slot = entry.slots.get("arc")
                if slot is None:
                    error = f"device {event.device!r} has no arc channel; register channel 'arc' to detect fault arcs"
                else:
                    arc_slot.append(slot)
                    arc_ts.append(event.ts)
                    arc_count.append(float(event.count))
            if error is not None or entry is None:
                rejected.append(Rejected(index, f"events[{index}]: {error}", "event"))
                continue
            event_rows.append((entry.id, event.kind, event.ts, event.count, now))
            seen.add(entry.id)
            if event.kind == "self_test":
                alarm_sql.set_self_test(conn, entry.id, min(event.ts, now) + SELF_TEST_S)
            elif event.kind in SWITCH_EVENTS:
                moved.append((entry, SWITCH_EVENTS[event.kind], min(event.ts, now)))

        if slots.shape[0]:
            readings_sql.insert_readings(conn, table.channel_id[slots], ts_arr, values)
            readings_sql.mark_late(conn, float(ts_arr.min()))
        if event_rows:
            readings_sql.insert_events(conn, event_rows)
        findings = self.detector.detect(
            slots, ts_arr, values,
            np.asarray(arc_slot, dtype=np.int64), np.asarray(arc_ts, dtype=np.float64),
            np.asarray(arc_count, dtype=np.float64), now=now,
        )
        live: list[LiveEvent] = []
        for entry, position, ts in sorted(moved, key=lambda m: m[2]):
            live += self.switched(conn, entry.id, entry.site_id, position, ts, None)
        touched = self._apply(conn, findings.changes)
        for device_id in seen:
            touched += self._device_back(conn, device_id, now)
        self._peaks(conn, findings.peaks)
        alarm_sql.touch_devices(conn, seen, now)
        accepted = int(slots.shape[0]) + len(event_rows)
        rejected.sort(key=lambda r: (r.kind, r.index))
        readings_sql.record_batch(conn, access.sender, batch.batch_id, now, accepted,
                                  [{"index": r.index, "error": r.error, "kind": r.kind} for r in rejected])
        if touched or moved:
            make_durable(conn)
            live += self.alarm_events(conn, touched)
            # The detector state behind these transitions commits with them: a restart before the next checkpoint
            # must not find an alarm active while its channel's trigger is off (it would clear, then rise again).
            self._save_state(conn, sorted({change.slot for change in findings.changes}))
        if watched:
            for slot, (t, v) in findings.latest_of(watched, table).items():
                info = table.info[slot]
                if info.site_id in watched:
                    live.append(LiveEvent(info.site_id, "reading", {
                        "channel_id": info.channel_id, "device_id": info.device_id, "channel": info.key,
                        "ts": t, "value": v}))
        return Outcome(IngestResult(accepted, False, rejected), live)

    # ---- alarm instances ----------------------------------------------------------------------------------

    def _apply(self, conn: sqlite3.Connection, changes: list[Change]) -> list[tuple[int, str]]:
        """Turn wanted-level changes into alarm transitions; answer (alarm id, transition) for each."""
        table = self.detector.table
        out: list[tuple[int, str]] = []
        for change in changes:
            info = table.info[change.slot]
            key: Key = (info.device_id, info.channel_id, change.cause)
            decision = self.book.decide(key, change.level)
            if decision is not None:
                value = None if np.isnan(change.value) else change.value
                out.append(self._store(conn, key, decision, change.ts, value, self._threshold(change),
                                       change.detail, info.site_id))
        return out

    def _store(self, conn: sqlite3.Connection, key: Key, decision: Decision, ts: float, value: float | None,
               threshold: float | None, detail: dict[str, Any], site_id: int,
               test: bool | None = None) -> tuple[int, str]:
        device_id, channel_id, cause = key
        on_rollback(conn, self.reload)  # the book changes with this row: if the row is undone, so is the book
        if decision.kind == "raised":
            test = alarm_sql.in_self_test(conn, device_id, ts) if test is None else test
            record = {"site_id": site_id, "device_id": device_id, "channel_id": channel_id or None, "cause": cause,
                      "level": decision.level, "started_at": ts, "peak": value, "threshold": threshold,
                      "detail": detail, "test": test}
            alarm_id = alarm_sql.insert_alarm(conn, record, value)
            self.book.add(key, Active(alarm_id, site_id, device_id, channel_id or None, cause, decision.level, ts,
                                      value, threshold, detail, test))
            return alarm_id, "raised"
        active = self.book.active[key]
        if decision.kind == "escalated":
            active.level = decision.level
            active.threshold = threshold
            active.detail = detail or active.detail
            alarm_sql.escalate_alarm(conn, active.id, decision.level, ts, value, threshold, active.detail,
                                     test=active.test)
            return active.id, "escalated"
        self.book.remove(key)
        trip = self._trip(conn, active) if cause in TRIPPED_CAUSES else None
        if trip is None:
            alarm_sql.clear_alarm(conn, active.id, active.level, ts, value, test=active.test)
        else:
            alarm_sql.clear_alarm(conn, active.id, active.level, ts, value, test=active.test, reason="trip",
                                  tripped_by=trip["switch_by"],
                                  detail={"reason": "trip", "by": trip["switch_by_name"], "at": trip["switch_at"]})
        return active.id, "cleared"

    @staticmethod
    def _trip(conn: sqlite3.Connection, active: Active) -> dict[str, Any] | None:
        """The breaker's opening that ended ``active``, if it is open and opened during the alarm (or just before)."""
        switch = alarm_sql.device_switch(conn, active.device_id)
        if switch is None or switch["switch"] != "open" or switch["switch_at"] is None:
            return None
        return switch if switch["switch_at"] >= active.started_at - TRIP_GRACE_S else None

    def switched(self, conn: sqlite3.Connection, device_id: int, site_id: int, position: str, ts: float,
                 by: int | None) -> list[LiveEvent]:
        """A breaker moved (a trip or close event, a read-back after remote control, the poller's reading): record
        it and tell open site pages. Nothing when it was already there."""
        if not alarm_sql.set_switch(conn, device_id, position, ts, by):
            return []
        breaker = alarm_sql.device_switch(conn, device_id)
        assert breaker is not None
        return [LiveEvent(site_id, "device", {"device_id": device_id, "site_id": site_id, "switch": position,
                                              "switch_at": ts, "switch_by": breaker["switch_by_name"]})]

    def promote_tests(self, conn: sqlite3.Connection, now: float) -> list[tuple[int, str]]:
        """Test alarms still active TEST_ALARM_MAX_S after they rose end as tests and rise again as real alarms, so
        neither a fault during a self-test nor a stream of self_test events can hide an alarm."""
        touched: list[tuple[int, str]] = []
        stale = [(k, a) for k, a in self.book.active.items() if a.test and a.started_at < now - TEST_ALARM_MAX_S]
        for key, active in stale:
            self.book.remove(key)
            alarm_sql.clear_alarm(conn, active.id, active.level, now, None, test=True,
                                  detail={"reason": "not_a_test"})
            touched.append((active.id, "cleared"))
            touched.append(self._store(conn, key, Decision("raised", active.level), now, active.peak,
                                       active.threshold, {**active.detail, "after_self_test": True}, active.site_id,
                                       test=False))
        if touched:
            make_durable(conn)
        return touched

    def _threshold(self, change: Change) -> float | None:
        s = self.detector.table.settings
        slot = change.slot
        level = change.level
        match change.cause:
            case "leakage" | "overtemp" | "voltage" | "overload":
                value = s["alarm" if level == 2 else "prealarm"][slot]
            case "leakage_trend" | "arc":
                value = s["alarm"][slot]
            case "short_circuit":
                value = detectors.SHORT_CIRCUIT_MULTIPLE * s["rated_a"][slot]
            case "hot_joint":
                value = detectors.HOT_JOINT_ALARM_K if level == 2 else detectors.HOT_JOINT_PREALARM_K
            case _:
                return None
        return None if np.isnan(value) else float(value)

    def _device_back(self, conn: sqlite3.Connection, device_id: int, now: float) -> list[tuple[int, str]]:
        """Data from a device ends its device-level ``offline`` and link ``fault``."""
        touched = []
        for cause in ("offline", "sensor"):
            key: Key = (device_id, 0, cause)
            active = self.book.active.get(key)
            if active is not None:
                touched.append(self._store(conn, key, Decision("cleared", active.level), now, None, None, {}, 0))
        return touched

    def _peaks(self, conn: sqlite3.Connection, peaks: dict[tuple[int, str], float]) -> None:
        table = self.detector.table
        updates = []
        for (slot, cause), value in peaks.items():
            info = table.info[slot]
            active = self.book.active.get((info.device_id, info.channel_id, cause))
            if active is not None and (active.peak is None or value > active.peak):
                active.peak = value
                updates.append((value, active.id))
        if updates:
            alarm_sql.update_peaks(conn, updates)

    def alarm_events(self, conn: sqlite3.Connection, touched: list[tuple[int, str]]) -> list[LiveEvent]:
        events = []
        for alarm_id, transition in touched:
            row = alarm_sql.get_alarm(conn, alarm_id)
            if row is not None:
                events.append(LiveEvent(row["site_id"], "alarm", {**row, "transition": transition}))
        return events

    def raise_level(self, conn: sqlite3.Connection, key: Key, level: str, ts: float, site_id: int,
                    detail: dict[str, Any]) -> tuple[int, str] | None:
        """Raise a device-level alarm found outside detection (the offline watchdog)."""
        decision = self.book.decide(key, level)
        if decision is None:
            return None
        make_durable(conn)
        return self._store(conn, key, decision, ts, None, None, detail, site_id)

    def link_fault(self, conn: sqlite3.Connection, serial: str, ts: float, detail: dict[str, Any]) -> list[LiveEvent]:
        """A device's radio link failed: a device-level ``fault`` (cause ``sensor``, reason ``link``)."""
        entry = self.registry.lookup(conn, serial)
        if entry is None:
            return []
        raised = self.raise_level(conn, (entry.id, 0, "sensor"), "fault", ts, entry.site_id,
                                  {"reason": "link", **detail})
        return self.alarm_events(conn, [raised]) if raised else []

    def apply_changes(self, conn: sqlite3.Connection, changes: list[Change]) -> list[tuple[int, str]]:
        touched = self._apply(conn, changes)
        if touched:
            make_durable(conn)
        return touched


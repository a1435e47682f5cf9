"""The alarm stage: detection's changes of wanted level become alarm instances — raised, escalated, cleared — one
per (device, channel, cause) while it lasts, stored in the same transaction as the readings that caused them.

Runs on the database's writer thread, like the ingest function that calls it. The book (``AlarmBook``) decides;
this stage stores what it decides, keeps the book in step with the rows, and tells open site pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from server.alarms.book import Active, AlarmBook, Decision, Key
from server.live.events import LiveEvent
from server.storage import Connection, make_durable, on_rollback
from server.storage import alarms as alarm_sql

__all__ = ["SELF_TEST_S", "AlarmStage", "Touched", "Wanted"]

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

# Why a device says a channel has no measurement (ble.profiles sentinels and status words; ingest's faults).
REPORTED = frozenset({"ct_open", "ct_short", "sensor"})
# (alarm id, transition) of each transition a write made.
Touched = list[tuple[int, str]]


@dataclass(frozen=True)
class Wanted:
    """Detection found that ``key`` should now be at ``level`` (0 none, 1 pre-alarm, 2 alarm, 3 fault)."""

    key: Key
    site_id: int
    level: int
    ts: float
    value: float | None  # the value that made it so, if one did
    threshold: float | None  # the setting it crossed
    detail: dict[str, Any] = field(default_factory=dict)


class AlarmStage:
    """The alarm instances of a process. ``undo`` is called if a write that changed the book is rolled back (a full
    disk): the owner then rebuilds the book, and what feeds it, from the database."""

    def __init__(self, undo: Callable[[Connection], None],
                 owns: Callable[[int], bool] = lambda site_id: True) -> None:
        self.book = AlarmBook()
        self._undo = undo
        # The sites this process judges (server/cluster): another worker's sites are read afresh before a change.
        self.owns = owns
        # Channels whose sensor fault a device reported (a sentinel, a status word): their next value ends it.
        self.reported: set[Key] = set()

    def load(self, conn: Connection) -> list[Active]:
        """The active alarms as the database holds them; answers them (detection must learn their levels)."""
        self._add_rows(alarm_sql.active_alarms(conn))
        return list(self.book.active.values())

    def _add_rows(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            key: Key = (row["device_id"], row["channel_id"] or 0, row["cause"])
            self.book.add(key, Active(row["id"], row["site_id"], row["device_id"], row["channel_id"], row["cause"],
                                      row["level"], row["started_at"], row["peak"], row["threshold"], row["detail"],
                                      bool(row["test"])))
            if row["cause"] == "sensor" and row["channel_id"] and (row["detail"] or {}).get("reason") in REPORTED:
                self.reported.add(key)

    def apply(self, conn: Connection, changes: list[Wanted]) -> Touched:
        """Turn changes of the wanted level into alarm transitions."""
        out: Touched = []
        for change in changes:
            decision = self.book.decide(change.key, change.level)
            if decision is not None:
                out.append(self._store(conn, change.key, decision, change.ts, change.value, change.threshold,
                                       change.detail, change.site_id))
        if out:
            make_durable(conn)
        return out

    def _store(self, conn: Connection, key: Key, decision: Decision, ts: float, value: float | None,
               threshold: float | None, detail: dict[str, Any], site_id: int,
               test: bool | None = None) -> tuple[int, str]:
        device_id, channel_id, cause = key
        on_rollback(conn, self._undo)  # the book changes with this row: if the row is undone, so is the book
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
    def _trip(conn: Connection, active: Active) -> dict[str, Any] | None:
        """The breaker's opening that ended ``active``, if it is open and opened during the alarm (or just before)."""
        switch = alarm_sql.device_switch(conn, active.device_id)
        if switch is None or switch["switch"] != "open" or switch["switch_at"] is None:
            return None
        return switch if switch["switch_at"] >= active.started_at - TRIP_GRACE_S else None

    def switched(self, conn: Connection, device_id: int, site_id: int, position: str, ts: float,
                 by: int | None) -> list[LiveEvent]:
        """A breaker moved (a trip or close event, a read-back after remote control, the poller's reading): record
        it and tell open site pages. Nothing when it was already there."""
        if not alarm_sql.set_switch(conn, device_id, position, ts, by):
            return []
        breaker = alarm_sql.device_switch(conn, device_id)
        assert breaker is not None
        return [LiveEvent(site_id, "device", {"device_id": device_id, "site_id": site_id, "switch": position,
                                              "switch_at": ts, "switch_by": breaker["switch_by_name"]})]

    def self_test(self, conn: Connection, device_id: int, ts: float) -> None:
        """A device began its self-test: alarms it raises until SELF_TEST_S later are test alarms."""
        alarm_sql.set_self_test(conn, device_id, ts + SELF_TEST_S)

    def promote_tests(self, conn: Connection, now: float, owns: Callable[[int], bool] = lambda site: True) -> Touched:
        """Test alarms still active TEST_ALARM_MAX_S after they rose end as tests and rise again as real alarms, so
        neither a fault during a self-test nor a stream of self_test events can hide an alarm."""
        touched: Touched = []
        stale = [(k, a) for k, a in self.book.active.items()
                 if a.test and a.started_at < now - TEST_ALARM_MAX_S and owns(a.site_id)]
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

    def device_back(self, conn: Connection, device_id: int, now: float, site_id: int | None = None) -> Touched:
        """Data from a device ends its device-level ``offline`` and link ``fault``. Called for a device of a site
        another worker judges (``site_id`` given), the book takes that site's alarms from the database first."""
        if site_id is not None and not self.owns(site_id):
            self.resync_site(conn, site_id)
        touched = []
        for cause in ("offline", "sensor"):
            key: Key = (device_id, 0, cause)
            active = self.book.active.get(key)
            if active is not None and active.detail.get("reason") != "device":  # the device's own fault: its to end
                touched.append(self._store(conn, key, Decision("cleared", active.level), now, None, None, {}, 0))
        if touched:
            make_durable(conn)
        return touched

    def peaks(self, conn: Connection, peaks: dict[Key, float]) -> None:
        """The worst values seen while alarms last."""
        updates = []
        for key, value in peaks.items():
            active = self.book.active.get(key)
            if active is not None and (active.peak is None or value > active.peak):
                active.peak = value
                updates.append((value, active.id))
        if updates:
            alarm_sql.update_peaks(conn, updates)

    def raise_level(self, conn: Connection, key: Key, level: str, ts: float, site_id: int,
                    detail: dict[str, Any]) -> tuple[int, str] | None:
        """Raise a device-level alarm found outside detection (the offline watchdog, a radio link's failure)."""
        decision = self.book.decide(key, level)
        if decision is None:
            return None
        make_durable(conn)
        return self._store(conn, key, decision, ts, None, None, detail, site_id)

    def device_state(self, conn: Connection, key: Key, site_id: int, level: str | None, ts: float,
                     detail: dict[str, Any], test: bool) -> Touched:
        """A device's own judgement (ingest's ``states``): raise ``key`` at ``level``, or end it (``None``) when the
        device raised it (a fault of another reason — a radio link's — is not the device's to end)."""
        active = self.book.active.get(key)
        if level is None:
            if active is None or active.detail.get("reason") != "device":
                return []
            decision: Decision | None = Decision("cleared", active.level)
        else:
            decision = self.book.decide(key, level)
        if decision is None:
            return []
        make_durable(conn)
        return [self._store(conn, key, decision, ts, None, None, detail, site_id, test=True if test else None)]

    def offline(self, conn: Connection, now: float, intervals: float,
                owns: Callable[[int], bool] = lambda site: True) -> Touched:
        """Devices silent for ``intervals`` poll intervals are ``offline`` (of the sites this process judges)."""
        touched = []
        for device in alarm_sql.silent_devices(conn, now, intervals):
            if not owns(device["site_id"]):
                continue
            raised = self.raise_level(
                conn, (device["id"], 0, "offline"), "offline", now, device["site_id"],
                {"last_seen_at": device["last_seen_at"], "poll_interval_s": device["poll_interval_s"]},
            )
            if raised:
                touched.append(raised)
        return touched

    def sensor_fault(self, conn: Connection, key: Key, site_id: int, ts: float, reason: str) -> Touched:
        """A device reported that a channel's sensor is at fault (``reason``: ct_open, ct_short, sensor)."""
        raised = self.raise_level(conn, key, "fault", ts, site_id, {"reason": reason})
        if raised is None:
            return []
        self.reported.add(key)
        return [raised]

    def sensor_back(self, conn: Connection, keys: list[Key], now: float) -> Touched:
        """Values again from channels whose sensor fault their device had reported: the faults end."""
        touched = []
        for key in keys:
            active = self.book.active.get(key)
            self.reported.discard(key)
            if active is not None and active.detail.get("reason") in REPORTED:
                touched.append(self._store(conn, key, Decision("cleared", active.level), now, None, None, {}, 0))
        if touched:
            make_durable(conn)
        return touched

    def active_arc_channels(self, owns: Callable[[int], bool] = lambda site: True) -> list[int]:
        return [a.channel_id for a in self.book.of_cause("arc") if a.channel_id is not None and owns(a.site_id)]

    def resync_site(self, conn: Connection, site_id: int) -> None:
        """Another worker changed alarms of this site (a box's presence, a breaker moved): the book takes the
        site's active alarms as the database holds them."""
        self._forget(lambda site: site == site_id)
        self._add_rows(alarm_sql.active_alarms(conn, site_id))

    def resync_sites(self, conn: Connection, picks: Callable[[int], bool]) -> list[Active]:
        """The sites ``picks`` come from another worker: the book takes their active alarms as the database holds
        them (one read of the active alarms, a few rows city-wide); answers them."""
        self._forget(picks)
        rows = [row for row in alarm_sql.active_alarms(conn) if picks(row["site_id"])]
        self._add_rows(rows)
        return [self.book.active[(r["device_id"], r["channel_id"] or 0, r["cause"])] for r in rows]

    def _forget(self, picks: Callable[[int], bool]) -> None:
        for key in [k for k, a in self.book.active.items() if picks(a.site_id)]:
            self.book.remove(key)
            self.reported.discard(key)

    @staticmethod
    def events(conn: Connection, touched: Touched) -> list[LiveEvent]:
        """The live ``alarm`` events of these transitions, as the rows now read."""
        events = []
        for alarm_id, transition in touched:
            row = alarm_sql.get_alarm(conn, alarm_id)
            if row is not None:
                events.append(LiveEvent(row["site_id"], "alarm", {**row, "transition": transition}))
        return events

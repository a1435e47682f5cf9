"""Cloud side: one forwarded batch stored in one writer transaction (server/upstream/forward_cloud.py calls it).

The box judged its readings: its alarm transitions are applied to the cloud's copy of each box alarm (origin
"gateway:{gateway id}/{box alarm id}", ``origin_seq`` the last box transition applied, so a resent one is
skipped), through the same storage functions as the cloud's own alarms — the transition and its outbox row in
one transaction, so the owner's phone is told by the cloud's sender (test alarms by nobody). No detection runs
on forwarded readings. An item naming a device or channel the cloud does not know yet is refused by itself; the
good part of the batch is stored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, get_args, get_type_hints

import msgspec
import numpy as np

from ble.profiles import profiles
from server.alarms.schemas import AlarmCause
from server.alarms.stage import AlarmStage, Touched
from server.devices.schemas import Answer, Commissioning, StepOut
from server.errors import Conflict
from server.ingest.pipeline import SWITCH_EVENTS
from server.live.events import LiveEvent
from server.storage import Connection, make_durable
from server.storage import alarms as alarm_sql
from server.storage import attachments as attachments_sql
from server.storage import forward_cloud as sql
from server.storage import readings as readings_sql
from server.storage.scopes import of_site
from server.upstream.wire import AlarmUp, CommissioningUp, Forward, ForwardAnswer, ForwardRejected

__all__ = ["Applied", "apply"]

CAUSES = frozenset(get_args(AlarmCause))
STATES = frozenset(get_args(get_type_hints(Commissioning)["state"]))
# Forwarded times must be real ones: after 2000 and not ahead of the cloud's clock by more than a day (a box's
# clock may run ahead; beyond that the time is wrong, and a far-off time would make an absurd readings bucket).
EARLIEST_TS = 946_684_800.0
AHEAD_S = 86_400.0


@dataclass
class Applied:
    answer: ForwardAnswer
    live: list[LiveEvent] = field(default_factory=list)


class _Apply:
    def __init__(self, conn: Connection, stage: AlarmStage, gateway_id: int, site_id: int, now: float) -> None:
        self.conn = conn
        self.stage = stage
        self.gateway_id = gateway_id
        self.site_id = site_id
        self.now = now
        self.devices, self.channels = sql.site_names(conn, site_id)
        self.rejected: list[ForwardRejected] = []
        self.accepted = 0
        self.newest: dict[int, float] = {}  # device id → newest forwarded time
        self.live: list[LiveEvent] = []

    def refuse(self, stream: str, index: int, error: str) -> None:
        self.rejected.append(ForwardRejected(stream, index, error))

    def device(self, stream: str, index: int, serial: str) -> int | None:
        found = self.devices.get(serial)
        if found is None:
            self.refuse(stream, index, f"device {serial} is not known in the cloud yet; it will be sent again after "
                                       "the next mirror")
        return found

    def channel(self, stream: str, index: int, serial: str, key: str) -> int | None:
        if self.device(stream, index, serial) is None:
            return None
        found = self.channels.get((serial, key))
        if found is None:
            self.refuse(stream, index, f"device {serial} has no channel {key} in the cloud yet; it will be sent "
                                       "again after the next mirror")
        return found

    def times(self, stream: str, index: int, ts: list[float]) -> bool:
        if ts and (min(ts) < EARLIEST_TS or max(ts) > self.now + AHEAD_S or not all(map(math.isfinite, ts))):
            self.refuse(stream, index, f"{stream}[{index}]: a time before 2000 or more than a day ahead of the "
                                       "cloud's clock; set the box's clock (NTP) and send again")
            return False
        return True

    def seen(self, device_id: int, ts: float) -> None:
        self.newest[device_id] = max(ts, self.newest.get(device_id, ts))

    # ---- alarms -----------------------------------------------------------------------------------------------

    def alarms(self, items: list[AlarmUp]) -> Touched:
        touched: Touched = []
        users = sql.user_ids(self.conn, [a.acknowledged_by for a in items if a.acknowledged_by])
        for index, up in enumerate(items):
            if not (_fits(up.seq) and _fits(up.alarm_id)):
                self.refuse("alarms", index, f"alarms[{index}]: seq and alarm_id must be 0 to 2^53")
                continue
            if up.cause not in CAUSES:
                self.refuse("alarms", index, f"alarms[{index}]: cause {up.cause!r} is not one this cloud knows; "
                                             "upgrade the cloud")
                continue
            device_id = self.device("alarms", index, up.device)
            if device_id is None:
                continue
            channel_id = None if up.channel is None else self.channel("alarms", index, up.device, up.channel)
            if up.channel is not None and channel_id is None:
                continue
            if not self.times("alarms", index, [up.ts, up.started_at]):
                continue
            origin = f"gateway:{self.gateway_id}/{up.alarm_id}"
            found = sql.alarm_by_origin(self.conn, origin)
            stale = self._stale(index, up, found)
            if stale is not None:
                self.accepted += stale
                continue
            self.accepted += 1
            alarm_id, changes = self._transition(up, found, device_id, channel_id,
                                                 users.get(up.acknowledged_by or ""))
            sql.set_origin(self.conn, alarm_id, origin, up.seq)
            touched += changes
            self.seen(device_id, up.ts)
        return touched

    def _stale(self, index: int, up: AlarmUp, found: dict[str, Any] | None) -> int | None:
        """None: apply the transition. 1: sent before and applied already (an exact resend), skip it. 0: refused
        (the box alarm's number was reused: not the box database that raised the cloud's alarm)."""
        if found is None:
            return None
        if up.seq <= (found["origin_seq"] or 0):
            if sql.has_transition(self.conn, int(found["id"]), up.transition, up.ts) or (
                    up.transition == "acknowledged" and found["acknowledged_at"] is not None):
                return 1
            self.refuse("alarms", index, f"alarms[{index}]: transition {up.seq} of box alarm {up.alarm_id} is older "
                                         f"than the {found['origin_seq']} applied already and not one of its "
                                         "transitions: the box's alarm numbers were reused (a new box database?)")
            return 0
        if up.transition == "raised" and found["cleared_at"] is not None:
            self.refuse("alarms", index, f"alarms[{index}]: box alarm {up.alarm_id} ended here already and cannot be "
                                         "raised again: the box's alarm numbers were reused (a new box database?)")
            return 0
        return None

    def _transition(self, up: AlarmUp, found: dict[str, Any] | None, device_id: int, channel_id: int | None,
                    user_id: int | None) -> tuple[int, Touched]:
        conn = self.conn
        out: Touched = []
        if found is None:  # first sight, whichever transition it is (a box may start forwarding mid-alarm)
            alarm_id = alarm_sql.insert_alarm(conn, {
                "site_id": self.site_id, "device_id": device_id, "channel_id": channel_id, "cause": up.cause,
                "level": up.level, "started_at": up.started_at, "peak": up.peak, "threshold": up.threshold,
                "detail": up.detail if up.transition != "cleared" else {}, "test": up.test,
            }, up.value if up.transition == "raised" else None)
            out.append((alarm_id, "raised"))
            found = {"id": alarm_id, "cleared_at": None}
        alarm_id = int(found["id"])
        if up.transition == "escalated" and not out:  # on first sight the alarm was made at this level
            alarm_sql.escalate_alarm(conn, alarm_id, up.level, up.ts, up.value, up.threshold, up.detail,
                                     test=up.test)
            out.append((alarm_id, "escalated"))
        elif up.transition == "cleared" and found["cleared_at"] is None:
            alarm_sql.clear_alarm(conn, alarm_id, up.level, up.ts, up.value, test=up.test,
                                  reason="trip" if up.cleared_reason == "trip" else None, detail=up.detail)
            out.append((alarm_id, "cleared"))
        elif up.transition == "acknowledged" and alarm_sql.acknowledge(conn, alarm_id, user_id, up.ts, up.ack_note):
            out.append((alarm_id, "acknowledged"))
        if up.peak is not None:
            alarm_sql.update_peaks(conn, [(up.peak, alarm_id)])
        return alarm_id, out

    # ---- the rest ---------------------------------------------------------------------------------------------

    def readings(self, forward: Forward, watched: frozenset[int]) -> None:
        ids: list[np.ndarray[Any, Any]] = []
        times: list[list[float]] = []
        values: list[list[float]] = []
        latest: dict[int, tuple[float, float, int, str]] = {}
        for index, item in enumerate(forward.readings):
            channel_id = self.channel("readings", index, item.device, item.channel)
            if channel_id is None or not self.times("readings", index, item.ts):
                continue
            if len(item.ts) != len(item.value):
                self.refuse("readings", index, f"readings[{index}]: {len(item.ts)} times and {len(item.value)} "
                                               "values; send one value per time")
                continue
            if not item.ts:
                continue
            device_id = self.devices[item.device]
            ids.append(np.full(len(item.ts), channel_id, dtype=np.int64))
            times.append(item.ts)
            values.append(item.value)
            last = int(np.argmax(item.ts))
            if item.ts[last] >= latest.get(channel_id, (-math.inf,))[0]:
                latest[channel_id] = (item.ts[last], item.value[last], device_id, item.channel)
            self.seen(device_id, max(item.ts))
            self.accepted += len(item.ts)
        if ids:
            ts = np.concatenate([np.asarray(t, dtype=np.float64) for t in times])
            readings_sql.insert_readings(self.conn, np.concatenate(ids), ts,
                                         np.concatenate([np.asarray(v, dtype=np.float64) for v in values]))
            readings_sql.mark_late(self.conn, float(ts.min()))
        if self.site_id in watched:  # open site pages see each channel's newest value, as ingest tells them
            for channel_id, (t, v, device_id, key) in latest.items():
                self.live.append(LiveEvent(self.site_id, "reading", {
                    "channel_id": channel_id, "device_id": device_id, "channel": key, "ts": t, "value": v}))

    def events(self, forward: Forward) -> None:
        rows = []
        for index, event in enumerate(forward.events):
            device_id = self.device("events", index, event.device)
            if device_id is None or not self.times("events", index, [event.ts]):
                continue
            if not (0 < len(event.kind) <= 32 and _fits(event.count)):
                self.refuse("events", index, f"events[{index}]: kind must be 1 to 32 characters, count 0 to 2^53")
                continue
            rows.append((device_id, event.kind, event.ts, event.count, self.now))
            self.seen(device_id, event.ts)
            self.accepted += 1
            position = SWITCH_EVENTS.get(event.kind)
            if position is not None:  # the breaker moved at the site: the console shows where it is now
                self.live += self.stage.switched(self.conn, device_id, self.site_id, position, event.ts, None)
        sql.insert_events(self.conn, rows)

    def rollups(self, forward: Forward) -> None:
        rows = []
        for index, item in enumerate(forward.rollups):
            channel_id = self.channel("rollups", index, item.device, item.channel)
            if channel_id is None:
                continue
            columns = (item.start, item.n, item.vmin, item.vmax, item.vsum)
            if len({len(c) for c in columns}) != 1:
                self.refuse("rollups", index, f"rollups[{index}]: start, n, vmin, vmax and vsum differ in length")
                continue
            if not all(map(_fits, (*item.start, *item.n))):
                self.refuse("rollups", index, f"rollups[{index}]: start and n must be 0 to 2^53")
                continue
            if not self.times("rollups", index, [float(s) for s in item.start]):
                continue
            rows += [(channel_id, *row) for row in zip(*columns, strict=True)]
            self.accepted += len(item.start)
        sql.insert_rollups(self.conn, rows)

    def commissionings(self, forward: Forward) -> None:
        users = sql.user_ids(self.conn, [c.created_by for c in forward.commissionings if c.created_by])
        for index, record in enumerate(forward.commissionings):
            if not _fits(record.id) or not self.times("commissionings", index, [record.created_at]):
                if not _fits(record.id):
                    self.refuse("commissionings", index, f"commissionings[{index}]: id must be 0 to 2^53")
                continue
            error = self._record_error(index, record)
            if error is not None:
                self.refuse("commissionings", index, error)
                continue
            device_id = None
            if record.device is not None:
                device_id = self.device("commissionings", index, record.device)
                if device_id is None:
                    continue
            sql.upsert_commissioning(self.conn, f"gateway:{self.gateway_id}/{record.id}", {
                "site_id": self.site_id, "address": record.address, "model": record.model, "device_id": device_id,
                "state": record.state, "steps": record.steps, "answers": record.answers,
                "signed_by": record.signed_by, "signature": record.signature,
                "created_by": users.get(record.created_by or ""), "created_at": record.created_at,
                "completed_at": record.completed_at})
            self.accepted += 1


    def _record_error(self, index: int, record: CommissioningUp) -> str | None:
        """What makes a commissioning record one the cloud cannot show (GET /api/v1/commissioning/{id}), or that
        cites a file this box did not upload and its site cannot read already."""
        where = f"commissionings[{index}]"
        if record.model not in profiles():
            return f"{where}: model {record.model!r} is not one this cloud knows; upgrade the cloud"
        if record.state not in STATES:
            return f"{where}: state {record.state!r} is not one of {', '.join(sorted(STATES))}"
        try:
            msgspec.convert(record.steps, list[StepOut])
            answers = record.answers or {}
            items = msgspec.convert(answers.get("items", []), list[Answer])
            msgspec.convert(answers.get("version"), int | None)
        except (msgspec.ValidationError, AttributeError) as exc:
            return f"{where}: its steps or answers are not of the shape the app shows ({exc})"
        hashes = ([record.signature] if record.signature else []) + [sha for a in items for sha in a.attachments]
        if not hashes:
            return None
        allowed = sql.uploaded_by(self.conn, self.gateway_id, hashes)
        allowed |= attachments_sql.readable(self.conn, [h for h in hashes if h not in allowed], -1,
                                            of_site(self.site_id))
        missing = sorted(set(hashes) - allowed)
        if missing:
            return (f"{where}: cites attachment {missing[0][:12]}… that this box did not upload "
                    "(PUT /api/v1/upstream/attachments/{sha256}) and its site cannot read")
        return None


def _fits(value: int) -> bool:
    """An integer SQLite and JSON both hold exactly."""
    return 0 <= value <= 2**53


def apply(conn: Connection, stage: AlarmStage, gateway_id: int, site_id: int, forward: Forward, now: float,
          watched: frozenset[int]) -> Applied:
    """Store one batch (or answer as before when this box sent this batch id already)."""
    if forward.box_id:
        kept = sql.claim_box(conn, gateway_id, forward.box_id)
        if kept is not None:
            raise Conflict(f"this gateway key is already used by another box database (box {kept[:8]}…, this one "
                           f"{forward.box_id[:8]}…); issue a new key for this box: "
                           f"POST /api/v1/sites/{site_id}/gateways")
    sender = f"gateway:{gateway_id}/upstream"
    stored = readings_sql.batch_result(conn, sender, forward.batch_id)
    if stored is not None:
        accepted, previous = stored
        return Applied(ForwardAnswer(True, accepted, [ForwardRejected(**r) for r in previous]))
    work = _Apply(conn, stage, gateway_id, site_id, now)
    touched = work.alarms(forward.alarms)  # alarms first, as the box sends them
    work.commissionings(forward)
    work.events(forward)
    work.readings(forward, watched)
    work.rollups(forward)
    sql.seen_devices(conn, work.newest, gateway_id)
    for device_id in work.newest:  # the box judges them now: an offline alarm the cloud raised before ends
        touched += stage.device_back(conn, device_id, now, site_id)
    if work.accepted:
        # The box lets go of what the cloud acknowledged: the commit must survive a power cut here, readings too.
        make_durable(conn)
    if forward.backlog:
        sql.save_backlog(conn, gateway_id, forward.backlog, now)
    readings_sql.record_batch(conn, sender, forward.batch_id, now, work.accepted,
                              [{"stream": r.stream, "index": r.index, "error": r.error} for r in work.rejected])
    live = AlarmStage.events(conn, touched) + work.live
    return Applied(ForwardAnswer(False, work.accepted, work.rejected), live)

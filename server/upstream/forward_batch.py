"""The box's forward batches, made and settled on the writer thread (server/upstream/forward_box.py runs the loop).

Nothing is sent twice and nothing is lost, by two guards (either one alone would do):
- the batch is FIXED until acknowledged: ``next_batch`` stores it (id, body, and the cursor positions its answer
  moves to) in ``upstream_pending`` in the same transaction that reads it, and sends that same body again after a
  failure or a restart; the cloud stores a batch id once per box;
- every item is idempotent at the cloud: alarm transitions by the alarm's origin and ``origin_seq``, readings by
  (channel, ts) with INSERT OR IGNORE, events by (device, kind, ts), commissionings by origin, rollups only where
  the cloud has no minute row — so even a batch rebuilt under a new id (a power cut that lost the pending row)
  doubles nothing.
Cursors move only in ``settle``, after the cloud's answer, in one transaction with what the answer says.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import msgspec

from server.storage import Connection
from server.storage import forward_box as sql
from server.upstream.wire import (
    STREAMS,
    AlarmUp,
    ChannelReadings,
    ChannelRollups,
    CommissioningUp,
    EventUp,
    Forward,
    ForwardAnswer,
    ForwardRejected,
)

__all__ = ["ALARMS_PER_BATCH", "HELD_SHARE", "Built", "Limits", "cited", "next_batch", "refused", "settle"]

log = logging.getLogger("andian.upstream.forward")

# Alarm transitions per batch: all pending ones go before anything else; 5,000 (~2 MB of JSON at most) keeps a
# batch under the cloud's body limit even after a long outage with a flapping channel.
ALARMS_PER_BATCH = 5_000
# Commissioning records carry their steps and checklist answers (a few kB each).
COMMISSIONINGS_PER_BATCH = 50
EVENTS_PER_BATCH = 5_000
# Readings are forwarded once this old: a poll cycle's readings of several devices arrive within seconds of each
# other, and one that arrived just behind the cursor would otherwise send its whole bucket again as late.
SETTLE_S = 15.0
# Items the cloud could not take (a device it does not know yet) are tried again this often: the mirror brings
# devices within its interval (ANDIAN_UPSTREAM_MIRROR_S, 10 s).
HELD_RETRY_S = 30.0
# Held items take at most this share of a batch (of each stream's limit, of the readings budget): what the cloud
# keeps refusing never crowds out what is new, and held items alone never make a batch full.
HELD_SHARE = 10
# A refused batch is built again with each limit halved (Limits.scale) down to one item; past this, one item.
MAX_SCALE = 16
_TYPES: dict[str, type[Any]] = {"alarms": AlarmUp, "commissionings": CommissioningUp, "events": EventUp,
                                "readings": ChannelReadings, "rollups": ChannelRollups}


@dataclass(frozen=True)
class Limits:
    readings: int  # raw readings (and, separately, rollup minutes) per batch: settings.upstream_batch_readings
    readings_left: int  # the last estimate of raw readings not forwarded (for the backlog count)
    # After the cloud refused a whole batch (400/413/422): each limit is halved this many times, alarms alone first.
    scale: int = 0


@dataclass(frozen=True)
class Built:
    batch_id: str
    body: bytes
    advance: dict[str, Any]
    full: bool  # more was waiting than the batch could take: send the next at once
    sent_readings: int


def next_batch(conn: Connection, limits: Limits, now: float) -> Built | None:
    """The pending batch if there is one (sent before, not acknowledged); else a new one, stored as pending.
    None when there is nothing to send."""
    pending = sql.get_pending(conn)
    if pending is not None:
        return Built(pending["batch_id"], pending["body"], pending["advance"], True, 0)
    batch = _Batch(conn, now, limits.scale)
    budget = batch.limit(limits.readings)
    batch.alarms()
    # Alarms first: the rest only when the new ones all fit (after a refusal, alarms alone while there are any).
    if not batch.full and not (limits.scale and batch.forward.alarms):
        batch.commissionings()
        batch.events()
        batch.readings(budget)
        batch.late(budget - batch.sent_readings)
        batch.rollups(budget)
    elif not batch.full:
        batch.full = True
    forward = batch.forward
    forward.box_id = sql.box_id(conn, now)
    if not any(getattr(forward, stream) for stream in STREAMS):
        return None
    forward.backlog = batch.backlog(max(0, limits.readings_left - batch.sent_readings))
    body = msgspec.json.encode(forward)
    sql.save_pending(conn, forward.batch_id, body, batch.advance, batch.readings_to, batch.full, now)
    return Built(forward.batch_id, body, batch.advance, batch.full, batch.sent_readings)


def settle(conn: Connection, built: Built, answer: ForwardAnswer, now: float, held_max: int) -> None:
    """The cloud answered: move the cursors, let go of held items it took, hold the items it refused, and forget
    the pending batch — one transaction."""
    forward = msgspec.json.decode(built.body, type=Forward)
    advance = built.advance
    for stream, position in advance["cursors"].items():
        sql.set_cursor(conn, stream, position, now)
    refused = {(r.stream, r.index): r.error for r in answer.rejected}
    for stream in STREAMS:
        held_ids: list[int] = advance["held"].get(stream, [])
        taken = []
        for index, item in enumerate(getattr(forward, stream)):
            error = refused.get((stream, index))
            if index < len(held_ids):
                if error is None:
                    taken.append(held_ids[index])
                else:
                    sql.retried(conn, held_ids[index], error, now)
            elif error is not None:
                sql.hold(conn, stream, msgspec.msgpack.encode(item), _size(item), error, now)
        sql.unhold(conn, taken)
    late = advance.get("late")
    if late is not None:
        bucket, marks, channel, ts, done = late
        if done:
            sql.late_done(conn, bucket, marks)
            sql.set_cursor(conn, "late", None, now)
        else:
            sql.set_cursor(conn, "late", [bucket, marks, channel, ts], now)
    for stream in ("readings", "rollups"):  # alarms, events and commissionings are never let go
        gone = sql.trim_held(conn, stream, held_max)
        if gone:
            log.warning("forward: %d held %s items the cloud kept refusing were let go (over %d held)", gone, stream,
                        held_max)
    if answer.rejected:
        log.warning("forward: the cloud could not take %d items yet (kept, sent again later); first: %s",
                    len(answer.rejected), answer.rejected[0].error)
    sql.delete_pending(conn)


def refused(conn: Connection, built: Built, error: str, now: float) -> bool:
    """The cloud refused the pending batch as a whole (400, 413, 422: too large, a shape it does not take): forget
    it, to be built again smaller (the caller halves Limits.scale; held items wait HELD_RETRY_S and stay out of the
    smaller batches). A batch of one item, or of the smallest limits, cannot be made smaller: its items become held
    items (sent again later, never dropped for alarms). True then."""
    forward = msgspec.json.decode(built.body, type=Forward)
    items = sum(len(getattr(forward, stream)) for stream in STREAMS)
    if items > 1 and built.advance.get("scale", 0) < MAX_SCALE:
        for held_ids in built.advance["held"].values():
            for held_id in held_ids:
                sql.retried(conn, held_id, error, now)
        sql.delete_pending(conn)
        return False
    every = [ForwardRejected(stream, index, error) for stream in STREAMS
             for index in range(len(getattr(forward, stream)))]
    settle(conn, built, ForwardAnswer(False, 0, every), now, held_max=2**62)
    return True


def cited(built: Built) -> list[str]:
    """The attachments the batch's records cite (sha256), to be uploaded before it."""
    return list(built.advance.get("attachments", []))


def _size(item: Any) -> int:
    if isinstance(item, ChannelReadings):
        return len(item.ts)
    if isinstance(item, ChannelRollups):
        return len(item.start)
    return 1


class _Batch:
    def __init__(self, conn: Connection, now: float, scale: int = 0) -> None:
        self.conn = conn
        self.now = now
        self.scale = min(scale, MAX_SCALE)
        self.forward = Forward(batch_id=str(uuid.uuid4()))
        self.advance: dict[str, Any] = {"cursors": {}, "held": {}, "late": None, "attachments": [],
                                        "scale": self.scale}
        self.full = False
        self.sent_readings = 0
        self.readings_to: sql.Position | None = None
        self._names = sql.channel_names(conn)

    def limit(self, full_size: int) -> int:
        """A per-batch limit as this batch's scale halves it (never below one)."""
        return max(1, full_size >> self.scale)

    def _held(self, stream: str, limit: int) -> list[Any]:
        # After a refused batch, only what is new until the cloud takes batches again: a held item may be the cause.
        rows = [] if self.scale else sql.held(self.conn, stream, self.now - HELD_RETRY_S, limit)
        self.advance["held"][stream] = [r["id"] for r in rows]
        return [msgspec.msgpack.decode(r["item"], type=_TYPES[stream]) for r in rows]

    def alarms(self) -> None:
        limit = self.limit(ALARMS_PER_BATCH)
        items: list[AlarmUp] = self._held("alarms", limit // HELD_SHARE)
        room = limit - len(items)
        rows = sql.alarm_transitions(self.conn, sql.get_cursor(self.conn, "alarms") or 0, room)
        items += [_alarm(r) for r in rows]
        if rows:
            self.advance["cursors"]["alarms"] = rows[-1]["seq"]
        self.full |= len(rows) >= room  # only new transitions make a batch full
        self.forward.alarms = items

    def commissionings(self) -> None:
        limit = self.limit(COMMISSIONINGS_PER_BATCH)
        items: list[CommissioningUp] = self._held("commissionings", limit // HELD_SHARE)
        room = limit - len(items)
        rows = sql.commissionings(self.conn, sql.get_cursor(self.conn, "commissionings") or 0, room)
        items += [msgspec.convert({k: v for k, v in r.items() if k != "change_seq"}, CommissioningUp) for r in rows]
        if rows:
            self.advance["cursors"]["commissionings"] = rows[-1]["change_seq"]
        self.full |= len(rows) >= room
        self.advance["attachments"] = sorted({sha for item in items for sha in _attachments(item)})
        self.forward.commissionings = items

    def events(self) -> None:
        limit = self.limit(EVENTS_PER_BATCH)
        items: list[EventUp] = self._held("events", limit // HELD_SHARE)
        room = limit - len(items)
        rows = sql.events(self.conn, sql.get_cursor(self.conn, "events") or 0, room)
        items += [EventUp(r["device"], r["kind"], r["ts"], r["count"]) for r in rows]
        if rows:
            self.advance["cursors"]["events"] = rows[-1]["id"]
        self.full |= len(rows) >= room
        self.forward.events = items

    def readings(self, budget: int) -> None:
        items: list[ChannelReadings] = []
        for item in self._held("readings", 1000):
            if self.sent_readings + len(item.ts) > budget // HELD_SHARE and items:
                self.advance["held"]["readings"] = self.advance["held"]["readings"][:len(items)]
                break
            items.append(item)
            self.sent_readings += len(item.ts)
        start = sql.get_cursor(self.conn, "readings")
        room = max(0, budget - self.sent_readings)
        rows = sql.readings_from(self.conn, tuple(start) if start else None, self.now - SETTLE_S, room)
        if rows:
            channel, ts, _, bucket = rows[-1]
            self.readings_to = (bucket, ts, channel)
            self.advance["cursors"]["readings"] = list(self.readings_to)
            self.full |= len(rows) >= room
        items += self._group([(c, t, v) for c, t, v, _ in rows])
        self.sent_readings += len(rows)
        self.forward.readings = items

    def late(self, budget: int) -> None:
        """Readings that arrived behind the cursor: their buckets go again whole (the cloud ignores a reading it
        has), after the readings in order."""
        if budget <= 0:
            return
        cursor = sql.get_cursor(self.conn, "late")
        found = sql.late_bucket(self.conn, cursor[0]) if cursor else None
        after = (-1, -1.0)
        if found is not None and cursor is not None and found[1] == cursor[1]:
            after = (cursor[2], cursor[3])
        else:
            found = sql.late_bucket(self.conn)
        if found is None:
            return
        bucket, marks = found
        rows = sql.late_rows(self.conn, bucket, after, budget)
        done = len(rows) < budget
        last = (rows[-1][0], rows[-1][1]) if rows else after
        self.advance["late"] = [bucket, marks, last[0], last[1], done]
        self.full |= not done or sql.late_bucket(self.conn, after=bucket) is not None
        self.forward.readings = self.forward.readings + self._group(rows)
        self.sent_readings += len(rows)

    def rollups(self, budget: int) -> None:
        """Minute rollups of ranges whose raw readings the bounded backlog dropped, a channel at a time; the cursor
        is [range id, last channel done] (ranges before it are done)."""
        items: list[ChannelRollups] = self._held("rollups", 1000)
        used = sum(len(i.start) for i in items)
        start = sql.get_cursor(self.conn, "rollups") or [0, 0]
        range_id, after = start
        stop = False
        while used < budget and not stop:
            found = sql.dropped_after(self.conn, range_id)
            if found is None:
                break
            if found["id"] != range_id:
                range_id, after = found["id"], 0
            for channel_id in sorted(c for c in self._names if c > after):
                rows = sql.rollup_rows(self.conn, channel_id, found["start"], found["end"])
                if rows and used and used + len(rows) > budget:
                    self.full = stop = True
                    break
                after = channel_id
                if rows:
                    serial, key = self._names[channel_id]
                    starts, counts, lows, highs, sums = (list(col) for col in zip(*rows, strict=True))
                    items.append(ChannelRollups(serial, key, starts, counts, lows, highs, sums))
                    used += len(rows)
            else:
                range_id, after = found["id"] + 1, 0
        if [range_id, after] != start:
            self.advance["cursors"]["rollups"] = [range_id, after]
        self.forward.rollups = items

    def backlog(self, readings_left: int) -> dict[str, int]:
        cursors = self.advance["cursors"]
        out = {"readings": readings_left + sql.held_size(self.conn, "readings")[1]}
        for stream in ("alarms", "commissionings", "events"):
            position = cursors.get(stream, sql.get_cursor(self.conn, stream) or 0)
            out[stream] = sql.count_after(self.conn, stream, position) + sql.held_size(self.conn, stream)[0]
        rollups = cursors.get("rollups", sql.get_cursor(self.conn, "rollups") or [0, 0])
        out["rollups"] = sql.count_after(self.conn, "rollups", rollups[0] - 1)  # ranges from the cursor's on
        return out

    def _group(self, rows: Sequence[tuple[int, float, float]]) -> list[ChannelReadings]:
        by_channel: dict[int, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
        for channel_id, ts, value in rows:
            ts_list, values = by_channel[channel_id]
            ts_list.append(ts)
            values.append(value)
        out = []
        for channel_id, (ts_list, values) in by_channel.items():
            name = self._names.get(channel_id)
            if name is not None:  # a channel removed since: nobody can name its readings any more
                out.append(ChannelReadings(name[0], name[1], ts_list, values))
        return out


def _alarm(row: dict[str, Any]) -> AlarmUp:
    transition = row["transition"]
    return AlarmUp(
        seq=row["seq"], alarm_id=row["alarm_id"], transition=transition, ts=row["ts"], level=row["level"],
        device=row["device"], channel=row["channel"], cause=row["cause"], started_at=row["started_at"],
        value=row["value"], threshold=row["threshold"], peak=row["peak"],
        # A clearing's own detail (the trip that ended it); else the alarm's.
        detail=row["t_detail"] if transition == "cleared" else row["detail"], test=row["test"],
        cleared_reason=row["cleared_reason"] if transition == "cleared" else None,
        acknowledged_by=row["acknowledged_by"] if transition == "acknowledged" else None,
        ack_note=row["ack_note"] if transition == "acknowledged" else "")


def _attachments(item: CommissioningUp) -> list[str]:
    """The sha256s a commissioning cites: its checklist answers' photos and its drawn signature (as
    server/attachments/citing.py and storage.attachments.readable find them)."""
    out = [item.signature] if item.signature else []
    answers = item.answers or {}
    for answer in answers.get("items", []) if isinstance(answers, dict) else []:
        if isinstance(answer, dict):
            out += [sha for sha in answer.get("attachments", []) if isinstance(sha, str)]
    return out

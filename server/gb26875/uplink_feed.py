"""The uplink's write jobs: what fills its queue.

Alarm transitions are read past a durable cursor and queued as part states in the same transaction that moves the
cursor, so a crash can delay a transition, never lose or double it (the notification outbox's rule). A round of
analogue values replaces the rounds still queued: after an outage the centre gets the latest values, not a pile of
stale ones.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

import msgspec

from gb26875 import GB26875Error, encode_unit
from server.gb26875.uplink_queue import (
    ANALOGUE,
    SENT_TRANSITIONS,
    Latest,
    Transition,
    alarm_unit,
    analogue_units,
)
from server.storage import Connection, make_durable
from server.storage import gb26875_uplink as sql

__all__ = ["BATCH", "has_new_transitions", "queue_analogue", "queue_transitions"]

log = logging.getLogger("andian.gb26875")

# Transitions translated by one write job: a backlog after a long stop goes in several short jobs, so ingest
# batches are not held up behind one long one.
BATCH = 500


def has_new_transitions(conn: Connection) -> bool:
    cursor = int(sql.get_state(conn)["transition_id"])
    return bool(sql.transitions_after(conn, cursor, 1))


def queue_transitions(conn: Connection, now: float, tz: ZoneInfo) -> tuple[int, int]:
    """Translate up to BATCH transitions past the cursor into queued part states and move the cursor over them, in
    this one transaction (durable when it queued something). Answers (transitions passed, frames queued)."""
    rows = sql.transitions_after(conn, int(sql.get_state(conn)["transition_id"]), BATCH)
    queued = 0
    for row in rows:
        tr = msgspec.convert(row, Transition, strict=False)
        if tr.test or tr.transition not in SENT_TRANSITIONS:
            continue
        others = [(o["cause"], o["level"]) for o in sql.other_active(conn, tr.device_id, row["alarm_id"], tr.id)]
        unit = alarm_unit(tr, others, tz)
        if unit is None:
            continue
        try:
            data = encode_unit(unit)
        except GB26875Error as exc:  # a device id beyond u32: cannot be a part address; said, and passed
            log.error("GB/T 26875.3 uplink: transition %d cannot be sent (%s); passed over", tr.id, exc)
            continue
        sql.enqueue_alarm(conn, data, tr.id, now)
        queued += 1
    if rows:
        sql.set_cursor(conn, int(rows[-1]["id"]))
    if queued:
        make_durable(conn)
    return len(rows), queued


def queue_analogue(conn: Connection, now: float, period_s: float, tz: ZoneInfo) -> tuple[int, int]:
    """A round of analogue values: the newest reading of each mapped channel within the last period, replacing any
    round still queued. Answers (frames queued, frames of earlier rounds dropped)."""
    rows = sql.latest_readings(conn, now - period_s, now, tuple(ANALOGUE))
    units = analogue_units((msgspec.convert(r, Latest, strict=False) for r in rows), tz)
    dropped = sql.replace_analogue(conn, [encode_unit(unit) for unit in units], now)
    return len(units), dropped

"""GB/T 26875.3 sending (migration 0027): the uplink's state row, the queue of frames for the centre, the frames
it denied, and the centre's duty checks (查岗). What the frames say is decided in server/gb26875/uplink_queue.py."""

from __future__ import annotations

from typing import Any

import numpy as np

from server.storage.chunks import BUCKET_S, decode
from server.storage.connection import Connection
from server.storage.database import make_durable

__all__ = [
    "ALARM", "ANALOGUE", "DENIED", "SERIALS", "active_alarm_levels", "answer_duty_check", "denied", "deny",
    "duty_check", "duty_checks", "enqueue_alarm", "ensure_state", "get_state", "latest_readings", "mark_sent",
    "next_frame", "open_duty_check", "other_active", "queued", "record_clock", "remove", "replace_analogue",
    "set_cursor", "take_serial", "transitions_after", "unanswer_duty_check", "unanswered_round",
]

ALARM, ANALOGUE = "alarm", "analogue"
_PRIORITY = {ALARM: 0, ANALOGUE: 1}  # alarms ahead of analogue values
SERIALS = 0x10000  # the serial number is a u16, counted from 0 (GB/T 26875.3-2011 §8.1.1) and wrapping
DENIED = "denied by the centre (command 6)"  # gb26875_uplink_denied.reason of a denial (migration 0028's default)


# ---- the state row --------------------------------------------------------------------------------------------

def ensure_state(conn: Connection) -> dict[str, Any]:
    """The state row; made at the first start with the cursor at the newest transition (what happened before the
    uplink was configured is not sent)."""
    conn.execute("INSERT INTO gb26875_uplink_state (id, transition_id) "
                 "SELECT 1, COALESCE(MAX(id), 0) FROM alarm_transitions WHERE true ON CONFLICT DO NOTHING")
    return get_state(conn)


def get_state(conn: Connection) -> dict[str, Any]:
    row = conn.execute("SELECT transition_id, next_serial, centre_time, clock_offset_s, clock_at "
                       "FROM gb26875_uplink_state WHERE id = 1").fetchone()
    return dict(row) if row else {"transition_id": 0, "next_serial": 0, "centre_time": None,
                                  "clock_offset_s": None, "clock_at": None}


def set_cursor(conn: Connection, transition_id: int) -> None:
    conn.execute("UPDATE gb26875_uplink_state SET transition_id = ? WHERE id = 1", [transition_id])


def record_clock(conn: Connection, centre_time: float, offset_s: float, at: float) -> None:
    conn.execute("UPDATE gb26875_uplink_state SET centre_time = ?, clock_offset_s = ?, clock_at = ? WHERE id = 1",
                 [centre_time, offset_s, at])


# ---- what is sent ---------------------------------------------------------------------------------------------

def transitions_after(conn: Connection, after: int, limit: int) -> list[dict[str, Any]]:
    """Transitions with id > ``after`` in id order (every kind, so the cursor can pass the ones not sent), each with
    its alarm's cause, test flag and device, and the names that describe the part."""
    rows = conn.execute(
        "SELECT t.id, t.alarm_id, t.ts, t.transition, t.level, a.cause, a.test, a.device_id, d.name AS device_name, "
        "d.circuit, COALESCE(c.label, '') AS channel_label, s.name AS site_name "
        "FROM alarm_transitions t JOIN alarms a ON a.id = t.alarm_id JOIN devices d ON d.id = a.device_id "
        "JOIN sites s ON s.id = a.site_id LEFT JOIN channels c ON c.id = a.channel_id "
        "WHERE t.id > ? ORDER BY t.id LIMIT ?", [after, limit]).fetchall()
    return [dict(r) for r in rows]


def other_active(conn: Connection, device_id: int, alarm_id: int, transition_id: int) -> list[dict[str, Any]]:
    """The device's other live alarms (not tests) raised before this transition, with cause and level: they share
    its part, so the part's state carries their bits too."""
    rows = conn.execute(
        "SELECT a.cause, a.level FROM alarms a WHERE a.device_id = ? AND a.cleared_at IS NULL AND a.id != ? "
        "AND a.test = 0 AND EXISTS (SELECT 1 FROM alarm_transitions r WHERE r.alarm_id = a.id "
        "AND r.transition = 'raised' AND r.id < ?)", [device_id, alarm_id, transition_id]).fetchall()
    return [dict(r) for r in rows]


def enqueue_alarm(conn: Connection, unit: bytes, transition_id: int, now: float) -> None:
    conn.execute("INSERT INTO gb26875_uplink_queue (kind, priority, unit, transition_id, created_at) "
                 "VALUES (?, ?, ?, ?, ?)", [ALARM, _PRIORITY[ALARM], unit, transition_id, now])


def latest_readings(conn: Connection, since: float, until: float,
                    keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """The newest raw reading in (since, until] of every channel with one of ``keys``, with its device."""
    if not keys:
        return []
    buckets = list(range(int(since // BUCKET_S), int(until // BUCKET_S) + 1))
    marks = ", ".join("?" * len(buckets))
    key_marks = ", ".join("?" * len(keys))
    rows = conn.execute(
        f"SELECT r.bucket, r.channel_id, r.n, r.ts, r.value, c.key, c.device_id FROM reading_chunks r "
        f"JOIN channels c ON c.id = r.channel_id WHERE r.bucket IN ({marks}) AND r.t1 > ? AND r.t0 <= ? "
        f"AND c.key IN ({key_marks})", [*buckets, since, until, *keys]).fetchall()
    got = decode(rows)
    got = got.take((got.ts > since) & (got.ts <= until))
    if not len(got):
        return []
    owner = {int(r["channel_id"]): (str(r["key"]), int(r["device_id"])) for r in rows}
    order = np.lexsort((-got.ts, got.channel_id))  # each channel's newest first
    channel, ts, value = got.channel_id[order], got.ts[order], got.value[order]
    first = np.flatnonzero(np.r_[True, channel[1:] != channel[:-1]])
    out = [{"channel_id": c, "key": owner[c][0], "device_id": owner[c][1], "ts": t, "value": v}
           for c, t, v in zip(channel[first].tolist(), ts[first].tolist(), value[first].tolist(), strict=True)]
    return sorted(out, key=lambda r: (r["device_id"], r["channel_id"]))


def replace_analogue(conn: Connection, units: list[bytes], now: float) -> int:
    """A new round of analogue values supersedes the rows of earlier rounds still queued; answers how many went."""
    dropped = conn.execute("DELETE FROM gb26875_uplink_queue WHERE kind = ?", [ANALOGUE]).rowcount
    conn.executemany("INSERT INTO gb26875_uplink_queue (kind, priority, unit, created_at) VALUES (?, ?, ?, ?)",
                     [(ANALOGUE, _PRIORITY[ANALOGUE], unit, now) for unit in units])
    return int(dropped)


def next_frame(conn: Connection) -> dict[str, Any] | None:
    row = conn.execute("SELECT id, kind, unit, transition_id, serial, first_sent_at, rounds, sends "
                       "FROM gb26875_uplink_queue ORDER BY priority, id LIMIT 1").fetchone()
    return dict(row) if row else None


def take_serial(conn: Connection) -> int:
    """The next serial number, from the persisted counter, which moves on in the same durable transaction: no
    restart or power cut hands out again a serial the centre has seen (every frame andian starts takes one here)."""
    serial = int(conn.execute("SELECT next_serial FROM gb26875_uplink_state WHERE id = 1").fetchone()[0]) % SERIALS
    conn.execute("UPDATE gb26875_uplink_state SET next_serial = ? WHERE id = 1", [(serial + 1) % SERIALS])
    make_durable(conn)
    return serial


def mark_sent(conn: Connection, row_id: int, at: float) -> int:
    """The row's first send: it takes a serial; serial and time label stay with it for every resend, restarts
    included. Answers the serial."""
    serial = take_serial(conn)
    conn.execute("UPDATE gb26875_uplink_queue SET serial = ?, first_sent_at = ? WHERE id = ?", [serial, at, row_id])
    return serial


def remove(conn: Connection, row_id: int) -> None:
    """The centre confirmed the row's frame: out of the queue, durably (after a power cut that undid the delete
    the frame would go again and the centre see it twice)."""
    conn.execute("DELETE FROM gb26875_uplink_queue WHERE id = ?", [row_id])
    make_durable(conn)


def deny(conn: Connection, row_id: int, now: float, reason: str = DENIED) -> None:
    """The row's frame is not sent any more (``reason``): kept in gb26875_uplink_denied, out of the queue."""
    conn.execute("INSERT INTO gb26875_uplink_denied (kind, unit, transition_id, serial, denied_at, reason) "
                 "SELECT kind, unit, transition_id, COALESCE(serial, 0), ?, ? FROM gb26875_uplink_queue WHERE id = ?",
                 [now, reason, row_id])
    remove(conn, row_id)


def unanswered_round(conn: Connection, row_id: int, sends: int, limit: int,
                     now: float) -> dict[str, Any] | None:
    """A connection ended after the row's frame was sent ``sends`` times on it without an answer: one more round.
    At ``limit`` rounds the row is given up (moved to gb26875_uplink_denied); answers it then, else None."""
    conn.execute("UPDATE gb26875_uplink_queue SET rounds = rounds + 1, sends = sends + ? WHERE id = ?",
                 [sends, row_id])
    row = conn.execute("SELECT id, kind, transition_id, serial, rounds, sends FROM gb26875_uplink_queue "
                       "WHERE id = ?", [row_id]).fetchone()
    if row is None or row["rounds"] < limit:
        return None
    deny(conn, row_id, now, f"no confirmation after {row['sends']} sends")
    return dict(row)


def denied(conn: Connection) -> list[dict[str, Any]]:
    """Every frame that left the queue unsent, oldest first."""
    rows = conn.execute("SELECT id, kind, transition_id, serial, denied_at, reason FROM gb26875_uplink_denied "
                        "ORDER BY id").fetchall()
    return [dict(r) for r in rows]


def queued(conn: Connection) -> dict[str, int]:
    rows = conn.execute("SELECT kind, COUNT(*) AS n FROM gb26875_uplink_queue GROUP BY kind").fetchall()
    counts = {ALARM: 0, ANALOGUE: 0}
    counts.update({r["kind"]: int(r["n"]) for r in rows})
    return counts


def active_alarm_levels(conn: Connection) -> set[str]:
    """The levels of the live alarms of every site (test alarms aside): the device's own running state."""
    rows = conn.execute("SELECT DISTINCT level FROM alarms WHERE cleared_at IS NULL AND test = 0").fetchall()
    return {str(r["level"]) for r in rows}


# ---- duty checks (查岗) ----------------------------------------------------------------------------------------

# answered_by_name: who answered, as people read it (the display name, else the username).
_CHECK = ("id, serial, centre, received_at, timeout_min, deadline, answered_at, answered_by, "
          "(SELECT COALESCE(NULLIF(u.display_name, ''), u.username) FROM users u WHERE u.id = answered_by) "
          "AS answered_by_name")


def open_duty_check(conn: Connection, serial: int, centre: str, received_at: float, timeout_min: int,
                    deadline: float) -> tuple[int, bool]:
    """The check for a 查岗 with this serial from this centre: the one still within its minutes if there is one (the
    centre sent it again), else a new pending check, stored durably. Answers (check id, whether it is new)."""
    row = conn.execute("SELECT id FROM gb26875_duty_checks WHERE centre = ? AND serial = ? AND deadline >= ? "
                       "ORDER BY id DESC LIMIT 1", [centre, serial, received_at]).fetchone()
    if row is not None:
        return int(row["id"]), False
    cur = conn.execute("INSERT INTO gb26875_duty_checks (serial, centre, received_at, timeout_min, deadline) "
                       "VALUES (?, ?, ?, ?, ?) RETURNING id", [serial, centre, received_at, timeout_min, deadline])
    make_durable(conn)
    return int(cur.fetchone()[0]), True


def duty_check(conn: Connection, check_id: int) -> dict[str, Any] | None:
    row = conn.execute(f"SELECT {_CHECK} FROM gb26875_duty_checks WHERE id = ?", [check_id]).fetchone()
    return dict(row) if row else None


def duty_checks(conn: Connection, limit: int) -> list[dict[str, Any]]:
    """The newest duty checks first."""
    rows = conn.execute(f"SELECT {_CHECK} FROM gb26875_duty_checks ORDER BY id DESC LIMIT ?", [limit]).fetchall()
    return [dict(r) for r in rows]


def answer_duty_check(conn: Connection, check_id: int, user_id: int, now: float) -> bool:
    """Mark the check answered if it is still open at ``now``; False when it was answered or has expired."""
    cur = conn.execute("UPDATE gb26875_duty_checks SET answered_at = ?, answered_by = ? "
                       "WHERE id = ? AND answered_at IS NULL AND deadline >= ?", [now, user_id, check_id, now])
    return cur.rowcount == 1


def unanswer_duty_check(conn: Connection, check_id: int) -> None:
    """The answer could not be sent after all (the connection went in between): the check is open again."""
    conn.execute("UPDATE gb26875_duty_checks SET answered_at = NULL, answered_by = NULL WHERE id = ?", [check_id])

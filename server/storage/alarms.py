"""Alarm instances and their transitions; device liveness and detector checkpoints."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from server.storage.connection import Connection, Row
from server.storage.scopes import EVERY_SITE, Scope

__all__ = [
    "acknowledge", "active_alarms", "clear_alarm", "device_switch", "escalate_alarm", "get_alarm", "in_self_test",
    "insert_alarm", "list_alarms", "load_checkpoints", "raised_value", "save_checkpoints", "set_self_test",
    "set_switch",
    "silent_devices", "site_levels", "touch_devices", "update_peaks",
]

def raised_value(alarm: str) -> str:
    """SQL for the value that raised the alarm aliased ``alarm`` (what its first message quoted)."""
    return (f"(SELECT r.value FROM alarm_transitions r WHERE r.alarm_id = {alarm}.id AND r.transition = 'raised' "
            "ORDER BY r.id LIMIT 1) AS raised_value")


_COLUMNS = (
    "a.id, a.site_id, a.device_id, d.name AS device_name, d.serial AS device_serial, d.circuit, c.key AS channel, "
    "a.channel_id, a.level, a.cause, a.started_at, a.cleared_at, a.peak, a.threshold, a.detail, "
    "a.acknowledged_at, u.display_name AS acknowledged_by, a.ack_note, a.escalated_tier, a.test, a.cleared_reason, "
    "a.origin, "
    f"tu.display_name AS tripped_by, {raised_value('a')}, "
    # Where it is and whom to call, for the console and the owner's alarm page.
    "s.name AS site_name, s.region_code, dr.code AS district_code, COALESCE(dr.name, '') AS district, s.company_id, "
    "COALESCE(co.hotline, '') AS hotline, (SELECT COUNT(*) FROM alarm_transitions e WHERE e.alarm_id = a.id "
    "AND e.transition = 'escalated') AS escalations"
)
_FROM = (
    "alarms a JOIN devices d ON d.id = a.device_id JOIN sites s ON s.id = a.site_id "
    "LEFT JOIN channels c ON c.id = a.channel_id LEFT JOIN users u ON u.id = a.acknowledged_by "
    "LEFT JOIN users tu ON tu.id = a.tripped_by LEFT JOIN companies co ON co.id = s.company_id "
    "LEFT JOIN regions sr ON sr.code = s.region_code "
    "LEFT JOIN regions dr ON dr.level = 'district' AND sr.path LIKE dr.path || '%'"
)


def _row(row: Row) -> dict[str, Any]:
    out = dict(row)
    out["detail"] = json.loads(out["detail"])
    if "test" in out:
        out["test"] = bool(out["test"])
    return out


def insert_alarm(conn: Connection, alarm: dict[str, Any], value: float | None) -> int:
    """A new alarm and its "raised" transition. A test alarm (``alarm["test"]``) is recorded but nobody is told."""
    record = {"test": False, **alarm}
    cur = conn.execute(
        "INSERT INTO alarms (site_id, device_id, channel_id, cause, level, started_at, peak, threshold, detail, test) "
        "VALUES (:site_id, :device_id, :channel_id, :cause, :level, :started_at, :peak, :threshold, :detail, :test)"
        " RETURNING id",
        {**record, "detail": json.dumps(record.get("detail") or {}), "test": int(bool(record["test"]))},
    )
    alarm_id = int(cur.fetchone()[0])
    _transition(conn, alarm_id, alarm["started_at"], "raised", alarm["level"], value, alarm.get("threshold"),
                notify=not record["test"])
    return alarm_id


def escalate_alarm(conn: Connection, alarm_id: int, level: str, ts: float, value: float | None,
                   threshold: float | None, detail: dict[str, Any], *, test: bool = False) -> None:
    conn.execute("UPDATE alarms SET level = ?, threshold = ?, detail = ? WHERE id = ?",
                 [level, threshold, json.dumps(detail), alarm_id])
    _transition(conn, alarm_id, ts, "escalated", level, value, threshold, notify=not test)


def clear_alarm(conn: Connection, alarm_id: int, level: str, ts: float, value: float | None, *,
                test: bool = False, reason: str | None = None, tripped_by: int | None = None,
                detail: dict[str, Any] | None = None) -> None:
    """End an alarm; ``reason`` "trip" when the breaker opened (by ``tripped_by``, or by itself when None)."""
    # Only an active alarm is cleared: a second clear (a worker whose book was behind) writes nothing, tells nobody.
    if conn.execute("UPDATE alarms SET cleared_at = ?, cleared_reason = ?, tripped_by = ? "
                    "WHERE id = ? AND cleared_at IS NULL", [ts, reason, tripped_by, alarm_id]).rowcount:
        _transition(conn, alarm_id, ts, "cleared", level, value, None, detail, notify=not test)


# Transitions people are told of; an acknowledgement only stops the escalation ladder.
NOTIFIED = ("raised", "escalated", "cleared")


def _transition(conn: Connection, alarm_id: int, ts: float, kind: str, level: str,
                value: float | None, threshold: float | None = None, detail: dict[str, Any] | None = None, *,
                notify: bool = True) -> None:
    """Record a transition (with the threshold it crossed) and, in the same transaction, its outbox row: a crash
    can delay the message, never lose it (ARCHITECTURE "The main data flow"). Test alarms get no outbox row."""
    cur = conn.execute(
        "INSERT INTO alarm_transitions (alarm_id, ts, transition, level, value, threshold, detail) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [alarm_id, ts, kind, level, value, threshold, json.dumps(detail or {}, ensure_ascii=False)])
    if kind in NOTIFIED and notify:
        conn.execute("INSERT INTO notify_outbox (transition_id, created_at) VALUES (?, ?)", [cur.fetchone()[0], ts])


def update_peaks(conn: Connection, peaks: Iterable[tuple[float, int]]) -> None:
    conn.executemany("UPDATE alarms SET peak = GREATEST(COALESCE(peak, ?), ?) WHERE id = ?",
                     [(peak, peak, alarm_id) for peak, alarm_id in peaks])


def active_alarms(conn: Connection, site_id: int | None = None) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT id, site_id, device_id, channel_id, cause, level, started_at, peak, threshold, detail, test "
        # A box's alarms (origin) live by the box's transitions, never by this process's detection.
        "FROM alarms WHERE cleared_at IS NULL AND origin IS NULL" + ("" if site_id is None else " AND site_id = ?")
        + " ORDER BY id",
        [] if site_id is None else [site_id],
    )
    return [_row(r) for r in rows]


def get_alarm(conn: Connection, alarm_id: int, scope: Scope = EVERY_SITE) -> dict[str, Any] | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM {_FROM} WHERE a.id = ? AND ({scope.condition})",
                       [alarm_id, *scope.params]).fetchone()
    return _row(row) if row else None


def list_alarms(conn: Connection, scope: Scope, *, site_id: int | None, active: bool | None,
                since: float | None, limit: int, causes: Sequence[str] = (), levels: Sequence[str] = (),
                acknowledged: bool | None = None, test: bool | None = None) -> list[dict[str, Any]]:
    """Alarms in ``scope``, active first, newest first; each filter narrows when given."""
    where = [f"({scope.condition})"]
    args: list[Any] = list(scope.params)
    for column, values in (("a.cause", causes), ("a.level", levels)):
        if values:
            where.append(f"{column} IN ({', '.join('?' * len(values))})")
            args += list(values)
    if acknowledged is not None:
        where.append("a.acknowledged_at IS NOT NULL" if acknowledged else "a.acknowledged_at IS NULL")
    if test is not None:
        where.append("a.test = ?")
        args.append(int(test))
    if site_id is not None:
        where.append("a.site_id = ?")
        args.append(site_id)
    if active is True:
        where.append("a.cleared_at IS NULL")
    elif active is False:
        where.append("a.cleared_at IS NOT NULL")
    if since is not None:
        where.append("(a.started_at >= ? OR a.cleared_at IS NULL OR a.cleared_at >= ?)")
        args += [since, since]
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM {_FROM} WHERE {' AND '.join(where)} "
        "ORDER BY (a.cleared_at IS NULL) DESC, a.started_at DESC, a.id DESC LIMIT ?",
        [*args, limit],
    )
    return [_row(r) for r in rows]


def acknowledge(conn: Connection, alarm_id: int, user_id: int | None, ts: float, note: str) -> bool:
    """Record the first acknowledgement (``user_id`` None: someone the cloud has no account for, at a site box);
    False when it was already acknowledged."""
    cur = conn.execute(
        "UPDATE alarms SET acknowledged_at = ?, acknowledged_by = ?, ack_note = ? "
        "WHERE id = ? AND acknowledged_at IS NULL",
        [ts, user_id, note, alarm_id],
    )
    if cur.rowcount:
        level = conn.execute("SELECT level FROM alarms WHERE id = ?", [alarm_id]).fetchone()["level"]
        _transition(conn, alarm_id, ts, "acknowledged", level, None, notify=False)
    return bool(cur.rowcount)


def site_levels(conn: Connection, site_ids: list[int]) -> dict[int, list[str]]:
    """Levels of the active alarms per site (test alarms are not the site's state), and ``power_off`` for a site
    with a breaker that is open."""
    if not site_ids:
        return {}
    marks = ", ".join("?" * len(site_ids))
    out: dict[int, list[str]] = {}
    for row in conn.execute(
        f"SELECT site_id, level FROM alarms WHERE cleared_at IS NULL AND test = 0 AND site_id IN ({marks}) "
        f"UNION ALL SELECT DISTINCT site_id, 'power_off' FROM devices WHERE switch = 'open' AND site_id IN ({marks})",
        [*site_ids, *site_ids],
    ):
        out.setdefault(int(row["site_id"]), []).append(row["level"])
    return out


def device_switch(conn: Connection, device_id: int) -> dict[str, Any] | None:
    """A breaker's position, when it last changed, and who switched it remotely (``switch_by``, and their
    ``switch_by_name``; None: the device itself or someone on site). None when the position is unknown."""
    row = conn.execute("SELECT d.switch, d.switch_at, d.switch_by, u.display_name AS switch_by_name FROM devices d "
                       "LEFT JOIN users u ON u.id = d.switch_by WHERE d.id = ?", [device_id]).fetchone()
    return dict(row) if row and row["switch"] is not None else None


def set_switch(conn: Connection, device_id: int, switch: str, ts: float, by: int | None) -> bool:
    """Record a breaker's position; the time and who only change with the position. True when it changed."""
    cur = conn.execute("UPDATE devices SET switch = ?, switch_at = ?, switch_by = ? WHERE id = ? "
                       "AND switch IS DISTINCT FROM ?", [switch, ts, by, device_id, switch])
    return bool(cur.rowcount)


def set_self_test(conn: Connection, device_id: int, until: float) -> None:
    conn.execute("UPDATE devices SET self_test_until = GREATEST(COALESCE(self_test_until, 0), ?) WHERE id = ?",
                 [until, device_id])


def in_self_test(conn: Connection, device_id: int, ts: float) -> bool:
    """A device in its self-test window, or in the middle of its installer's commissioning."""
    return conn.execute(
        "SELECT 1 FROM devices WHERE id = ? AND self_test_until >= ? UNION ALL "
        "SELECT 1 FROM commissionings WHERE device_id = ? AND state = 'in_progress'", [device_id, ts, device_id]
    ).fetchone() is not None


def touch_devices(conn: Connection, device_ids: Iterable[int], now: float) -> None:
    if conn.dialect == "postgresql":  # one statement over an array, not one round of the protocol per device
        conn.execute("UPDATE devices SET last_seen_at = ? WHERE id = ANY(CAST(? AS BIGINT[]))", [now, list(device_ids)])
        return
    conn.executemany("UPDATE devices SET last_seen_at = ? WHERE id = ?", [(now, d) for d in device_ids])


def silent_devices(conn: Connection, now: float, intervals: float) -> list[dict[str, Any]]:
    """Devices that reported once and then nothing for ``intervals`` poll intervals (not those a box judges)."""
    rows = conn.execute(
        "SELECT id, site_id, last_seen_at, poll_interval_s FROM devices "
        # A device a site box judges is the box's to call offline; the cloud watches the box itself.
        "WHERE last_seen_at IS NOT NULL AND last_seen_at + ? * poll_interval_s <= ? AND gateway_id IS NULL "
        "ORDER BY id",
        [intervals, now],
    )
    return [dict(r) for r in rows]


def save_checkpoints(conn: Connection, rows: Iterable[tuple[int, bytes]]) -> None:
    conn.executemany("INSERT INTO detector_state (channel_id, state) VALUES (?, ?) ON CONFLICT (channel_id) "
                     "DO UPDATE SET state = excluded.state", rows)


def load_checkpoints(conn: Connection, parts: tuple[int, list[int]] | None = None) -> dict[int, bytes]:
    """The saved detector state per channel id; with ``parts`` = (n, [k, …]) only of sites whose id modulo n is one
    of the k (server/cluster's partitions)."""
    if parts is None:
        rows = conn.execute("SELECT channel_id, state FROM detector_state")
    else:
        of, which = parts
        marks = ", ".join("?" * len(which))
        rows = conn.execute("SELECT s.channel_id, s.state FROM detector_state s JOIN channels c ON c.id = s.channel_id "
                            f"JOIN devices d ON d.id = c.device_id WHERE d.site_id % ? IN ({marks})", [of, *which])
    return {int(r["channel_id"]): bytes(r["state"]) for r in rows}

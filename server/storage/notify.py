"""Notification subscriptions, the outbox, deliveries, messages and their attempts (see migration 0004)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from server.storage.alarms import raised_value
from server.storage.connection import Connection, Row
from server.storage.dialect import json_array_has

__all__ = [
    "alarm_deliveries", "call_subscription", "cancel_subscription", "delivery_events", "dispatched_to",
    "due_escalations",
    "escalation_done", "get_policy", "get_subscription", "has_work", "hold", "insert_deliveries",
    "insert_escalations", "insert_message", "insert_subscription", "last_test_at", "lease_due",
    "list_subscriptions", "outbox_batch", "pending_digest", "planned", "recent_message_times", "record_attempt",
    "release_leases", "reschedule_digest", "set_call_subscription", "set_escalated_tier", "set_policy",
    "site_subscriptions", "subscriptions_told", "update_subscription", "waiting_deliveries",
    "waiting_subscriptions",
]

_SUBSCRIPTION = (
    "id, user_id, label, url_masked, scheme, service, site_ids, levels, lang, digest_interval_s, quiet_start, "
    "quiet_end, created_at"
)


def _subscription(row: Row) -> dict[str, Any]:
    out = dict(row)
    out["site_ids"] = None if out["site_ids"] is None else json.loads(out["site_ids"])
    out["levels"] = json.loads(out["levels"])
    return out


# ---- subscriptions ------------------------------------------------------------------------------------------


def insert_subscription(conn: Connection, record: dict[str, Any]) -> int:
    cur = conn.execute(
        "INSERT INTO subscriptions (user_id, label, url_secret, url_masked, scheme, service, site_ids, levels, lang, "
        "digest_interval_s, quiet_start, quiet_end, created_at) VALUES (:user_id, :label, :url_secret, :url_masked, "
        ":scheme, :service, :site_ids, :levels, :lang, :digest_interval_s, :quiet_start, :quiet_end, :created_at)"
        " RETURNING id",
        _encode(record),
    )
    return int(cur.fetchone()[0])


def _encode(record: dict[str, Any]) -> dict[str, Any]:
    out = dict(record)
    if "site_ids" in out:
        out["site_ids"] = None if out["site_ids"] is None else json.dumps(out["site_ids"])
    if "levels" in out:
        out["levels"] = json.dumps(out["levels"])
    return out


def update_subscription(conn: Connection, subscription_id: int, fields: dict[str, Any]) -> None:
    if fields:
        sets = ", ".join(f"{name} = :{name}" for name in fields)
        conn.execute(f"UPDATE subscriptions SET {sets} WHERE id = :id", {**_encode(fields), "id": subscription_id})


def list_subscriptions(conn: Connection, user_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(f"SELECT {_SUBSCRIPTION} FROM subscriptions WHERE user_id = ? AND deleted_at IS NULL "
                        "AND kind = 'url' ORDER BY id", [user_id])
    return [_subscription(r) for r in rows]


def get_subscription(conn: Connection, subscription_id: int, user_id: int) -> dict[str, Any] | None:
    row = conn.execute(f"SELECT {_SUBSCRIPTION}, url_secret FROM subscriptions WHERE id = ? AND user_id = ? "
                       "AND deleted_at IS NULL AND kind = 'url'", [subscription_id, user_id]).fetchone()
    return _subscription(row) if row else None


def call_subscription(conn: Connection, user_id: int) -> int | None:
    """The id of the user's phone-call subscription (kind 'call'), if they have one."""
    row = conn.execute("SELECT id FROM subscriptions WHERE user_id = ? AND kind = 'call' AND deleted_at IS NULL",
                       [user_id]).fetchone()
    return None if row is None else int(row[0])


def set_call_subscription(conn: Connection, user_id: int, masked: str, now: float) -> None:
    """Make (or show the new number of) the user's phone-call subscription: alarms at every site they see. Its
    address is not stored: the sender puts the voice service and the user's number together (notify/calls.py)."""
    existing = call_subscription(conn, user_id)
    if existing is not None:
        conn.execute("UPDATE subscriptions SET url_masked = ? WHERE id = ?", [masked, existing])
        return
    conn.execute(
        "INSERT INTO subscriptions (user_id, label, url_secret, url_masked, scheme, service, site_ids, levels, lang, "
        "digest_interval_s, created_at, kind) VALUES (?, '', ?, ?, 'call', 'phone call', NULL, '[\"alarm\"]', "
        "'zh-CN', 3600, ?, 'call')", [user_id, b"", masked, now])


def cancel_subscription(conn: Connection, subscription_id: int, now: float) -> None:
    """Delete a subscription: what waits for it is not sent; the log of what was sent stays."""
    conn.execute("UPDATE subscriptions SET deleted_at = ? WHERE id = ?", [now, subscription_id])
    conn.execute("DELETE FROM notify_deliveries WHERE subscription_id = ? AND message_id IS NULL", [subscription_id])
    conn.execute("UPDATE notify_messages SET state = 'cancelled' WHERE subscription_id = ? AND state != 'sent'",
                 [subscription_id])


def site_subscriptions(conn: Connection, site_id: int, level: str) -> list[dict[str, Any]]:
    """Live subscriptions of enabled users that ask for ``level`` at ``site_id`` (or at every site they see;
    the caller checks that they still see it)."""
    rows = conn.execute(
        "SELECT s.id, s.user_id, s.site_ids, s.lang, s.digest_interval_s, s.quiet_start, s.quiet_end, s.kind, "
        "u.role, u.company_id, u.department FROM subscriptions s "
        "JOIN users u ON u.id = s.user_id WHERE s.deleted_at IS NULL AND u.disabled = 0 "
        f"AND {json_array_has(conn, 's.levels')} AND (s.site_ids IS NULL OR {json_array_has(conn, 's.site_ids')}) "
        "ORDER BY s.id",
        [level, site_id],
    )
    return [dict(r) for r in rows]


def dispatched_to(conn: Connection, alarm_id: int) -> set[int]:
    """Who works on an alarm: the assignees of its hazard (the one it made or joined) while the work is open."""
    return {int(r[0]) for r in conn.execute(
        "SELECT h.assignee_id FROM hazard_alarms ha JOIN hazards h ON h.id = ha.hazard_id WHERE ha.alarm_id = ? "
        "AND h.assignee_id IS NOT NULL AND h.state IN ('open', 'assigned')", [alarm_id])}


def subscriptions_told(conn: Connection, alarm_id: int) -> set[int]:
    return {r[0] for r in conn.execute("SELECT DISTINCT subscription_id FROM notify_deliveries WHERE alarm_id = ?",
                                       [alarm_id])}


def last_test_at(conn: Connection, subscription_id: int) -> float | None:
    row = conn.execute("SELECT MAX(created_at) FROM notify_messages WHERE subscription_id = ? AND kind = 'test'",
                       [subscription_id]).fetchone()
    return None if row[0] is None else float(row[0])


# ---- site policy --------------------------------------------------------------------------------------------


def get_policy(conn: Connection, site_id: int) -> list[float] | None:
    row = conn.execute("SELECT escalate_after FROM site_notify_policy WHERE site_id = ?", [site_id]).fetchone()
    return None if row is None else [float(x) for x in json.loads(row[0])]


def set_policy(conn: Connection, site_id: int, escalate_after: list[float]) -> None:
    conn.execute("INSERT INTO site_notify_policy (site_id, escalate_after) VALUES (?, ?) ON CONFLICT (site_id) "
                 "DO UPDATE SET escalate_after = excluded.escalate_after", [site_id, json.dumps(escalate_after)])


# ---- outbox, escalations, deliveries ------------------------------------------------------------------------


def outbox_batch(conn: Connection, limit: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT o.transition_id, t.alarm_id, t.transition, t.level, t.ts, a.site_id, a.device_id, a.test, "
        "s.owner_id, s.company_id FROM notify_outbox o JOIN alarm_transitions t ON t.id = o.transition_id "
        "JOIN alarms a ON a.id = t.alarm_id JOIN sites s ON s.id = a.site_id ORDER BY o.transition_id LIMIT ?",
        [limit],
    )
    return [dict(r) for r in rows]


def planned(conn: Connection, transition_id: int) -> None:
    conn.execute("DELETE FROM notify_outbox WHERE transition_id = ?", [transition_id])


def insert_deliveries(conn: Connection,
                      rows: Iterable[tuple[int, int, int, int, int, str, float, float | None]], now: float) -> int:
    """(transition, alarm, subscription, user, tier, mode, due_at, after_s: the escalation wait that led here);
    a repeat of (transition, subscription) is ignored, which makes planning idempotent."""
    cur = conn.executemany(
        "INSERT INTO notify_deliveries (transition_id, alarm_id, subscription_id, user_id, tier, mode, "
        "due_at, after_s, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [(*row, now) for row in rows])
    return cur.rowcount


def insert_escalations(conn: Connection, rows: Iterable[tuple[int, int, int, float, float]]) -> None:
    """(alarm, tier, transition, due_at, after_s); an alarm keeps the ladder it got first."""
    conn.executemany("INSERT INTO notify_escalations (alarm_id, tier, transition_id, due_at, after_s) "
                     "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", rows)


def due_escalations(conn: Connection, now: float) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT e.alarm_id, e.tier, e.transition_id, e.due_at, e.after_s, a.site_id, a.acknowledged_at, a.cleared_at, "
        "s.owner_id, s.company_id FROM notify_escalations e JOIN alarms a ON a.id = e.alarm_id "
        "JOIN sites s ON s.id = a.site_id WHERE e.done_at IS NULL AND e.due_at <= ? ORDER BY e.due_at", [now])
    return [dict(r) for r in rows]


def escalation_done(conn: Connection, alarm_id: int, tier: int, now: float, outcome: str) -> None:
    conn.execute("UPDATE notify_escalations SET done_at = ?, outcome = ? WHERE alarm_id = ? AND tier = ?",
                 [now, outcome, alarm_id, tier])


def set_escalated_tier(conn: Connection, alarm_id: int, tier: int) -> None:
    conn.execute("UPDATE alarms SET escalated_tier = GREATEST(escalated_tier, ?) WHERE id = ?", [tier, alarm_id])


def pending_digest(conn: Connection, subscription_id: int) -> tuple[float, float] | None:
    """(when its first item was planned, when it goes out) of the digest a subscription has waiting, if any."""
    row = conn.execute("SELECT MIN(created_at), MIN(due_at) FROM notify_deliveries WHERE subscription_id = ? "
                       "AND message_id IS NULL AND mode = 'digest'", [subscription_id]).fetchone()
    return None if row[0] is None else (float(row[0]), float(row[1]))


def reschedule_digest(conn: Connection, subscription_id: int, due_at: float) -> None:
    conn.execute("UPDATE notify_deliveries SET due_at = ? WHERE subscription_id = ? AND message_id IS NULL "
                 "AND mode = 'digest'", [due_at, subscription_id])


def waiting_subscriptions(conn: Connection, now: float) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT id, lang, digest_interval_s, quiet_start, quiet_end FROM subscriptions WHERE id IN "
        "(SELECT DISTINCT subscription_id FROM notify_deliveries WHERE message_id IS NULL AND due_at <= ?)", [now])
    return [dict(r) for r in rows]


def waiting_deliveries(conn: Connection, subscription_id: int, now: float) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT id, transition_id, tier, mode, due_at, after_s, created_at FROM notify_deliveries "
        "WHERE subscription_id = ? AND message_id IS NULL AND due_at <= ? ORDER BY due_at, id", [subscription_id, now])
    return [dict(r) for r in rows]


# A transition with its own threshold and detail (a trip: who opened the breaker), and the alarm as it is now
# (its level, when and how it ended), read when the message is composed.
_EVENT = (
    "SELECT t.id AS transition_id, t.alarm_id, t.transition, t.level, t.ts, t.value, t.threshold, "
    "t.detail AS change, a.cause, a.started_at, a.peak, a.detail, a.level AS alarm_level, a.cleared_at, "
    f"a.cleared_reason, {raised_value('a')}, "
    "(SELECT e.detail FROM alarm_transitions e WHERE e.alarm_id = a.id AND e.transition = 'cleared' "
    " ORDER BY e.id DESC LIMIT 1) AS ended, "
    "c.key AS channel, s.name AS site_name, d.name AS device_name, d.circuit "
    "FROM alarm_transitions t JOIN alarms a ON a.id = t.alarm_id JOIN sites s ON s.id = a.site_id "
    "JOIN devices d ON d.id = a.device_id LEFT JOIN channels c ON c.id = a.channel_id"
)


def delivery_events(conn: Connection, transition_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The alarm facts of each transition, by transition id, for the message text."""
    if not transition_ids:
        return {}
    marks = ", ".join("?" * len(transition_ids))
    out = {}
    for row in conn.execute(f"{_EVENT} WHERE t.id IN ({marks})", transition_ids):
        item = dict(row)
        for key in ("detail", "change", "ended"):
            item[key] = json.loads(item[key] or "{}")
        out[int(item["transition_id"])] = item
    return out


def hold(conn: Connection, delivery_ids: list[int], mode: str, due_at: float) -> None:
    """Deliveries that wait (``mode`` digest or summary) until ``due_at``, the time the delivery log shows."""
    conn.executemany("UPDATE notify_deliveries SET mode = ?, due_at = ? WHERE id = ?",
                     [(mode, due_at, d) for d in delivery_ids])


def recent_message_times(conn: Connection, subscription_id: int, since: float) -> list[float]:
    """When the messages counted by the rate limit (all but tests) were made after ``since``, oldest first."""
    rows = conn.execute("SELECT created_at FROM notify_messages WHERE subscription_id = ? AND created_at > ? "
                        "AND kind != 'test' ORDER BY created_at", [subscription_id, since])
    return [float(r[0]) for r in rows]


# ---- messages -------------------------------------------------------------------------------------------------


def insert_message(conn: Connection, record: dict[str, Any], delivery_ids: list[int],
                   mode: str | None = None) -> int:
    cur = conn.execute(
        "INSERT INTO notify_messages (subscription_id, kind, key, level, title, body, state, next_at, created_at, "
        "sent_at, params) VALUES (:subscription_id, :kind, :key, :level, :title, :body, :state, :next_at, "
        ":created_at, :sent_at, :params) RETURNING id",
        {"state": "pending", "sent_at": None, **record,
         "params": None if record.get("params") is None else json.dumps(record["params"], ensure_ascii=False)})
    message_id = int(cur.fetchone()[0])
    conn.executemany("UPDATE notify_deliveries SET message_id = ?, mode = COALESCE(?, mode) WHERE id = ?",
                     [(message_id, mode, d) for d in delivery_ids])
    return message_id


def has_work(conn: Connection, now: float) -> bool:
    """Whether a sender round at ``now`` would do anything; read first, so an idle box does not write."""
    return bool(conn.execute(
        "SELECT EXISTS (SELECT 1 FROM notify_outbox) "
        "OR EXISTS (SELECT 1 FROM notify_escalations WHERE done_at IS NULL AND due_at <= :now) "
        "OR EXISTS (SELECT 1 FROM notify_deliveries WHERE message_id IS NULL AND due_at <= :now) "
        "OR EXISTS (SELECT 1 FROM notify_messages WHERE state = 'pending' AND next_at <= :now)",
        {"now": now}).fetchone()[0])


def release_leases(conn: Connection) -> int:
    """After a crash: messages that were being sent go back to the queue (sent again under the same key)."""
    return conn.execute("UPDATE notify_messages SET state = 'pending' WHERE state = 'sending'").rowcount


def lease_due(conn: Connection, now: float, limit: int) -> list[dict[str, Any]]:
    """Due messages, leased ('sending') in this transaction. On PostgreSQL the rows are claimed with
    ``FOR UPDATE SKIP LOCKED``: a second sender (a worker taking the lead while the old leader's last round still
    commits) passes over them instead of sending them twice."""
    claim = " FOR UPDATE OF m SKIP LOCKED" if conn.dialect == "postgresql" else ""
    rows = [dict(r) for r in conn.execute(
        "SELECT m.id, m.key, m.level, m.title, m.body, m.params, m.attempts, s.url_secret, s.url_masked, s.kind, "
        "u.phone FROM notify_messages m JOIN subscriptions s ON s.id = m.subscription_id "
        "JOIN users u ON u.id = s.user_id WHERE m.state = 'pending' AND m.next_at <= ? "
        f"ORDER BY m.next_at, m.id LIMIT ?{claim}", [now, limit])]
    for row in rows:
        row["params"] = None if row["params"] is None else json.loads(row["params"])
    conn.executemany("UPDATE notify_messages SET state = 'sending' WHERE id = ?", [(r["id"],) for r in rows])
    return rows


def record_attempt(conn: Connection, message_id: int, ts: float, elapsed_s: float, ok: bool,
                   results: list[dict[str, Any]], next_at: float | None) -> None:
    conn.execute("INSERT INTO notify_attempts (message_id, ts, elapsed_s, ok, results) VALUES (?, ?, ?, ?, ?)",
                 [message_id, ts, elapsed_s, int(ok), json.dumps(results, ensure_ascii=False)])
    error = None if ok else "; ".join(str(r.get("error")) for r in results if not r.get("ok"))
    conn.execute(
        "UPDATE notify_messages SET attempts = attempts + 1, last_error = ?, "
        "state = CASE WHEN state = 'cancelled' THEN state WHEN ? = 1 THEN 'sent' WHEN kind = 'test' THEN 'failed' "
        "ELSE 'pending' END, "
        "sent_at = CASE WHEN ? = 1 THEN ? ELSE sent_at END, next_at = COALESCE(?, next_at) WHERE id = ?",
        [error, int(ok), int(ok), ts, next_at, message_id])


def alarm_deliveries(conn: Connection, alarm_id: int) -> list[dict[str, Any]]:
    """The delivery log of one alarm: each (transition, recipient) with its message and attempts."""
    rows = [dict(r) for r in conn.execute(
        "SELECT d.id, t.transition, t.ts AS transition_at, t.level, d.user_id, u.display_name AS user, u.role, "
        "d.subscription_id, s.url_masked AS target, s.service, s.scheme, d.tier, d.mode, d.due_at, d.message_id, "
        "m.state AS message_state, m.attempts, m.sent_at FROM notify_deliveries d "
        "JOIN alarm_transitions t ON t.id = d.transition_id JOIN users u ON u.id = d.user_id "
        "JOIN subscriptions s ON s.id = d.subscription_id LEFT JOIN notify_messages m ON m.id = d.message_id "
        "WHERE d.alarm_id = ? ORDER BY t.ts, d.tier, d.id", [alarm_id])]
    messages = sorted({r["message_id"] for r in rows if r["message_id"] is not None})
    attempts: dict[int, list[dict[str, Any]]] = {}
    if messages:
        marks = ", ".join("?" * len(messages))
        for row in conn.execute(f"SELECT message_id, ts, elapsed_s, ok, results FROM notify_attempts "
                                f"WHERE message_id IN ({marks}) ORDER BY id", messages):
            attempts.setdefault(row["message_id"], []).append(
                {"ts": row["ts"], "elapsed_s": row["elapsed_s"], "ok": bool(row["ok"]),
                 "results": json.loads(row["results"])})
    for row in rows:
        row["attempt_log"] = attempts.get(row["message_id"], []) if row["message_id"] is not None else []
    return rows

"""Bluetooth records: commissioning sessions, devices by radio address, breaker positions, the control log."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

__all__ = [
    "commissioned_targets",
    "control_log",
    "device_by_address",
    "device_by_serial",
    "get_commissioning",
    "insert_commissioning",
    "leakage_alarm_since",
    "set_device_state",
    "update_commissioning",
    "update_device_fields",
]

_COMMISSIONING = ("id, site_id, address, model, device_id, state, steps, answers, signed_by, created_by, created_at, "
                  "completed_at")


def _commissioning(row: sqlite3.Row | None) -> dict[str, Any] | None:
    if row is None:
        return None
    out = dict(row)
    out["steps"] = json.loads(out["steps"])
    out["answers"] = json.loads(out["answers"]) if out["answers"] else None
    return out


def insert_commissioning(conn: sqlite3.Connection, record: dict[str, Any]) -> int:
    cur = conn.execute(
        "INSERT INTO commissionings (site_id, address, model, steps, created_by, created_at) "
        "VALUES (:site_id, :address, :model, :steps, :created_by, :created_at)",
        {**record, "steps": json.dumps(record["steps"], ensure_ascii=False)},
    )
    return int(cur.lastrowid or 0)


def get_commissioning(conn: sqlite3.Connection, commissioning_id: int) -> dict[str, Any] | None:
    return _commissioning(conn.execute(
        f"SELECT {_COMMISSIONING} FROM commissionings WHERE id = ?", (commissioning_id,)).fetchone())


def update_commissioning(conn: sqlite3.Connection, commissioning_id: int, **fields: Any) -> None:
    encoded = {k: json.dumps(v, ensure_ascii=False) if k in ("steps", "answers") else v for k, v in fields.items()}
    assignments = ", ".join(f"{k} = :{k}" for k in encoded)
    conn.execute(f"UPDATE commissionings SET {assignments} WHERE id = :id", {**encoded, "id": commissioning_id})


def device_by_address(conn: sqlite3.Connection, address: str) -> dict[str, Any] | None:
    row = conn.execute("SELECT id, site_id, serial, state FROM devices WHERE ble_address = ? COLLATE NOCASE",
                       (address,)).fetchone()
    return dict(row) if row else None


def device_by_serial(conn: sqlite3.Connection, serial: str) -> dict[str, Any] | None:
    row = conn.execute("SELECT id, site_id, serial, state, ble_address FROM devices WHERE serial = ?",
                       (serial,)).fetchone()
    return dict(row) if row else None


def update_device_fields(conn: sqlite3.Connection, device_id: int, fields: dict[str, Any]) -> None:
    allowed = {"name", "circuit", "rated_current_a", "ble_address", "poll_interval_s"}
    fields = {k: v for k, v in fields.items() if k in allowed}
    if fields:
        assignments = ", ".join(f"{k} = :{k}" for k in fields)
        conn.execute(f"UPDATE devices SET {assignments} WHERE id = :id", {**fields, "id": device_id})


def set_device_state(conn: sqlite3.Connection, device_id: int, state: str) -> None:
    conn.execute("UPDATE devices SET state = ? WHERE id = ?", (state, device_id))


def commissioned_targets(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every commissioned device with a radio address: what the poller reads."""
    rows = conn.execute(
        "SELECT serial, ble_address AS address, model, poll_interval_s AS interval_s FROM devices "
        "WHERE state = 'commissioned' AND ble_address IS NOT NULL ORDER BY id")
    return [dict(r) for r in rows]


def control_log(conn: sqlite3.Connection, device_id: int, limit: int = 100) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT a.id, a.ts, a.detail, u.username FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id "
        "WHERE a.object = 'device' AND a.object_id = ? AND a.action = 'control' ORDER BY a.id DESC LIMIT ?",
        (device_id, limit))
    return [{**json.loads(r["detail"]), "id": r["id"], "at": r["ts"], "by": r["username"] or ""} for r in rows]


def leakage_alarm_since(conn: sqlite3.Connection, device_id: int, since: float) -> dict[str, Any] | None:
    """The latest residual-current alarm (level ``alarm``) of a device raised after ``since``."""
    row = conn.execute(
        "SELECT id, started_at, cleared_at, peak FROM alarms WHERE device_id = ? AND cause = 'leakage' "
        "AND level = 'alarm' AND started_at >= ? ORDER BY id DESC LIMIT 1", (device_id, since)).fetchone()
    return dict(row) if row else None

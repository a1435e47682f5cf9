"""The mirrored records of a site (devices by serial, channels by "serial/key"), their field stamps, the stamping
clocks, and the writes a merge makes (server/upstream/stamps.py and merge.py decide; this module only stores)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from server.storage.connection import Connection

__all__ = [
    "DEVICE_FIELDS",
    "assign_gateway",
    "clear_dirty",
    "clock_stamps",
    "count_dirty",
    "devices_by_serial",
    "dirty_sites",
    "forget_site_stamps",
    "insert_channel",
    "insert_device",
    "put_stamps",
    "record_stamps",
    "save_clock",
    "site_records",
    "site_stamps",
    "unassigned",
    "update_channel",
    "update_device",
]

# The device columns that travel (wire.py ``Record``), in this order.
DEVICE_FIELDS = ("name", "circuit", "model", "kind", "link", "ble_address", "poll_interval_s", "rated_current_a",
                 "state")
_DEVICE_SELECT = ", ".join(f"d.{name}" for name in DEVICE_FIELDS)


# ---- clocks and dirty sites -----------------------------------------------------------------------------------

def clock_stamps(conn: Connection) -> list[str]:
    """The last stamp of every node that stamped or merged here."""
    return [row[0] for row in conn.execute("SELECT last FROM mirror_clocks")]


def save_clock(conn: Connection, node: str, last: str) -> None:
    conn.execute("INSERT INTO mirror_clocks (node, last) VALUES (?, ?) ON CONFLICT (node) DO UPDATE SET "
                 "last = excluded.last WHERE excluded.last > mirror_clocks.last", [node, last])


def dirty_sites(conn: Connection, limit: int | None = None) -> list[int]:
    """The sites whose fields may need stamps, lowest first (the first ``limit`` of them)."""
    bounded = "" if limit is None else f" LIMIT {int(limit)}"
    return [int(row[0]) for row in conn.execute(f"SELECT site_id FROM mirror_dirty ORDER BY site_id{bounded}")]


def count_dirty(conn: Connection) -> int:
    return int(conn.execute("SELECT COUNT(*) FROM mirror_dirty").fetchone()[0])


def clear_dirty(conn: Connection, site_id: int) -> None:
    conn.execute("DELETE FROM mirror_dirty WHERE site_id = ?", [site_id])


# ---- records and stamps ---------------------------------------------------------------------------------------

def site_records(conn: Connection, site_id: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The site's devices (not a site box's own device) and their channels, as they stand."""
    devices = [dict(row) for row in conn.execute(
        f"SELECT d.serial, {_DEVICE_SELECT} FROM devices d WHERE d.site_id = ? AND d.kind != 'gateway' "
        "ORDER BY d.id", [site_id])]
    channels = [{"serial": row["serial"], "key": row["key"], "label": row["label"],
                 "settings": json.loads(row["settings"])} for row in conn.execute(
        "SELECT d.serial, c.key, c.label, c.settings FROM channels c JOIN devices d ON d.id = c.device_id "
        "WHERE d.site_id = ? AND d.kind != 'gateway' ORDER BY c.id", [site_id])]
    return devices, channels


def site_stamps(conn: Connection, site_id: int) -> list[dict[str, Any]]:
    """Every stored stamp of the site's devices and channels (entity, key, field, value as JSON text, hlc)."""
    rows = conn.execute(
        "SELECT f.entity, f.key, f.field, f.value, f.hlc FROM devices d JOIN field_stamps f "
        "ON f.entity = 'device' AND f.key = d.serial WHERE d.site_id = ? AND d.kind != 'gateway' "
        "UNION ALL "
        "SELECT f.entity, f.key, f.field, f.value, f.hlc FROM devices d JOIN channels c ON c.device_id = d.id "
        "JOIN field_stamps f ON f.entity = 'channel' AND f.key = d.serial || '/' || c.key "
        "WHERE d.site_id = ? AND d.kind != 'gateway'", [site_id, site_id])
    return [dict(row) for row in rows]


def record_stamps(conn: Connection, entity: str, key: str) -> dict[str, tuple[str, str]]:
    """One record's stamps: field → (value as JSON text, hlc)."""
    rows = conn.execute("SELECT field, value, hlc FROM field_stamps WHERE entity = ? AND key = ?", [entity, key])
    return {row["field"]: (row["value"], row["hlc"]) for row in rows}


def forget_site_stamps(conn: Connection, site_id: int) -> None:
    """Drop the site's stamps: the next pass stamps every field anew, as this node's."""
    conn.execute("DELETE FROM field_stamps WHERE entity = 'device' AND key IN "
                 "(SELECT serial FROM devices WHERE site_id = ?)", [site_id])
    conn.execute("DELETE FROM field_stamps WHERE entity = 'channel' AND key IN (SELECT d.serial || '/' || c.key "
                 "FROM devices d JOIN channels c ON c.device_id = d.id WHERE d.site_id = ?)", [site_id])


def put_stamps(conn: Connection, rows: Iterable[tuple[str, str, str, str, str]]) -> None:
    """(entity, key, field, value JSON, hlc) rows, each replacing the field's stamp."""
    conn.executemany("INSERT INTO field_stamps (entity, key, field, value, hlc) VALUES (?, ?, ?, ?, ?) "
                     "ON CONFLICT (entity, key, field) DO UPDATE SET value = excluded.value, hlc = excluded.hlc",
                     list(rows))


# ---- what a merge writes --------------------------------------------------------------------------------------

def devices_by_serial(conn: Connection, serials: list[str]) -> dict[str, dict[str, Any]]:
    """The devices with these serials (any site's), each with ``id``, ``site_id``, its fields and ``channels``
    (key → id, label, settings)."""
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(serials), 500):
        chunk = serials[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        for row in conn.execute(f"SELECT d.id, d.site_id, d.serial, {_DEVICE_SELECT} FROM devices d "
                                f"WHERE d.serial IN ({marks})", chunk):
            found[row["serial"]] = {**dict(row), "channels": {}}
    by_id = {device["id"]: device for device in found.values()}
    ids = list(by_id)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        for row in conn.execute(f"SELECT id, device_id, key, label, settings FROM channels WHERE device_id IN "
                                f"({marks})", chunk):
            by_id[row["device_id"]]["channels"][row["key"]] = {
                "id": row["id"], "label": row["label"], "settings": json.loads(row["settings"])}
    return found


def insert_device(conn: Connection, site_id: int, serial: str, fields: dict[str, Any], now: float) -> int:
    values = {"name": serial, "circuit": "", "link": None, "ble_address": None, "poll_interval_s": 30.0,
              "rated_current_a": None, "state": "registered", **fields}
    cur = conn.execute(
        "INSERT INTO devices (site_id, serial, model, kind, name, circuit, rated_current_a, ble_address, link, state, "
        "created_at, poll_interval_s) VALUES (:site_id, :serial, :model, :kind, :name, :circuit, :rated_current_a, "
        ":ble_address, :link, :state, :created_at, :poll_interval_s) RETURNING id",
        {**values, "site_id": site_id, "serial": serial, "created_at": now})
    return int(cur.fetchone()[0])


def update_device(conn: Connection, device_id: int, fields: dict[str, Any]) -> None:
    fields = {k: v for k, v in fields.items() if k in DEVICE_FIELDS}
    if fields:
        assignments = ", ".join(f"{k} = :{k}" for k in fields)
        conn.execute(f"UPDATE devices SET {assignments} WHERE id = :id", {**fields, "id": device_id})


def insert_channel(conn: Connection, device_id: int, key: str, label: str, settings: dict[str, Any]) -> int:
    cur = conn.execute("INSERT INTO channels (device_id, key, label, settings) VALUES (?, ?, ?, ?) RETURNING id",
                       [device_id, key, label, json.dumps(settings)])
    return int(cur.fetchone()[0])


def update_channel(conn: Connection, channel_id: int, label: str, settings: dict[str, Any]) -> None:
    conn.execute("UPDATE channels SET label = ?, settings = ? WHERE id = ?", [label, json.dumps(settings), channel_id])


def unassigned(conn: Connection, site_id: int, gateway_id: int) -> bool:
    """Whether ``assign_gateway`` would change anything."""
    return bool(conn.execute(
        "SELECT EXISTS (SELECT 1 FROM devices WHERE site_id = ? AND kind != 'gateway' AND "
        "(link IS NOT NULL OR ble_address IS NOT NULL) AND gateway_id IS DISTINCT FROM ?)",
        [site_id, gateway_id]).fetchone()[0])


def assign_gateway(conn: Connection, site_id: int, gateway_id: int) -> int:
    """The site's devices the box reaches (a link or a Bluetooth address) are judged by that box from now on."""
    return conn.execute(
        "UPDATE devices SET gateway_id = ? WHERE site_id = ? AND kind != 'gateway' AND "
        "(link IS NOT NULL OR ble_address IS NOT NULL) AND gateway_id IS DISTINCT FROM ?",
        [gateway_id, site_id, gateway_id]).rowcount

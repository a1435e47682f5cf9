"""Sites, devices, channels and gateways. Every read is filtered by the caller's scope (``storage.scopes``)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

__all__ = [
    "devices_with_channels",
    "get_channel",
    "get_device",
    "get_gateway",
    "get_site",
    "insert_audit",
    "insert_device",
    "insert_gateway",
    "insert_site",
    "list_devices",
    "list_gateways",
    "list_sites",
    "owns_sites_beyond",
    "revoke_gateway",
    "serial_exists",
    "update_channel_settings",
    "user_exists_with_role",
    "visible_site_ids",
]

_SITE_COLUMNS = (
    "s.id, s.name, s.address, s.region_code, s.venue_type, s.key_unit, s.owner_id, s.company_id, s.lat, s.lon, "
    "s.created_at, (SELECT COUNT(*) FROM devices d WHERE d.site_id = s.id) AS device_count"
)
_DEVICE_COLUMNS = (
    "d.id, d.site_id, d.serial, d.model, d.kind, d.name, d.circuit, d.rated_current_a, d.ble_address, d.state, "
    "d.created_at, d.poll_interval_s, d.last_seen_at, d.switch, d.switch_at, "
    "(SELECT u.display_name FROM users u WHERE u.id = d.switch_by) AS switch_by"
)
_GATEWAY_COLUMNS = "g.id, g.site_id, g.name, g.key_prefix, g.created_at, g.revoked_at, g.last_seen_at"


def insert_site(conn: sqlite3.Connection, site: dict[str, Any]) -> int:
    cur = conn.execute(
        "INSERT INTO sites (name, address, region_code, venue_type, key_unit, owner_id, company_id, lat, lon, "
        "created_at, created_by) VALUES (:name, :address, :region_code, :venue_type, :key_unit, :owner_id, "
        ":company_id, :lat, :lon, :created_at, :created_by)",
        site,
    )
    return int(cur.lastrowid or 0)


def list_sites(conn: sqlite3.Connection, scope_sql: str, params: list[Any]) -> list[dict[str, Any]]:
    rows = conn.execute(f"SELECT {_SITE_COLUMNS} FROM sites s WHERE {scope_sql} ORDER BY s.id", params)
    return [dict(row) for row in rows]


def get_site(conn: sqlite3.Connection, site_id: int, scope_sql: str, params: list[Any]) -> dict[str, Any] | None:
    row = conn.execute(
        f"SELECT {_SITE_COLUMNS} FROM sites s WHERE s.id = ? AND ({scope_sql})", [site_id, *params]
    ).fetchone()
    return dict(row) if row else None


def user_exists_with_role(conn: sqlite3.Connection, user_id: int, role: str) -> bool:
    row = conn.execute("SELECT 1 FROM users WHERE id = ? AND role = ?", (user_id, role)).fetchone()
    return row is not None


def owns_sites_beyond(conn: sqlite3.Connection, user_id: int, company_id: int | None) -> bool:
    """Whether the user owns a site that is not the company's (another company's, or one with none)."""
    return conn.execute("SELECT 1 FROM sites WHERE owner_id = ? AND company_id IS NOT ? LIMIT 1",
                        (user_id, company_id)).fetchone() is not None


def serial_exists(conn: sqlite3.Connection, serial: str) -> bool:
    return conn.execute("SELECT 1 FROM devices WHERE serial = ?", (serial,)).fetchone() is not None


def insert_device(conn: sqlite3.Connection, device: dict[str, Any], channels: list[tuple[str, dict[str, Any]]]) -> int:
    cur = conn.execute(
        "INSERT INTO devices (site_id, serial, model, kind, name, circuit, rated_current_a, ble_address, state, "
        "created_at, poll_interval_s) VALUES (:site_id, :serial, :model, :kind, :name, :circuit, :rated_current_a, "
        ":ble_address, 'registered', :created_at, :poll_interval_s)",
        device,
    )
    device_id = int(cur.lastrowid or 0)
    conn.executemany(
        "INSERT INTO channels (device_id, key, settings) VALUES (?, ?, ?)",
        [(device_id, key, json.dumps(settings)) for key, settings in channels],
    )
    return device_id


def _channels_of(conn: sqlite3.Connection, device_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    by_device: dict[int, list[dict[str, Any]]] = {i: [] for i in device_ids}
    if not device_ids:
        return by_device
    marks = ", ".join("?" * len(device_ids))
    for row in conn.execute(
        f"SELECT id, device_id, key, settings FROM channels WHERE device_id IN ({marks}) ORDER BY id", device_ids
    ):
        by_device[row["device_id"]].append(
            {"id": row["id"], "device_id": row["device_id"], "key": row["key"], "settings": json.loads(row["settings"])}
        )
    return by_device


def list_devices(conn: sqlite3.Connection, site_id: int) -> list[dict[str, Any]]:
    """Devices of a site the caller has already been shown, each with its channels."""
    devices = [dict(r) for r in conn.execute(f"SELECT {_DEVICE_COLUMNS} FROM devices d WHERE d.site_id = ? "
                                             "ORDER BY d.id", (site_id,))]
    channels = _channels_of(conn, [d["id"] for d in devices])
    for device in devices:
        device["channels"] = channels[device["id"]]
    return devices


def get_device(conn: sqlite3.Connection, device_id: int, scope_sql: str, params: list[Any]) -> dict[str, Any] | None:
    row = conn.execute(
        f"SELECT {_DEVICE_COLUMNS} FROM devices d JOIN sites s ON s.id = d.site_id WHERE d.id = ? AND ({scope_sql})",
        [device_id, *params],
    ).fetchone()
    if row is None:
        return None
    device = dict(row)
    device["channels"] = _channels_of(conn, [device["id"]])[device["id"]]
    return device


def get_channel(conn: sqlite3.Connection, channel_id: int, scope_sql: str, params: list[Any]) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT c.id, c.device_id, c.key, c.settings, d.site_id, d.rated_current_a, d.serial FROM channels c "
        f"JOIN devices d ON d.id = c.device_id JOIN sites s ON s.id = d.site_id WHERE c.id = ? AND ({scope_sql})",
        [channel_id, *params],
    ).fetchone()
    if row is None:
        return None
    channel = dict(row)
    channel["settings"] = json.loads(channel["settings"])
    return channel


def update_channel_settings(conn: sqlite3.Connection, channel_id: int, settings: dict[str, Any]) -> None:
    conn.execute("UPDATE channels SET settings = ? WHERE id = ?", (json.dumps(settings), channel_id))


def insert_gateway(conn: sqlite3.Connection, gateway: dict[str, Any]) -> int:
    cur = conn.execute(
        "INSERT INTO gateways (site_id, name, key_hash, key_prefix, created_at, created_by) "
        "VALUES (:site_id, :name, :key_hash, :key_prefix, :created_at, :created_by)",
        gateway,
    )
    return int(cur.lastrowid or 0)


def list_gateways(conn: sqlite3.Connection, site_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(f"SELECT {_GATEWAY_COLUMNS} FROM gateways g WHERE g.site_id = ? ORDER BY g.id", (site_id,))
    return [dict(r) for r in rows]


def get_gateway(conn: sqlite3.Connection, gateway_id: int, scope_sql: str, params: list[Any]) -> dict[str, Any] | None:
    row = conn.execute(
        f"SELECT {_GATEWAY_COLUMNS} FROM gateways g JOIN sites s ON s.id = g.site_id WHERE g.id = ? AND ({scope_sql})",
        [gateway_id, *params],
    ).fetchone()
    return dict(row) if row else None


def revoke_gateway(conn: sqlite3.Connection, gateway_id: int, now: float) -> None:
    conn.execute("UPDATE gateways SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", (now, gateway_id))


def insert_audit(
    conn: sqlite3.Connection, *, ts: float, actor_id: int | None, action: str, obj: str, object_id: int | None,
    detail: dict[str, Any],
) -> int:
    cur = conn.execute(
        "INSERT INTO audit_log (ts, actor_id, action, object, object_id, detail) VALUES (?, ?, ?, ?, ?, ?)",
        (ts, actor_id, action, obj, object_id, json.dumps(detail, ensure_ascii=False)),
    )
    return int(cur.lastrowid or 0)


def devices_with_channels(conn: sqlite3.Connection, serial: str | None = None) -> list[dict[str, Any]]:
    """Every device (or the one with ``serial``) with its site and channels, for the ingest registry."""
    where, args = ("WHERE d.serial = ?", [serial]) if serial is not None else ("", [])
    devices = [dict(r) for r in conn.execute(
        f"SELECT d.id, d.site_id, d.serial, d.name, d.rated_current_a FROM devices d {where}", args)]
    channels = _channels_of(conn, [d["id"] for d in devices])
    for device in devices:
        device["channels"] = channels[device["id"]]
    return devices


def visible_site_ids(conn: sqlite3.Connection, site_ids: list[int], scope_sql: str, params: list[Any]) -> set[int]:
    if not site_ids:
        return set()
    marks = ", ".join("?" * len(site_ids))
    rows = conn.execute(f"SELECT s.id FROM sites s WHERE s.id IN ({marks}) AND ({scope_sql})", [*site_ids, *params])
    return {int(r["id"]) for r in rows}

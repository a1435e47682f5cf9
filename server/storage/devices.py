"""Devices, channels, gateway keys, commissioning records and the remote-control audit."""

from __future__ import annotations

import json
from typing import Any

from server.storage.connection import Connection, Row
from server.storage.database import chunks
from server.storage.scopes import Scope

__all__ = [
    "commissioned_targets",
    "control_log",
    "device_audit",
    "device_by_address",
    "device_by_serial",
    "devices_on_bus",
    "devices_with_channels",
    "get_channel",
    "get_commissioning",
    "get_device",
    "get_gateway",
    "insert_audit",
    "insert_commissioning",
    "insert_device",
    "insert_gateway",
    "last_accepted",
    "leakage_alarm_since",
    "list_devices",
    "list_gateways",
    "open_commissioning",
    "revoke_gateway",
    "serial_exists",
    "set_device_state",
    "site_circuits",
    "update_channel_label",
    "update_channel_settings",
    "update_commissioning",
    "update_device_fields",
]

_COMMISSIONING = ("id, site_id, address, model, device_id, state, steps, answers, signed_by, signature, created_by, "
                  "created_at, completed_at")


def _commissioning(row: Row | None) -> dict[str, Any] | None:
    if row is None:
        return None
    out = dict(row)
    out["steps"] = json.loads(out["steps"])
    out["answers"] = json.loads(out["answers"]) if out["answers"] else None
    return out


def insert_commissioning(conn: Connection, record: dict[str, Any]) -> int:
    cur = conn.execute(
        "INSERT INTO commissionings (site_id, address, model, steps, created_by, created_at) "
        "VALUES (:site_id, :address, :model, :steps, :created_by, :created_at) RETURNING id",
        {**record, "steps": json.dumps(record["steps"], ensure_ascii=False)},
    )
    return int(cur.fetchone()[0])


def get_commissioning(conn: Connection, commissioning_id: int) -> dict[str, Any] | None:
    return _commissioning(conn.execute(
        f"SELECT {_COMMISSIONING} FROM commissionings WHERE id = ?", (commissioning_id,)).fetchone())


def open_commissioning(conn: Connection, device_id: int) -> dict[str, Any] | None:
    """The device's commissioning still in progress, the newest when there are several."""
    return _commissioning(conn.execute(
        f"SELECT {_COMMISSIONING} FROM commissionings WHERE device_id = ? AND state = 'in_progress' "
        "ORDER BY id DESC LIMIT 1", (device_id,)).fetchone())


def update_commissioning(conn: Connection, commissioning_id: int, **fields: Any) -> None:
    encoded = {k: json.dumps(v, ensure_ascii=False) if k in ("steps", "answers") else v for k, v in fields.items()}
    assignments = ", ".join(f"{k} = :{k}" for k in encoded)
    conn.execute(f"UPDATE commissionings SET {assignments} WHERE id = :id", {**encoded, "id": commissioning_id})


def last_accepted(conn: Connection, device_id: int) -> dict[str, Any] | None:
    """The device's newest signed acceptance (a commissioning that made it ``commissioned``)."""
    return _commissioning(conn.execute(
        f"SELECT {_COMMISSIONING} FROM commissionings WHERE device_id = ? AND state = 'commissioned' "
        "ORDER BY id DESC LIMIT 1", (device_id,)).fetchone())


def device_by_address(conn: Connection, address: str) -> dict[str, Any] | None:
    row = conn.execute("SELECT id, site_id, serial, state FROM devices WHERE lower(ble_address) = lower(?)",
                       (address,)).fetchone()
    return dict(row) if row else None


def device_by_serial(conn: Connection, serial: str) -> dict[str, Any] | None:
    row = conn.execute("SELECT id, site_id, serial, state, ble_address FROM devices WHERE serial = ?",
                       (serial,)).fetchone()
    return dict(row) if row else None


def devices_on_bus(conn: Connection, prefix: str) -> list[dict[str, Any]]:
    """Devices whose link starts with ``prefix`` (a bus: ``modbus-tcp://HOST:PORT``, ``modbus-rtu:///dev/…``), every
    site's; the caller matches bus and unit exactly."""
    rows = conn.execute("SELECT id, site_id, serial, model, link FROM devices WHERE substr(link, 1, ?) = ? ORDER BY id",
                        (len(prefix), prefix))
    return [dict(r) for r in rows]


def update_device_fields(conn: Connection, device_id: int, fields: dict[str, Any]) -> None:
    allowed = {"name", "circuit", "rated_current_a", "ble_address", "link", "poll_interval_s"}
    fields = {k: v for k, v in fields.items() if k in allowed}
    if fields.get("ble_address") and "link" not in fields:  # a Bluetooth device's link follows its address
        fields["link"] = f"ble://{str(fields['ble_address']).upper()}"
    if fields:
        assignments = ", ".join(f"{k} = :{k}" for k in fields)
        conn.execute(f"UPDATE devices SET {assignments} WHERE id = :id", {**fields, "id": device_id})


def set_device_state(conn: Connection, device_id: int, state: str) -> None:
    conn.execute("UPDATE devices SET state = ? WHERE id = ?", (state, device_id))


def commissioned_targets(conn: Connection) -> list[dict[str, Any]]:
    """What the poller reads: every commissioned Bluetooth device, and every device with a wired link."""
    rows = conn.execute(
        "SELECT serial, COALESCE(ble_address, '') AS address, model, poll_interval_s AS interval_s, "
        "CASE WHEN link LIKE 'modbus-%' THEN link ELSE '' END AS link FROM devices "
        "WHERE (state = 'commissioned' AND ble_address IS NOT NULL) OR link LIKE 'modbus-%' ORDER BY id")
    return [dict(r) for r in rows]


def device_audit(conn: Connection, device_id: int, action: str, limit: int = 100) -> list[dict[str, Any]]:
    """A device's audit entries of one action (``control``, ``write_thresholds``…), newest first: each entry's
    detail with its id, time and who."""
    rows = conn.execute(
        "SELECT a.id, a.ts, a.detail, u.username FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id "
        "WHERE a.object = 'device' AND a.object_id = ? AND a.action = ? ORDER BY a.id DESC LIMIT ?",
        (device_id, action, limit))
    out = []
    for r in rows:
        detail = json.loads(r["detail"])  # "by" in the detail: a cloud operator a box acted for (no user there)
        out.append({**detail, "id": r["id"], "at": r["ts"], "by": r["username"] or detail.get("by") or ""})
    return out


def control_log(conn: Connection, device_id: int, limit: int = 100) -> list[dict[str, Any]]:
    return device_audit(conn, device_id, "control", limit)


def leakage_alarm_since(conn: Connection, device_id: int, since: float) -> dict[str, Any] | None:
    """The latest residual-current alarm (level ``alarm``) of a device raised after ``since``."""
    row = conn.execute(
        "SELECT id, started_at, cleared_at, peak FROM alarms WHERE device_id = ? AND cause = 'leakage' "
        "AND level = 'alarm' AND started_at >= ? ORDER BY id DESC LIMIT 1", (device_id, since)).fetchone()
    return dict(row) if row else None


_DEVICE_COLUMNS = (
    "d.id, d.site_id, d.serial, d.model, d.kind, d.name, d.circuit, d.rated_current_a, d.ble_address, d.link, "
    "d.state, d.created_at, d.poll_interval_s, d.last_seen_at, d.switch, d.switch_at, "
    "(SELECT u.display_name FROM users u WHERE u.id = d.switch_by) AS switch_by"
)


_GATEWAY_COLUMNS = ("g.id, g.site_id, g.name, g.key_prefix, g.created_at, g.revoked_at, g.last_seen_at, g.backlog, "
                    "g.backlog_at, g.protocol, g.address")


def _gateway(row: Row) -> dict[str, Any]:
    out = dict(row)
    out["backlog"] = json.loads(out["backlog"]) if out["backlog"] else None  # what a site box said it still holds
    return out


def serial_exists(conn: Connection, serial: str) -> bool:
    return conn.execute("SELECT 1 FROM devices WHERE serial = ?", (serial,)).fetchone() is not None


def insert_device(conn: Connection, device: dict[str, Any], channels: list[tuple[str, dict[str, Any]]]) -> int:
    cur = conn.execute(
        "INSERT INTO devices (site_id, serial, model, kind, name, circuit, rated_current_a, ble_address, link, state, "
        "created_at, poll_interval_s) VALUES (:site_id, :serial, :model, :kind, :name, :circuit, :rated_current_a, "
        ":ble_address, :link, 'registered', :created_at, :poll_interval_s) RETURNING id",
        device,
    )
    device_id = int(cur.fetchone()[0])
    conn.executemany(
        "INSERT INTO channels (device_id, key, settings) VALUES (?, ?, ?)",
        [(device_id, key, json.dumps(settings)) for key, settings in channels],
    )
    return device_id


def _channels_of(conn: Connection, device_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    by_device: dict[int, list[dict[str, Any]]] = {i: [] for i in device_ids}
    if not device_ids:
        return by_device
    # In chunks below either engine's limit of parameters per statement (a city has 10⁵ devices and more).
    for part in chunks(device_ids):
        marks = ", ".join("?" * len(part))
        for row in conn.execute(
            f"SELECT id, device_id, key, label, settings FROM channels WHERE device_id IN ({marks}) ORDER BY id", part,
        ):
            by_device[row["device_id"]].append({"id": row["id"], "device_id": row["device_id"], "key": row["key"],
                                                "label": row["label"], "settings": json.loads(row["settings"])})
    return by_device


def site_circuits(conn: Connection, site_id: int) -> list[dict[str, Any]]:
    """The circuits a site's devices protect (their names, trimmed), each with how many devices protect it."""
    rows = conn.execute("SELECT trim(circuit) AS name, count(*) AS devices FROM devices WHERE site_id = ? "
                        "AND trim(circuit) != '' GROUP BY trim(circuit) ORDER BY name", (site_id,))
    return [dict(r) for r in rows]


def list_devices(conn: Connection, site_id: int) -> list[dict[str, Any]]:
    """Devices of a site the caller has already been shown, each with its channels."""
    devices = [dict(r) for r in conn.execute(f"SELECT {_DEVICE_COLUMNS} FROM devices d WHERE d.site_id = ? "
                                             "ORDER BY d.id", (site_id,))]
    channels = _channels_of(conn, [d["id"] for d in devices])
    for device in devices:
        device["channels"] = channels[device["id"]]
    return devices


def get_device(conn: Connection, device_id: int, scope: Scope) -> dict[str, Any] | None:
    row = conn.execute(
        f"SELECT {_DEVICE_COLUMNS} FROM devices d JOIN sites s ON s.id = d.site_id WHERE d.id = ? "
        f"AND ({scope.condition})", [device_id, *scope.params],
    ).fetchone()
    if row is None:
        return None
    device = dict(row)
    device["channels"] = _channels_of(conn, [device["id"]])[device["id"]]
    return device


def get_channel(conn: Connection, channel_id: int, scope: Scope) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT c.id, c.device_id, c.key, c.label, c.settings, d.site_id, d.rated_current_a, d.serial FROM channels c "
        "JOIN devices d ON d.id = c.device_id JOIN sites s ON s.id = d.site_id "
        f"WHERE c.id = ? AND ({scope.condition})", [channel_id, *scope.params],
    ).fetchone()
    if row is None:
        return None
    channel = dict(row)
    channel["settings"] = json.loads(channel["settings"])
    return channel


def update_channel_settings(conn: Connection, channel_id: int, settings: dict[str, Any]) -> None:
    conn.execute("UPDATE channels SET settings = ? WHERE id = ?", (json.dumps(settings), channel_id))


def update_channel_label(conn: Connection, channel_id: int, label: str) -> None:
    conn.execute("UPDATE channels SET label = ? WHERE id = ?", (label, channel_id))


def insert_gateway(conn: Connection, gateway: dict[str, Any]) -> int:
    cur = conn.execute(
        "INSERT INTO gateways (site_id, name, key_hash, key_prefix, created_at, created_by, protocol, address) "
        "VALUES (:site_id, :name, :key_hash, :key_prefix, :created_at, :created_by, :protocol, :address) RETURNING id",
        gateway,
    )
    return int(cur.fetchone()[0])


def gb26875_address_taken(conn: Connection, address: str) -> int | None:
    """The id of the gateway (not revoked) that already has this GB/T 26875.3 address, if one does."""
    row = conn.execute("SELECT id FROM gateways WHERE protocol = 'gb26875' AND address = ? AND revoked_at IS NULL",
                       (address,)).fetchone()
    return int(row[0]) if row else None


def list_gateways(conn: Connection, site_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(f"SELECT {_GATEWAY_COLUMNS} FROM gateways g WHERE g.site_id = ? ORDER BY g.id", (site_id,))
    return [_gateway(r) for r in rows]


def get_gateway(conn: Connection, gateway_id: int, scope: Scope) -> dict[str, Any] | None:
    row = conn.execute(
        f"SELECT {_GATEWAY_COLUMNS} FROM gateways g JOIN sites s ON s.id = g.site_id WHERE g.id = ? "
        f"AND ({scope.condition})", [gateway_id, *scope.params],
    ).fetchone()
    return _gateway(row) if row else None


def revoke_gateway(conn: Connection, gateway_id: int, now: float) -> None:
    conn.execute("UPDATE gateways SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", (now, gateway_id))


def retire_gateway_device(conn: Connection, gateway_id: int) -> int | None:
    """A revoked gateway's own device (its box, ``gateway:{id}``) leaves the offline watchdog: it will not speak
    again under this gateway. Answers the device's id, if the box ever spoke."""
    row = conn.execute("SELECT device_id FROM gateways WHERE id = ?", (gateway_id,)).fetchone()
    if row is None or row[0] is None:
        return None
    conn.execute("UPDATE devices SET last_seen_at = NULL WHERE id = ?", (row[0],))
    return int(row[0])


def insert_audit(
    conn: Connection, *, ts: float, actor_id: int | None, action: str, obj: str, object_id: int | None,
    detail: dict[str, Any],
) -> int:
    cur = conn.execute(
        "INSERT INTO audit_log (ts, actor_id, action, object, object_id, detail) VALUES (?, ?, ?, ?, ?, ?)"
        " RETURNING id",
        (ts, actor_id, action, obj, object_id, json.dumps(detail, ensure_ascii=False)),
    )
    return int(cur.fetchone()[0])


def sites_of_serials(conn: Connection, serials: list[str]) -> dict[str, int]:
    """The site of each of these devices that exists."""
    out: dict[str, int] = {}
    for chunk in chunks(serials):
        out.update((str(r[0]), int(r[1])) for r in conn.execute(
            f"SELECT serial, site_id FROM devices WHERE serial IN ({', '.join('?' * len(chunk))})", chunk))
    return out


def devices_with_channels(conn: Connection, serial: str | None = None) -> list[dict[str, Any]]:
    """Every device (or the one with ``serial``) with its site and channels, for the ingest registry."""
    where, args = ("WHERE d.serial = ?", [serial]) if serial is not None else ("", [])
    devices = [dict(r) for r in conn.execute(
        f"SELECT d.id, d.site_id, d.serial, d.name, d.rated_current_a FROM devices d {where} ORDER BY d.id", args)]
    channels = _channels_of(conn, [d["id"] for d in devices])
    for device in devices:
        device["channels"] = channels[device["id"]]
    return devices

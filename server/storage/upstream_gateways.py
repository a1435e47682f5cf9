"""Cloud side of a site box's presence: its gateway row, and the box itself as a device of its site."""

from __future__ import annotations

from typing import Any

from server.storage.connection import Connection

__all__ = ["gateway_device", "presence", "touch_gateway"]

# The box's device in the cloud: its serial names the gateway (devices' serials are unique).
BOX_MODEL = "andian-box"


def gateway_device(conn: Connection, gateway_id: int, heartbeat_s: float, now: float) -> dict[str, Any]:
    """The box's device (created on first contact, named after the gateway), with its site and poll interval set
    to the heartbeat so the watchdog calls it offline after 3 heartbeats without a word."""
    row = conn.execute("SELECT g.site_id, g.name, g.device_id FROM gateways g WHERE g.id = ?", [gateway_id]).fetchone()
    device_id = row["device_id"]
    if device_id is None:
        cur = conn.execute(
            "INSERT INTO devices (site_id, serial, model, kind, name, circuit, state, created_at, poll_interval_s) "
            "VALUES (?, ?, ?, 'gateway', ?, '', 'commissioned', ?, ?) RETURNING id",
            [row["site_id"], f"gateway:{gateway_id}", BOX_MODEL, row["name"] or f"站点网关 {gateway_id}", now,
             heartbeat_s])
        device_id = int(cur.fetchone()[0])
        conn.execute("UPDATE gateways SET device_id = ? WHERE id = ?", [device_id, gateway_id])
    else:
        conn.execute("UPDATE devices SET poll_interval_s = ? WHERE id = ? AND poll_interval_s != ?",
                     [heartbeat_s, device_id, heartbeat_s])
    return {"device_id": int(device_id), "site_id": int(row["site_id"])}


def presence(conn: Connection, gateway_id: int) -> dict[str, Any] | None:
    """When the box last spoke, its device, and whether that device has an active ``offline`` alarm."""
    row = conn.execute(
        "SELECT g.last_seen_at, g.device_id, EXISTS (SELECT 1 FROM alarms a WHERE a.device_id = g.device_id "
        "AND a.cause = 'offline' AND a.cleared_at IS NULL) AS offline FROM gateways g WHERE g.id = ?",
        [gateway_id]).fetchone()
    return dict(row) if row else None


def touch_gateway(conn: Connection, gateway_id: int, device_id: int, now: float) -> None:
    conn.execute("UPDATE gateways SET last_seen_at = ? WHERE id = ?", [now, gateway_id])
    conn.execute("UPDATE devices SET last_seen_at = ? WHERE id = ?", [now, device_id])

"""What the alarm-message tests share: a device's leakage replayed through the real ingest, its alarm and delivery
log as the API answers them, a breaker trip, and the messages a subscription was sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from server.context import Context

from .notify_rig import Rig
from .replay import Site

ZONE = ZoneInfo("Asia/Shanghai")  # the settings' time zone; conftest's T0 is 08:00 there


def clock_text(ts: float) -> str:
    return datetime.fromtimestamp(ts, ZONE).strftime("%H:%M")


def leak(site: Site, value: float, seconds: float = 60) -> None:
    site.replay({"residual_ma": lambda t: value}, seconds)


def alarm_of(rig: Rig, site: Site) -> dict[str, Any]:
    [found] = site.alarms(rig.world.headers("admin"))
    return found


def deliveries(rig: Rig, alarm_id: int) -> list[dict[str, Any]]:
    r = rig.client.get(f"/api/v1/alarms/{alarm_id}/deliveries", headers=rig.world.headers("admin"))
    assert r.status_code == 200, r.text
    found: list[dict[str, Any]] = r.json()
    return found


def trip(rig: Rig, site: Site, by: str | None = None) -> dict[str, Any]:
    """The breaker opens and the leakage drops to nothing: by itself (the device's trip event), or by ``by``
    remotely (the position read back after remote control, as the site box records it)."""
    ctx: Context = rig.client.app.state["andian"]
    if by is None:
        site.post([], [{"device": site.serial, "kind": "trip", "ts": rig.clock.now}])
    else:
        user_id, now = rig.world.user_ids[by], rig.clock.now
        site_id = alarm_of(rig, site)["site_id"]
        rig.client.blocking_portal.call(ctx.db.write, lambda conn: ctx.pipeline.alarms.switched(
            conn, site.device_id, site_id, "open", now, user_id))
    leak(site, 0.0, 30)
    alarm = alarm_of(rig, site)
    assert alarm["cleared_reason"] == "trip", alarm
    return alarm


def minutes(alarm: dict[str, Any]) -> int:
    return max(1, round((alarm["cleared_at"] - alarm["started_at"]) / 60))


def prealarm_in_a_first_digest(rig: Rig) -> Site:
    """Two subscriptions (zh and en, 5-minute digests) told of a pre-alarm in a first digest; its device."""
    rig.subscribe("owner_1", "zh", digest_interval_s=300)
    rig.subscribe("owner_1", "en", lang="en", digest_interval_s=300)
    site = rig.device()
    leak(site, 260.0)
    rig.step()
    rig.clock.advance(300)
    rig.step()
    return site


def messages_made(rig: Rig, subscription_id: int) -> list[tuple[str, float]]:
    ctx: Context = rig.client.app.state["andian"]
    rows = rig.client.blocking_portal.call(ctx.db.read, lambda conn: conn.execute(
        "SELECT kind, created_at FROM notify_messages WHERE subscription_id = ? ORDER BY id",
        [subscription_id]).fetchall())
    return [(r[0], r[1]) for r in rows]

"""What the README screenshots show, set up through the demo server's HTTP API (no browser): a leakage alarm at the
stall, a tripped breaker at the rental flat, a busy minute at the monitoring centre. docs/screenshots.py photographs
them."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

__all__ = ["api_token", "box_catching_up", "busy_console", "call", "stall_alarm", "trip_rental"]


def call(base: str, path: str, body: object = None, token: str = "") -> Any:
    """GET (no body) or POST JSON to the demo server; the answer's JSON."""
    request = urllib.request.Request(base + path, data=None if body is None else json.dumps(body).encode(),
                                     method="GET" if body is None else "POST",
                                     headers={"Content-Type": "application/json",
                                              **({"Authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def api_token(base: str, username: str) -> str:
    return str(call(base, "/api/v1/auth/login", {"username": username, "password": "andian-demo"})["token"])


def stall_alarm(base: str) -> dict[str, Any]:
    """A leakage alarm at the stall, at once rather than after the feed's four minutes: the freezer circuit's own
    residual-current detector (reporting every 10 minutes, so the offline watchdog leaves it alone) reports the
    last minute of a rising leakage, and nothing reports against it before the screenshot. Made once per demo
    server; the alarm, as the operator reads it."""
    token = api_token(base, "operator")
    site = next(s for s in call(base, "/api/v1/sites", token=token) if s["name"].endswith("12号摊位"))
    serial = "AD-RCD-0012"
    devices = call(base, f"/api/v1/sites/{site['id']}", token=token)["devices"]
    device = next((d for d in devices if d["serial"] == serial), None)
    if device is None:
        device = call(base, f"/api/v1/sites/{site['id']}/devices", {
            "serial": serial, "model": "AD-RCD", "kind": "residual", "name": "冷柜回路漏电探测器",
            "circuit": "冷柜回路", "poll_interval_s": 600, "channels": [{"key": "residual_ma"}]}, token)
        now = time.time()
        samples = [{"device": serial, "channel": "residual_ma", "ts": now - 60 + t, "value": 380.0 + t / 10}
                   for t in range(0, 61, 6)]
        call(base, "/api/v1/ingest", {"batch_id": f"screenshot-{now:.0f}", "samples": samples}, token)
    for _ in range(40):
        for alarm in call(base, f"/api/v1/alarms?site_id={site['id']}", token=token):
            if alarm["device_id"] == device["id"] and alarm["level"] == "alarm":
                return dict(alarm)
        time.sleep(0.5)
    raise RuntimeError("the stall's leakage alarm did not come")


def trip_rental(base: str) -> None:
    """The rental flat's new main breaker, as its site box reports it: a self-test ten minutes ago (the detector's
    test current for 20 s), then a real leakage that the breaker ended by tripping two minutes ago.

    A flat with no simulated devices, so nothing worse than the open breaker decides its status (已断电). The
    breaker reports every 10 minutes, so the offline watchdog leaves it alone while the screenshot is taken.
    """
    token = api_token(base, "operator")
    site = next(s for s in call(base, "/api/v1/sites", token=token) if s["name"] == "琼湖路 18 号出租屋")
    serial = "AD-BRK-1801"
    call(base, f"/api/v1/sites/{site['id']}/devices", {
        "serial": serial, "model": "AD-SB63", "kind": "breaker", "name": "入户总断路器", "circuit": "全屋插座",
        "rated_current_a": 32, "poll_interval_s": 600, "channels": [{"key": "residual_ma"}, {"key": "current_a"}],
    }, token)
    key = str(call(base, f"/api/v1/sites/{site['id']}/gateways", {"name": "出租屋网关"}, token)["api_key"])
    now = time.time()

    def readings(at: list[float], residual_ma: float | list[float], current_a: float) -> list[dict[str, object]]:
        levels = residual_ma if isinstance(residual_ma, list) else [residual_ma] * len(at)
        return [s for ts, ma in zip(at, levels, strict=True) for s in (
            {"device": serial, "channel": "residual_ma", "ts": ts, "value": ma},
            {"device": serial, "channel": "current_a", "ts": ts, "value": current_a})]

    def ingest(samples: list[dict[str, object]], events: list[tuple[str, float]]) -> None:
        call(base, "/api/v1/ingest", {
            "batch_id": f"screenshot-trip-{time.monotonic_ns()}", "samples": samples,
            "events": [{"device": serial, "kind": kind, "ts": ts, "count": 1} for kind, ts in events]}, key)

    self_test = now - 600
    ingest(readings([self_test + t for t in range(0, 25, 5)], 480.0, 6.2)
           + readings([self_test + 30, self_test + 60], 35.0, 6.2), [("self_test", self_test)])
    leak = [now - 220 + t for t in range(0, 100, 5)]
    ingest(readings(leak, [310.0 + 4.5 * i for i in range(len(leak))], 7.8), [])
    # Since the trip the box has gone on reporting a dead circuit, so the rows' latest minute reads 0.
    ingest(readings([now - 120 + t for t in range(0, 121, 30)], 0.0, 0.0), [("trip", now - 120)])
    # The watchdog's next round (every 5 s) makes the tripped alarm a hazard; the page is opened once it is there.
    for _ in range(60):
        if any(h["site_id"] == site["id"] for h in call(base, "/api/v1/hazards", token=token)):
            break
        time.sleep(0.5)


def busy_console(base: str) -> None:
    """What a monitoring centre sees on a busy minute: the stall's alarm and its owner's power-off request, the
    hotel's fault arcs in another district (the demo feed's, within minutes of its start), and the supermarket's
    leakage trend already acknowledged by the operator."""
    alarm = stall_alarm(base)
    owner = api_token(base, "owner")
    requests = call(base, f"/api/v1/alarms/{alarm['id']}/power-off-requests", token=owner)
    if not any(r["state"] == "pending" for r in requests):
        call(base, f"/api/v1/alarms/{alarm['id']}/power-off-requests", {"reason": "店里没人，冷柜回路一直报警"}, owner)
    token = api_token(base, "operator")
    for _ in range(300):
        active = call(base, "/api/v1/alarms?active=true", token=token)
        if any(a["site_name"] == "资江宾馆" and a["cause"] == "arc" for a in active):
            break
        time.sleep(1)
    trend = [a["id"] for a in active if a["cause"] == "leakage_trend" and a["acknowledged_at"] is None]
    if trend:
        call(base, "/api/v1/alarms/ack", {"alarm_ids": trend, "note": "已电话联系店长，明早电工上门"}, token)
    box_catching_up(base)


def box_catching_up(base: str) -> None:
    """The market's site box (in its distribution room) back after a night without its 4G router: its first
    forward batch says what it still holds (the same bytes a box sends, with its own gateway key)."""
    admin = api_token(base, "admin")
    site = next(s for s in call(base, "/api/v1/sites", token=admin) if s["name"] == "桃花仑综合市场 配电房")
    key = call(base, f"/api/v1/sites/{site['id']}/gateways", {"name": "配电房站点网关"}, admin)["api_key"]
    call(base, "/api/v1/upstream/forward", {"batch_id": f"shot-{time.time()}", "backlog": {
        "alarms": 0, "commissionings": 0, "events": 12, "readings": 183_640, "rollups": 0}}, key)

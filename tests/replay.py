"""Replaying hours of device readings through the real ingest endpoint on an injected clock."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any

from litestar.testing import TestClient

from server import clock as watchdog
from server.alarms.service import present
from server.context import Context

from .conftest import Clock

Series = Callable[[float], float]  # seconds since the start → value


class Site:
    """One device on a site, fed through POST /api/v1/ingest with a gateway key."""

    def __init__(self, client: TestClient[Any], clock: Clock, admin: dict[str, str], site_id: int, serial: str,
                 channels: list[str], *, rated_a: float = 32, poll_interval_s: float = 10,
                 settings: dict[str, dict[str, Any]] | None = None) -> None:
        self.client = client
        self.clock = clock
        self.serial = serial
        settings = settings or {}
        r = client.post(f"/api/v1/sites/{site_id}/devices", headers=admin, json={
            "serial": serial, "model": "AD-SB63", "kind": "breaker", "rated_current_a": rated_a,
            "poll_interval_s": poll_interval_s,
            "channels": [{"key": k, "settings": settings.get(k, {})} for k in channels],
        })
        assert r.status_code == 201, r.text
        self.device_id = r.json()["id"]
        r = client.post(f"/api/v1/sites/{site_id}/gateways", headers=admin, json={"name": f"box {serial}"})
        assert r.status_code == 201, r.text
        self.headers = {"Authorization": f"Bearer {r.json()['api_key']}"}
        self.start = clock.now

    def post(self, samples: list[dict[str, Any]], events: Iterable[dict[str, Any]] = ()) -> dict[str, Any]:
        body = {"batch_id": str(uuid.uuid4()), "samples": samples, "events": list(events)}
        r = self.client.post("/api/v1/ingest", json=body, headers=self.headers)
        assert r.status_code == 200, r.text
        result: dict[str, Any] = r.json()
        assert result["rejected"] == [], result["rejected"]
        return result

    def replay(self, series: dict[str, Series], seconds: float, *, every: float = 10.0, batch_s: float = 600.0,
               offset: float | None = None) -> None:
        """Samples every ``every`` seconds from ``offset`` (default: where the last replay ended)."""
        t = self.clock.now - self.start if offset is None else offset
        end = t + seconds
        while t < end:
            batch_end = min(t + batch_s, end)
            samples = []
            while t < batch_end:
                ts = self.start + t
                samples += [{"device": self.serial, "channel": k, "ts": ts, "value": round(f(t), 3)}
                            for k, f in series.items()]
                t += every
            self.clock.now = self.start + t - every
            self.post(samples)
        self.clock.now = self.start + t

    def tick(self) -> None:
        """One round of the watchdog at the clock's time."""
        ctx: Context = self.client.app.state["andian"]
        events = self.client.blocking_portal.call(
            ctx.db.write, lambda conn: watchdog.tick(ctx.pipeline, conn, ctx.clock()))
        ctx.hub.publish(present(events))

    def alarms(self, headers: dict[str, str]) -> list[dict[str, Any]]:
        r = self.client.get("/api/v1/alarms", headers=headers)
        assert r.status_code == 200, r.text
        return [a for a in r.json() if a["device_id"] == self.device_id]

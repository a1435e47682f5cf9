"""What the uplink tests share: settings that point the app at a simulated centre, the real app with the world's
sites, and site_market's gateway posting leakage."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from litestar.testing import TestClient

from gb26875 import PartState, Unit
from server.settings import Settings
from server.web.app import create_app

from .conftest import Clock, World, add_admin, build_world, login
from .gb26875_centre import ADDRESS, Centre, unit_type

__all__ = ["Site", "leakage_state", "open_app", "part_state", "uplink_settings"]

WAIT_S = 30.0


def uplink_settings(settings: Settings, centre: Centre, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "gb26875_uplink": f"127.0.0.1:{centre.port}", "gb26875_address": ADDRESS, "gb26875_heartbeat_s": 60.0,
        "gb26875_analogue_s": 1.0, "upstream_retry_base_s": 0.05, "upstream_retry_cap_s": 0.5, **overrides}
    for name, value in values.items():
        setattr(settings, name, value)
    return settings


class Site:
    """site_market of the world, through the real app: leakage posted by its gateway, the uplink's state read."""

    def __init__(self, client: TestClient[Any], clock: Clock, world: World) -> None:
        self.client, self.clock, self.world = client, clock, world
        self.device_id = world.devices["site_market"]
        self.gateway = {"Authorization": f"Bearer {world.gateway_keys['site_market']}"}
        self.batch = 0

    def leak(self, ma: float, seconds: int) -> None:
        """``seconds`` of residual current at ``ma`` (one sample a second) up to the app's clock, which moves on."""
        self.clock.advance(seconds)
        self.batch += 1
        samples = [{"device": "SN-site_market", "channel": c, "ts": self.clock.now - seconds + i + 1, "value": v}
                   for i in range(seconds) for c, v in (("residual_ma", ma), ("current_a", 12.5))]
        r = self.client.post("/api/v1/ingest", headers=self.gateway, json={"batch_id": f"b{self.batch}",
                                                                           "samples": samples})
        assert r.status_code == 200 and r.json()["accepted"] == len(samples), r.text

    def uplink(self, who: str = "operator_a") -> dict[str, Any]:
        r = self.client.get("/api/v1/gb26875/uplink", headers=self.world.headers(who))
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    def until(self, check: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        deadline = time.monotonic() + WAIT_S
        while not check(state := self.uplink()):
            assert time.monotonic() < deadline, state
            time.sleep(0.05)
        return state


def part_state(frame: Any) -> PartState:
    assert isinstance(frame.unit, Unit) and isinstance(frame.unit.objects[0], PartState)
    return frame.unit.objects[0]


def leakage_state(bit: int) -> Callable[[Any], bool]:
    def match(frame: Any) -> bool:
        if unit_type(frame) != 2:
            return False
        state = part_state(frame)
        return state.part_type == 17 and (state.status == 1 if bit == 0 else bool(state.status & bit))
    return match


def open_app(settings: Settings, clock: Clock) -> tuple[TestClient[Any], World]:
    add_admin(settings)
    client = TestClient(create_app(settings, clock=clock))
    client.__enter__()
    return client, build_world(client, {"Authorization": f"Bearer {login(client, 'root')}"})

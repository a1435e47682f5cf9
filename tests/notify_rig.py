"""The notifier's test rig: the real app on an injected clock with the sender stepped by hand (``create_app(notify=
False)`` and one ``Notifier``) against a real HTTP receiver; the watchdog is slowed down so that moving the clock
makes no offline alarms of its own. The fixtures ``hooks`` and ``rig`` (tests/conftest.py) build it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec
from litestar.testing import TestClient

from server.notify.worker import Notifier
from server.settings import Settings
from server.web.app import create_app

from .conftest import Clock, World, add_admin, bearer, build_world, login
from .receivers import WebhookReceiver
from .replay import Site

HOUR = 3600.0


class Rig:
    def __init__(self, client: TestClient[Any], clock: Clock, world: World, hooks: WebhookReceiver) -> None:
        self.client = client
        self.clock = clock
        self.world = world
        self.hooks = hooks
        self.notifier = Notifier(client.app.state["andian"])
        client.blocking_portal.call(self.notifier.start)
        self._serials = iter(range(1, 1000))

    def step(self) -> None:
        """One round of the sender at the clock's time, and the sends it started."""
        self.client.blocking_portal.call(self.notifier.round)
        self.client.blocking_portal.call(self.notifier.drain)

    def subscribe(self, who: str, path: str, **fields: Any) -> int:
        r = self.client.post("/api/v1/me/subscriptions", json={"url": self.hooks.url(path), **fields},
                             headers=self.world.headers(who))
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    def device(self, site: str = "site_market") -> Site:
        return Site(self.client, self.clock, self.world.headers("admin"), self.world.sites[site],
                    f"POL-{next(self._serials)}", ["residual_ma"])

    def alarm(self, site: Site, value: float = 400.0) -> dict[str, Any]:
        site.replay({"residual_ma": lambda t: value}, 60)
        level = "alarm" if value >= 300 else "prealarm"
        return next(a for a in site.alarms(self.world.headers("admin")) if a["level"] == level)

    def got(self, path: str) -> list[str]:
        return [f"{h.title}\n{h.message}" for h in self.hooks.accepted(path)]


def make_rig(settings: Settings, clock: Clock, hooks: WebhookReceiver, **changes: Any) -> Iterator[Rig]:
    settings = msgspec.structs.replace(settings, watchdog_interval_s=10 * HOUR, **changes)
    add_admin(settings)
    with TestClient(create_app(settings, clock=clock, notify=False)) as client:
        world = build_world(client, bearer(login(client, "root")))
        yield Rig(client, clock, world, hooks)

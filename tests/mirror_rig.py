"""Two real servers for the mirror's tests: a cloud (`andian serve` in a subprocess, on its own database, with the
conftest world) and a site box in-process (the real app through Litestar's test client) whose upstream loops reach
the cloud over real HTTP through a link the test can cut (an outage injected, nothing of andian's replaced)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from litestar.testing import TestClient

from server.web.app import create_app

from . import backends
from .conftest import World, add_admin, bearer, build_world, login
from .server_process import start_server

BLE_SERIAL = "SN-BLE-1"


def rows(db: Path, query: str, *args: Any) -> list[tuple[Any, ...]]:
    """A read of a server's database (the SQLite file ``db`` or the PostgreSQL database standing for it), beside the
    running server (readers do not block it)."""
    return [tuple(row) for row in backends.rows(db, query, args)]


def setting(db: Path, serial: str, key: str, name: str) -> Any:
    found = rows(db, "SELECT c.settings FROM channels c JOIN devices d ON d.id = c.device_id "
                     "WHERE d.serial = ? AND c.key = ?", serial, key)
    return json.loads(found[0][0]).get(name) if found else None


def stamp_of(db: Path, serial: str, key: str | None, name: str) -> tuple[Any, str] | None:
    """A field's stored (value, hlc) in that database, or None before it is stamped."""
    entity, record = ("channel", f"{serial}/{key}") if key else ("device", serial)
    found = rows(db, "SELECT value, hlc FROM field_stamps WHERE entity = ? AND key = ? AND field = ?",
                 entity, record, name)
    return (json.loads(found[0][0]), found[0][1]) if found else None


@dataclass
class Cloud:
    url: str
    db: Path
    http: httpx.Client
    world: World

    def headers(self, who: str) -> dict[str, str]:
        return self.world.headers(who)

    def channel_id(self, serial: str, key: str) -> int:
        return int(rows(self.db, "SELECT c.id FROM channels c JOIN devices d ON d.id = c.device_id "
                                 "WHERE d.serial = ? AND c.key = ?", serial, key)[0][0])


@contextmanager
def cloud_server(folder: Path) -> Iterator[Cloud]:
    """The cloud with the conftest world, and a Bluetooth device at site_market that the box will reach."""
    db = folder / "cloud.db"
    add_admin(backends.settings(db, static_dir=folder / "static"))
    with (folder / "cloud.log").open("w") as log:
        process, url = start_server(db, log)
        try:
            with httpx.Client(base_url=url, timeout=30) as http:
                world = build_world(http, bearer(login(http, "root")))  # type: ignore[arg-type]
                r = http.post(f"/api/v1/sites/{world.sites['site_market']}/devices", headers=world.headers("admin"),
                              json={"serial": BLE_SERIAL, "model": "AD-SB63", "kind": "breaker", "name": "冷柜回路",
                                    "circuit": "冷柜", "rated_current_a": 32, "ble_address": "AA:BB:CC:00:00:01",
                                    "channels": [{"key": "residual_ma", "settings": {"alarm": 250}},
                                                 {"key": "current_a"}]})
                assert r.status_code == 201, r.text
                yield Cloud(url, db, http, world)
        finally:
            process.terminate()
            process.wait(timeout=20)


class CuttableLink(httpx.AsyncBaseTransport):
    """Real HTTP to the cloud, unless the test has cut the link: then every request fails to connect."""

    def __init__(self) -> None:
        self.up = True
        self._http = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self.up:
            raise httpx.ConnectError("the link is cut (test)", request=request)
        return await self._http.handle_async_request(request)

    async def aclose(self) -> None:
        await self._http.aclose()


@dataclass
class Box:
    client: TestClient[Any]
    db: Path
    link: CuttableLink
    token: str = ""  # the box's own admin, made at the box

    def headers(self) -> dict[str, str]:
        return bearer(self.token)

    def site_id(self) -> int | None:
        found = rows(self.db, "SELECT site_id FROM upstream_link")
        return found[0][0] if found else None

    def channel_id(self, serial: str, key: str) -> int:
        return int(rows(self.db, "SELECT c.id FROM channels c JOIN devices d ON d.id = c.device_id "
                                 "WHERE d.serial = ? AND c.key = ?", serial, key)[0][0])

    def detector_setting(self, serial: str, key: str, name: str) -> float:
        """What the box's running detector judges the channel against."""
        pipeline = self.client.app.state["andian"].pipeline
        slot = pipeline.registry.by_serial[serial].slots[key]
        return float(pipeline.detector.table.settings[name][slot])


@contextmanager
def box_app(folder: Path, cloud: Cloud, clock: Callable[[], float] = time.time, site: str = "site_market",
            fresh: bool = True, link: CuttableLink | None = None, **settings: Any) -> Iterator[Box]:
    """A paired site box on simulated radio (no devices of its own), mirroring every 0.3 s; ``fresh``: a new
    database with its admin "root" (else the one a box that ran alone left)."""
    box_settings = backends.settings(
        folder / "box.db", static_dir=folder / "static", upstream_url=cloud.url,
        upstream_key=cloud.world.gateway_keys[site], upstream_mirror_s=0.3, upstream_retry_base_s=0.05,
        upstream_retry_cap_s=0.3, **settings)
    if fresh:
        add_admin(box_settings)
    link = link or CuttableLink()
    app = create_app(box_settings, clock=clock, simulated=[], notify=False, upstream_transport=link)
    with TestClient(app) as client:
        box = Box(client, box_settings.db_path, link)
        box.token = login(client, "root")
        yield box

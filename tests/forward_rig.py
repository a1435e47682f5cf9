"""A cloud and a site box, each the real app on its own database and injected clock, joined by the box's real
upstream session (server/upstream/link.py) whose transport hands each request to the cloud's app: the wire, which
a test can cut (``down``) or make lose the cloud's answer after the cloud acted on it (``lose_answers``)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import msgspec
from litestar.testing import TestClient

from server import clock as watchdog
from server.alarms.service import present
from server.context import Context
from server.notify.worker import Notifier
from server.storage import Connection
from server.storage import readings as readings_sql
from server.upstream.forward_box import Forwarder, forward_once, trim
from server.upstream.link import Pairing, Upstream
from server.web.app import create_app

from . import backends
from .conftest import PASSWORD, Clock, add_admin, bearer, login
from .receivers import wait_for

HOUR = 3600.0
SERIAL = "SN-FWD-1"
CHANNELS = ("residual_ma", "current_a")


class Wire(httpx.AsyncBaseTransport):
    """Each request of the box handed to the cloud's app through its test client, on a worker thread."""

    def __init__(self, cloud: TestClient[Any]) -> None:
        self.cloud = cloud
        self.down = False
        self.lose_answers = 0  # this many answers are lost after the cloud acted on the request
        self.sent: list[tuple[str, str, bytes]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("the cloud is unreachable (test wire cut)", request=request)
        body = await request.aread()
        self.sent.append((request.method, request.url.path, body))
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        answer = await asyncio.to_thread(self.cloud.request, request.method, request.url.path, content=body,
                                         headers=headers)
        if self.lose_answers:
            self.lose_answers -= 1
            raise httpx.ReadError("the answer was lost (test)", request=request)
        kept = {k: v for k, v in answer.headers.items() if k.lower() not in ("content-encoding", "content-length")}
        return httpx.Response(answer.status_code, headers=kept, content=answer.content)


def _user(client: TestClient[Any], admin: dict[str, str], body: dict[str, Any]) -> int:
    r = client.post("/api/v1/users", json={"password": PASSWORD, **body}, headers=admin)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def make_site(client: TestClient[Any], admin: dict[str, str], serials: tuple[str, ...] = (SERIAL,)) -> dict[str, Any]:
    """A company, an owner, an operator, a site and its devices — built the same way at the cloud and at the box."""
    r = client.post("/api/v1/companies", json={"name": "运维公司"}, headers=admin)
    assert r.status_code == 201, r.text
    company = r.json()["id"]
    owner = _user(client, admin, {"username": "owner_1", "role": "owner"})
    _user(client, admin, {"username": "operator_1", "role": "operator", "company_id": company})
    r = client.post("/api/v1/sites", headers=admin, json={
        "name": "菜市场", "address": "赫山路 1 号", "region_code": "430903001001", "venue_type": "market",
        "company_id": company, "owner_id": owner})
    assert r.status_code == 201, r.text
    site = {"id": r.json()["id"]}
    for serial in serials:
        add_device(client, admin, site["id"], serial)
    return site


def add_device(client: TestClient[Any], admin: dict[str, str], site_id: int, serial: str) -> int:
    r = client.post(f"/api/v1/sites/{site_id}/devices", headers=admin, json={
        "serial": serial, "model": "AD-SB63", "kind": "breaker", "rated_current_a": 32, "poll_interval_s": 10,
        "channels": [{"key": k} for k in CHANNELS]})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


QUIET = {"residual_ma": 50.0, "current_a": 5.0}
LEAK = {"residual_ma": 400.0, "current_a": 5.0}


def flap(p: Pair) -> int:
    """A leak that comes, goes and comes again at the box: two alarms; answers the readings recorded."""
    n = p.record(600, QUIET) + p.record(60, LEAK) + p.record(600, QUIET) + p.record(60, LEAK) + p.record(300, QUIET)
    p.box_clock.advance(30)  # the last readings settle (forward_batch.SETTLE_S)
    return n


class Pair:
    def __init__(self, cloud: TestClient[Any], cloud_clock: Clock, gateway: dict[str, Any], box: TestClient[Any],
                 box_clock: Clock, wire: Wire, *, mirrored: bool = False) -> None:
        self.cloud = cloud
        self.box = box
        self.cloud_clock = cloud_clock
        self.box_clock = box_clock
        self.cloud_admin = bearer(login(cloud, "root"))
        self.box_admin = bearer(login(box, "root"))
        self.cloud_site_id = int(gateway["site_id"])
        # A paired box learns its site from the cloud's mirror; one run by hand is set up the same way by hand.
        self.box_site_id = self._mirrored_site() if mirrored else make_site(box, self.box_admin)["id"]
        self.gateway_id = int(gateway["id"])
        self.key = str(gateway["api_key"])
        self.wire = wire
        self.upstream = Upstream(Pairing("http://cloud.test", self.key, None), self.wire)
        self.state = Forwarder()
        self.notifier = Notifier(self.cloud_ctx)
        cloud.blocking_portal.call(self.notifier.start)

    def _mirrored_site(self) -> int:
        def site() -> int | None:
            sites = self.box.get("/api/v1/sites", headers=self.box_admin).json()
            devices = self.box.get(f"/api/v1/sites/{sites[0]['id']}", headers=self.box_admin).json()["devices"] \
                if sites else []
            return int(sites[0]["id"]) if devices else None

        found = wait_for(site, what="the box's site from the cloud's mirror")
        assert found is not None
        return found

    @property
    def cloud_ctx(self) -> Context:
        ctx: Context = self.cloud.app.state["andian"]
        return ctx

    @property
    def box_ctx(self) -> Context:
        ctx: Context = self.box.app.state["andian"]
        return ctx

    # ---- the box records --------------------------------------------------------------------------------------

    def record(self, seconds: float, values: dict[str, float], *, every: float = 10.0, serial: str = SERIAL,
               start: float | None = None) -> int:
        """Readings at the box every ``every`` seconds for ``seconds`` from ``start`` (default: the box's clock,
        which moves along); answers how many."""
        t = self.box_clock.now if start is None else start
        end = t + seconds
        count = 0
        while t < end:
            samples = []
            batch_end = min(t + 600.0, end)
            while t < batch_end:
                samples += [{"device": serial, "channel": k, "ts": t, "value": v} for k, v in values.items()]
                t += every
            if start is None:
                self.box_clock.now = max(self.box_clock.now, t - every)
            self.ingest(samples)
            count += len(samples)
        if start is None:
            self.box_clock.now = max(self.box_clock.now, t)
        return count

    def ingest(self, samples: list[dict[str, Any]], events: list[dict[str, Any]] | None = None) -> None:
        r = self.box.post("/api/v1/ingest", headers=self.box_admin, json={
            "batch_id": str(uuid.uuid4()), "samples": samples, "events": events or []})
        assert r.status_code == 200, r.text
        assert r.json()["rejected"] == [], r.json()

    def roll_up(self) -> None:
        """The box's watchdog housekeeping: minutes rolled up to its clock."""
        ctx = self.box_ctx
        while self.box.blocking_portal.call(ctx.db.write, lambda conn: readings_sql.rollup(conn, ctx.clock())):
            pass

    # ---- forwarding -------------------------------------------------------------------------------------------

    def forward(self) -> bool:
        """One round of the box's forward loop; True when more is waiting."""
        return bool(self.box.blocking_portal.call(forward_once, self.box_ctx, self.upstream, self.state))

    def drain(self, rounds: int = 1000) -> int:
        for n in range(1, rounds + 1):
            if not self.forward():
                return n
        raise AssertionError("the box never caught up")

    def trim(self) -> int:
        return int(self.box.blocking_portal.call(trim, self.box_ctx, self.state))

    # ---- the cloud --------------------------------------------------------------------------------------------

    def cloud_alarms(self, **params: Any) -> list[dict[str, Any]]:
        r = self.cloud.get("/api/v1/alarms", params={"limit": 500, **params}, headers=self.cloud_admin)
        assert r.status_code == 200, r.text
        return list(r.json())

    def box_alarms(self) -> list[dict[str, Any]]:
        r = self.box.get("/api/v1/alarms", params={"limit": 500}, headers=self.box_admin)
        assert r.status_code == 200, r.text
        return list(r.json())

    def cloud_tick(self) -> None:
        ctx = self.cloud_ctx
        events = self.cloud.blocking_portal.call(ctx.db.write,
                                                 lambda conn: watchdog.tick(ctx.pipeline, conn, ctx.clock()))
        ctx.hub.publish(present(events))

    def step_sender(self) -> None:
        self.cloud.blocking_portal.call(self.notifier.round)
        self.cloud.blocking_portal.call(self.notifier.drain)

    def count(self, side: str, sql: str, *args: Any) -> int:
        ctx = self.cloud_ctx if side == "cloud" else self.box_ctx
        client = self.cloud if side == "cloud" else self.box

        def read(conn: Connection) -> int:
            return int(conn.execute(sql, args).fetchone()[0])

        return int(client.blocking_portal.call(ctx.db.read, read))


@contextmanager
def pair(tmp_path: Path, *, paired: bool = False, **box_settings: Any) -> Iterator[Pair]:
    """A cloud and a box on injected clocks at the same time, the watchdogs slowed so that only the tests tick.
    ``paired``: the box is started paired (its own upstream loops run); else the tests run its rounds by hand."""
    slow = {"watchdog_interval_s": 10 * HOUR, "notify_allow_private": True}
    cloud_settings = msgspec.structs.replace(backends.settings(tmp_path / "cloud.db", static_dir=tmp_path / "s"),
                                             **slow)
    add_admin(cloud_settings)
    cloud_clock, box_clock = Clock(), Clock()
    with TestClient(create_app(cloud_settings, clock=cloud_clock, notify=False)) as cloud:
        admin = bearer(login(cloud, "root"))
        site_id = make_site(cloud, admin)["id"]
        r = cloud.post(f"/api/v1/sites/{site_id}/gateways", headers=admin, json={"name": "菜市场 站点网关"})
        assert r.status_code == 201, r.text
        gateway = r.json()
        wire = Wire(cloud)
        if paired:
            box_settings |= {"upstream_url": "http://cloud.test", "upstream_key": gateway["api_key"]}
        settings = msgspec.structs.replace(backends.settings(tmp_path / "box.db", static_dir=tmp_path / "s"),
                                           **slow, **box_settings)
        add_admin(settings)
        with TestClient(create_app(settings, clock=box_clock, notify=False, upstream_transport=wire)) as box:
            rig = Pair(cloud, cloud_clock, gateway, box, box_clock, wire, mirrored=paired)
            try:
                yield rig
            finally:
                box.blocking_portal.call(rig.upstream.close)

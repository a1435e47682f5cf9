"""Shared fixtures: a real database per test (a SQLite file, or PostgreSQL: tests/backends.py), the real app through
Litestar's test client; tests marked ``sqlite_only`` leave the PostgreSQL run."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from server.accounts.schemas import UserCreate
from server.accounts.service import create_user
from server.context import open_context
from server.settings import Settings
from server.web.app import create_app

from . import backends
from .receivers import WebhookReceiver, webhook_receiver

PASSWORD = "correct-horse-42"
T0 = 1_763_856_000.0  # 2025-11-23 00:00 UTC


class Clock:
    """An injectable clock that tests move by hand."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, tests marked ``sqlite_only("why")`` are deselected (not skipped: there is nothing of theirs to
    run there). The marker needs its reason."""
    for item in items:
        for mark in item.iter_markers("sqlite_only"):
            if len(mark.args) != 1 or not isinstance(mark.args[0], str) or not mark.args[0].strip():
                raise pytest.UsageError(f"{item.nodeid}: sqlite_only needs its reason, in words")
    _unique_node_ids(items)
    if not backends.POSTGRES:
        return
    deselected = [item for item in items if item.get_closest_marker("sqlite_only")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("sqlite_only")]


def _unique_node_ids(items: list[pytest.Item]) -> None:
    """Schemathesis's per-operation tests (tests/test_openapi_fuzz.py) share one node id under pytest 9 (it builds
    ids from ``originalname`` and a callspec, which they lack); xdist's ``--dist loadfile`` queues a file's tests by
    node id, so it would run one operation per test function and count the rest as run. Each such test gets the
    operation of its name as the id's parameters: ``test_as_owner[GET /api/v1/health]``."""
    seen = Counter(item.nodeid for item in items)
    for item in items:
        if seen[item.nodeid] > 1 and item.id.params is None and item.name.endswith("]"):
            item._id = item.id.with_params(item.name.partition("[")[2].removesuffix("]"))
    twice = [nodeid for nodeid, n in Counter(item.nodeid for item in items).items() if n > 1]
    if twice:
        raise pytest.UsageError(f"tests with the same node id: {twice[:5]}")


@pytest.fixture(autouse=True)
def _fresh_databases() -> Iterator[None]:
    """On PostgreSQL, the databases a test made are dropped after it."""
    with backends.databases_of_one_test():
        yield


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return backends.settings(tmp_path / "andian.db", static_dir=tmp_path / "static", notify_allow_private=True)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def add_admin(settings: Settings, username: str = "root") -> None:
    """The first admin comes from the command line's code path, as on a real install."""

    async def run() -> None:
        async with open_context(settings) as ctx:
            await create_user(ctx, None, UserCreate(username=username, password=PASSWORD, role="admin"))

    asyncio.run(run())


@pytest.fixture
def client(settings: Settings, clock: Clock) -> Iterator[TestClient[Any]]:
    add_admin(settings)
    with TestClient(create_app(settings, clock=clock)) as test_client:
        yield test_client


def login(client: TestClient[Any], username: str, password: str = PASSWORD) -> str:
    response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    token: str = response.json()["token"]
    return token


@pytest.fixture
def admin(client: TestClient[Any]) -> dict[str, str]:
    return bearer(login(client, "root"))


@dataclass
class World:
    """Two operator companies, three sites in different regions and sectors, and a user of every role.

    site_market   集贸市场 in 赫山区 赫山街道 第一网格, company A, owner_1
    site_care     养老机构 in 资阳区 汽车路街道, company B, owner_2
    site_hotel    宾馆 in 沅江市 琼湖街道, company A, no owner
    """

    tokens: dict[str, str] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)
    sites: dict[str, int] = field(default_factory=dict)
    devices: dict[str, int] = field(default_factory=dict)
    channels: dict[str, int] = field(default_factory=dict)
    gateways: dict[str, int] = field(default_factory=dict)
    gateway_keys: dict[str, str] = field(default_factory=dict)
    companies: dict[str, int] = field(default_factory=dict)

    def headers(self, who: str) -> dict[str, str]:
        return bearer(self.tokens[who])


WORLD_USERS: dict[str, dict[str, Any]] = {
    "operator_a": {"role": "operator", "company": "A"},
    "installer_a": {"role": "installer", "company": "A"},
    "electrician_a": {"role": "electrician", "company": "A"},
    "operator_b": {"role": "operator", "company": "B"},
    "owner_1": {"role": "owner"},
    "owner_2": {"role": "owner"},
    "inspector_heshan": {"role": "inspector", "regions": ["430903001"]},
    "inspector_ziyang": {"role": "inspector", "regions": ["430902"]},
    "regulator_fire": {"role": "regulator", "regions": ["430900"], "department": "fire_rescue"},
    "regulator_commerce": {"role": "regulator", "regions": ["430903"], "department": "commerce"},
    "regulator_civil": {"role": "regulator", "regions": ["430900"], "department": "civil_affairs"},
}

WORLD_SITES: dict[str, dict[str, Any]] = {
    "site_market": {"region_code": "430903001001", "venue_type": "market", "company": "A", "owner": "owner_1"},
    "site_care": {"region_code": "430902001", "venue_type": "elderly_care", "company": "B", "owner": "owner_2"},
    "site_hotel": {"region_code": "430981001", "venue_type": "hotel", "company": "A", "owner": None},
}


@pytest.fixture
def world(client: TestClient[Any], admin: dict[str, str]) -> World:
    return build_world(client, admin)


@pytest.fixture(scope="module")
def shared_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient[Any], World]]:
    """One world per test module, for tests that only read."""
    settings = backends.settings(tmp_path_factory.mktemp("world") / "andian.db", static_dir=Path("/nonexistent"))
    add_admin(settings)
    with TestClient(create_app(settings, clock=Clock())) as test_client:
        yield test_client, build_world(test_client, bearer(login(test_client, "root")))


def build_world(client: TestClient[Any], admin: dict[str, str]) -> World:
    w = World()
    w.tokens["admin"] = admin["Authorization"].removeprefix("Bearer ")
    for name in ("A", "B"):
        r = client.post("/api/v1/companies", json={"name": f"运维公司{name}"}, headers=admin)
        assert r.status_code == 201, r.text
        w.companies[name] = r.json()["id"]
    for username, spec in WORLD_USERS.items():
        body: dict[str, Any] = {"username": username, "password": PASSWORD, "role": spec["role"]}
        if "company" in spec:
            body["company_id"] = w.companies[spec["company"]]
        for key in ("regions", "department"):
            if key in spec:
                body[key] = spec[key]
        r = client.post("/api/v1/users", json=body, headers=admin)
        assert r.status_code == 201, r.text
        w.user_ids[username] = r.json()["id"]
        w.tokens[username] = login(client, username)
    for name, spec in WORLD_SITES.items():
        body = {"name": name, "address": f"{name} 地址", "region_code": spec["region_code"],
                "venue_type": spec["venue_type"], "company_id": w.companies[spec["company"]]}
        if spec["owner"]:
            body["owner_id"] = w.user_ids[spec["owner"]]
        r = client.post("/api/v1/sites", json=body, headers=admin)
        assert r.status_code == 201, r.text
        site_id = r.json()["id"]
        w.sites[name] = site_id
        r = client.post(f"/api/v1/sites/{site_id}/devices", headers=admin, json={
            "serial": f"SN-{name}", "model": "AD-SB63", "kind": "breaker", "rated_current_a": 32,
            "channels": [{"key": "residual_ma"}, {"key": "current_a"}],
        })
        assert r.status_code == 201, r.text
        w.devices[name] = r.json()["id"]
        w.channels[name] = r.json()["channels"][0]["id"]
        r = client.post(f"/api/v1/sites/{site_id}/gateways", headers=admin, json={"name": f"box {name}"})
        assert r.status_code == 201, r.text
        w.gateways[name] = r.json()["id"]
        w.gateway_keys[name] = r.json()["api_key"]
    return w


@pytest.fixture
def box(tmp_path: Path) -> Iterator[TestClient[Any]]:
    """A site box (``andian serve --site``) on the real clock, with its admin "root"."""
    settings = backends.settings(tmp_path / "box.db", static_dir=tmp_path / "static", site=True)
    add_admin(settings)
    with TestClient(create_app(settings, clock=time.time, notify=False)) as client:
        yield client


@pytest.fixture
def box_world(box: TestClient[Any]) -> World:
    """The world of companies, users and sites, on the site box."""
    return build_world(box, bearer(login(box, "root")))


@pytest.fixture
def hooks() -> Iterator[WebhookReceiver]:
    """A real local HTTP receiver for json:// notifications."""
    with webhook_receiver() as receiver:
        yield receiver


@pytest.fixture
def rig(settings: Settings, clock: Clock, hooks: WebhookReceiver) -> Iterator[Any]:
    """The notifier's test rig (tests/notify_rig.py): the app on the injected clock, the sender stepped by hand."""
    from .notify_rig import make_rig

    yield from make_rig(settings, clock, hooks)


@pytest.fixture
def one_slot(settings: Settings, clock: Clock, hooks: WebhookReceiver) -> Iterator[Any]:
    """The notifier's rig with one message per subscription per 10 minutes: what comes next waits for a summary."""
    from .notify_rig import make_rig

    yield from make_rig(settings, clock, hooks, notify_rate_max=1, notify_rate_window_s=600.0)


def wait_for(check: Callable[[], Any], seconds: float = 30.0, every_s: float = 0.1) -> Any:
    """``check()``'s first truthy answer, or its last answer after ``seconds`` (for what a background loop does:
    a poller's reads, a scan's progress). The caller asserts on it."""
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(every_s)

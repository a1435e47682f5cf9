"""What the receiver's tests share: the real app with ANDIAN_GB26875_LISTEN on a free port, a transmission device
registered as a gateway of site_market with the test module's ``ADDRESS``, and a simulated box
(tests/gb26875_box.py) connected to it over real TCP. A module sets ``overrides`` for other settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from server.settings import Settings

from .. import backends
from ..conftest import World
from ..gb26875_box import Box
from ..receivers import free_port


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def overrides() -> dict[str, Any]:
    return {}


@pytest.fixture
def settings(tmp_path: Path, port: int, overrides: dict[str, Any]) -> Settings:
    return backends.settings(tmp_path / "andian.db", static_dir=tmp_path / "static", notify_allow_private=True,
                    gb26875_listen=f"127.0.0.1:{port}", **overrides)


@pytest.fixture
def address(request: pytest.FixtureRequest) -> str:
    return str(request.module.ADDRESS)


@pytest.fixture
def gateway(client: TestClient[Any], world: World, address: str) -> int:
    r = client.post(f"/api/v1/sites/{world.sites['site_market']}/gateways", headers=world.headers("operator_a"),
                    json={"name": "消控室传输装置", "protocol": "gb26875", "address": address})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


@pytest.fixture
def box(gateway: int, port: int, address: str) -> Iterator[Box]:
    b = Box(port, address)
    yield b
    b.close()

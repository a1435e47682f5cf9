"""Object-level authorization as a matrix: every role × every object kind answers 200 or 404 as the scopes say.

The world (conftest.World): site_market 集贸市场 in 赫山区 (company A, owner_1); site_care 养老机构 in 资阳区
(company B, owner_2); site_hotel 宾馆 in 沅江市 (company A).
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from .conftest import World, bearer

SITES = ("site_market", "site_care", "site_hotel")

# Which sites each caller may see. "gateway:site_market" is the site box of site_market.
VISIBLE: dict[str, set[str]] = {
    "admin": set(SITES),
    "operator_a": {"site_market", "site_hotel"},  # company A's contracted sites
    "installer_a": {"site_market", "site_hotel"},
    "electrician_a": set(),  # company A's, but nothing dispatched to them yet (tests/test_console_dispatch.py)
    "operator_b": {"site_care"},
    "owner_1": {"site_market"},  # own site only
    "owner_2": {"site_care"},
    "inspector_heshan": {"site_market"},  # 赫山街道 covers its grid 430903001001
    "inspector_ziyang": {"site_care"},  # 资阳区 covers 汽车路街道
    "regulator_fire": set(SITES),  # fire rescue: the whole city, every sector
    "regulator_commerce": {"site_market"},  # 赫山区 × markets, malls, supermarkets
    "regulator_civil": {"site_care"},  # 益阳市 × care and welfare homes
    "gateway:site_market": {"site_market"},
}

CALLERS = sorted(VISIBLE)


def headers(world: World, caller: str) -> dict[str, str]:
    if caller.startswith("gateway:"):
        return bearer(world.gateway_keys[caller.removeprefix("gateway:")])
    return world.headers(caller)


def object_path(world: World, kind: str, site: str) -> str:
    match kind:
        case "site":
            return f"/api/v1/sites/{world.sites[site]}"
        case "device":
            return f"/api/v1/devices/{world.devices[site]}"
        case "channel":
            return f"/api/v1/channels/{world.channels[site]}"
        case "gateway":
            return f"/api/v1/gateways/{world.gateways[site]}"
        case "gateway_list":
            return f"/api/v1/sites/{world.sites[site]}/gateways"
    raise AssertionError(kind)


@pytest.fixture
def client(shared_world: tuple[TestClient[Any], World]) -> TestClient[Any]:
    return shared_world[0]


@pytest.fixture
def world(shared_world: tuple[TestClient[Any], World]) -> World:
    return shared_world[1]


@pytest.mark.parametrize("caller", CALLERS)
def test_read_matrix(client: TestClient[Any], world: World, caller: str) -> None:
    h = headers(world, caller)
    listed = {s["id"] for s in client.get("/api/v1/sites", headers=h).json()}
    assert listed == {world.sites[s] for s in VISIBLE[caller]}
    for site in SITES:
        expected = 200 if site in VISIBLE[caller] else 404
        for kind in ("site", "device", "channel", "gateway", "gateway_list"):
            response = client.get(object_path(world, kind, site), headers=h)
            assert response.status_code == expected, (caller, kind, site, response.text)
            if expected == 404:
                # Never leak existence: the answer is the same as for an id that does not exist.
                assert "not found" in response.json()["detail"]


def test_unknown_ids_answer_404_like_invisible_ones(client: TestClient[Any], world: World) -> None:
    h = world.headers("owner_1")
    invisible = client.get(f"/api/v1/sites/{world.sites['site_care']}", headers=h)
    unknown = client.get("/api/v1/sites/999999", headers=h)
    assert invisible.status_code == unknown.status_code == 404
    assert invisible.json()["detail"].replace(str(world.sites["site_care"]), "N") == \
        unknown.json()["detail"].replace("999999", "N")


def test_owner_sees_own_site_detail_with_devices_and_channels(client: TestClient[Any], world: World) -> None:
    site = client.get(f"/api/v1/sites/{world.sites['site_market']}", headers=world.headers("owner_1")).json()
    assert site["name"] == "site_market"
    assert site["region_name"] == "益阳市 赫山区 赫山街道 赫山街道第一网格"
    assert site["department"] == "commerce"
    assert site["required_capabilities"] == ["arc_extinguishing"]
    [device] = site["devices"]
    assert device["serial"] == "SN-site_market"
    assert [c["key"] for c in device["channels"]] == ["residual_ma", "current_a"]
    assert device["channels"][0]["unit"] == "mA"


# Users: admin sees all; an operator sees their company's users; everyone else only themselves.
@pytest.mark.parametrize("caller", [c for c in CALLERS if not c.startswith("gateway:")])
def test_user_matrix(client: TestClient[Any], world: World, caller: str) -> None:
    h = world.headers(caller)
    for target, target_id in world.user_ids.items():
        if caller == "admin" or target == caller:
            expected = 200
        elif caller == "operator_a":
            expected = 200 if target in ("installer_a", "electrician_a") else 404
        elif caller == "operator_b":
            expected = 404
        else:
            expected = 404
        response = client.get(f"/api/v1/users/{target_id}", headers=h)
        assert response.status_code == expected, (caller, target, response.text)


def test_gateway_key_sees_no_users(client: TestClient[Any], world: World) -> None:
    h = headers(world, "gateway:site_market")
    assert client.get(f"/api/v1/users/{world.user_ids['owner_1']}", headers=h).status_code == 404
    assert client.get("/api/v1/users", headers=h).json() == []

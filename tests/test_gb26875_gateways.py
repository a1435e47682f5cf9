"""Registering GB/T 26875.3 transmission devices as gateways: protocol and address, checked at the edge."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from tests.conftest import World


def _add(client: TestClient[Any], world: World, body: dict[str, Any], site: str = "site_market") -> Any:
    return client.post(f"/api/v1/sites/{world.sites[site]}/gateways", json=body, headers=world.headers("operator_a"))


def test_a_transmission_device_is_registered_by_its_address(client: TestClient[Any], world: World) -> None:
    made = _add(client, world, {"name": "消控室传输装置", "protocol": "gb26875", "address": "1527082020FE"})
    assert made.status_code == 201, made.text
    assert made.json()["protocol"] == "gb26875" and made.json()["address"] == "1527082020fe"
    shown = client.get(f"/api/v1/gateways/{made.json()['id']}", headers=world.headers("operator_a")).json()
    assert (shown["protocol"], shown["address"]) == ("gb26875", "1527082020fe")
    listed = client.get(f"/api/v1/sites/{world.sites['site_market']}/gateways", headers=world.headers("operator_a"))
    assert {g["protocol"] for g in listed.json()} >= {"gb26875"}


def test_an_address_is_needed_well_formed_and_only_for_gb26875(client: TestClient[Any], world: World) -> None:
    missing = _add(client, world, {"protocol": "gb26875"})
    assert missing.status_code == 400 and "address" in missing.text
    short = _add(client, world, {"protocol": "gb26875", "address": "15270820"})
    assert short.status_code == 400 and "address" in short.text
    stray = _add(client, world, {"address": "1527082020fe"})
    assert stray.status_code == 400 and "address" in stray.json()["detail"]


def test_one_live_gateway_per_address(client: TestClient[Any], world: World) -> None:
    first = _add(client, world, {"protocol": "gb26875", "address": "010203040506"})
    assert first.status_code == 201
    again = _add(client, world, {"protocol": "gb26875", "address": "010203040506"}, site="site_hotel")
    assert again.status_code == 409 and f"gateway {first.json()['id']}" in again.json()["detail"]
    revoked = client.delete(f"/api/v1/gateways/{first.json()['id']}", headers=world.headers("operator_a"))
    assert revoked.status_code == 204
    assert _add(client, world, {"protocol": "gb26875", "address": "010203040506"}, site="site_hotel").status_code == 201

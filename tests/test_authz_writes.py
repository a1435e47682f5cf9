"""Object-level authorization for writes: visible but not allowed → 403; not visible → 404."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from .conftest import World
from .test_authz_matrix import CALLERS, SITES, VISIBLE, headers

# Writes: a caller who can see the object but whose role may not change it gets 403; one who cannot see it 404.
WRITERS = {"admin", "operator_a", "installer_a", "operator_b"}


def test_write_matrix(client: TestClient[Any], world: World) -> None:
    for caller in CALLERS:
        check_writes(client, world, caller)


def check_writes(client: TestClient[Any], world: World, caller: str) -> None:
    h = headers(world, caller)
    for site in SITES:
        visible = site in VISIBLE[caller]
        expected = (200 if caller in WRITERS else 403) if visible else 404
        patch = client.patch(f"/api/v1/channels/{world.channels[site]}", headers=h, json={"settings": {"alarm": 350}})
        assert patch.status_code == expected, (caller, site, patch.text)
        created = 201 if expected == 200 else expected
        device = client.post(f"/api/v1/sites/{world.sites[site]}/devices", headers=h, json={
            "serial": f"NEW-{caller.replace(':', '-')}-{site}", "model": "AD-CD4", "kind": "residual",
            "channels": [{"key": "residual_ma"}],
        })
        assert device.status_code == created, (caller, site, device.text)
        gateway = client.post(f"/api/v1/sites/{world.sites[site]}/gateways", headers=h, json={"name": "box"})
        assert gateway.status_code == created, (caller, site, gateway.text)


def test_site_creation_is_for_builders_and_stays_in_their_company(client: TestClient[Any], world: World) -> None:
    body = {"name": "新店", "address": "赫山区 1 号", "region_code": "430903", "venue_type": "mall"}
    for caller in ("owner_1", "inspector_heshan", "regulator_fire"):
        assert client.post("/api/v1/sites", json=body, headers=world.headers(caller)).status_code == 403
    created = client.post("/api/v1/sites", json=body, headers=world.headers("installer_a"))
    assert created.status_code == 201
    assert created.json()["company_id"] == world.companies["A"]
    # company B cannot see it; company A's operator can
    site_id = created.json()["id"]
    assert client.get(f"/api/v1/sites/{site_id}", headers=world.headers("operator_b")).status_code == 404
    assert client.get(f"/api/v1/sites/{site_id}", headers=world.headers("operator_a")).status_code == 200
    # and nobody outside the admin may place a site in another company
    other = client.post("/api/v1/sites", json={**body, "company_id": world.companies["B"]},
                        headers=world.headers("operator_a"))
    assert other.status_code == 403


def test_owner_tokens_never_see_another_owners_site(client: TestClient[Any], world: World) -> None:
    one, two = world.headers("owner_1"), world.headers("owner_2")
    assert [s["name"] for s in client.get("/api/v1/sites", headers=one).json()] == ["site_market"]
    assert [s["name"] for s in client.get("/api/v1/sites", headers=two).json()] == ["site_care"]
    assert client.get(f"/api/v1/sites/{world.sites['site_care']}", headers=one).status_code == 404
    assert client.get(f"/api/v1/devices/{world.devices['site_market']}", headers=two).status_code == 404

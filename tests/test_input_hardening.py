"""Hostile and careless input: batch ids that belong to their sender, repeated samples counted honestly, bodies too
deep to decode, anonymous bodies never read, and an operator who may not adopt another company's customer."""

from __future__ import annotations

import json
from typing import Any

from litestar.testing import TestClient

from .conftest import T0, World

DEEP = 100_000


def _ingest(client: TestClient[Any], world: World, site: str, batch_id: str, samples: list[dict[str, Any]]) -> Any:
    return client.post("/api/v1/ingest", json={"batch_id": batch_id, "samples": samples},
                       headers={"Authorization": f"Bearer {world.gateway_keys[site]}"})


def _sample(site: str, ts: float, value: float = 12.5) -> dict[str, Any]:
    return {"device": f"SN-{site}", "channel": "residual_ma", "ts": ts, "value": value}


def test_a_batch_id_belongs_to_its_sender(client: TestClient[Any], world: World) -> None:
    first = _ingest(client, world, "site_market", "box-0001", [_sample("site_market", T0 - 60)]).json()
    assert first == {"accepted": 1, "duplicate": False, "rejected": []}
    # Another site's gateway happens to use the same id: its batch is its own, and stored.
    other = _ingest(client, world, "site_care", "box-0001", [_sample("site_care", T0 - 60)]).json()
    assert other == {"accepted": 1, "duplicate": False, "rejected": []}
    # The first gateway retrying is a retry.
    again = _ingest(client, world, "site_market", "box-0001", [_sample("site_market", T0 - 60)]).json()
    assert again["duplicate"] is True
    readings = client.get(f"/api/v1/channels/{world.channels['site_care']}/readings",
                          params={"from": T0 - 120, "to": T0}, headers=world.headers("admin")).json()
    assert readings["ts"] == [T0 - 60]


def test_a_sample_repeated_in_one_batch_is_refused_not_counted(client: TestClient[Any], world: World) -> None:
    same = _sample("site_market", T0 - 30)
    result = _ingest(client, world, "site_market", "dup-1", [same, dict(same), _sample("site_market", T0 - 29)])
    body = result.json()
    assert body["accepted"] == 2
    assert [r["index"] for r in body["rejected"]] == [1]
    assert "same device, channel and ts" in body["rejected"][0]["error"]


def test_json_nested_too_deep_is_bad_input(client: TestClient[Any], world: World) -> None:
    deep = "[" * DEEP + "]" * DEEP
    body = '{"batch_id": "deep-1", "samples": [{"device": "SN-site_market", "channel": "residual_ma", "ts": 1, ' \
           f'"value": 1, "extra": {deep}}}]}}'
    gateway = {"Authorization": f"Bearer {world.gateway_keys['site_market']}", "Content-Type": "application/json"}
    r = client.post("/api/v1/ingest", content=body, headers=gateway)
    assert r.status_code == 400 and r.json()["extra"] == {"field": "body"}, r.text
    push = json.dumps({"client_id": "c1", "mutations": []})[:-2] + f'[{{"mutation_id": "m", "fields": {deep}}}]}}'
    r = client.post("/api/v1/sync/push", content=push, headers={**world.headers("inspector_heshan"),
                                                                "Content-Type": "application/json"})
    assert r.status_code == 400 and "nested too deeply" in r.json()["detail"], r.text
    r = client.post("/api/v1/auth/login", content=f'{{"username": {deep}}}',
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 400, r.text


def test_anonymous_bodies_are_refused_before_they_are_read(client: TestClient[Any]) -> None:
    for path in ("/api/v1/ingest", "/api/v1/sync/push"):
        r = client.post(path, content=b"{not json at all", headers={"Content-Type": "application/json"})
        assert r.status_code == 401, r.text  # not 400: the body was never decoded
        assert "Authorization" in r.json()["detail"]


def test_an_operator_cannot_adopt_another_companys_customer(client: TestClient[Any], world: World) -> None:
    site = {"name": "新摊位", "address": "赫山区 1 号", "region_code": "430903001001", "venue_type": "market"}
    r = client.post("/api/v1/sites", headers=world.headers("operator_a"),
                    json={**site, "owner_id": world.user_ids["owner_2"]})  # the care home's owner, company B's
    assert r.status_code == 400 and r.json()["extra"] == {"field": "owner_id"}, r.text
    assert "owner_2" not in r.text
    # Their own customer, and an administrator's choice, are fine.
    r = client.post("/api/v1/sites", headers=world.headers("operator_a"),
                    json={**site, "owner_id": world.user_ids["owner_1"]})
    assert r.status_code == 201, r.text
    r = client.post("/api/v1/sites", headers=world.headers("admin"),
                    json={**site, "owner_id": world.user_ids["owner_2"], "company_id": world.companies["A"]})
    assert r.status_code == 201, r.text


def test_control_characters_are_refused_in_names_and_titles(client: TestClient[Any], world: World) -> None:
    site = {"name": "摊位\x00DROP", "address": "赫山区 1 号", "region_code": "430903001001", "venue_type": "market"}
    r = client.post("/api/v1/sites", headers=world.headers("operator_a"), json=site)
    assert r.status_code == 400, r.text
    assert r.json()["detail"].startswith("name: must be one line without control characters"), r.text
    r = client.post("/api/v1/hazards", headers=world.headers("admin"), json={
        "site_id": world.sites["site_market"], "title": "插座\x1b[31m烧蚀", "severity": "general"})
    assert r.status_code == 400 and r.json()["detail"].startswith("title: "), r.text
    # A description is text: line breaks are fine, NUL is not.
    ok = {"site_id": world.sites["site_market"], "title": "插座烧蚀", "description": "第一行\n第二行\t完"}
    assert client.post("/api/v1/hazards", headers=world.headers("admin"), json=ok).status_code == 201
    r = client.post("/api/v1/hazards", headers=world.headers("admin"), json={**ok, "description": "a\x00b"})
    assert r.status_code == 400 and "description: must not contain control characters" in r.json()["detail"]


def test_an_unknown_field_of_a_batch_is_named_not_ignored(client: TestClient[Any], world: World) -> None:
    r = client.post("/api/v1/ingest", json={"batch_id": "b-unknown", "samples": [], "bogus": 1},
                    headers={"Authorization": f"Bearer {world.gateway_keys['site_market']}"})
    assert r.status_code == 400 and r.json()["extra"] == {"field": "bogus"}, r.text

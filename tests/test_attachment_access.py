"""A hash is not a capability: a photo is readable by who uploaded its bytes and by who can see a record it is
evidence on; citing someone else's hash attaches nothing and reads nothing. Photos are served as what their bytes
are, never as what the uploader claimed."""

from __future__ import annotations

import hashlib
from typing import Any

from litestar.testing import TestClient

from .conftest import World

PHOTO = b"\x89PNG\r\n\x1a\n the care home's distribution board"
SHA = hashlib.sha256(PHOTO).hexdigest()


def _upload(client: TestClient[Any], world: World, who: str, data: bytes = PHOTO,
            content_type: str = "image/png") -> Any:
    return client.put(f"/api/v1/attachments/{hashlib.sha256(data).hexdigest()}", content=data,
                      headers={**world.headers(who), "Content-Type": content_type})


def _hazard(client: TestClient[Any], world: World) -> int:
    r = client.post("/api/v1/hazards", headers=world.headers("admin"), json={
        "site_id": world.sites["site_market"], "title": "配电箱门未关", "severity": "general"})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _comment(client: TestClient[Any], world: World, who: str, hazard_id: int, photos: list[str]) -> Any:
    return client.post(f"/api/v1/hazards/{hazard_id}/comments", headers=world.headers(who),
                       json={"text": "见照片", "attachments": photos})


def test_citing_another_tenants_hash_attaches_and_reveals_nothing(client: TestClient[Any], world: World) -> None:
    assert _upload(client, world, "owner_2").status_code == 201  # the care home's owner, another tenant
    hazard_id = _hazard(client, world)
    r = _comment(client, world, "owner_1", hazard_id, [SHA])
    assert r.status_code == 400, r.text
    assert r.json()["extra"] == {"field": "attachments[0]"} and "upload it first" in r.json()["detail"]
    assert client.get(f"/api/v1/attachments/{SHA}", headers=world.headers("owner_1")).status_code == 404
    timeline = client.get(f"/api/v1/hazards/{hazard_id}", headers=world.headers("admin")).json()
    assert all(SHA not in e.get("attachments", []) for e in timeline["events"])
    # An inspection answer cannot cite it either.
    r = client.post("/api/v1/inspections", headers=world.headers("inspector_heshan"),
                    json={"site_id": world.sites["site_market"]})
    assert r.status_code == 201, r.text
    inspection = r.json()
    key = inspection["items"][0]["key"]
    r = client.post(f"/api/v1/inspections/{inspection['id']}/answers", headers=world.headers("inspector_heshan"),
                    json={"answers": [{"key": key, "answer": "fail", "attachments": [SHA]}]})
    assert r.status_code in (200, 400), r.text
    assert "attachments" in r.text and "upload it first" in r.text
    assert client.get(f"/api/v1/attachments/{SHA}", headers=world.headers("inspector_heshan")).status_code == 404


def test_the_same_bytes_uploaded_make_them_yours_and_evidence_is_seen_by_the_records_viewers(
        client: TestClient[Any], world: World) -> None:
    assert _upload(client, world, "owner_2").status_code == 201
    assert _upload(client, world, "owner_1").status_code == 200  # stored once; now owner_1 holds them too
    hazard_id = _hazard(client, world)
    assert _comment(client, world, "owner_1", hazard_id, [SHA]).status_code == 201
    # Evidence on a hazard of a site they see: the grid's inspector reads it and may cite it again.
    assert client.get(f"/api/v1/attachments/{SHA}", headers=world.headers("inspector_heshan")).status_code == 200
    assert _comment(client, world, "inspector_heshan", hazard_id, [SHA]).status_code == 201
    # Company B sees the care home only, where the photo is evidence of nothing.
    assert client.get(f"/api/v1/attachments/{SHA}", headers=world.headers("operator_b")).status_code == 404


def test_photos_are_served_as_their_bytes_are(client: TestClient[Any], world: World) -> None:
    r = _upload(client, world, "owner_1", b"<html><script>alert(1)</script></html>", "image/jpeg")
    assert r.status_code == 400 and r.json()["extra"] == {"field": "body"}, r.text
    assert _upload(client, world, "owner_1", PHOTO, "image/jpeg").status_code == 201  # PNG bytes, JPEG claimed
    r = client.get(f"/api/v1/attachments/{SHA}", headers=world.headers("owner_1"))
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["content-disposition"] == f'inline; filename="{SHA[:16]}.png"'
    pdf = b"%PDF-1.7\n an electrician's test certificate"
    assert _upload(client, world, "owner_1", pdf, "application/pdf").status_code == 201
    r = client.get(f"/api/v1/attachments/{hashlib.sha256(pdf).hexdigest()}", headers=world.headers("owner_1"))
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].startswith("attachment; ")

"""Done-when 1 of issue 6: every role × every transition from every state answers 200, 403, 404 or 409 as the
workflow says; plus the rules around it (evidence, notes, assignees, self-verification, photos)."""

from __future__ import annotations

import hashlib
import itertools
from typing import Any

import pytest
from litestar.testing import TestClient

from .conftest import World

STATES = ("open", "assigned", "rectified", "verified", "closed")
TARGETS = ("assigned", "rectified", "verified", "closed", "rejected")
# Everyone in the world, and whether they see site_market (the others get 404 for its hazards).
ROLES = {
    "admin": True, "operator_a": True, "installer_a": True, "owner_1": True, "inspector_heshan": True,
    "regulator_fire": True, "regulator_commerce": True,
    "owner_2": False, "operator_b": False, "inspector_ziyang": False,
    "electrician_a": False,  # company A's, but sees only the hazards assigned to them
}
ASSIGNEE = "installer_a"  # the operator company's electrician fixes it
PHOTO = b"\x89PNG\r\n\x1a\n fake photo of a new socket"
SHA = hashlib.sha256(PHOTO).hexdigest()


def expected(state: str, target: str, who: str) -> int:
    """The workflow written out by hand, independently of server/hazards/workflow.py."""
    if not ROLES[who]:
        return 404
    legal = {("open", "assigned"), ("assigned", "assigned"), ("assigned", "rectified"), ("rectified", "verified"),
             ("rectified", "rejected"), ("verified", "closed")}
    if (state, target) not in legal:
        return 409
    if target == "assigned":
        return 200 if who in ("admin", "operator_a", "inspector_heshan") else 403
    if target == "rectified":
        return 200 if who in (ASSIGNEE, "owner_1") else 403
    if target in ("verified", "rejected"):
        # installer_a rectified it: never verifies its own work (and its role does not verify anyway).
        return 200 if who in ("admin", "operator_a", "inspector_heshan") else 403
    return 200 if who in ("admin", "operator_a", "inspector_heshan", "regulator_fire", "regulator_commerce") else 403


class Hazards:
    def __init__(self, client: TestClient[Any], world: World) -> None:
        self.client = client
        self.world = world
        r = client.put(f"/api/v1/attachments/{SHA}", content=PHOTO, headers={
            **world.headers(ASSIGNEE), "Content-Type": "image/png"})
        assert r.status_code in (200, 201), r.text

    def move(self, who: str, hazard_id: int, to: str) -> Any:
        body: dict[str, Any] = {"to": to}
        if to == "assigned":
            body["assignee_id"] = self.world.user_ids[ASSIGNEE]
        if to == "rectified":
            body |= {"attachments": [SHA], "note": "换了新插座"}
        if to == "rejected":
            body["note"] = "插座面板仍有烧痕，请更换"
        return self.client.post(f"/api/v1/hazards/{hazard_id}/transition", json=body, headers=self.world.headers(who))

    def in_state(self, state: str) -> int:
        r = self.client.post("/api/v1/hazards", headers=self.world.headers("admin"), json={
            "site_id": self.world.sites["site_market"], "title": "插座回路接线端子烧蚀", "severity": "major"})
        assert r.status_code == 201, r.text
        hazard_id = int(r.json()["id"])
        path = {"open": [], "assigned": [("admin", "assigned")],
                "rectified": [("admin", "assigned"), (ASSIGNEE, "rectified")],
                "verified": [("admin", "assigned"), (ASSIGNEE, "rectified"), ("inspector_heshan", "verified")],
                "closed": [("admin", "assigned"), (ASSIGNEE, "rectified"), ("inspector_heshan", "verified"),
                           ("admin", "closed")]}[state]
        for who, to in path:
            assert self.move(who, hazard_id, to).status_code == 200
        return hazard_id


@pytest.fixture(scope="module")
def hazards(shared_world: tuple[TestClient[Any], World]) -> Hazards:
    return Hazards(*shared_world)


@pytest.mark.parametrize(("state", "target"), list(itertools.product(STATES, TARGETS)))
def test_role_by_transition_matrix(hazards: Hazards, state: str, target: str) -> None:
    wrong = []
    for who in ROLES:
        hazard_id = hazards.in_state(state)
        r = hazards.move(who, hazard_id, target)
        want = expected(state, target, who)
        if r.status_code != want:
            wrong.append(f"{who}: {r.status_code} (want {want}) {r.text[:120]}")
        if r.status_code == 200:
            after = r.json()
            assert after["state"] == ("assigned" if target == "rejected" else target)
            assert after["events"][-1]["kind"] == target
        else:
            unchanged = hazards.client.get(f"/api/v1/hazards/{hazard_id}", headers=hazards.world.headers("admin"))
            assert unchanged.json()["state"] == state, "a refused move changed the hazard"
    assert not wrong, f"{state} → {target}:\n" + "\n".join(wrong)


def test_whoever_rectified_never_verifies(hazards: Hazards) -> None:
    client, world = hazards.client, hazards.world
    r = client.post("/api/v1/hazards", headers=world.headers("inspector_heshan"), json={
        "site_id": world.sites["site_market"], "title": "配电箱无防护门", "assignee_id": world.user_ids["operator_a"]})
    assert r.status_code == 201 and r.json()["state"] == "assigned", r.text
    hazard_id = r.json()["id"]
    r = client.post(f"/api/v1/hazards/{hazard_id}/transition", headers=world.headers("operator_a"),
                    json={"to": "rectified", "attachments": [SHA]})
    assert r.status_code == 200, r.text
    r = client.post(f"/api/v1/hazards/{hazard_id}/transition", headers=world.headers("operator_a"),
                    json={"to": "verified"})
    assert r.status_code == 403 and "own work" in r.json()["detail"]
    r = client.post(f"/api/v1/hazards/{hazard_id}/transition", headers=world.headers("inspector_heshan"),
                    json={"to": "verified"})
    assert r.status_code == 200


def test_evidence_notes_and_assignees_are_required(hazards: Hazards) -> None:
    client, world = hazards.client, hazards.world
    hazard_id = hazards.in_state("assigned")
    r = client.post(f"/api/v1/hazards/{hazard_id}/transition", headers=world.headers(ASSIGNEE),
                    json={"to": "rectified", "note": "修好了"})
    assert r.status_code == 400 and r.json()["extra"] == {"field": "attachments"}
    r = client.post(f"/api/v1/hazards/{hazard_id}/transition", headers=world.headers(ASSIGNEE),
                    json={"to": "rectified", "attachments": ["0" * 64]})
    assert r.status_code == 400 and r.json()["extra"] == {"field": "attachments[0]"}
    assert hazards.move(ASSIGNEE, hazard_id, "rectified").status_code == 200
    r = client.post(f"/api/v1/hazards/{hazard_id}/transition", headers=world.headers("admin"),
                    json={"to": "rejected"})
    assert r.status_code == 400 and r.json()["extra"] == {"field": "note"}

    fresh = hazards.in_state("open")
    for assignee, why in ((None, "assignee_id"), (world.user_ids["owner_2"], "assignee_id"),
                          (world.user_ids["regulator_fire"], "assignee_id")):
        r = client.post(f"/api/v1/hazards/{fresh}/transition", headers=world.headers("admin"),
                        json={"to": "assigned", "assignee_id": assignee})
        assert r.status_code == 400 and r.json()["extra"] == {"field": why}, r.text
    r = client.post(f"/api/v1/hazards/{fresh}/transition", headers=world.headers("admin"),
                    json={"to": "assigned", "assignee_id": world.user_ids["owner_1"], "due": 1.0})
    assert r.status_code == 400 and r.json()["extra"] == {"field": "due"}


def test_thread_and_photos_are_scoped(hazards: Hazards) -> None:
    client, world = hazards.client, hazards.world
    hazard_id = hazards.in_state("rectified")
    for who, text in (("owner_1", "电工明天上午到"), ("operator_a", "已派单"), ("regulator_commerce", "请按期整改")):
        r = client.post(f"/api/v1/hazards/{hazard_id}/comments", json={"text": text}, headers=world.headers(who))
        assert r.status_code == 201, r.text
    events = client.get(f"/api/v1/hazards/{hazard_id}", headers=world.headers("owner_1")).json()["events"]
    assert [e["kind"] for e in events] == ["created", "assigned", "rectified", "comment", "comment", "comment"]
    assert [e["note"] for e in events if e["kind"] == "comment"] == ["电工明天上午到", "已派单", "请按期整改"]
    assert events[2]["attachments"] == [SHA]
    assert client.post(f"/api/v1/hazards/{hazard_id}/comments", json={"text": "?"},
                       headers=world.headers("owner_2")).status_code == 404
    # The photo is evidence on a hazard owner_1 sees; owner_2 sees nothing.
    r = client.get(f"/api/v1/attachments/{SHA}", headers=world.headers("owner_1"))
    assert r.status_code == 200 and r.content == PHOTO and r.headers["content-type"] == "image/png"
    assert client.get(f"/api/v1/attachments/{SHA}", headers=world.headers("owner_2")).status_code == 404


def test_attachments_are_content_addressed(hazards: Hazards) -> None:
    client, world = hazards.client, hazards.world
    data = b"%PDF-1.4 rectification report"
    sha = hashlib.sha256(data).hexdigest()
    headers = {**world.headers("owner_1"), "Content-Type": "application/pdf"}
    assert client.put(f"/api/v1/attachments/{sha}", content=data, headers=headers).status_code == 201
    assert client.put(f"/api/v1/attachments/{sha}", content=data, headers=headers).status_code == 200
    r = client.put(f"/api/v1/attachments/{'a' * 64}", content=data, headers=headers)
    assert r.status_code == 400 and r.json()["extra"] == {"field": "sha256"}
    r = client.put(f"/api/v1/attachments/{sha}", content=data, headers={**headers, "Content-Type": "text/html"})
    assert r.status_code == 400 and r.json()["extra"] == {"field": "Content-Type"}
    assert client.put("/api/v1/attachments/not-a-hash", content=data, headers=headers).status_code in (400, 404)
    # An uploader sees their own upload before it is attached anywhere; nobody else does.
    assert client.get(f"/api/v1/attachments/{sha}", headers=world.headers("owner_1")).status_code == 200
    assert client.get(f"/api/v1/attachments/{sha}", headers=world.headers("admin")).status_code == 404


def test_list_filters(hazards: Hazards) -> None:
    client, world = hazards.client, hazards.world
    hazards.in_state("closed")
    mine = client.get("/api/v1/hazards", params={"mine": "true"}, headers=world.headers(ASSIGNEE)).json()
    assert mine and all(h["assignee_id"] == world.user_ids[ASSIGNEE] for h in mine)
    closed = client.get("/api/v1/hazards", params={"state": "closed"}, headers=world.headers("owner_1")).json()
    assert closed and {h["state"] for h in closed} == {"closed"}
    assert client.get("/api/v1/hazards", headers=world.headers("owner_2")).json() == []
    r = client.get("/api/v1/hazards", params={"state": "done"}, headers=world.headers("owner_1"))
    assert r.status_code == 400

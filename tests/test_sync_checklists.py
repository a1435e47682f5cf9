"""Checklists by reference in a sync pull (issue 21, P6): each checklist copy travels once as its own record
(``checklist``) and inspections name theirs; the items resolve to the same words GET /api/v1/inspections/{id}
answers; a template edited later leaves older inspections' items as they were; an unknown or removed template is
an error naming the field, never a 500."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path
from typing import Any

import msgspec
from litestar.testing import TestClient

from server.inspections import templates
from server.inspections.visits import item_out
from server.settings import Settings
from server.storage import inspections as inspection_sql

from . import backends
from .conftest import World
from .sync_helpers import Device, pull_all, resolved

MARKET = "inspection-market"


def _start(client: TestClient[Any], headers: dict[str, str], site_id: int) -> dict[str, Any]:
    r = client.post("/api/v1/inspections", json={"site_id": site_id}, headers=headers)
    assert r.status_code == 201, r.text
    found: dict[str, Any] = r.json()
    return found


def _pull_bodies(client: TestClient[Any], headers: dict[str, str]) -> list[str]:
    """The raw JSON of every page of a first pull."""
    bodies, cursor = [], None
    while True:
        r = client.get("/api/v1/sync/pull", params={"limit": 3, **({"cursor": cursor} if cursor else {})},
                       headers=headers)
        assert r.status_code == 200, r.text
        bodies.append(r.text)
        cursor = r.json()["cursor"]
        if not r.json()["more"]:
            return bodies


def test_a_first_pull_sends_each_checklist_once_and_inspections_by_reference(client: TestClient[Any],
                                                                             world: World) -> None:
    admin = world.headers("admin")
    market = [_start(client, admin, world.sites["site_market"]) for _ in range(3)]
    care = _start(client, admin, world.sites["site_care"])
    hotel = _start(client, admin, world.sites["site_hotel"])
    r = client.post(f"/api/v1/inspections/{market[0]['id']}/answers", headers=admin,
                    json={"answers": [{"key": market[0]["items"][0]["key"], "answer": "fail", "note": "无漏保"}]})
    assert r.status_code == 200, r.text

    records, _, changes = pull_all(client, admin, limit=2)  # small pages: copies and inspections on several
    copies = [c for c in changes if c["entity"] == "checklist"]
    assert sorted(c["fields"]["template_id"] for c in copies) == sorted(
        [MARKET, care["template_id"], hotel["template_id"]])
    assert len({c["entity_id"] for c in copies}) == 3
    seen_at = {c["entity_id"]: n for n, c in enumerate(changes) if c["entity"] == "checklist"}
    for n, change in enumerate(changes):
        if change["entity"] != "inspection":
            continue
        fields = change["fields"]
        assert "items" not in fields and seen_at[fields["checklist"]] < n  # the copy came first
        got = client.get(f"/api/v1/inspections/{fields['id']}", headers=admin).json()
        assert resolved(records, fields) == got  # the same words, answers and counts as before
    assert records["inspection", str(market[0]["id"])]["answers"][0]["note"] == "无漏保"
    assert len({records["inspection", str(m["id"])]["checklist"] for m in market}) == 1
    assert records["checklist", records["inspection", str(care["id"])]["checklist"]]["title"] == care["title"]

    # The market checklist's words are on the wire once, whatever the pages and however many inspections.
    words = json.dumps(market[0]["items"][-1]["text"]["zh-CN"], ensure_ascii=False)
    assert sum(body.count(words) for body in _pull_bodies(client, admin)) == 1
    # A later pull brings no copy again: a new inspection names the copy the device has.
    _, cursor, _ = pull_all(client, admin)
    fourth = _start(client, admin, world.sites["site_market"])
    _, _, later = pull_all(client, admin, cursor)
    assert [(c["entity"], c["entity_id"]) for c in later] == [("inspection", str(fourth["id"]))]


def _edited(tmp_path: Path, version: int) -> templates.Template:
    """The market checklist as a file edited later: its first own item worded differently, at ``version``."""
    folder = tmp_path / f"checklists-{version}"
    shutil.copytree(templates.DIR, folder)
    path = folder / "inspection-market.toml"
    text = path.read_text("utf-8")
    old = "每个摊位由独立配电箱供电，并设剩余电流保护装置"
    assert old in text
    path.write_text(text.replace(old, "每个摊位由独立配电箱供电，并设 30 mA 剩余电流保护装置").replace(
        "version = 1", f"version = {version}", 1), "utf-8")
    return templates.load(folder)[MARKET]


def _insert(settings: Settings, template: templates.Template, site_id: int, user_id: int) -> int:
    """An inspection started with ``template``, as ``visits.start`` keeps it."""
    with backends.connect(settings) as conn:
        return inspection_sql.insert_inspection(conn, {
            "site_id": site_id, "template_id": template.id, "template_version": template.version,
            "items": [msgspec.to_builtins(item_out(i)) for i in template.items], "inspector_id": user_id,
            "started_at": 1_763_856_000.0})


def test_a_template_changed_later_leaves_older_inspections_as_they_were(
        client: TestClient[Any], world: World, settings: Settings, tmp_path: Path) -> None:
    inspector = world.headers("inspector_heshan")
    site, me = world.sites["site_market"], world.user_ids["inspector_heshan"]
    older = _start(client, inspector, site)
    key = older["items"][0]["key"]
    r = client.post(f"/api/v1/inspections/{older['id']}/answers", headers=inspector,
                    json={"answers": [{"key": key, "answer": "pass"}]})
    assert r.status_code == 200, r.text
    stall = next(i for i in older["items"] if i["key"] == "stall_board")

    bumped = _insert(settings, _edited(tmp_path, 2), site, me)  # edited, its version raised
    silent = _insert(settings, _edited(tmp_path, 1), site, me)  # edited, the version left as it was
    again = _insert(settings, templates.load()[MARKET], site, me)  # the template as the older one had it

    def stall_words(inspection_id: int) -> str:
        got = client.get(f"/api/v1/inspections/{inspection_id}", headers=inspector).json()
        return str(next(i for i in got["items"] if i["key"] == "stall_board")["text"]["zh-CN"])

    now = client.get(f"/api/v1/inspections/{older['id']}", headers=inspector).json()
    assert now["items"] == older["items"] and [a["key"] for a in now["answers"]] == [key]
    assert stall_words(older["id"]) == stall["text"]["zh-CN"] == stall_words(again)
    assert "30 mA" in stall_words(bumped) and "30 mA" in stall_words(silent)

    records, _, _ = pull_all(client, inspector)
    named = {i: records["inspection", str(i)]["checklist"] for i in (older["id"], bumped, silent, again)}
    assert named[older["id"]] == named[again] and len(set(named.values())) == 3
    assert [records["checklist", named[i]]["template_version"] for i in (older["id"], bumped, silent)] == [1, 2, 1]
    assert resolved(records, records["inspection", str(older["id"])])["items"] == older["items"]


def test_an_unknown_or_removed_template_is_named_never_a_500(client: TestClient[Any], world: World,
                                                            settings: Settings) -> None:
    inspector = world.headers("inspector_heshan")
    site = world.sites["site_market"]
    r = client.post("/api/v1/inspections", json={"site_id": site, "template_id": "inspection-gone"},
                    headers=inspector)
    assert r.status_code == 400 and r.json()["extra"]["field"] == "template_id", r.text
    phone = Device("inspector")
    [result] = phone.push(client, inspector, [phone.mutation("create", "inspection", str(uuid.uuid4()),
                                                             {"site_id": site, "template_id": "inspection-gone"})])
    assert result["status"] == "rejected" and "template_id" in result["reason"], result

    # A template whose file was removed since: its inspections still read, pull and sign with the items they kept.
    retired = msgspec.structs.replace(templates.load()[MARKET], id="inspection-retired")
    visit = _insert(settings, retired, site, world.user_ids["inspector_heshan"])
    got = client.get(f"/api/v1/inspections/{visit}", headers=inspector)
    assert got.status_code == 200, got.text
    assert got.json()["title"] == {"zh-CN": "inspection-retired", "en": "inspection-retired"}
    records, _, _ = pull_all(client, inspector)
    pulled = records["inspection", str(visit)]
    assert records["checklist", pulled["checklist"]]["title"] == got.json()["title"]
    assert resolved(records, pulled) == got.json()
    answers = [{"key": i["key"], "answer": "pass"} for i in got.json()["items"]]
    r = client.post(f"/api/v1/inspections/{visit}/answers", json={"answers": answers}, headers=inspector)
    assert r.status_code == 200, r.text
    r = client.post(f"/api/v1/inspections/{visit}/complete", json={"signed_by": "李娟"}, headers=inspector)
    assert r.status_code == 200 and r.json()["state"] == "completed", r.text

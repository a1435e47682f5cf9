"""Checklist templates as data files, and an inspector's visit: answers saved item by item (bad ones refused one
by one), signed, every failed item a hazard assigned to the site's owner."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from server.inspections import templates

from .conftest import World

PHOTO = b"\xff\xd8\xff\xe0 jpeg: ebike charging in the corridor"
SHA = hashlib.sha256(PHOTO).hexdigest()


def test_every_template_loads_and_markets_get_forty_items() -> None:
    every = templates.load()
    assert {"acceptance", "inspection-general", "inspection-market", "remediation"} <= set(every)
    market = templates.template_for("inspection", "market")
    assert market is not None and market.id == "inspection-market" and len(market.items) == 40
    general = templates.template_for("inspection", "hotel")
    assert general is not None and general.id == "inspection-general"
    for template in every.values():
        assert template.items and all(i.zh and i.en for i in template.items), template.id


def test_a_broken_template_is_named(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text('id = "bad"\nversion = 1\nkind = "inspection"\nvenue_types = ["*"]\n'
                                       'zh-CN = "坏"\nen = "bad"\n[[item]]\nkey = "Bad Key"\nzh-CN = "x"\nen = "x"\n',
                                       "utf-8")
    with pytest.raises(templates.TemplateError, match=r"bad.toml: .*key"):
        templates.load(tmp_path)


def test_checklists_for_a_site(client: TestClient[Any], world: World) -> None:
    r = client.get("/api/v1/checklists", params={"site_id": world.sites["site_market"]},
                   headers=world.headers("inspector_heshan"))
    assert r.status_code == 200, r.text
    assert [t["id"] for t in r.json()] == ["inspection-market", "remediation"]
    r = client.get("/api/v1/checklists", params={"kind": "acceptance"}, headers=world.headers("installer_a"))
    assert [t["id"] for t in r.json()] == ["acceptance"]
    assert client.get("/api/v1/checklists", params={"site_id": world.sites["site_market"]},
                      headers=world.headers("owner_2")).status_code == 404


def test_an_inspection_from_start_to_signature(client: TestClient[Any], world: World) -> None:
    inspector = world.headers("inspector_heshan")
    site = world.sites["site_market"]
    assert client.post("/api/v1/inspections", json={"site_id": site},
                       headers=world.headers("owner_1")).status_code == 403
    r = client.post("/api/v1/inspections", json={"site_id": site}, headers=inspector)
    assert r.status_code == 201, r.text
    inspection = r.json()
    assert inspection["template_id"] == "inspection-market" and inspection["total"] == 40
    path = f"/api/v1/inspections/{inspection['id']}"
    keys = [i["key"] for i in inspection["items"]]
    client.put(f"/api/v1/attachments/{SHA}", content=PHOTO, headers={**inspector, "Content-Type": "image/jpeg"})

    # A batch with two bad answers: the good ones are kept, the bad ones say why.
    batch = [{"key": k, "answer": "pass"} for k in keys[:20]]
    ebike = keys.index("ebike_charging")
    assert ebike < 20
    batch[ebike] = {"key": "ebike_charging", "answer": "fail", "note": "楼道内 3 辆电动车充电", "attachments": [SHA]}
    batch.append({"key": "no_such_item", "answer": "pass"})
    batch.append({"key": keys[20], "answer": "fail", "attachments": ["f" * 64]})
    r = client.post(f"{path}/answers", json={"answers": batch}, headers=inspector)
    assert r.status_code == 200, r.text
    statuses = [(x["key"], x["status"]) for x in r.json()["results"]]
    assert statuses[-2:] == [("no_such_item", "rejected"), (keys[20], "rejected")]
    assert "answers[20].key" in r.json()["results"][20]["error"]
    assert r.json()["inspection"]["answered"] == 20

    r = client.post(f"{path}/complete", json={"signed_by": "李娟"}, headers=inspector)
    assert r.status_code == 400 and "20 items not answered" in r.json()["detail"]

    rest = [{"key": k, "answer": "na" if k == "cold_chain" else "pass"} for k in keys[20:]]
    rest[-1] = {"key": keys[-1], "answer": "fail", "note": "摊主不会使用灭火器"}
    assert client.post(f"{path}/answers", json={"answers": rest}, headers=inspector).status_code == 200
    # Answering an item again keeps the latest answer.
    again = client.post(f"{path}/answers", json={"answers": [{"key": "board_clear", "answer": "pass",
                                                             "note": "已清理"}]}, headers=inspector).json()
    assert again["inspection"]["answered"] == 40

    r = client.post(f"{path}/complete", json={"signed_by": "李娟", "summary": "两项不合格"}, headers=inspector)
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["state"] == "completed" and done["signed_by"] == "李娟" and done["failed"] == 2
    assert len(done["hazard_ids"]) == 2
    assert client.post(f"{path}/complete", json={"signed_by": "李娟"}, headers=inspector).status_code == 409
    assert client.post(f"{path}/answers", json={"answers": [{"key": keys[0], "answer": "fail"}]},
                       headers=inspector).status_code == 409

    # The failures are hazards of the owner's now, with the inspector's photo and note.
    mine = client.get("/api/v1/hazards", params={"mine": "true"}, headers=world.headers("owner_1")).json()
    ours = sorted((h for h in mine if h["inspection_id"] == inspection["id"]), key=lambda h: h["id"])
    assert [h["severity"] for h in ours] == ["major", "general"]
    # Titled with what was found: the inspector's own words; the requirement and its number follow the note.
    assert ours[0]["title"] == "楼道内 3 辆电动车充电" and ours[0]["state"] == "assigned"
    detail = client.get(f"/api/v1/hazards/{ours[0]['id']}", headers=world.headers("owner_1")).json()
    assert detail["events"][0]["attachments"] == [SHA]
    assert detail["events"][0]["note"].splitlines() == ["楼道内 3 辆电动车充电",
                                                        "检查项 22：电动自行车未在室内、楼道、安全出口处停放充电"]
    listed = client.get("/api/v1/inspections", params={"site_id": site}, headers=world.headers("owner_1")).json()
    assert [i["id"] for i in listed] == [inspection["id"]]
    assert client.get(path, headers=world.headers("owner_2")).status_code == 404

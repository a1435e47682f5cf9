"""What an inspection finds: hazards titled with what was found (the item's failure wording or the inspector's own
words), items numbered down the checklist, one hazard per failed item whether the phone made it offline or the
signature did, and the rectification notice (整改通知书) as JSON, HTML and PDF (read back with pdftotext)."""

from __future__ import annotations

import hashlib
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from server.inspections import findings, templates

from .conftest import World
from .sync_helpers import Device, pull_all

PHOTO = b"\xff\xd8\xff\xe0 jpeg: power strips chained behind the counter"
SHA = hashlib.sha256(PHOTO).hexdigest()
NOTE = "收银台后三个插线板串接使用"


def test_every_inspection_item_says_what_a_failure_is() -> None:
    for template in templates.load().values():
        if template.kind != "inspection":
            continue
        for item in template.items:
            assert item.finding is not None, (template.id, item.key)
            assert item.finding.zh and item.finding.en and item.finding.zh != item.zh, (template.id, item.key)


def test_an_inspection_checklist_without_findings_is_refused(tmp_path: Path) -> None:
    (tmp_path / "bare.toml").write_text('id = "bare"\nversion = 1\nkind = "inspection"\nvenue_types = ["*"]\n'
                                        'zh-CN = "无"\nen = "bare"\n[[item]]\nkey = "one_item"\nzh-CN = "要求"\n'
                                        'en = "requirement"\n', "utf-8")
    with pytest.raises(templates.TemplateError, match=r"bare: items without a finding.*one_item"):
        templates.load(tmp_path)


def test_items_are_numbered_down_the_page_with_their_sections() -> None:
    market = templates.template_for("inspection", "market")
    assert market is not None
    items = [{"key": i.key, "section": i.section} for i in market.items]
    numbers = findings.numbers(items)
    assert sorted(numbers.values()) == list(range(1, 41))
    # The market checklist adds two items to the general checklist's 智慧用电 section: they follow its two.
    smart = [numbers[i["key"]] for i in items if i["section"] == "智慧用电"]
    assert smart == [9, 10, 11, 12]
    # Within every section the numbers run on without a gap, in the order the sections first appear.
    by_section: dict[str, list[int]] = {}
    for item in items:
        by_section.setdefault(item["section"], []).append(numbers[item["key"]])
    runs = list(by_section.values())
    assert all(run == list(range(run[0], run[0] + len(run))) for run in runs)
    assert [run[0] for run in runs] == sorted(run[0] for run in runs)


def _offline_visit(client: TestClient[Any], world: World, phone: Device) -> tuple[str, list[Any], dict[str, str]]:
    """A market inspection done on a phone with no network: two failures (one with a note and a photo), each
    made a hazard on the phone before the signature, as the PWA does. Answers the visit's id, the mutations and
    the phone's hazard ids by item."""
    inspector = world.headers("inspector_heshan")
    r = client.get("/api/v1/checklists", params={"site_id": world.sites["site_market"], "kind": "inspection"},
                   headers=inspector)
    items = r.json()[0]["items"]
    visit = str(uuid.uuid4())
    mutations = [phone.mutation("create", "inspection", visit, {"site_id": world.sites["site_market"]})]
    for item in items:
        answer: dict[str, Any] = {"inspection_id": visit, "key": item["key"], "answer": "pass"}
        if item["key"] == "board_clear":
            answer["answer"] = "fail"
        elif item["key"] == "no_overload":
            answer |= {"answer": "fail", "note": NOTE, "attachments": [SHA]}
        mutations.append(phone.mutation("append", "checklist_answer", str(uuid.uuid4()), answer))
    hazards = {"board_clear": str(uuid.uuid4()), "no_overload": str(uuid.uuid4())}
    for key, hazard in hazards.items():
        mutations.append(phone.mutation("create", "hazard", hazard, {
            "site_id": world.sites["site_market"], "title": "phone's words", "severity": "general",
            "source": "inspection", "inspection_id": visit, "item": key}))
    mutations.append(phone.mutation("transition", "inspection", visit, {"to": "completed", "signed_by": "何巡查"}))
    return visit, mutations, hazards


def test_hazards_made_offline_arrive_once_titled_with_the_finding(client: TestClient[Any], world: World) -> None:
    inspector = world.headers("inspector_heshan")
    assert client.put(f"/api/v1/attachments/{SHA}", content=PHOTO,
                      headers={**inspector, "Content-Type": "image/jpeg"}).status_code == 201
    phone = Device("inspector")
    visit, mutations, hazards = _offline_visit(client, world, phone)
    results = phone.push(client, inspector, mutations)
    assert {r["status"] for r in results} == {"applied"}, [r for r in results if r["status"] != "applied"]
    # The same push again (the phone never heard the answer): duplicates, nothing made twice.
    assert {r["status"] for r in phone.push(client, inspector, mutations)} == {"duplicate"}

    records, cursor, _ = pull_all(client, inspector)
    inspection = records["inspection", visit]
    assert inspection["state"] == "completed" and len(inspection["hazard_ids"]) == 2
    made = {key: records["hazard", hazard] for key, hazard in hazards.items()}  # the phone's ids are kept
    assert sorted(h["id"] for h in made.values()) == inspection["hazard_ids"]
    # Titles say what was found: the failure wording, or the inspector's own words when they wrote a note.
    assert made["board_clear"]["title"] == "配电箱（柜）前 0.8 m 内堆放杂物、可燃物"
    assert made["board_clear"]["description"] == "检查项 1：配电箱（柜）前 0.8 m 内无杂物、可燃物堆放"
    assert made["no_overload"]["title"] == NOTE and made["no_overload"]["severity"] == "general"
    assert made["no_overload"]["events"][0]["attachments"] == [SHA]
    owner = world.user_ids["owner_1"]
    assert all(h["state"] == "assigned" and h["assignee_id"] == owner and h["due_at"] > 0 for h in made.values())
    every = client.get("/api/v1/hazards", params={"site_id": world.sites["site_market"]}, headers=inspector).json()
    assert sorted(h["title"] for h in every) == sorted(h["title"] for h in made.values())

    # Another phone (or an old app) names the same finding again after the signature: it is the same hazard.
    late = phone.mutation("create", "hazard", str(uuid.uuid4()), {
        "site_id": world.sites["site_market"], "title": "again", "source": "inspection", "inspection_id": visit,
        "item": "board_clear"})
    [result] = phone.push(client, inspector, [late])
    assert result["status"] == "merged" and f"hazard {made['board_clear']['id']}" in result["reason"]
    # An item that passed is no hazard; an unknown item is named.
    passed = phone.mutation("create", "hazard", str(uuid.uuid4()), {
        "site_id": world.sites["site_market"], "title": "x", "inspection_id": visit, "item": "board_door"})
    unknown = phone.mutation("create", "hazard", str(uuid.uuid4()), {
        "site_id": world.sites["site_market"], "title": "x", "inspection_id": visit, "item": "no_such_item"})
    refused = phone.push(client, inspector, [passed, unknown])
    assert [r["status"] for r in refused] == ["rejected", "rejected"]
    assert "did not fail" in refused[0]["reason"] and refused[1]["reason"].startswith("fields.item")
    assert len(client.get("/api/v1/hazards", params={"site_id": world.sites["site_market"]},
                          headers=inspector).json()) == 2
    _, _, changes = pull_all(client, inspector, cursor)
    assert not [c for c in changes if c["entity"] == "hazard" and c["entity_id"] not in hazards.values()]


def test_signing_online_titles_hazards_with_the_finding(client: TestClient[Any], world: World) -> None:
    inspector = world.headers("inspector_heshan")
    r = client.post("/api/v1/inspections", json={"site_id": world.sites["site_hotel"]}, headers=inspector)
    assert r.status_code == 404  # not the inspector's grid
    r = client.post("/api/v1/inspections", json={"site_id": world.sites["site_market"]}, headers=inspector)
    inspection = r.json()
    assert inspection["items"][0]["finding"]["zh-CN"] == "配电箱（柜）前 0.8 m 内堆放杂物、可燃物"
    answers = [{"key": i["key"], "answer": "fail" if i["key"] == "stall_heaters" else "pass"}
               for i in inspection["items"]]
    path = f"/api/v1/inspections/{inspection['id']}"
    assert client.post(f"{path}/answers", json={"answers": answers}, headers=inspector).status_code == 200
    done = client.post(f"{path}/complete", json={"signed_by": "李娟"}, headers=inspector).json()
    [hazard_id] = done["hazard_ids"]
    hazard = client.get(f"/api/v1/hazards/{hazard_id}", headers=inspector).json()
    assert hazard["title"] == "摊位内违规使用电炉、电暖器等电热器具" and hazard["severity"] == "major"
    assert hazard["description"].startswith("检查项 ")


def _pdf_text(data: bytes, tmp_path: Path) -> str:
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_the_rectification_notice(client: TestClient[Any], world: World, tmp_path: Path) -> None:
    inspector = world.headers("inspector_heshan")
    client.put(f"/api/v1/attachments/{SHA}", content=PHOTO, headers={**inspector, "Content-Type": "image/jpeg"})
    phone = Device("inspector")
    visit, mutations, _ = _offline_visit(client, world, phone)
    # Before the signature there is no notice yet.
    phone.push(client, inspector, mutations[:-1])
    records, _, _ = pull_all(client, inspector)
    inspection_id = records["inspection", visit]["id"]
    path = f"/api/v1/inspections/{inspection_id}"
    assert client.get(f"{path}/notice", headers=inspector).status_code == 409
    assert client.post(f"{path}/acknowledge", json={"signed_by": "王店主"}, headers=inspector).status_code == 409
    phone.push(client, inspector, mutations[-1:])

    notice = client.get(f"{path}/notice", headers=inspector).json()
    assert notice["site"]["name"] == "site_market" and notice["inspector"] and notice["signed_by"] == "何巡查"
    assert [(f["number"], f["key"]) for f in notice["findings"]] == [(1, "board_clear"), (18, "no_overload")]
    assert notice["findings"][1]["title"] == NOTE and notice["findings"][1]["photos"] == [SHA]
    assert all(f["due_at"] and f["hazard_id"] for f in notice["findings"]) and notice["unit_signed_by"] is None

    # The owner may read the notice of their site; another owner may not know it exists.
    assert client.get(f"{path}/notice", headers=world.headers("owner_1")).status_code == 200
    assert client.get(f"{path}/notice", headers=world.headers("owner_2")).status_code == 404
    assert client.get(f"{path}/notice", params={"format": "doc"}, headers=inspector).status_code == 400

    html = client.get(f"{path}/notice", params={"format": "html"}, headers=inspector)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    for words in ("整改通知书", "配电箱（柜）前 0.8 m 内堆放杂物、可燃物", NOTE, SHA[:8], "签收人："):
        assert words in html.text, words

    # The unit's representative signs on the inspector's phone, offline: it syncs as an inspection transition.
    [signed] = phone.push(client, inspector, [phone.mutation("transition", "inspection", visit,
                                                             {"to": "acknowledged", "signed_by": "王店主"})])
    assert signed["status"] == "applied", signed
    assert client.post(f"{path}/acknowledge", json={"signed_by": "别人"}, headers=inspector).status_code == 409
    assert client.post(f"{path}/acknowledge", json={"signed_by": ""}, headers=inspector).status_code == 400

    pdf = client.get(f"{path}/notice", params={"format": "pdf"}, headers=inspector)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = _pdf_text(pdf.content, tmp_path)
    due = notice["findings"][0]["due_at"]
    due_day = client.get(f"/api/v1/hazards/{notice['findings'][0]['hazard_id']}", headers=inspector).json()["due_at"]
    assert due == due_day
    for words in ("整改通知书", "site_market", "site_market 地址", "堆放杂物", "串接使用", SHA[:8], "何巡查",
                  "王店主", "被检查单位签收"):
        assert words in text, (words, text)
    english = _pdf_text(client.get(f"{path}/notice", params={"format": "pdf", "lang": "en"},
                                   headers=inspector).content, tmp_path)
    assert "Rectification notice" in english and "Things or combustibles stored" in english

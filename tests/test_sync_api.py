"""Sync over HTTP with the real app and a real database: an inspection done offline and pushed, refusals one by
one with the rest applied, replays answered as duplicates, last-writer-wins edits, paged scoped pulls with
tombstones."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from litestar.testing import TestClient

from server.settings import Settings

from . import backends
from .conftest import World
from .sync_helpers import Device, pull_all, resolved

PHOTO = b"\xff\xd8\xff\xe0 jpeg: the distribution box door left open"
SHA = hashlib.sha256(PHOTO).hexdigest()


def _market_keys(client: TestClient[Any], world: World) -> list[str]:
    r = client.get("/api/v1/checklists", params={"site_id": world.sites["site_market"]},
                   headers=world.headers("inspector_heshan"))
    return [i["key"] for i in r.json()[0]["items"]]


def test_an_inspection_done_offline_arrives_whole(client: TestClient[Any], world: World) -> None:
    inspector = world.headers("inspector_heshan")
    assert client.put(f"/api/v1/attachments/{SHA}", content=PHOTO,
                      headers={**inspector, "Content-Type": "image/jpeg"}).status_code == 201
    phone = Device("inspector")
    visit = str(uuid.uuid4())
    keys = _market_keys(client, world)
    mutations = [phone.mutation("create", "inspection", visit, {"site_id": world.sites["site_market"]})]
    for index, key in enumerate(keys):
        failed = index in (3, 17)
        mutations.append(phone.mutation("append", "checklist_answer", str(uuid.uuid4()), {
            "inspection_id": visit, "key": key, "answer": "fail" if failed else "pass",
            "note": "电动车在楼道充电" if failed else "", "attachments": [SHA] if failed else []}))
    mutations.append(phone.mutation("transition", "inspection", visit, {"to": "completed", "signed_by": "何巡查",
                                                                        "summary": "两处隐患"}))
    results = phone.push(client, inspector, mutations)
    assert [r["status"] for r in results] == ["applied"] * 42, results

    records, _, _ = pull_all(client, inspector)
    inspection = records["inspection", visit]
    assert inspection["state"] == "completed" and inspection["signed_by"] == "何巡查"
    assert len(inspection["answers"]) == 40 and len(inspection["hazard_ids"]) == 2
    made = [records["hazard", str(h)] for h in inspection["hazard_ids"]]
    assert all(h["assignee_id"] == world.user_ids["owner_1"] and h["state"] == "assigned" for h in made)
    assert made[0]["events"][0]["attachments"] == [SHA]
    # A pulled record is exactly what the ordinary endpoints answer for it; an inspection's items are those of the
    # checklist copy it names, which the pull sent as its own record.
    got = client.get(f"/api/v1/inspections/{inspection['id']}", headers=inspector).json()
    assert "items" not in inspection and got == resolved(records, inspection)
    assert client.get(f"/api/v1/hazards/{made[0]['id']}", headers=inspector).json() == made[0]
    # The owner sees the hazards made for them, not the inspector's visit to someone else's... their own site.
    owner_records, _, _ = pull_all(client, world.headers("owner_1"))
    assert {k for k in owner_records if k[0] == "hazard"} == {("hazard", str(h)) for h in inspection["hazard_ids"]}


def test_bad_and_forbidden_mutations_are_refused_one_by_one(client: TestClient[Any], world: World) -> None:
    owner = world.headers("owner_1")
    phone = Device("owner")
    market, care = world.sites["site_market"], world.sites["site_care"]
    hazard = str(uuid.uuid4())
    good = phone.mutation("create", "hazard", hazard, {"site_id": market, "title": "插线板串接", "severity": "general"})
    bad_hlc = {**phone.mutation("update", "hazard", hazard, {"title": "x"}), "hlc": "yesterday"}
    no_op = {**phone.mutation("update", "hazard", hazard, {"title": "x"}), "op": "delete"}
    not_a_dict = ["create", "hazard"]
    foreign = phone.mutation("create", "hazard", str(uuid.uuid4()), {"site_id": care, "title": "别人的场所"})
    inspect = phone.mutation("create", "inspection", str(uuid.uuid4()), {"site_id": market})
    assign = phone.mutation("transition", "hazard", hazard, {"to": "assigned",
                                                             "assignee_id": world.user_ids["owner_1"]})
    unknown_field = phone.mutation("update", "hazard", hazard, {"state": "closed"})
    no_photo = phone.mutation("append", "hazard_comment", str(uuid.uuid4()),
                              {"hazard_id": hazard, "text": "照片", "attachments": ["ab" * 32]})
    orphan = phone.mutation("append", "hazard_comment", str(uuid.uuid4()), {"hazard_id": "nope", "text": "?"})
    photo_ref = phone.mutation("append", "attachment_ref", str(uuid.uuid4()), {"sha256": SHA})
    comment = phone.mutation("append", "hazard_comment", str(uuid.uuid4()), {"hazard_id": hazard, "text": "已拔掉"})
    edit = phone.mutation("update", "hazard", hazard, {"description": "二楼走廊"})
    results = phone.push(client, owner, [good, bad_hlc, no_op, not_a_dict, foreign, inspect, assign, unknown_field,
                                         no_photo, orphan, photo_ref, comment, edit])
    statuses = [r["status"] for r in results]
    assert statuses == ["applied"] + ["rejected"] * 10 + ["applied", "applied"], results
    reasons = [r.get("reason", "") for r in results]
    assert reasons[1].startswith("mutations[1].hlc:")
    assert reasons[2].startswith("mutations[2].op:")
    assert reasons[3].startswith("mutations[3]:") and results[3]["mutation_id"] == ""
    assert reasons[4] == f"site {care} not found"
    assert "role owner may not inspect sites" in reasons[5]
    assert "role owner may not move a hazard to assigned" in reasons[6]
    assert reasons[7].startswith("fields.state: not editable")
    assert reasons[8].startswith("fields.attachments[0]: no attachment abababababab")
    assert reasons[9].startswith("fields.hazard_id: no hazard nope")
    assert reasons[10].startswith("op: attachment_ref takes no mutations")
    assert all(r["mutation_id"] == m["mutation_id"] for r, m in zip(results[4:], [foreign, inspect, assign,
               unknown_field, no_photo, orphan, photo_ref, comment, edit], strict=True))

    records, _, _ = pull_all(client, owner)
    made = records["hazard", hazard]
    assert made["title"] == "插线板串接" and made["description"] == "二楼走廊" and made["state"] == "open"
    assert [e["kind"] for e in made["events"]] == ["created", "comment", "edited"]
    # Nothing of a refused mutation is left behind, not even half of it.
    assert ("hazard", foreign["entity_id"]) not in records

    # A body that is not a push at all names its field.
    r = client.post("/api/v1/sync/push", json={"mutations": []}, headers=owner)
    assert r.status_code == 400 and "client_id" in r.text
    r = client.post("/api/v1/sync/push", json={"v": 2, "client_id": "x", "mutations": []}, headers=owner)
    assert r.status_code == 400 and r.json()["extra"]["field"] == "v"
    assert client.post("/api/v1/sync/push", json={"client_id": "x", "mutations": []}).status_code == 401


def test_a_replayed_push_changes_nothing(client: TestClient[Any], world: World) -> None:
    inspector = world.headers("inspector_heshan")
    phone = Device("inspector")
    hazard = str(uuid.uuid4())
    mutations = [
        phone.mutation("create", "hazard", hazard, {"site_id": world.sites["site_market"], "title": "配电箱未上锁"}),
        phone.mutation("append", "hazard_comment", str(uuid.uuid4()), {"hazard_id": hazard, "text": "请加锁"}),
        phone.mutation("transition", "hazard", hazard, {"to": "closed"}),
    ]
    first = phone.push(client, inspector, mutations)
    assert [r["status"] for r in first] == ["applied", "applied", "rejected"]
    before, cursor, _ = pull_all(client, inspector)
    again = phone.push(client, inspector, mutations + mutations[:1])
    assert [(r["status"], r.get("was")) for r in again] == [("duplicate", "applied"), ("duplicate", "applied"),
                                                            ("duplicate", "rejected"), ("duplicate", "applied")]
    assert again[2]["reason"] == first[2]["reason"] and "cannot go to closed" in first[2]["reason"]
    _, _, changes = pull_all(client, inspector, cursor)
    assert changes == []  # nothing changed, so nothing to pull
    assert pull_all(client, inspector)[0] == before
    # The same comment sent again under a new mutation id is still one comment.
    repeat = phone.mutation("append", "hazard_comment", mutations[1]["entity_id"], mutations[1]["fields"])
    assert phone.push(client, inspector, [repeat])[0]["status"] == "applied"
    events = pull_all(client, inspector)[0]["hazard", hazard]["events"]
    assert [e["kind"] for e in events] == ["created", "comment"]


def test_edits_merge_by_field_and_the_newest_stamp_wins(client: TestClient[Any], world: World) -> None:
    inspector, operator = world.headers("inspector_heshan"), world.headers("operator_a")
    r = client.post("/api/v1/hazards", json={"site_id": world.sites["site_market"], "title": "旧标题"},
                    headers=inspector)
    hazard = str(r.json()["id"])
    a, b = Device("a", wall_ms=1_763_856_000_000), Device("b", wall_ms=1_763_856_000_500)
    older = a.mutation("update", "hazard", hazard, {"title": "A 的标题", "description": "A 的描述"})
    newer = b.mutation("update", "hazard", hazard, {"title": "B 的标题", "severity": "major"})
    # The newer edit arrives first; the older one still sets the field nobody else touched.
    assert b.push(client, operator, [newer])[0]["status"] == "applied"
    result = a.push(client, inspector, [older])[0]
    assert result["status"] == "merged" and result["reason"].startswith("fields.title:")
    records, _, _ = pull_all(client, inspector)
    merged = records["hazard", hazard]
    assert (merged["title"], merged["description"], merged["severity"]) == ("B 的标题", "A 的描述", "major")
    # Owners who did not report it may not edit; a closed hazard is not edited.
    refused = Device("o").push(client, world.headers("owner_1"),
                               [Device("o").mutation("update", "hazard", hazard, {"title": "业主改"})])
    assert refused[0]["status"] == "rejected" and "may not edit" in refused[0]["reason"]


def test_answers_to_one_item_keep_the_newest(client: TestClient[Any], world: World) -> None:
    inspector = world.headers("inspector_heshan")
    r = client.post("/api/v1/inspections", json={"site_id": world.sites["site_market"]}, headers=inspector)
    visit, key = str(r.json()["id"]), r.json()["items"][0]["key"]
    a, b = Device("a"), Device("b", wall_ms=1_763_856_009_000)
    late = b.mutation("append", "checklist_answer", str(uuid.uuid4()), {"inspection_id": visit, "key": key,
                                                                         "answer": "fail", "note": "新"})
    early = a.mutation("append", "checklist_answer", str(uuid.uuid4()), {"inspection_id": visit, "key": key,
                                                                          "answer": "pass"})
    assert b.push(client, inspector, [late])[0]["status"] == "applied"
    assert a.push(client, inspector, [early])[0]["status"] == "merged"
    answers = client.get(f"/api/v1/inspections/{visit}", headers=inspector).json()["answers"]
    assert [(x["key"], x["answer"], x["note"]) for x in answers] == [(key, "fail", "新")]


def test_a_clock_far_ahead_is_refused(client: TestClient[Any], world: World) -> None:
    phone = Device("future", wall_ms=1_763_856_000_000 + 3 * 86_400_000)
    m = phone.mutation("create", "hazard", str(uuid.uuid4()), {"site_id": world.sites["site_market"], "title": "x"})
    result = phone.push(client, world.headers("inspector_heshan"), [m])[0]
    assert result["status"] == "rejected" and "clock is 72 hours ahead" in result["reason"]


def test_pull_pages_and_tombstones_when_a_site_leaves_scope(client: TestClient[Any], world: World,
                                                            settings: Settings) -> None:
    inspector = world.headers("inspector_ziyang")
    care = world.sites["site_care"]
    made = [client.post("/api/v1/hazards", json={"site_id": care, "title": f"隐患 {i}"},
                        headers=inspector).json()["id"] for i in range(7)]
    r = client.get("/api/v1/sync/pull", params={"limit": 3}, headers=inspector)
    first = r.json()
    assert len(first["changes"]) == 3 and first["more"] is True
    records, cursor, _ = pull_all(client, inspector, first["cursor"], limit=3)
    assert len(records) == 4
    versions = [c["version"] for c in first["changes"]]
    assert versions == sorted(versions)
    # Changed afterwards: only that one comes again, with a higher version.
    client.post(f"/api/v1/hazards/{made[0]}/comments", json={"text": "已通知"}, headers=inspector)
    again, cursor, changes = pull_all(client, inspector, cursor)
    assert list(again) == [("hazard", str(made[0]))] and changes[0]["version"] > max(versions)

    # The inspector's grid moves away from the care home: its hazards go as tombstones.
    with backends.connect(settings) as db:
        db.execute("UPDATE user_regions SET region_code = '430981' WHERE user_id = ?",
                   [world.user_ids["inspector_ziyang"]])
    _, moved, changes = pull_all(client, inspector, cursor)
    assert sorted((c["entity_id"], c["deleted"], c["fields"]) for c in changes) == \
        sorted((str(h), True, {}) for h in made)
    # And back: everything of the site comes again.
    with backends.connect(settings) as db:
        db.execute("UPDATE user_regions SET region_code = '430902' WHERE user_id = ?",
                   [world.user_ids["inspector_ziyang"]])
    back, _, _ = pull_all(client, inspector, moved)
    assert sorted(back) == sorted(("hazard", str(h)) for h in made)


def test_a_bad_cursor_is_named(client: TestClient[Any], world: World) -> None:
    for cursor in ("garbage", "12-0000000000000000"):
        r = client.get("/api/v1/sync/pull", params={"cursor": cursor}, headers=world.headers("owner_1"))
        assert r.status_code == 400 and r.json()["extra"]["field"] == "cursor", r.text


def test_sync_is_in_the_openapi_document(client: TestClient[Any]) -> None:
    paths = client.get("/schema/openapi.json").json()["paths"]
    assert {"/api/v1/sync/push", "/api/v1/sync/pull"} <= set(paths)


def test_a_run_of_answers_goes_together_but_is_answered_one_by_one(client: TestClient[Any], world: World) -> None:
    inspector = world.headers("inspector_heshan")
    r = client.post("/api/v1/inspections", json={"site_id": world.sites["site_market"]}, headers=inspector)
    visit, keys = str(r.json()["id"]), [i["key"] for i in r.json()["items"]]
    phone = Device("inspector")

    def answer(key: str, value: str = "pass", **extra: Any) -> dict[str, Any]:
        return phone.mutation("append", "checklist_answer", str(uuid.uuid4()),
                              {"inspection_id": visit, "key": key, "answer": value, **extra})

    first = answer(keys[0])
    newer = answer(keys[1], "fail", note="新")
    older = {**answer(keys[1], "pass"), "hlc": first["hlc"]}  # made before `newer`, arrives after it
    run = [first, answer("no_such_item"), newer, older, answer(keys[2], attachments=["cd" * 32]),
           {**answer(keys[3]), "fields": {"inspection_id": visit, "key": keys[3], "answer": "maybe"}}, answer(keys[4]),
           first]
    results = phone.push(client, inspector, run)
    assert [r["status"] for r in results] == ["applied", "rejected", "applied", "merged", "rejected", "rejected",
                                              "applied", "duplicate"], results
    assert results[1]["reason"].startswith("fields.key: no item 'no_such_item'")
    assert results[4]["reason"].startswith("fields.attachments[0]: no attachment cdcdcdcdcdcd")
    assert results[5]["reason"].startswith("fields.answer:")
    given = {a["key"]: (a["answer"], a["note"]) for a in
             client.get(f"/api/v1/inspections/{visit}", headers=inspector).json()["answers"]}
    assert given == {keys[0]: ("pass", ""), keys[1]: ("fail", "新"), keys[4]: ("pass", "")}
    # Signed in the same push, answers after the signature are refused together, with the inspection's reason.
    rest = [answer(k) for k in keys if k not in given]
    sign = phone.mutation("transition", "inspection", visit, {"to": "completed", "signed_by": "何巡查"})
    late = [answer(keys[0], "na"), answer(keys[1], "na")]
    results = phone.push(client, inspector, [*rest, sign, *late])
    assert {r["status"] for r in results[:-2]} == {"applied"}
    assert [r["status"] for r in results[-2:]] == ["rejected", "rejected"]
    assert all("signed and completed" in r["reason"] for r in results[-2:])


def test_an_electricians_pull_carries_exactly_their_hazards(client: TestClient[Any], world: World) -> None:
    """Sync agrees with the hazard API: an electrician's phone gets the hazards assigned to them (with their
    comments and photos) and the inspections of those sites, never the site's other hazards; a hazard assigned to
    someone else leaves the phone as a tombstone; and a push of what they may not do is refused with the reason."""
    operator, electrician = world.headers("operator_a"), world.headers("electrician_a")
    me = world.user_ids["electrician_a"]
    market, hotel, care = world.sites["site_market"], world.sites["site_hotel"], world.sites["site_care"]
    r = client.post("/api/v1/users", headers=world.headers("admin"), json={
        "username": "sparky_2", "password": "correct horse battery staple", "role": "electrician",
        "company_id": world.companies["A"]})
    assert r.status_code == 201, r.text
    other_electrician = r.json()["id"]

    def hazard(site: int, title: str, assignee: int | None) -> int:
        r = client.post("/api/v1/hazards", json={"site_id": site, "title": title}, headers=operator)
        assert r.status_code == 201, r.text
        if assignee is not None:
            r = client.post(f"/api/v1/hazards/{r.json()['id']}/transition", headers=operator,
                            json={"to": "assigned", "assignee_id": assignee})
            assert r.status_code == 200, r.text
        return int(r.json()["id"])

    mine = hazard(market, "插座烧黑", me)
    second = hazard(market, "漏电保护器不动作", me)
    hotel_job = hazard(hotel, "配电箱进水", me)
    not_mine = hazard(market, "电线私拉乱接", other_electrician)
    unassigned = hazard(market, "灭火器过期", None)
    r = client.put(f"/api/v1/attachments/{SHA}", content=PHOTO, headers={**operator, "Content-Type": "image/jpeg"})
    assert r.status_code in (200, 201), r.text
    r = client.post(f"/api/v1/hazards/{not_mine}/comments", json={"text": "照片", "attachments": [SHA]},
                    headers=operator)
    assert r.status_code in (200, 201), r.text
    visit = client.post("/api/v1/inspections", json={"site_id": market}, headers=world.headers("inspector_heshan"))
    elsewhere = client.post("/api/v1/inspections", json={"site_id": care}, headers=world.headers("inspector_ziyang"))
    assert visit.status_code == 201 and elsewhere.status_code == 201, (visit.text, elsewhere.text)

    records, cursor, _ = pull_all(client, electrician)
    # Checklist copies are no site's: every caller gets them (the words GET /api/v1/checklists gives anyone).
    copies = sorted(k for k in records if k[0] == "checklist")
    assert len(copies) == 2
    assert sorted(records) == sorted([("hazard", str(mine)), ("hazard", str(second)), ("hazard", str(hotel_job)),
                                      ("inspection", str(visit.json()["id"])), *copies])
    # The same as the API answers them.
    assert sorted(h["id"] for h in client.get("/api/v1/hazards", headers=electrician).json()) == \
        sorted([mine, second, hotel_job])
    assert [i["id"] for i in client.get("/api/v1/inspections", headers=electrician).json()] == [visit.json()["id"]]
    assert client.get(f"/api/v1/hazards/{mine}", headers=electrician).json() == records["hazard", str(mine)]
    assert SHA not in str(records)
    # Nor is the photo of another electrician's hazard theirs to download, though it is at their site.
    assert client.get(f"/api/v1/attachments/{SHA}", headers=electrician).status_code == 404

    # Another hazard of the same site changes: nothing comes; theirs changes: it comes.
    client.post(f"/api/v1/hazards/{unassigned}/comments", json={"text": "下周更换"}, headers=operator)
    _, cursor, changes = pull_all(client, electrician, cursor)
    assert changes == []
    client.post(f"/api/v1/hazards/{mine}/comments", json={"text": "请带上绝缘手套"}, headers=operator)
    again, cursor, _ = pull_all(client, electrician, cursor)
    assert list(again) == [("hazard", str(mine))]

    # One market hazard goes to the other electrician: a tombstone for it alone (the site is still theirs).
    r = client.post(f"/api/v1/hazards/{mine}/transition", headers=operator,
                    json={"to": "assigned", "assignee_id": other_electrician})
    assert r.status_code == 200, r.text
    _, cursor, changes = pull_all(client, electrician, cursor)
    assert [(c["entity"], c["entity_id"], c["deleted"]) for c in changes] == [("hazard", str(mine), True)]
    # The hotel's goes too: the hotel leaves their sight, with what they had of it and nothing else.
    client.post(f"/api/v1/hazards/{hotel_job}/transition", headers=operator,
                json={"to": "assigned", "assignee_id": other_electrician})
    client.post(f"/api/v1/hazards/{mine}/transition", headers=operator, json={"to": "assigned", "assignee_id": me})
    left, cursor, changes = pull_all(client, electrician, cursor)
    assert sorted((c["entity"], c["entity_id"], c["deleted"]) for c in changes) == \
        sorted([("hazard", str(hotel_job), True), ("hazard", str(mine), False)])
    assert list(left) == [("hazard", str(mine))]
    # Their last market hazard goes: the market leaves, with its inspection and nothing they never had.
    client.post(f"/api/v1/hazards/{second}/transition", headers=operator,
                json={"to": "assigned", "assignee_id": other_electrician})
    client.post(f"/api/v1/hazards/{mine}/transition", headers=operator,
                json={"to": "assigned", "assignee_id": other_electrician})
    _, gone_cursor, changes = pull_all(client, electrician, cursor)
    assert sorted((c["entity"], c["entity_id"], c["deleted"]) for c in changes) == \
        sorted([("hazard", str(mine), True), ("hazard", str(second), True),
                ("inspection", str(visit.json()["id"]), True)])
    assert client.get("/api/v1/hazards", headers=electrician).json() == []
    # And back: the market comes again, with its inspection.
    client.post(f"/api/v1/hazards/{mine}/transition", headers=operator, json={"to": "assigned", "assignee_id": me})
    back, cursor, _ = pull_all(client, electrician, gone_cursor)
    # (a walk from the start, so the checklist copies come again: the device's upsert makes that harmless)
    assert sorted(back) == sorted([("hazard", str(mine)), ("inspection", str(visit.json()["id"])), *copies])

    # A push: what an electrician may not do is refused, with the reason; rectifying their own is applied.
    phone = Device("electrician")
    r = client.put(f"/api/v1/attachments/{SHA}", content=PHOTO,
                   headers={**electrician, "Content-Type": "image/jpeg"})
    assert r.status_code in (200, 201), r.text
    results = phone.push(client, electrician, [
        phone.mutation("transition", "hazard", str(mine), {"to": "assigned", "assignee_id": me}),
        phone.mutation("transition", "hazard", str(not_mine), {"to": "rectified", "attachments": [SHA]}),
        phone.mutation("update", "hazard", str(unassigned), {"title": "改标题"}),
        phone.mutation("transition", "hazard", str(mine), {"to": "rectified", "attachments": [SHA],
                                                           "note": "更换插座"}),
        phone.mutation("transition", "hazard", str(mine), {"to": "verified"}),
        phone.mutation("transition", "hazard", str(mine), {"to": "closed"}),
    ])
    assert [r["status"] for r in results] == ["rejected"] * 3 + ["applied"] + ["rejected"] * 2, results
    reasons = [r.get("reason", "") for r in results]
    assert reasons[0].startswith("role electrician may not move a hazard to assigned"), reasons[0]
    assert reasons[1] == f"hazard {not_mine} not found" and reasons[2] == f"hazard {unassigned} not found", reasons
    assert reasons[4].startswith("role electrician may not move a hazard to verified"), reasons[4]
    assert reasons[5].startswith("a hazard that is rectified cannot go to closed"), reasons[5]
    records, _, _ = pull_all(client, electrician, cursor)
    assert records["hazard", str(mine)]["state"] == "rectified"
    assert client.get(f"/api/v1/hazards/{not_mine}", headers=operator).json()["state"] == "assigned"

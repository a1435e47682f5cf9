"""Dispatch from the console and the electrician role (issue 18, story 4.3), and the owner's request for a remote
power-off (story 1.3): who may do what (403), what they may not see (404), and what is out of turn (409). The real
app on an injected clock, readings through the real ingest (tests/notify_rig.py). The trip that answers a request
runs against simulated breakers in tests/e2e/test_console.py."""

from __future__ import annotations

import hashlib
from typing import Any

from .conftest import PASSWORD, login
from .notify_rig import Rig

PHOTO = b"\xff\xd8\xff\xe0 jpeg of the repaired socket"
SHA = hashlib.sha256(PHOTO).hexdigest()
DAY = 86400.0


def add_electrician(rig: Rig, username: str, company: str) -> int:
    r = rig.client.post("/api/v1/users", headers=rig.world.headers("admin"), json={
        "username": username, "password": PASSWORD, "role": "electrician", "display_name": f"电工 {username}",
        "company_id": rig.world.companies[company]})
    assert r.status_code == 201, r.text
    rig.world.tokens[username] = login(rig.client, username)
    user_id: int = r.json()["id"]
    return user_id


def dispatch(rig: Rig, who: str, alarm_id: int, **body: Any) -> Any:
    return rig.client.post(f"/api/v1/alarms/{alarm_id}/dispatch", json=body, headers=rig.world.headers(who))


def test_an_electrician_needs_a_company_and_the_console_lists_its_electricians(rig: Rig) -> None:
    w = rig.world
    r = rig.client.post("/api/v1/users", headers=w.headers("admin"), json={
        "username": "loose_sparky", "password": PASSWORD, "role": "electrician"})
    assert r.status_code == 400 and "company_id" in r.text
    add_electrician(rig, "sparky_b", "B")
    a, b = w.companies["A"], w.companies["B"]
    r = rig.client.get(f"/api/v1/companies/{a}/electricians", headers=w.headers("operator_a"))
    assert r.status_code == 200 and [e["id"] for e in r.json()] == [w.user_ids["electrician_a"]], r.text
    r = rig.client.get(f"/api/v1/companies/{b}/electricians", headers=w.headers("admin"))
    assert [e["username"] for e in r.json()] == ["sparky_b"]
    assert rig.client.get(f"/api/v1/companies/{b}/electricians", headers=w.headers("operator_a")).status_code == 404
    assert rig.client.get("/api/v1/companies/999999/electricians", headers=w.headers("admin")).status_code == 404
    for who in ("installer_a", "electrician_a"):
        r = rig.client.get(f"/api/v1/companies/{a}/electricians", headers=w.headers(who))
        assert r.status_code == 403, (who, r.text)


def test_an_alarm_dispatched_to_an_electrician_is_all_they_see_and_they_may_only_rectify_it(rig: Rig) -> None:
    w = rig.world
    electrician = w.headers("electrician_a")
    me = w.user_ids["electrician_a"]
    alarm = rig.alarm(rig.device("site_market"))
    care_alarm = rig.alarm(rig.device("site_care"))
    sparky_b = add_electrician(rig, "sparky_b", "B")
    assert rig.client.get("/api/v1/sites", headers=electrician).json() == []
    assert rig.client.get("/api/v1/hazards", headers=electrician).json() == []

    due = rig.clock.now + 2 * DAY
    assert dispatch(rig, "installer_a", alarm["id"], assignee_id=me).status_code == 403
    assert dispatch(rig, "electrician_a", alarm["id"], assignee_id=me).status_code == 404  # not theirs to see
    assert dispatch(rig, "operator_b", alarm["id"], assignee_id=sparky_b).status_code == 404
    assert dispatch(rig, "operator_a", 999999, assignee_id=me).status_code == 404
    for body, field in (({"assignee_id": w.user_ids["installer_a"]}, "assignee_id"),
                        ({"assignee_id": sparky_b}, "assignee_id"),  # another company's electrician
                        ({"assignee_id": me, "due": rig.clock.now - 60}, "due"),
                        ({"due": due}, "assignee_id")):
        r = dispatch(rig, "operator_a", alarm["id"], **body)
        assert r.status_code == 400 and field in r.text, (body, r.text)
    assert dispatch(rig, "operator_b", care_alarm["id"], assignee_id=me).status_code == 400

    r = dispatch(rig, "operator_a", alarm["id"], assignee_id=me, due=due, note="请今天上午到场")
    assert r.status_code == 200, r.text
    hazard = r.json()
    assert (hazard["state"], hazard["assignee_id"], hazard["alarm_id"], hazard["source"]) == \
        ("assigned", me, alarm["id"], "alarm")
    assert hazard["due_at"] == due and "请今天上午到场" in hazard["description"]
    # Dispatching the same alarm again reuses its hazard (a reassignment keeps one record of the fault).
    again = dispatch(rig, "operator_a", alarm["id"], assignee_id=me, due=due + DAY)
    assert again.status_code == 200 and again.json()["id"] == hazard["id"] and again.json()["due_at"] == due + DAY

    # What the electrician now sees: the site and that hazard, not the site's other hazards.
    other = rig.client.post("/api/v1/hazards", headers=w.headers("operator_a"), json={
        "site_id": w.sites["site_market"], "title": "配电箱无防护门"}).json()
    assert [s["id"] for s in rig.client.get("/api/v1/sites", headers=electrician).json()] == [w.sites["site_market"]]
    assert [h["id"] for h in rig.client.get("/api/v1/hazards", headers=electrician).json()] == [hazard["id"]]
    assert [h["id"] for h in rig.client.get("/api/v1/hazards?mine=true", headers=electrician).json()] == \
        [hazard["id"]]
    assert rig.client.get(f"/api/v1/hazards/{other['id']}", headers=electrician).status_code == 404
    assert rig.client.get(f"/api/v1/alarms/{care_alarm['id']}", headers=electrician).status_code == 404

    # What they may not do: assign, acknowledge, switch breakers, dispatch.
    path = f"/api/v1/hazards/{hazard['id']}/transition"
    r = rig.client.post(path, json={"to": "assigned", "assignee_id": me}, headers=electrician)
    assert r.status_code == 403, r.text
    assert rig.client.post(f"/api/v1/alarms/{alarm['id']}/ack", headers=electrician).status_code == 403
    r = rig.client.post(f"/api/v1/devices/{alarm['device_id']}/control", headers=electrician,
                        json={"action": "trip", "reason": "现场检修需要"})
    assert r.status_code == 403, r.text
    # What they do: rectify with a photo; and they never verify or close it.
    r = rig.client.put(f"/api/v1/attachments/{SHA}", content=PHOTO,
                       headers={**electrician, "Content-Type": "image/jpeg"})
    assert r.status_code == 201, r.text
    assert rig.client.post(path, json={"to": "rectified"}, headers=electrician).status_code == 400  # no photo
    r = rig.client.post(path, json={"to": "rectified", "attachments": [SHA], "note": "更换插座"}, headers=electrician)
    assert r.status_code == 200 and r.json()["state"] == "rectified", r.text
    assert rig.client.post(path, json={"to": "verified"}, headers=electrician).status_code == 403
    r = rig.client.post(path, json={"to": "verified"}, headers=w.headers("operator_a"))
    assert r.status_code == 200, r.text
    assert rig.client.post(path, json={"to": "closed"}, headers=electrician).status_code == 403
    # A hazard past its repair is not dispatched again.
    assert dispatch(rig, "operator_a", alarm["id"], assignee_id=me).status_code == 409


def test_a_self_test_alarm_is_not_dispatched(rig: Rig) -> None:
    from .test_console_api import self_test_alarm

    alarm = self_test_alarm(rig, rig.device("site_market"))
    r = dispatch(rig, "operator_a", alarm["id"], assignee_id=rig.world.user_ids["electrician_a"])
    assert r.status_code == 409 and "自检" in r.text


def requests_of(rig: Rig, who: str, alarm_id: int) -> list[dict[str, Any]]:
    r = rig.client.get(f"/api/v1/alarms/{alarm_id}/power-off-requests", headers=rig.world.headers(who))
    assert r.status_code == 200, r.text
    found: list[dict[str, Any]] = r.json()
    return found


def test_the_owners_power_off_request_waits_for_the_operator_who_may_decline_it(rig: Rig) -> None:
    w = rig.world
    alarm = rig.alarm(rig.device("site_market"))
    path = f"/api/v1/alarms/{alarm['id']}/power-off-requests"
    assert rig.client.post(path, json={"reason": "店里没人"}, headers=w.headers("owner_2")).status_code == 404
    for who in ("operator_a", "installer_a", "inspector_heshan"):
        assert rig.client.post(path, json={}, headers=w.headers(who)).status_code == 403, who
    r = rig.client.post(path, json={"reason": "店里没人，请远程断电"}, headers=w.headers("owner_1"))
    assert r.status_code == 201, r.text
    request = r.json()
    assert (request["state"], request["alarm_id"]) == ("pending", alarm["id"])
    assert request["reason"] == "店里没人，请远程断电"
    assert request["device_id"] == alarm["device_id"] and request["site_name"] == "site_market"
    r = rig.client.post(path, json={}, headers=w.headers("owner_1"))
    assert r.status_code == 409 and str(request["id"]) in r.text  # one waits already

    # The console sees it pending; another company's operator does not.
    def pending(who: str) -> list[int]:
        r = rig.client.get("/api/v1/power-off-requests?state=pending", headers=w.headers(who))
        assert r.status_code == 200, r.text
        return [x["id"] for x in r.json()]

    assert pending("operator_a") == [request["id"]] and pending("operator_b") == []
    assert requests_of(rig, "owner_1", alarm["id"])[0]["state"] == "pending"
    assert rig.client.get(path, headers=w.headers("owner_2")).status_code == 404

    answer = f"/api/v1/power-off-requests/{request['id']}"
    trip = {"reason": "业主申请，远程分闸"}
    assert rig.client.post(f"{answer}/confirm", json=trip, headers=w.headers("owner_1")).status_code == 403
    assert rig.client.post(f"{answer}/confirm", json=trip, headers=w.headers("admin")).status_code == 403
    assert rig.client.post(f"{answer}/confirm", json=trip, headers=w.headers("operator_b")).status_code == 404
    assert rig.client.post("/api/v1/power-off-requests/999999/decline", json={"note": "x"},
                           headers=w.headers("operator_a")).status_code == 404
    # This breaker reports over HTTP and has no remote control: 409 saying so, and the request still waits.
    r = rig.client.post(f"{answer}/confirm", json=trip, headers=w.headers("operator_a"))
    assert r.status_code == 409 and "cannot trip remotely" in r.text, r.text
    assert requests_of(rig, "owner_1", alarm["id"])[0]["state"] == "pending"

    r = rig.client.post(f"{answer}/decline", json={"note": ""}, headers=w.headers("operator_a"))
    assert r.status_code == 400 and "note" in r.text
    r = rig.client.post(f"{answer}/decline", json={"note": "电工已在路上，十分钟到场"}, headers=w.headers("operator_a"))
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["decided_by"]) == ("declined", "operator_a")
    assert rig.client.post(f"{answer}/decline", json={"note": "再说一次"},
                           headers=w.headers("operator_a")).status_code == 409
    assert rig.client.post(f"{answer}/confirm", json=trip, headers=w.headers("operator_a")).status_code == 409
    [seen] = requests_of(rig, "owner_1", alarm["id"])
    assert (seen["state"], seen["decision_note"]) == ("declined", "电工已在路上，十分钟到场")
    # Answered, the owner may ask again.
    assert rig.client.post(path, json={"reason": "还是冒烟"}, headers=w.headers("owner_1")).status_code == 201


def test_a_self_test_alarm_gets_no_power_off_request(rig: Rig) -> None:
    from .test_console_api import self_test_alarm

    alarm = self_test_alarm(rig, rig.device("site_market"))
    r = rig.client.post(f"/api/v1/alarms/{alarm['id']}/power-off-requests", json={},
                        headers=rig.world.headers("owner_1"))
    assert r.status_code == 409 and "自检" in r.text

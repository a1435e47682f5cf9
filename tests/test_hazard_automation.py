"""Hazards that time makes (from alarms by the site's rules, overdue notices) and the messages hazards send,
on an injected clock with the sender stepped by hand, to a real HTTP receiver."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from server.hazards import automation
from server.hazards.service import announcer

from .notify_rig import Rig

MINUTE = 60.0
PHOTO = b"\xff\xd8\xff\xe0 jpeg of a new socket"
SHA = hashlib.sha256(PHOTO).hexdigest()




def run_rules(rig: Rig) -> int:
    ctx = rig.client.app.state["andian"]
    made: int = rig.client.blocking_portal.call(
        ctx.db.write, lambda conn: automation.run(conn, announcer(ctx), rig.clock.now))
    return made


def hazards_of(rig: Rig, who: str = "admin") -> list[dict[str, Any]]:
    r = rig.client.get("/api/v1/hazards", headers=rig.world.headers(who))
    assert r.status_code == 200, r.text
    result: list[dict[str, Any]] = r.json()
    return result


def test_an_alarm_uncleared_for_30_minutes_becomes_the_owners_hazard(rig: Rig) -> None:
    rig.subscribe("owner_1", "owner", levels=["hazard"])
    device = rig.device()
    alarm = rig.alarm(device)
    started = alarm["started_at"]
    rig.clock.now = started + 29 * MINUTE
    assert run_rules(rig) == 0 and hazards_of(rig) == []
    rig.clock.now = started + 30 * MINUTE
    assert run_rules(rig) == 1
    assert run_rules(rig) == 0  # once per alarm
    [hazard] = hazards_of(rig, "owner_1")
    assert hazard["source"] == "alarm" and hazard["alarm_id"] == alarm["id"] and hazard["severity"] == "major"
    assert hazard["state"] == "assigned" and hazard["assignee_id"] == rig.world.user_ids["owner_1"]
    assert hazard["title"] == f"{device.serial}漏电流报警" and hazard["created_by"] is None
    assert hazard["due_at"] == pytest.approx(rig.clock.now + 3 * 86400)
    rig.step()
    [message] = rig.got("owner")
    assert message.startswith(f"【重大隐患】site_market {device.serial}漏电流报警")
    assert "指派给您整改" in message and f"/hazards/{hazard['id']}" in message


def test_site_rules_decide(rig: Rig) -> None:
    site = rig.world.sites["site_market"]
    path = f"/api/v1/sites/{site}/hazard-rules"
    assert rig.client.get(path, headers=rig.world.headers("owner_1")).json() == {
        "alarm_uncleared_min": 30, "arc_always": True, "trip_always": True}
    assert rig.client.put(path, json={"alarm_uncleared_min": 5, "arc_always": False},
                          headers=rig.world.headers("owner_1")).status_code == 403
    r = rig.client.put(path, json={"alarm_uncleared_min": 5, "arc_always": False},
                       headers=rig.world.headers("operator_a"))
    assert r.status_code == 200, r.text
    alarm = rig.alarm(rig.device())
    rig.clock.now = alarm["started_at"] + 5 * MINUTE
    assert run_rules(rig) == 1
    r = rig.client.put(path, json={"alarm_uncleared_min": None, "arc_always": False},
                       headers=rig.world.headers("admin"))
    assert r.status_code == 200
    rig.alarm(rig.device())
    rig.clock.advance(10 * 3600)
    assert run_rules(rig) == 0


def test_overdue_hazards_are_announced_once(rig: Rig) -> None:
    rig.subscribe("owner_1", "owner", levels=["hazard"])
    rig.subscribe("installer_a", "installer", levels=["hazard"])
    r = rig.client.post("/api/v1/hazards", headers=rig.world.headers("inspector_heshan"), json={
        "site_id": rig.world.sites["site_market"], "title": "插座面板破损", "severity": "general",
        "assignee_id": rig.world.user_ids["installer_a"], "due": rig.clock.now + 2 * 86400})
    assert r.status_code == 201, r.text
    hazard_id = r.json()["id"]
    rig.step()
    assert "指派给您整改" in rig.got("installer")[0]
    assert "已指派给" in rig.got("owner")[0]
    rig.clock.advance(2 * 86400 + 1)
    assert run_rules(rig) == 1 and run_rules(rig) == 0
    rig.step()
    assert "已超过整改期限" in rig.got("installer")[1] and "已超过整改期限" in rig.got("owner")[1]
    listed = rig.client.get("/api/v1/hazards", params={"overdue": "true"}, headers=rig.world.headers("owner_1"))
    assert [h["id"] for h in listed.json()] == [hazard_id] and listed.json()[0]["overdue"] is True
    kinds = [e["kind"] for e in rig.client.get(f"/api/v1/hazards/{hazard_id}",
                                               headers=rig.world.headers("owner_1")).json()["events"]]
    assert kinds == ["created", "assigned", "overdue"]


def test_the_loop_tells_each_party_its_part(rig: Rig) -> None:
    for who in ("owner_1", "installer_a", "inspector_heshan", "operator_a"):
        rig.subscribe(who, who, levels=["hazard"])
    r = rig.client.put(f"/api/v1/attachments/{SHA}", content=PHOTO,
                       headers={**rig.world.headers("installer_a"), "Content-Type": "image/jpeg"})
    assert r.status_code == 201
    hazard = rig.client.post("/api/v1/hazards", headers=rig.world.headers("inspector_heshan"), json={
        "site_id": rig.world.sites["site_market"], "title": "配电箱内线头裸露",
        "assignee_id": rig.world.user_ids["installer_a"]}).json()
    path = f"/api/v1/hazards/{hazard['id']}"
    rig.client.post(f"{path}/comments", json={"text": "明天上午处理"}, headers=rig.world.headers("installer_a"))
    rig.client.post(f"{path}/transition", json={"to": "rectified", "attachments": [SHA]},
                    headers=rig.world.headers("installer_a"))
    rig.client.post(f"{path}/transition", json={"to": "rejected", "note": "仍有一处线头未包扎。"},
                    headers=rig.world.headers("inspector_heshan"))
    rig.step()
    installer = rig.got("installer_a")
    # Both messages of the round are sent at once, so they may arrive in either order.
    assert sorted(m.split("\n")[1][:6] for m in installer) == ["指派给您整改", "验收未通过（"]
    inspector = rig.got("inspector_heshan")  # found it: hears of the comment and of the rectification
    assert sorted(m.split("\n")[1] for m in inspector) == [
        "installer_a 已完成整改，请验收。", "installer_a：明天上午处理"]
    assert any("：明天上午处理" in m for m in rig.got("owner_1"))
    assert rig.got("operator_a") == []  # not part of this hazard's thread

"""Forward up (API.md "Site box and cloud"): a site box's alarms, readings, events and commissioning records reach its
cloud — alarms first, each box alarm once with its origin, nothing doubled by a resend, nothing lost by an outage
(past the backlog limit the oldest raw readings give way to their minute rollups) — and the cloud watches the box.

Two real apps on their own databases and injected clocks (tests/forward_rig.py), the box's real upstream session
between them; the box's forward rounds are run one by one, except in the test of the loop itself."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import msgspec
import pytest

from server.storage import devices as device_sql
from server.upstream.forward_batch import HELD_RETRY_S
from server.upstream.link import Unreachable

from .conftest import PASSWORD, T0, bearer, login
from .forward_rig import LEAK, QUIET, SERIAL, Pair, add_device, flap, pair
from .receivers import WebhookReceiver, wait_for


def _origins(p: Pair) -> dict[str, dict[str, Any]]:
    return {a["origin"]: a for a in p.cloud_alarms()}


def test_alarms_go_first_and_every_reading_arrives(tmp_path: Path) -> None:
    with pair(tmp_path, upstream_batch_readings=50) as p:
        recorded = flap(p)
        transitions = p.count("box", "SELECT COUNT(*) FROM alarm_transitions")
        assert transitions >= 4  # raised and cleared, twice
        assert p.forward() is True  # more is waiting: the next batch follows at once
        first = msgspec.json.decode(p.wire.sent[0][2])
        assert len(first["alarms"]) == transitions
        assert sum(len(r["ts"]) for r in first["readings"]) == 50
        assert len(p.cloud_alarms()) == 2
        p.drain()
        assert p.count("cloud", "SELECT COALESCE(SUM(n), 0) FROM reading_chunks") == recorded
        assert p.count("box", "SELECT COALESCE(SUM(n), 0) FROM reading_chunks") == recorded


def test_each_box_alarm_is_one_cloud_alarm_with_its_origin(tmp_path: Path) -> None:
    with pair(tmp_path) as p:
        flap(p)
        p.drain()
        box = {f"gateway:{p.gateway_id}/{a['id']}": a for a in p.box_alarms()}
        cloud = _origins(p)
        assert len(box) == 2 and set(cloud) == set(box)  # raise → clear → raise: two alarms, both cleared
        for origin, alarm in cloud.items():
            mine = box[origin]
            assert (alarm["level"], alarm["cause"], alarm["channel"], alarm["device_serial"]) == (
                mine["level"], mine["cause"], mine["channel"], SERIAL)
            assert (alarm["started_at"], alarm["cleared_at"]) == (mine["started_at"], mine["cleared_at"])
        assert p.count("cloud", "SELECT COUNT(*) FROM alarm_transitions") == p.count(
            "box", "SELECT COUNT(*) FROM alarm_transitions")


def test_a_resent_batch_changes_nothing(tmp_path: Path) -> None:
    with pair(tmp_path) as p:
        flap(p)
        p.wire.lose_answers = 1  # the cloud stores the batch; its answer never reaches the box
        with pytest.raises(Unreachable):
            p.forward()
        tables = ("alarms", "alarm_transitions", "notify_outbox", "reading_chunks", "events", "ingest_batches")
        before = {t: p.count("cloud", f"SELECT COUNT(*) FROM {t}") for t in tables}
        assert before["alarms"] == 2
        p.forward()  # the same batch again (as after a restart: it is kept in the box's database)
        assert p.wire.sent[0][2] == p.wire.sent[1][2]
        assert {t: p.count("cloud", f"SELECT COUNT(*) FROM {t}") for t in tables} == before
        assert p.count("box", "SELECT COUNT(*) FROM upstream_pending") == 0
        assert p.drain() == 1  # and the cursors moved past it


def test_the_cloud_raises_no_alarm_of_its_own_and_watches_the_box(tmp_path: Path) -> None:
    with pair(tmp_path) as p:
        flap(p)
        p.drain()
        heartbeat = p.cloud_ctx.settings.upstream_heartbeat_s
        p.cloud_clock.advance(2 * heartbeat)
        p.cloud_tick()
        assert all(a["origin"] for a in p.cloud_alarms())  # the leak's readings raised nothing at the cloud
        p.cloud_clock.advance(heartbeat + 1)  # three heartbeats without a word from the box
        p.cloud_tick()
        own = [a for a in p.cloud_alarms() if a["origin"] is None]
        assert [(a["level"], a["device_serial"], a["site_id"], a["cleared_at"]) for a in own] == [
            ("offline", f"gateway:{p.gateway_id}", p.cloud_site_id, None)]
        p.cloud_clock.advance(6 * 3600)  # hours of silence: still only the box is offline, not its devices
        p.cloud_tick()
        assert len([a for a in p.cloud_alarms() if a["origin"] is None]) == 1
        p.record(60, QUIET)
        p.box_clock.advance(30)
        p.forward()  # the box speaks again
        offline = next(a for a in p.cloud_alarms() if a["origin"] is None)
        assert offline["cleared_at"] is not None


def test_the_owner_is_told_by_the_cloud_and_not_of_a_test_alarm(tmp_path: Path, hooks: WebhookReceiver) -> None:
    with pair(tmp_path) as p:
        owner = bearer(login(p.cloud, "owner_1"))
        r = p.cloud.post("/api/v1/me/subscriptions", json={"url": hooks.url("owner")}, headers=owner)
        assert r.status_code == 201, r.text
        p.record(60, QUIET)
        p.record(60, LEAK)
        p.box_clock.advance(30)
        p.drain()
        p.step_sender()
        assert len(hooks.accepted("owner")) == 1
        # A self-test at the box: its alarm is a test alarm, forwarded as one, and nobody is told.
        p.record(120, QUIET)
        p.ingest([], [{"device": SERIAL, "kind": "self_test", "ts": p.box_clock.now, "count": 1}])
        p.record(30, LEAK)
        p.box_clock.advance(30)
        p.drain()
        tests = [a for a in p.cloud_alarms() if a["test"]]
        assert len(tests) == 1 and tests[0]["origin"]
        p.step_sender()
        messages = hooks.accepted("owner")
        assert len(messages) == 2  # the first alarm's raising and its clearing: nothing for the test alarm
        assert all(f"#{tests[0]['id']}" not in m.message for m in messages)


def test_past_the_backlog_limit_the_oldest_readings_go_up_as_rollups(tmp_path: Path) -> None:
    with pair(tmp_path, upstream_backlog_max_readings=300, upstream_batch_readings=100) as p:
        p.wire.down = True  # the cloud is away for four hours
        recorded = 0
        for _ in range(4):
            recorded += p.record(1800, QUIET) + p.record(60, LEAK) + p.record(1740, QUIET)
        p.box_clock.advance(300)
        p.roll_up()
        dropped = p.trim()  # what a forward round does at most once a minute
        assert dropped > recorded - 300 - 600  # all but the limit and the buckets not rolled up yet
        assert dropped % 120 == 0  # whole buckets: 10 minutes of two channels every 10 s
        with pytest.raises(Unreachable):
            p.forward()
        kept = p.count("box", "SELECT COALESCE(SUM(n), 0) FROM reading_chunks")
        assert kept == recorded - dropped
        p.wire.down = False
        p.drain()
        assert p.count("cloud", "SELECT COALESCE(SUM(n), 0) FROM reading_chunks") == kept
        ranges = "EXISTS (SELECT 1 FROM upstream_dropped d WHERE m.start >= d.start AND m.start < d.end)"
        box_minutes = p.count("box", f"SELECT COUNT(*) FROM readings_minute m WHERE {ranges}")
        assert box_minutes > 0
        # The cloud's minute rows are the box's: the same count and sums, per channel key.
        assert p.count("cloud", "SELECT COUNT(*) FROM readings_minute") == box_minutes
        assert p.count("cloud", "SELECT SUM(n) FROM readings_minute") == dropped
        box_ids = {f"gateway:{p.gateway_id}/{a['id']}" for a in p.box_alarms()}
        assert len(box_ids) == 4 and set(_origins(p)) == box_ids  # every alarm, once


def test_late_readings_go_up_again(tmp_path: Path) -> None:
    with pair(tmp_path) as p:
        recorded = p.record(1800, QUIET)
        p.box_clock.advance(30)
        p.drain()
        # A device's buffered history from half an hour ago arrives: behind the forward cursor.
        recorded += p.record(900, QUIET, start=T0 + 5)
        assert p.count("box", "SELECT COUNT(*) FROM upstream_late") == 2  # its two 10-minute buckets
        p.drain()
        assert p.count("cloud", "SELECT COALESCE(SUM(n), 0) FROM reading_chunks") == recorded
        assert p.count("box", "SELECT COUNT(*) FROM upstream_late") == 0


def test_the_console_sees_a_box_catching_up(tmp_path: Path) -> None:
    with pair(tmp_path, upstream_batch_readings=20) as p:
        recorded = p.record(600, QUIET)
        p.box_clock.advance(30)
        assert p.forward() is True
        r = p.cloud.get(f"/api/v1/gateways/{p.gateway_id}", headers=p.cloud_admin)
        assert r.status_code == 200, r.text
        assert r.json()["backlog"]["readings"] == recorded - 20
        operator = bearer(login(p.cloud, "operator_1"))
        r = p.cloud.get("/api/v1/gateways/catching-up", headers=operator)
        assert r.status_code == 200, r.text
        assert [(b["id"], b["site_id"], b["backlog"]["readings"]) for b in r.json()] == [
            (p.gateway_id, p.cloud_site_id, recorded - 20)]
        owner = bearer(login(p.cloud, "owner_1"))
        assert p.cloud.get("/api/v1/gateways/catching-up", headers=owner).status_code == 403
        p.drain()
        r = p.cloud.get(f"/api/v1/gateways/{p.gateway_id}", headers=p.cloud_admin)
        assert set(r.json()["backlog"].values()) == {0}
        assert p.cloud.get("/api/v1/gateways/catching-up", headers=operator).json() == []


def test_a_device_the_cloud_does_not_know_yet_is_sent_again_later(tmp_path: Path) -> None:
    with pair(tmp_path) as p:
        add_device(p.box, p.box_admin, p.box_site_id, "SN-NEW")
        recorded = p.record(60, LEAK, serial="SN-NEW")
        p.box_clock.advance(30)
        p.drain()
        assert p.cloud_alarms() == []
        assert p.count("box", "SELECT COUNT(*) FROM upstream_held") >= 2  # the alarm's and the readings
        add_device(p.cloud, p.cloud_admin, p.cloud_site_id, "SN-NEW")  # the mirror's work, done by hand here
        p.box_clock.advance(HELD_RETRY_S)
        p.drain()
        assert [a["device_serial"] for a in p.cloud_alarms()] == ["SN-NEW"]
        assert p.count("cloud", "SELECT COALESCE(SUM(n), 0) FROM reading_chunks") == recorded
        assert p.count("box", "SELECT COUNT(*) FROM upstream_held") == 0


def test_a_commissioning_goes_up_with_its_photo(tmp_path: Path) -> None:
    with pair(tmp_path) as p:
        photo = b"\xff\xd8\xff\xe0 the breaker as installed"
        sha = hashlib.sha256(photo).hexdigest()
        r = p.box.put(f"/api/v1/attachments/{sha}", content=photo,
                      headers={**p.box_admin, "Content-Type": "image/jpeg"})
        assert r.status_code == 201, r.text
        ctx = p.box_ctx

        def commission(conn: Any) -> int:
            device = device_sql.device_by_serial(conn, SERIAL)
            assert device is not None
            made = device_sql.insert_commissioning(conn, {
                "site_id": p.box_site_id, "address": "AA:BB:CC:DD:EE:01", "model": "AD-SB63",
                "steps": [{"step": "identify", "status": "done"}], "created_by": 1, "created_at": T0})
            device_sql.update_commissioning(conn, made, device_id=device["id"], signed_by="张师傅", signature=sha,
                                            answers={"version": 1, "items": [
                                                {"key": "label", "answer": "pass", "attachments": [sha]}]})
            return made

        box_id = p.box.blocking_portal.call(ctx.db.write, commission)
        p.drain()
        origin = f"gateway:{p.gateway_id}/{box_id}"
        assert p.count("cloud", "SELECT COUNT(*) FROM commissionings WHERE origin = ? AND signature = ?",
                       origin, sha) == 1
        operator = bearer(login(p.cloud, "operator_1"))  # sees the site, so the record's photo too
        r = p.cloud.get(f"/api/v1/attachments/{sha}", headers=operator)
        assert r.status_code == 200 and r.content == photo
        p.box.blocking_portal.call(ctx.db.write, lambda conn: device_sql.update_commissioning(
            conn, box_id, state="commissioned", completed_at=T0 + 60))
        p.drain()
        assert p.count("cloud", "SELECT COUNT(*) FROM commissionings WHERE origin = ? AND state = 'commissioned'",
                       origin) == 1
        assert p.count("cloud", "SELECT COUNT(*) FROM commissionings") == 1


def test_only_a_site_box_may_forward(tmp_path: Path) -> None:
    with pair(tmp_path) as p:
        body = {"batch_id": "user-batch-1", "readings": []}
        for who in (p.cloud_admin, bearer(login(p.cloud, "operator_1"))):
            r = p.cloud.post("/api/v1/upstream/forward", json=body, headers=who)
            assert r.status_code == 403, r.text
            assert "gateway key" in r.json()["detail"]
        r = p.cloud.put(f"/api/v1/upstream/attachments/{'0' * 64}", json={"content_type": "image/jpeg", "data": ""},
                        headers=p.cloud_admin)
        assert r.status_code == 403, r.text
        r = p.cloud.post("/api/v1/upstream/forward", json=body, headers={"Authorization": f"Bearer {PASSWORD}"})
        assert r.status_code == 401, r.text


def test_the_paired_box_forwards_by_itself(tmp_path: Path) -> None:
    with pair(tmp_path, paired=True) as p:
        p.record(60, QUIET)
        p.record(60, LEAK)
        alarms = wait_for(p.cloud_alarms, what="the box's alarm in the cloud")
        assert [a["origin"] for a in alarms] == [f"gateway:{p.gateway_id}/{p.box_alarms()[0]['id']}"]

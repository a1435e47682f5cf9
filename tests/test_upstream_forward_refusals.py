"""Forward up when something is refused: another box database under the same gateway key, a reused alarm number,
alarms the cloud keeps refusing, a batch too large or not understood, commissioning records the cloud could not show
or that cite files the box did not upload — and the cloud's own offline alarm when a box takes a device over.

The same rig as tests/test_upstream_forward.py: two real apps on their own databases and injected clocks."""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import pytest

from server.upstream.forward_batch import ALARMS_PER_BATCH, HELD_RETRY_S, HELD_SHARE
from server.upstream.link import Refused, Unreachable

from .conftest import T0, bearer, login
from .forward_rig import LEAK, QUIET, SERIAL, Pair, add_device, flap, pair


def _box_sql(p: Pair, statement: str, *args: Any) -> None:
    ctx = p.box_ctx
    p.box.blocking_portal.call(ctx.db.write, lambda conn: conn.execute(statement, args))


def _edit_pending(p: Pair, change: Callable[[dict[str, Any]], None]) -> None:
    """The box's pending batch, changed in place (as a box of another version might have built it)."""
    def edit(conn: Any) -> None:
        body = msgspec.json.decode(conn.execute("SELECT body FROM upstream_pending").fetchone()[0])
        change(body)
        conn.execute("UPDATE upstream_pending SET body = ?", [msgspec.json.encode(body)])
    p.box.blocking_portal.call(p.box_ctx.db.write, edit)


def _send(p: Pair, body: dict[str, Any]) -> dict[str, Any]:
    """A batch sent to the cloud with the box's gateway key, as a box would."""
    r = p.cloud.post("/api/v1/upstream/forward", json={"batch_id": uuid.uuid4().hex, **body},
                     headers={"Authorization": f"Bearer {p.key}"})
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_another_box_database_under_the_same_key_is_refused_and_keeps_its_data(tmp_path: Path) -> None:
    with pair(tmp_path) as p:
        flap(p)
        p.drain()
        alarms = len(p.cloud_alarms())
        readings = p.count("cloud", "SELECT COALESCE(SUM(n), 0) FROM reading_chunks")
        # The SD card was replaced: a new database (its own instance id) under the same gateway key.
        _box_sql(p, "UPDATE upstream_box SET box_id = ?", uuid.uuid4().hex)
        p.record(60, LEAK)
        p.box_clock.advance(30)
        with pytest.raises(Refused) as refused:
            p.forward()
        assert refused.value.status == 409
        assert "another box database" in refused.value.detail
        assert f"POST /api/v1/sites/{p.cloud_site_id}/gateways" in refused.value.detail
        assert p.count("box", "SELECT COUNT(*) FROM upstream_pending") == 1  # kept for a new key
        assert len(p.cloud_alarms()) == alarms
        assert p.count("cloud", "SELECT COALESCE(SUM(n), 0) FROM reading_chunks") == readings


def test_a_reused_box_alarm_number_is_rejected_and_an_exact_resend_is_not(tmp_path: Path) -> None:
    with pair(tmp_path) as p:
        p.record(60, QUIET)
        p.record(60, LEAK)
        p.record(60, QUIET)
        p.box_clock.advance(30)
        p.drain()
        sent = msgspec.json.decode(p.wire.sent[0][2])["alarms"]
        raised, cleared = sent[0], sent[-1]
        assert (raised["transition"], cleared["transition"]) == ("raised", "cleared")
        again = _send(p, {"alarms": [raised, cleared]})  # the same transitions in another batch
        assert again["rejected"] == [] and again["accepted"] == 2
        anew = {**raised, "seq": cleared["seq"] + 5, "ts": raised["ts"] + 900, "started_at": raised["ts"] + 900}
        older = {**cleared, "ts": cleared["ts"] + 300}
        answer = _send(p, {"alarms": [anew, older]})
        assert [(r["index"], "reused" in r["error"]) for r in answer["rejected"]] == [(0, True), (1, True)]
        assert answer["accepted"] == 0
        assert len(p.cloud_alarms()) == 1 and p.cloud_alarms()[0]["cleared_at"] is not None


def test_held_alarms_take_a_share_of_a_batch_and_wait_their_turn(tmp_path: Path) -> None:
    with pair(tmp_path) as p:
        add_device(p.box, p.box_admin, p.box_site_id, "SN-NEW")  # the cloud never hears of it
        p.record(60, LEAK, serial="SN-NEW")
        p.box_clock.advance(30)
        p.drain()
        held = p.count("box", "SELECT COUNT(*) FROM upstream_held WHERE stream = 'alarms'")
        assert held == 1
        copies = ALARMS_PER_BATCH // HELD_SHARE + 100
        _box_sql(p, "INSERT INTO upstream_held (stream, item, size, error, held_at, tried_at) WITH RECURSIVE "
                    "n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) SELECT h.stream, h.item, h.size, "
                    "h.error, h.held_at, h.tried_at FROM upstream_held h, n WHERE h.stream = 'alarms'", copies - 1)
        p.box_clock.advance(HELD_RETRY_S)
        p.record(60, LEAK)  # a new alarm of a device the cloud knows
        p.box_clock.advance(30)
        before = len(p.wire.sent)
        p.drain()
        first = msgspec.json.decode(p.wire.sent[before][2])
        assert [a["device"] for a in first["alarms"]].count("SN-NEW") == ALARMS_PER_BATCH // HELD_SHARE
        assert SERIAL in [a["device"] for a in first["alarms"]]  # the held share, and room for the new one
        assert first["backlog"]["alarms"] == copies  # held items counted, none dropped
        assert [a["device_serial"] for a in p.cloud_alarms()] == [SERIAL]
        assert p.count("box", "SELECT COUNT(*) FROM upstream_held WHERE stream = 'alarms'") == copies
        # Only held items due (the rest of them): one batch, not full, and none again before HELD_RETRY_S.
        sent = len(p.wire.sent)
        assert p.forward() is False
        assert p.forward() is False
        assert len(p.wire.sent) == sent + 1


def test_a_batch_the_cloud_refuses_is_built_again_smaller(tmp_path: Path) -> None:
    with pair(tmp_path, upstream_batch_readings=100) as p:
        recorded = flap(p)
        p.wire.down = True
        with pytest.raises(Unreachable):
            p.forward()  # the batch is pending now
        p.wire.down = False
        # What the cloud cannot take (413: over its body limit), as a newer box's batch might be.
        padding = {"device": SERIAL, "channel": "current_a", "ts": [T0] * 700_000, "value": [5.0] * 700_000}
        _edit_pending(p, lambda body: body["readings"].append(padding))
        assert p.forward() is True  # refused (413): dropped, to be built again smaller at once
        assert msgspec.json.decode(p.wire.sent[-1][2])["readings"][-1]["ts"][:1] == [T0]  # it was the big one
        assert p.count("box", "SELECT COUNT(*) FROM upstream_pending") == 0  # never sent as it is again
        p.forward()
        smaller = msgspec.json.decode(p.wire.sent[-1][2])
        assert smaller["alarms"] and not smaller["readings"]  # alarms alone first
        p.drain()
        assert p.count("cloud", "SELECT COALESCE(SUM(n), 0) FROM reading_chunks") == recorded
        assert len(p.cloud_alarms()) == 2


def test_a_single_item_the_cloud_refuses_is_held(tmp_path: Path) -> None:
    with pair(tmp_path) as p:
        p.record(60, LEAK)
        p.box_clock.advance(30)
        p.wire.down = True
        with pytest.raises(Unreachable):
            p.forward()
        p.wire.down = False
        body = msgspec.json.decode(p.wire.sent[-1][2]) if p.wire.sent else None
        assert body is None  # the wire was cut before anything was sent
        _edit_pending(p, lambda body: body.update(readings=[],
                                                  alarms=[{**body["alarms"][0], "cause": "x" * 9_000_000}]))
        with pytest.raises(Refused):
            p.forward()
        assert p.count("box", "SELECT COUNT(*) FROM upstream_held WHERE stream = 'alarms' AND error LIKE "
                              "'%refused the batch (413%'") == 1
        assert p.count("box", "SELECT COUNT(*) FROM upstream_pending") == 0
        p.record(60, QUIET)
        p.box_clock.advance(30)
        p.drain()  # forwarding goes on
        assert p.count("cloud", "SELECT COALESCE(SUM(n), 0) FROM reading_chunks") > 0


def _commissioning(**changes: Any) -> dict[str, Any]:
    return {"id": 7, "address": "AA:BB:CC:DD:EE:07", "model": "AD-SB63", "device": None, "state": "in_progress",
            "steps": [{"step": "identify", "status": "done"}], "answers": None, "signed_by": None,
            "created_by": None, "created_at": T0, "completed_at": None, **changes}


def test_a_commissioning_the_cloud_could_not_show_is_rejected_by_name(tmp_path: Path) -> None:
    with pair(tmp_path) as p:
        bad = [_commissioning(id=1, model="XX-9"), _commissioning(id=2, state="half_done"),
               _commissioning(id=3, steps=[{"step": "dance", "status": "done"}]),
               _commissioning(id=4, answers={"items": [{"key": "label", "answer": "maybe"}]}),
               _commissioning(id=5, answers={"version": "one", "items": []})]
        answer = _send(p, {"commissionings": [*bad, _commissioning(id=6)]})
        assert [r["index"] for r in answer["rejected"]] == [0, 1, 2, 3, 4]
        assert "model 'XX-9'" in answer["rejected"][0]["error"]
        assert "state 'half_done'" in answer["rejected"][1]["error"]
        rows = p.count("cloud", "SELECT COUNT(*) FROM commissionings")
        assert rows == 1
        made = p.count("cloud", "SELECT id FROM commissionings")
        r = p.cloud.get(f"/api/v1/commissioning/{made}", headers=p.cloud_admin)
        assert r.status_code == 200, r.text


def test_a_commissioning_may_cite_only_files_its_box_uploaded(tmp_path: Path) -> None:
    with pair(tmp_path) as p:
        # A photo of another site, uploaded at the cloud by someone there: its hash is no capability.
        theirs = b"\xff\xd8\xff\xe0 another site's meter cabinet"
        their_sha = hashlib.sha256(theirs).hexdigest()
        r = p.cloud.put(f"/api/v1/attachments/{their_sha}", content=theirs,
                        headers={**p.cloud_admin, "Content-Type": "image/jpeg"})
        assert r.status_code == 201, r.text
        ours = b"\xff\xd8\xff\xe0 our breaker"
        our_sha = hashlib.sha256(ours).hexdigest()
        r = p.cloud.put(f"/api/v1/upstream/attachments/{our_sha}", headers={"Authorization": f"Bearer {p.key}"},
                        json={"content_type": "image/jpeg", "data": base64.b64encode(ours).decode()})
        assert r.status_code == 201, r.text
        answer = _send(p, {"commissionings": [_commissioning(id=1, signature=their_sha),
                                              _commissioning(id=2, signature=our_sha)]})
        assert [(r["index"], "did not upload" in r["error"]) for r in answer["rejected"]] == [(0, True)]
        operator = bearer(login(p.cloud, "operator_1"))
        assert p.cloud.get(f"/api/v1/attachments/{their_sha}", headers=operator).status_code in (403, 404)
        assert p.cloud.get(f"/api/v1/attachments/{our_sha}", headers=operator).status_code == 200


def test_a_device_the_box_takes_over_ends_the_clouds_offline_alarm(tmp_path: Path) -> None:
    with pair(tmp_path) as p:
        r = p.cloud.post("/api/v1/ingest", headers=p.cloud_admin, json={"batch_id": uuid.uuid4().hex, "samples": [
            {"device": SERIAL, "channel": "current_a", "ts": p.cloud_clock.now, "value": 5.0}], "events": []})
        assert r.status_code == 200, r.text
        p.cloud_clock.advance(3600)
        p.cloud_tick()
        offline = [a for a in p.cloud_alarms() if a["level"] == "offline" and a["device_serial"] == SERIAL]
        assert len(offline) == 1 and offline[0]["cleared_at"] is None
        p.box_clock.now = p.cloud_clock.now
        p.record(60, QUIET)
        p.box_clock.advance(30)
        p.drain()
        offline = [a for a in p.cloud_alarms() if a["level"] == "offline" and a["device_serial"] == SERIAL]
        assert offline[0]["cleared_at"] is not None

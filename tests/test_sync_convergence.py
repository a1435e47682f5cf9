"""Convergence, checked by a hypothesis state machine against the real app and the suite's real database.

Three phones (an inspector, the operator company, an admin) edit the same hazard and the same inspection offline,
in random orders, with skewed clocks. They push and pull in random interleavings; the network loses answers
(the phone sends the same mutations again), delivers old pushes again and out of order. At every step a replay
must change nothing; at the end, after everyone has pushed and pulled, all three hold the same records, and
every edit the server acknowledged is there: per field the acknowledged write with the newest stamp, every
acknowledged comment exactly once, per checklist item the newest acknowledged answer.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from litestar.testing import TestClient

from server.web.app import create_app

from . import backends
from .conftest import Clock, World, add_admin, bearer, build_world, login
from .sync_helpers import Device

USERS = ("inspector_heshan", "operator_a", "admin")
FIELDS = {"title": st.sampled_from(["配电箱未上锁", "插线板串接", "线路老化", "电动车充电"]),
          "description": st.text(alphabet="一二三四五abc", max_size=8),
          "severity": st.sampled_from(["general", "major"])}


class Phone:
    def __init__(self, user: str, skew_ms: int) -> None:
        self.user = user
        self.device = Device(user, wall_ms=1_763_856_000_000 + skew_ms)
        self.outbox: list[dict[str, Any]] = []
        self.records: dict[tuple[str, str], dict[str, Any]] = {}
        self.cursor: str | None = None


class Sync(RuleBasedStateMachine):
    client: TestClient[Any]
    world: World

    @initialize(skews=st.lists(st.integers(-5000, 5000), min_size=3, max_size=3))
    def start(self, skews: list[int]) -> None:
        inspector = self.world.headers("inspector_heshan")
        self.site = self.world.sites["site_market"]
        r = self.client.post("/api/v1/hazards", json={"site_id": self.site, "title": "初始"}, headers=inspector)
        self.hazard = str(r.json()["id"])
        r = self.client.post("/api/v1/inspections", json={"site_id": self.site}, headers=inspector)
        self.inspection = str(r.json()["id"])
        self.keys = [i["key"] for i in r.json()["items"][:4]]
        self.phones = [Phone(u, s) for u, s in zip(USERS, skews, strict=True)]
        self.sent: list[tuple[Phone, list[dict[str, Any]]]] = []
        # What the server acknowledged: (hlc, value) per field, comment texts, (hlc, answer) per item.
        self.fields: dict[str, list[tuple[str, Any]]] = {}
        self.comments: list[str] = []
        self.answers: dict[str, list[tuple[str, str]]] = {}

    def _offline(self, phone: Phone, op: str, entity: str, entity_id: str, fields: dict[str, Any]) -> None:
        phone.device.wall_ms += 7
        phone.outbox.append(phone.device.mutation(op, entity, entity_id, fields))

    @rule(who=st.integers(0, 2), name=st.sampled_from(sorted(FIELDS)), data=st.data())
    def edit(self, who: int, name: str, data: st.DataObject) -> None:
        self._offline(self.phones[who], "update", "hazard", self.hazard, {name: data.draw(FIELDS[name])})

    @rule(who=st.integers(0, 2))
    def comment(self, who: int) -> None:
        self._offline(self.phones[who], "append", "hazard_comment", str(uuid.uuid4()),
                      {"hazard_id": self.hazard, "text": f"评论 {uuid.uuid4().hex[:6]}"})

    @rule(who=st.integers(0, 2), key=st.integers(0, 3), answer=st.sampled_from(["pass", "fail", "na"]))
    def answer(self, who: int, key: int, answer: str) -> None:
        self._offline(self.phones[who], "append", "checklist_answer", str(uuid.uuid4()),
                      {"inspection_id": self.inspection, "key": self.keys[key], "answer": answer})

    def _push(self, phone: Phone, batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
        self.sent.append((phone, batch))
        return phone.device.push(self.client, self.world.headers(phone.user), batch)

    @rule(who=st.integers(0, 2), count=st.integers(1, 6), answer_lost=st.booleans())
    def push(self, who: int, count: int, answer_lost: bool) -> None:
        """The head of the outbox; when the answer is lost on the way back, the phone keeps it all to send again."""
        phone = self.phones[who]
        batch = phone.outbox[:count]
        if not batch:
            return
        results = self._push(phone, batch)
        if answer_lost:
            return
        for mutation, result in zip(batch, results, strict=True):
            status = result["was"] if result["status"] == "duplicate" else result["status"]
            assert status in ("applied", "merged"), result  # nothing here is refused
            self._acknowledged(mutation)
        del phone.outbox[:len(batch)]

    def _acknowledged(self, m: dict[str, Any]) -> None:
        if m["entity"] == "hazard":
            for name, value in m["fields"].items():
                self.fields.setdefault(name, []).append((m["hlc"], value))
        elif m["entity"] == "hazard_comment":
            self.comments.append(m["fields"]["text"])
        else:
            self.answers.setdefault(m["fields"]["key"], []).append((m["hlc"], m["fields"]["answer"]))

    @rule(data=st.data())
    def replay(self, data: st.DataObject) -> None:
        """An old push delivered again, in any order: every mutation is a duplicate and nothing changes."""
        if not self.sent:
            return
        phone, batch = data.draw(st.sampled_from(self.sent))
        probe = self.phones[0]
        self.pull(0)
        results = phone.device.push(self.client, self.world.headers(phone.user), batch)
        assert {r["status"] for r in results} == {"duplicate"}
        r = self.client.get("/api/v1/sync/pull", params={"cursor": probe.cursor},
                            headers=self.world.headers(probe.user))
        assert r.json()["changes"] == []

    @rule(who=st.integers(0, 2))
    def pull(self, who: int) -> None:
        phone = self.phones[who]
        while True:
            params = {"cursor": phone.cursor} if phone.cursor else {}
            body = self.client.get("/api/v1/sync/pull", params=params,
                                   headers=self.world.headers(phone.user)).json()
            for change in body["changes"]:
                key = (change["entity"], change["entity_id"])
                if change["deleted"]:
                    phone.records.pop(key, None)
                elif change["entity"] == "checklist" or change["fields"]["site_id"] == self.site:
                    phone.records[key] = change["fields"]
            phone.cursor = body["cursor"]
            if not body["more"]:
                return

    @invariant()
    def versions_only_grow(self) -> None:
        for phone in getattr(self, "phones", []):
            assert phone.cursor is None or int(phone.cursor.split("-")[0]) >= 0

    def teardown(self) -> None:
        if not hasattr(self, "phones"):
            return
        for index, phone in enumerate(self.phones):
            while phone.outbox:
                self.push(index, 6, answer_lost=False)
        for index in range(3):
            self.pull(index)
        mine = [{k: v for k, v in p.records.items() if k[1] in (self.hazard, self.inspection)} for p in self.phones]
        assert mine[0] == mine[1] == mine[2]
        hazard = mine[0]["hazard", self.hazard]
        for name, writes in self.fields.items():
            assert hazard[name] == max(writes)[1].strip(), name
        texts = [e["note"] for e in hazard["events"] if e["kind"] == "comment"]
        assert sorted(texts) == sorted(self.comments)
        given = {a["key"]: a["answer"] for a in mine[0]["inspection", self.inspection]["answers"]}
        assert given == {key: max(writes)[1] for key, writes in self.answers.items()}


def test_three_phones_converge(tmp_path_factory: pytest.TempPathFactory) -> None:
    config = backends.settings(tmp_path_factory.mktemp("sync") / "andian.db", static_dir=tmp_path_factory.mktemp("s"))
    add_admin(config)
    with TestClient(create_app(config, clock=Clock())) as client:
        Sync.client = client
        Sync.world = build_world(client, bearer(login(client, "root")))
        run_state_machine_as_test(Sync, settings=settings(
            max_examples=25, stateful_step_count=30, deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))

"""The shared sync vectors (offline_sync/vectors/*.json) against the Python implementation; the PWA's vitest runs
the same files against pwa/src/features/sync, so the two cannot drift."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import msgspec
import pytest

from offline_sync import apply, hlc, merge
from offline_sync.protocol import Mutation, MutationResult, Push
from server.hazards import workflow

VECTORS = Path(__file__).parent.parent / "offline_sync" / "vectors"
HLC: dict[str, Any] = json.loads((VECTORS / "hlc.json").read_text("utf-8"))
MERGE: dict[str, Any] = json.loads((VECTORS / "merge.json").read_text("utf-8"))


@pytest.mark.parametrize("case", HLC["format"])
def test_stamps_print_and_parse(case: dict[str, Any]) -> None:
    stamp = hlc.HLC(case["wall_ms"], case["counter"], case["node"])
    assert str(stamp) == case["text"] and hlc.parse(case["text"]) == stamp


def test_strings_sort_as_the_clock() -> None:
    texts = HLC["ascending"]
    assert sorted(texts) == texts
    assert sorted(texts, key=hlc.parse) == texts


@pytest.mark.parametrize("case", HLC["tick"], ids=lambda c: c["why"])
def test_tick(case: dict[str, Any]) -> None:
    clock = hlc.Clock(case["node"], hlc.parse(case["last"]))
    assert str(clock.tick(case["physical_ms"])) == case["expect"]


@pytest.mark.parametrize("case", HLC["receive"], ids=lambda c: c["why"])
def test_receive(case: dict[str, Any]) -> None:
    clock = hlc.Clock(case["node"], hlc.parse(case["last"]))
    got = clock.receive(hlc.parse(case["remote"]), case["physical_ms"])
    assert str(got) == case["expect"] and got > hlc.parse(case["remote"]) and got > hlc.parse(case["last"])


@pytest.mark.parametrize("text", HLC["invalid"])
def test_malformed_stamps_are_refused(text: str) -> None:
    with pytest.raises(hlc.ClockError):
        hlc.parse(text)


def test_the_counter_cannot_overflow() -> None:
    clock = hlc.Clock("a", hlc.HLC(10, hlc.MAX_COUNTER, "a"))
    with pytest.raises(hlc.ClockError):
        clock.tick(10)


@pytest.mark.parametrize("case", MERGE["update"], ids=lambda c: c["why"])
def test_updates_converge_in_every_order_and_replay(case: dict[str, Any]) -> None:
    record = merge.Record()
    statuses = [merge.update(record, m["fields"], m["hlc"]) for m in case["apply"]]
    assert statuses == case["statuses"]
    assert (record.fields, record.stamps) == (case["expect"]["fields"], case["expect"]["stamps"])
    for order in itertools.permutations(case["apply"]):
        other = merge.Record()
        for m in [*order, *order]:  # and replayed
            merge.update(other, m["fields"], m["hlc"])
        assert (other.fields, other.stamps) == (record.fields, record.stamps)


@pytest.mark.parametrize("case", MERGE["append"], ids=lambda c: c["why"])
def test_appends_converge_in_every_order_and_replay(case: dict[str, Any]) -> None:
    for order in itertools.permutations(case["apply"]):
        record = merge.Record()
        for m in [*order, *order]:
            assert merge.append(record, m["list"], m["id"], m["element"]) == "applied"
        assert {name: sorted(items) for name, items in record.lists.items()} == case["expect"]


def test_mutations_decode_by_op_and_name_a_bad_field() -> None:
    decoded = msgspec.convert({"op": "update", "mutation_id": "m1", "hlc": "1763856000000-0000-a",
                               "entity": "hazard", "entity_id": "h1", "fields": {"title": "x"}}, Mutation)
    assert type(decoded).__name__ == "Update"
    with pytest.raises(msgspec.ValidationError, match="hlc"):
        msgspec.convert({"op": "create", "mutation_id": "m2", "hlc": "yesterday", "entity": "hazard",
                         "entity_id": "h2"}, Mutation)
    with pytest.raises(msgspec.ValidationError, match="op"):
        msgspec.convert({"op": "delete", "mutation_id": "m3", "hlc": "1763856000000-0000-a", "entity": "hazard",
                         "entity_id": "h3"}, Mutation)
    push = msgspec.convert({"client_id": "c7f3a1", "mutations": [{"anything": 1}]}, Push)
    assert push.v == 1 and len(push.mutations) == 1  # mutations are decoded one by one by the server


TRANSITIONS: dict[str, Any] = json.loads((VECTORS / "transitions.json").read_text("utf-8"))


@pytest.mark.parametrize("case", TRANSITIONS["moves"], ids=lambda c: c["why"])
def test_workflow_moves(case: dict[str, Any]) -> None:
    """Transitions pushed from a phone are decided by this table on the server; the PWA offers the same moves."""
    who = case["actor"]
    actor = workflow.Actor(7, who["role"], owns_site=who["role"] == "owner")
    try:
        move = workflow.decide(case["state"], case["to"], actor, 7 if who["is_assignee"] else 8,
                               7 if who["is_rectifier"] else 9)
    except workflow.Illegal:
        outcome = "illegal"
    except workflow.NotAllowed:
        outcome = "forbidden"
    else:
        outcome = "allowed"
        assert move.needs == case["needs"]
    assert outcome == case["expect"]


IDEMPOTENCY: dict[str, Any] = json.loads((VECTORS / "idempotency.json").read_text("utf-8"))


class MemoryLedger:
    """The push ledger in memory, with a savepoint that puts the record back as it was."""

    def __init__(self) -> None:
        self.seen: dict[str, MutationResult] = {}
        self.record: list[str] = []

    def answered(self, mutation_id: str) -> MutationResult | None:
        return self.seen.get(mutation_id)

    def remember(self, client_id: str, mutation: Mutation, result: MutationResult) -> None:
        self.seen[mutation.mutation_id] = result

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        before = list(self.record)
        try:
            yield
        except BaseException:
            self.record[:] = before
            raise


@pytest.mark.parametrize("case", IDEMPOTENCY["pushes"], ids=lambda c: c["why"])
def test_replays_are_duplicates(case: dict[str, Any]) -> None:
    ledger = MemoryLedger()

    def handle(mutation: Mutation) -> apply.Done:
        ledger.record.append(mutation.mutation_id)
        if mutation.fields.get("refuse"):
            raise apply.Rejected("fields.refuse: refused")
        return apply.Done()

    def mutation(name: str) -> dict[str, Any]:
        body = {"mutation_id": name, "hlc": "1763856000100-0000-phone", "op": "update", "entity": "hazard",
                "entity_id": "1", "fields": {"refuse": name == "refused"}}
        return {k: v for k, v in body.items() if not (name == "undecodable" and k == "hlc")}

    for step in case["steps"]:
        push = Push(client_id="phone", mutations=[mutation(n) for n in step["push"]])
        got = apply.apply_push(push, ledger, handle, 1_763_856_000_000).results
        assert [[r.mutation_id, r.status, r.was] for r in got] == step["expect"]
    # Each applied mutation took effect once, whatever was replayed; refused ones left nothing.
    applied = {m for step in case["steps"] for m, status, _ in step["expect"] if status == "applied"}
    assert sorted(ledger.record) == sorted(applied)


def test_every_answer_has_an_outbox_rule() -> None:
    statuses = {(c["answer"]["status"], c["answer"].get("was")) for c in IDEMPOTENCY["client"]}
    assert statuses == {("applied", None), ("merged", None), ("rejected", None),
                        ("duplicate", "applied"), ("duplicate", "merged"), ("duplicate", "rejected")}
    for case in IDEMPOTENCY["client"]:
        result = msgspec.convert(case["answer"] | {"mutation_id": "m"}, MutationResult)
        refused = result.status == "rejected" or result.was == "rejected"
        assert case["outbox"] == ("rejected" if refused else "drop")

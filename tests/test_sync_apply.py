"""offline_sync.apply with a handler that takes runs of like mutations together: the answers and the record are
the same as one by one, whatever the mix of runs, refusals, bad stamps and repeats (a hypothesis property)."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from offline_sync import apply
from offline_sync.protocol import Mutation, Push

from .test_sync_vectors import MemoryLedger


class Answers:
    """A checklist's answers in memory: per item the newest stamp wins; a run refuses items it does not know."""

    def __init__(self, ledger: MemoryLedger) -> None:
        self.ledger = ledger
        self.answers: dict[tuple[str, str], tuple[str, str]] = {}

    def __call__(self, mutation: Mutation) -> apply.Done:
        [outcome] = self.apply_batch([mutation])
        if isinstance(outcome, apply.Rejected):
            raise outcome
        return outcome

    def apply_batch(self, mutations: list[Mutation]) -> list[apply.Done | apply.Rejected]:
        if mutations[0].fields["visit"] == "signed":
            raise apply.Rejected("the inspection is signed")
        out: list[apply.Done | apply.Rejected] = []
        for m in mutations:
            slot = (m.fields["visit"], m.fields["key"])
            if m.fields["key"] == "unknown":
                out.append(apply.Rejected("fields.key: unknown"))
            elif slot in self.answers and self.answers[slot][0] > m.hlc:
                out.append(apply.Done("merged", "kept"))
            else:
                self.answers[slot] = (m.hlc, m.fields["answer"])
                self.ledger.record.append(m.mutation_id)
                out.append(apply.Done())
        return out


class Batching(Answers):
    @staticmethod
    def batch_key(mutation: Mutation) -> Hashable | None:
        return ("answers", mutation.fields["visit"]) if mutation.entity == "checklist_answer" else None


mutation = st.builds(
    lambda n, entity, visit, key, wall, answer: {
        "mutation_id": f"m{n}", "hlc": f"{wall:013d}-0000-phone" if wall >= 0 else "bad", "op": "append",
        "entity": entity, "entity_id": f"e{n}", "fields": {"visit": visit, "key": key, "answer": answer}},
    st.integers(0, 12), st.sampled_from(["checklist_answer", "hazard_comment"]),
    st.sampled_from(["v1", "v2", "signed"]), st.sampled_from(["a", "b", "unknown"]),
    st.integers(-1, 40).map(lambda w: w if w < 0 else 1_763_856_000_000 + w), st.sampled_from(["pass", "fail"]))


@settings(max_examples=300, deadline=None)
@given(pushes=st.lists(st.lists(mutation, max_size=12), max_size=4))
def test_runs_answer_as_one_by_one(pushes: list[list[dict[str, Any]]]) -> None:
    states = []
    for kind in (Answers, Batching):
        ledger = MemoryLedger()
        handler = kind(ledger)
        results = [apply.apply_push(Push("phone", push), ledger, handler, 1_763_856_000_000).results
                   for push in pushes]
        states.append((results, handler.answers, ledger.record))
    assert states[0] == states[1]

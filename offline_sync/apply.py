"""Applying a push, the same for any store: decode each mutation on its own, answer a replay as ``duplicate``,
refuse a stamp from a clock far ahead, and run the rest one by one, each undone alone when it is refused.

The store (the server's SQLite, or the in-memory one the tests use) gives a ``Ledger`` (what was answered
before, and a savepoint per mutation) and a handler that does one mutation. Pure: no server imports.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import AbstractContextManager
from typing import Any, Literal, Protocol

import msgspec

from .hlc import ClockError, parse
from .protocol import Mutation, MutationResult, Push, PushResult

__all__ = ["MAX_AHEAD_MS", "Done", "Handler", "Ledger", "Rejected", "apply_push", "decode_mutations"]

# A stamp this far ahead of the receiver's clock comes from a device with a wrong date: it would win every
# last-writer-wins merge for as long as the date stays wrong.
MAX_AHEAD_MS = 24 * 3600 * 1000


class Rejected(Exception):
    """A mutation that is not done: its reason in words, starting with the field at fault when there is one."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Done(msgspec.Struct, frozen=True):
    """What a handler answers: applied, or merged with the reason (which fields lost to newer writes)."""

    status: Literal["applied", "merged"] = "applied"
    reason: str | None = None


Handler = Callable[[Mutation], Done]


class Ledger(Protocol):
    def answered(self, mutation_id: str) -> MutationResult | None:
        """The first answer to this mutation, if it was seen before."""

    def remember(self, client_id: str, mutation: Mutation, result: MutationResult) -> None:
        """Keep the answer, so that a replay is answered ``duplicate``."""

    def savepoint(self) -> AbstractContextManager[None]:
        """Everything a mutation changes, undone if the block raises."""


def decode_mutations(raw: list[Any]) -> Iterator[tuple[Mutation | None, MutationResult | None]]:
    """Each mutation decoded on its own: (mutation, None), or (None, its rejection naming the field)."""
    for index, item in enumerate(raw):
        try:
            yield msgspec.convert(item, Mutation), None
        except msgspec.ValidationError as exc:
            mutation_id = item.get("mutation_id") if isinstance(item, dict) else None
            words, _, path = str(exc).partition(" - at `$")
            where = f"mutations[{index}]" + (path.rstrip("`") if path else "")
            yield None, MutationResult(mutation_id if isinstance(mutation_id, str) else "", "rejected",
                                       f"{where}: {words}")


def _duplicate(first: MutationResult) -> MutationResult:
    return MutationResult(first.mutation_id, "duplicate", first.reason, was=first.status)


def _stamp_refusal(mutation: Mutation, now_ms: int) -> MutationResult | None:
    try:
        stamp = parse(mutation.hlc)
    except ClockError as exc:
        return MutationResult(mutation.mutation_id, "rejected", f"hlc: {exc}")
    if stamp.wall_ms > now_ms + MAX_AHEAD_MS:
        hours = (stamp.wall_ms - now_ms) / 3_600_000
        return MutationResult(mutation.mutation_id, "rejected",
                              f"hlc: the device's clock is {hours:.0f} hours ahead of the server's; set the phone's "
                              "date and time, then send again")
    return None


def _outcome(mutation: Mutation, outcome: Done | Rejected) -> MutationResult:
    if isinstance(outcome, Rejected):
        return MutationResult(mutation.mutation_id, "rejected", outcome.reason)
    return MutationResult(mutation.mutation_id, outcome.status, outcome.reason)


class _Run:
    """One push on its way through: answers by position, and the run of like mutations waiting to go together."""

    def __init__(self, push: Push, ledger: Ledger, handle: Handler) -> None:
        self.push, self.ledger, self.handle = push, ledger, handle
        self.results: list[MutationResult | None] = [None] * len(push.mutations)
        self.run: list[tuple[int, Mutation]] = []
        self.run_ids: set[str] = set()
        self.key: Hashable | None = None
        self.batch_key = getattr(handle, "batch_key", None)
        self.apply_batch = getattr(handle, "apply_batch", None)

    def add(self, index: int, mutation: Mutation) -> None:
        key = self.batch_key(mutation) if self.batch_key else None
        if self.run and (key is None or key != self.key):
            self.flush()
        if self.run or key is not None:
            # A mutation with a key waits for the like ones after it; one without goes at once, alone.
            self.run.append((index, mutation))
            self.run_ids.add(mutation.mutation_id)
            self.key = key
            return
        try:
            with self.ledger.savepoint():
                outcome: Done | Rejected = self.handle(mutation)
        except Rejected as exc:
            outcome = exc
        self._answer(index, mutation, _outcome(mutation, outcome))

    def flush(self) -> None:
        """The waiting run in one savepoint: per mutation done or refused (a refused one changed nothing), or all
        refused alike when the handler refuses the run as a whole (say, the inspection is already signed)."""
        run, self.run = self.run, []
        self.run_ids.clear()
        if not run:
            return
        assert self.apply_batch is not None
        mutations = [m for _, m in run]
        try:
            with self.ledger.savepoint():
                outcomes: list[Done | Rejected] = self.apply_batch(mutations)
        except Rejected as exc:
            outcomes = [exc] * len(run)
        for (index, mutation), outcome in zip(run, outcomes, strict=True):
            self._answer(index, mutation, _outcome(mutation, outcome))

    def _answer(self, index: int, mutation: Mutation, result: MutationResult) -> None:
        self.ledger.remember(self.push.client_id, mutation, result)
        self.results[index] = result


def apply_push(push: Push, ledger: Ledger, handle: Handler, now_ms: int) -> PushResult:
    """Answer every mutation of the push, in its order; a refused one never stops the others.

    A handler that has ``batch_key(mutation)`` and ``apply_batch(mutations)`` gets consecutive mutations with the
    same key together (a phone's answers to one checklist), in order; the answers are as if one by one.
    """
    current = _Run(push, ledger, handle)
    for index, (mutation, refused) in enumerate(decode_mutations(push.mutations)):
        if mutation is None:
            assert refused is not None
            current.results[index] = refused
            continue
        if mutation.mutation_id in current.run_ids:
            current.flush()  # the same mutation twice in a row: the second is its duplicate
        first = ledger.answered(mutation.mutation_id)
        if first is not None:
            current.results[index] = _duplicate(first)
            continue
        stamp_refused = _stamp_refusal(mutation, now_ms)
        if stamp_refused is not None:
            current._answer(index, mutation, stamp_refused)
            continue
        current.add(index, mutation)
    current.flush()
    done = [r for r in current.results if r is not None]
    assert len(done) == len(push.mutations), "every mutation is answered"
    return PushResult(done)

"""Applying a push, the same for any store: decode each mutation on its own, answer a replay as ``duplicate``,
refuse a stamp from a clock far ahead, and run the rest one by one, each undone alone when it is refused.

The store (the server's SQLite, or the in-memory one the tests use) gives a ``Ledger`` (what was answered
before, and a savepoint per mutation) and a handler that does one mutation. Pure: no server imports.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
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


def apply_push(push: Push, ledger: Ledger, handle: Handler, now_ms: int) -> PushResult:
    """Answer every mutation of the push, in its order; a refused one never stops the others."""
    results: list[MutationResult] = []
    for mutation, refused in decode_mutations(push.mutations):
        if mutation is None:
            assert refused is not None
            results.append(refused)
            continue
        first = ledger.answered(mutation.mutation_id)
        if first is not None:
            results.append(_duplicate(first))
            continue
        result = _apply_one(mutation, ledger, handle, now_ms)
        ledger.remember(push.client_id, mutation, result)
        results.append(result)
    return PushResult(results)


def _apply_one(mutation: Mutation, ledger: Ledger, handle: Handler, now_ms: int) -> MutationResult:
    try:
        stamp = parse(mutation.hlc)
    except ClockError as exc:
        return MutationResult(mutation.mutation_id, "rejected", f"hlc: {exc}")
    if stamp.wall_ms > now_ms + MAX_AHEAD_MS:
        hours = (stamp.wall_ms - now_ms) / 3_600_000
        return MutationResult(mutation.mutation_id, "rejected",
                              f"hlc: the device's clock is {hours:.0f} hours ahead of the server's; set the phone's "
                              "date and time, then send again")
    try:
        with ledger.savepoint():
            done = handle(mutation)
    except Rejected as exc:
        return MutationResult(mutation.mutation_id, "rejected", exc.reason)
    return MutationResult(mutation.mutation_id, done.status, done.reason)

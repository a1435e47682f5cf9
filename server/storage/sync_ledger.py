"""The push ledger in SQLite: every answered mutation by id (so a replay is a duplicate), and a savepoint per
mutation inside the push's one transaction."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from offline_sync.protocol import Mutation, MutationResult
from server.storage.connection import Connection
from server.storage.database import chunks

__all__ = ["SqliteLedger"]


class SqliteLedger:
    def __init__(self, conn: Connection, user_id: int, now: float, mutation_ids: Iterable[str]) -> None:
        """``mutation_ids``: the push's, looked up at once rather than one query per mutation."""
        self.conn = conn
        self.user_id = user_id
        self.now = now
        self.seen: dict[str, MutationResult] = {}
        self.answers: list[tuple[object, ...]] = []
        wanted = sorted(set(mutation_ids))
        for chunk in chunks(wanted):
            for mutation_id, status, reason in conn.execute(
                    "SELECT mutation_id, status, reason FROM sync_mutations WHERE mutation_id IN "
                    f"({', '.join('?' * len(chunk))})", chunk):
                self.seen[mutation_id] = MutationResult(mutation_id, status, reason)

    def answered(self, mutation_id: str) -> MutationResult | None:
        return self.seen.get(mutation_id)

    def remember(self, client_id: str, mutation: Mutation, result: MutationResult) -> None:
        self.seen[mutation.mutation_id] = result
        self.answers.append((mutation.mutation_id, client_id, self.user_id, mutation.entity, mutation.entity_id,
                             type(mutation).__name__.lower(), mutation.hlc, result.status, result.reason, self.now))

    def flush(self) -> None:
        """Write the push's answers, in the same transaction as what they answer (call it before the commit)."""
        self.conn.executemany(
            "INSERT INTO sync_mutations (mutation_id, client_id, user_id, entity, entity_id, op, hlc, status, "
            "reason, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", self.answers)
        self.answers.clear()

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        self.conn.execute("SAVEPOINT mutation")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK TO mutation")
            self.conn.execute("RELEASE mutation")
            raise
        self.conn.execute("RELEASE mutation")

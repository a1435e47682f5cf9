"""This worker's leases: the partitions of sites whose detection state it owns, and the leadership.

Sites fall into ``PARTITIONS`` partitions (``site_id % PARTITIONS``). A worker owns a partition while it holds the
partition's session advisory lock; each worker takes a fair share of the partitions (live workers say so every
``TICK_S`` in the ``workers`` table, timed by the database's clock), and one worker holds the leader lock and runs
the jobs that must run once across the cluster (rollups and retention, hazards from rules, the notification
sender, MQTT and GB/T 26875.3). A worker that dies loses its locks with its connection; the others notice within
``GONE_S``, take its partitions, and load their state from the database (detector checkpoints, active alarms). A
worker whose coordination session breaks owns and leads nothing until it has taken its locks again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import socket
import uuid
from collections.abc import Awaitable, Callable

from server.storage import Connection
from server.storage import cluster as cluster_sql

__all__ = ["PARTITIONS", "Hooks", "Node", "part_of", "run"]

log = logging.getLogger("andian.cluster")

# Partitions of sites: enough that work spreads over a handful of workers, few enough that moving one is cheap.
PARTITIONS = 16
# How often a worker says it is alive, looks at the leases and at work handed to it.
TICK_S = 1.0
# A worker not heard from for this long is gone: its share goes to the others (its locks went with its connection
# already; this only decides the fair share).
GONE_S = 5.0
# pg_advisory_lock(space, key) spaces: "lead" and "part" in ASCII.
LEADER_SPACE = 0x6C656164
PART_SPACE = 0x70617274


def part_of(site_id: int) -> int:
    return site_id % PARTITIONS


class Node:
    """This process among the workers of one database. ``shared`` False: alone (SQLite), owning everything."""

    def __init__(self, shared: bool) -> None:
        self.shared = shared
        self.id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.parts: frozenset[int] = frozenset() if shared else frozenset(range(PARTITIONS))
        self.leader = not shared
        self.watched: frozenset[int] = frozenset()  # sites the open pages of every worker watch

    def join(self) -> None:
        """A worker of a shared database (``andian serve`` on PostgreSQL): nothing is owned or led until leased.
        A process that only opens the database (a command, the demo's seeding) stays alone and judges locally."""
        self.shared = True
        self.parts = frozenset()
        self.leader = False

    def owns(self, site_id: int) -> bool:
        return part_of(site_id) in self.parts

    @staticmethod
    def share(live: int) -> int:
        return math.ceil(PARTITIONS / max(1, live))


class Hooks:
    """What the lease loop asks of the worker: ``moved(saved, after)`` saves the detector state of the partitions
    in ``saved`` (still locked here) and loads ``after``'s; ``lead()`` starts the once-only loops and ``resign()``
    stops them; ``stopping(parts)`` saves the state of ``parts`` before the locks go at shutdown."""

    def __init__(self, moved: Callable[[frozenset[int], frozenset[int]], Awaitable[None]],
                 lead: Callable[[], Awaitable[None]], resign: Callable[[], Awaitable[None]],
                 stopping: Callable[[frozenset[int]], Awaitable[None]]) -> None:
        self.moved = moved
        self.lead = lead
        self.resign = resign
        self.stopping = stopping


class Leases:
    """The blocking side of a shared node's leases, on its own PostgreSQL session (run from a thread)."""

    def __init__(self, url: str, node: Node) -> None:
        self.url = url
        self.node = node
        self.held: set[int] = set()
        self.leading = False
        self._open()

    def _open(self) -> None:
        from server.storage.postgres.connection import PgConnection
        from server.storage.postgres.session import Session

        self.session = Session(self.url)
        self.conn: Connection = PgConnection(self.session.conn)

    def beat(self, watched: frozenset[int]) -> None:
        """Say we are alive, and learn which sites any worker's pages watch."""
        now = cluster_sql.clock(self.conn)
        cluster_sql.heartbeat(self.conn, self.node.id, now, watched)
        self.node.watched = cluster_sql.watched_sites(self.conn, now - GONE_S)

    def step(self) -> tuple[frozenset[int], frozenset[int], bool]:
        """Keep a fair share of partitions; try for the leadership. Answers (the partitions to own, those to give
        back once their state is saved, leader)."""
        live = cluster_sql.live_workers(self.conn, cluster_sql.clock(self.conn) - GONE_S)
        share = self.node.share(len(live))
        extra = frozenset(sorted(self.held)[share:])  # a worker joined: give back the highest ones
        if len(self.held) < share:
            rank = live.index(self.node.id) if self.node.id in live else 0
            # Start looking where this worker's fair share begins, so workers do not all race for partition 0.
            for offset in range(PARTITIONS):
                part = (rank * share + offset) % PARTITIONS
                if part not in self.held and self.session.try_lock(PART_SPACE, part):
                    self.held.add(part)
                    if len(self.held) >= share:
                        break
        self.leading = self.leading or self.session.try_lock(LEADER_SPACE, 0)
        return frozenset(self.held) - extra, extra, self.leading

    def release(self, parts: frozenset[int]) -> None:
        for part in parts:
            self.session.unlock(PART_SPACE, part)
            self.held.discard(part)

    def reopen(self) -> None:
        """After a failure: a broken session lost every lock it held; start again with none."""
        if not (self.session.conn.broken or self.session.conn.closed):
            return
        with contextlib.suppress(Exception):
            self.session.close()
        self.held.clear()
        self.leading = False
        self._open()

    def close(self) -> None:
        try:
            cluster_sql.forget_worker(self.conn, self.node.id)
        finally:
            self.session.close()


async def run(node: Node, url: str, watched: Callable[[], frozenset[int]], hooks: Hooks,
              stop: asyncio.Event) -> None:
    """The lease loop of a shared node, until ``stop`` is set."""
    leases: Leases | None = None
    beating: asyncio.Task[None] | None = None
    try:
        while not stop.is_set():
            try:
                if leases is None:
                    leases = await asyncio.to_thread(Leases, url, node)
                    beating = asyncio.create_task(_beat(leases, watched))
                await asyncio.to_thread(leases.reopen)
                parts, extra, leader = await asyncio.to_thread(leases.step)
                if parts != node.parts:
                    before = node.parts
                    node.parts = before & parts  # nothing more is judged here for partitions on their way out
                    await hooks.moved(before & (parts | extra), parts)
                    node.parts = parts
                    log.info("worker %s owns partitions %s of %d", node.id, sorted(parts), PARTITIONS)
                if extra:
                    await asyncio.to_thread(leases.release, extra)
                if leader and not node.leader:
                    node.leader = True
                    log.info("worker %s leads the cluster's once-only jobs", node.id)
                    await hooks.lead()
            except Exception:  # the session may be gone, and every lock with it: own and lead nothing until retaken
                log.exception("cluster lease round failed; this worker judges no site until it has its leases again")
                node.parts = frozenset()
                if node.leader:
                    node.leader = False
                    await hooks.resign()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(TICK_S):
                    await stop.wait()
    finally:
        if beating is not None:
            beating.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beating
        owned, node.parts = node.parts, frozenset()
        try:
            if owned:
                await hooks.stopping(owned)
        finally:
            if leases is not None:
                await asyncio.to_thread(leases.close)


async def _beat(leases: Leases, watched: Callable[[], frozenset[int]]) -> None:
    """Heartbeats on their own: a long reload of partitions must not make this worker look gone."""
    while True:
        try:
            await asyncio.to_thread(leases.beat, watched())
        except Exception as exc:  # the lease loop notices a broken session and opens a new one
            log.warning("heartbeat failed: %s", exc)
        await asyncio.sleep(TICK_S)

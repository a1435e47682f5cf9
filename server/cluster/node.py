"""This worker's leases: the partitions of sites whose detection state it owns, and the leadership.

Sites fall into ``PARTITIONS`` partitions (``site_id % PARTITIONS``). A worker owns a partition while it holds the
partition's session advisory lock; each worker takes a fair share of the partitions (live workers say so every
``TICK_S`` in the ``workers`` table), and one worker holds the leader lock and runs the jobs that must run once
across the cluster (rollups and retention, hazards from rules, the notification sender, MQTT and GB/T 26875.3).
A worker that dies loses its locks with its connection at once; the others notice within a tick, take its
partitions, and load their state from the database (detector checkpoints, active alarms).
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import socket
import uuid
from collections.abc import Awaitable, Callable

from server.storage import Connection
from server.storage import cluster as cluster_sql

__all__ = ["PARTITIONS", "Node"]

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
        self.became_leader = asyncio.Event()
        if self.leader:
            self.became_leader.set()

    def owns(self, site_id: int) -> bool:
        return part_of(site_id) in self.parts

    def share(self, live: int) -> int:
        return math.ceil(PARTITIONS / max(1, live))


class Leases:
    """The blocking side of a shared node's leases, on its own PostgreSQL session (run from a thread)."""

    def __init__(self, url: str, node: Node) -> None:
        from server.storage.postgres.connection import PgConnection
        from server.storage.postgres.session import Session

        self.node = node
        self.session = Session(url)
        self.conn: Connection = PgConnection(self.session.conn)
        self.held: set[int] = set()

    def step(self, now: float, watched: frozenset[int]) -> tuple[frozenset[int], frozenset[int], bool]:
        """Say we are alive; keep a fair share of partitions; try for the leadership. Answers (the partitions to
        own, those to give back once their state is saved, leader)."""
        cluster_sql.heartbeat(self.conn, self.node.id, now, watched)
        live = cluster_sql.live_workers(self.conn, now - GONE_S)
        self.node.watched = cluster_sql.watched_sites(self.conn, now - GONE_S)
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
        leader = self.node.leader or self.session.try_lock(LEADER_SPACE, 0)
        return frozenset(self.held) - extra, extra, leader

    def release(self, parts: frozenset[int]) -> None:
        for part in parts:
            self.session.unlock(PART_SPACE, part)
            self.held.discard(part)

    def close(self) -> None:
        try:
            cluster_sql.forget_worker(self.conn, self.node.id)
        finally:
            self.session.close()


async def run(node: Node, url: str, now: Callable[[], float], watched: Callable[[], frozenset[int]],
              moved: Callable[[frozenset[int], frozenset[int]], Awaitable[None]],
              lead: Callable[[], Awaitable[None]], stopping: Callable[[], Awaitable[None]]) -> None:
    """The lease loop of a shared node. ``moved(saved, after)`` runs when the owned partitions change: it saves the
    detector state of the partitions in ``saved`` (still locked by this worker) and loads ``after``'s; only then
    does the node own the new ones and give back the others. ``lead()`` runs once this worker becomes the leader;
    ``stopping()`` at the end, while the locks are still held (a worker that stops saves its state first)."""
    leases = await asyncio.to_thread(Leases, url, node)
    try:
        while True:
            try:
                parts, extra, leader = await asyncio.to_thread(leases.step, now(), watched())
                if parts != node.parts:
                    before = node.parts
                    node.parts = before & parts  # nothing more is judged here for partitions on their way out
                    await moved(before & (parts | extra), parts)
                    node.parts = parts
                    log.info("worker %s owns partitions %s of %d", node.id, sorted(parts), PARTITIONS)
                if extra:
                    await asyncio.to_thread(leases.release, extra)
                if leader and not node.leader:
                    node.leader = True
                    node.became_leader.set()
                    log.info("worker %s leads the cluster's once-only jobs", node.id)
                    await lead()
            except Exception:  # the loop must outlive a lost connection; the log says what happened
                log.exception("cluster lease round failed")
                await asyncio.to_thread(_reconnect, leases)
            await asyncio.sleep(TICK_S)
    finally:
        try:
            await stopping()
        finally:
            node.parts = frozenset()
            await asyncio.to_thread(leases.close)


def _reconnect(leases: Leases) -> None:
    """A broken session lost every lock it held: start again with none (the node keeps no lease it cannot
    prove)."""
    if not leases.session.conn.broken:
        return
    from server.storage.postgres.connection import PgConnection
    from server.storage.postgres.session import Session

    leases.session.close()
    leases.session = Session(leases.session.url)
    leases.conn = PgConnection(leases.session.conn)
    leases.held.clear()

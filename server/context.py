"""What every request and worker shares: settings, storage, reference data, the clock, the live hub, the
notification sender's doorbell, and the pipeline that owns detection and alarms."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from server.cluster.bridge import Bridge
from server.cluster.node import Node
from server.devices.sitebox import SiteBox
from server.errors import StorageFull
from server.gb26875.listen import Receiver
from server.ingest.pipeline import Pipeline
from server.live.hub import Hub
from server.notify.doorbell import Doorbell
from server.notify.secrets import Secrets
from server.reference import Reference
from server.reference import load as load_reference
from server.settings import Settings
from server.storage import Backend, open_backend
from server.storage.regions import sync_regions
from server.upstream.bells import Bells

__all__ = ["Context", "open_context"]

log = logging.getLogger("andian")


@dataclass
class Context:
    settings: Settings
    db: Backend
    reference: Reference
    # Opens and seals secrets at rest (notification URLs).
    secrets: Secrets
    # Injectable, so tests replay hours in seconds.
    clock: Callable[[], float] = field(default=time.time)
    # Ingest, detection and alarm state; lives on the writer thread (only touched inside ``db.write``).
    pipeline: Pipeline = field(default_factory=Pipeline)
    hub: Hub = field(default_factory=Hub)
    doorbell: Doorbell = field(default_factory=Doorbell)
    # The devices side (poller, commissioning, remote control) when this process is a site box or simulates one;
    # None in the cloud.
    site_box: SiteBox | None = None
    # Cloud side of commands down (server/upstream/commands_cloud.py): a queued command wakes its box's long-poll.
    bells: Bells = field(default_factory=Bells)
    # GB/T 26875.3 receiving (server/gb26875/listen.py): the connected transmission devices and commands to them.
    gb26875: Receiver = field(default_factory=Receiver)
    # This process among the workers of its database (server/cluster): alone on SQLite.
    node: Node = field(default_factory=lambda: Node(shared=False))
    bridge: Bridge = field(init=False)

    def __post_init__(self) -> None:
        self.bridge = Bridge(self.node)
        self.pipeline.owns = self.node.owns


@asynccontextmanager
async def open_context(settings: Settings, clock: Callable[[], float] = time.time) -> AsyncIterator[Context]:
    """Upgrade the schema, start the writer, bring reference data in; close everything on the way out."""
    reference = load_reference()
    db, applied = await asyncio.to_thread(open_backend, settings.database(), reserve_bytes=settings.disk_reserve_bytes)
    if applied:
        log.info("database %s: applied migrations %s", settings.db_path if not settings.db_url else "PostgreSQL",
                 ", ".join(applied))
    db.start()
    try:
        try:
            await db.write(lambda conn: sync_regions(conn, reference.regions))
        except StorageFull:  # the regions of the last start stay; the server must come up to take alarms
            log.warning("disk full: region names not refreshed from the reference data")
        ctx = Context(settings=settings, db=db, reference=reference, clock=clock,
                      secrets=Secrets.for_database(settings.files_dir(), settings.secret_key))
        await db.write(ctx.pipeline.load)
        try:
            yield ctx
        finally:
            try:
                await db.write(ctx.pipeline.checkpoint)
            except StorageFull:  # soft state only: at worst an alarm comes up to one delay later after the restart
                log.warning("disk full: detector state not checkpointed at shutdown")
    finally:
        db.close()

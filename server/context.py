"""What every request and worker shares: settings, the database, reference data and the clock."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from server.errors import StorageFull
from server.ingest.pipeline import Pipeline
from server.live.hub import Hub
from server.notify.secrets import Secrets
from server.reference import Reference
from server.reference import load as load_reference
from server.settings import Settings
from server.storage import Database, upgrade
from server.storage.regions import sync_regions

__all__ = ["Context", "open_context"]

log = logging.getLogger("andian")


@dataclass
class Context:
    settings: Settings
    db: Database
    reference: Reference
    # Injectable, so tests replay hours in seconds.
    clock: Callable[[], float] = field(default=time.time)
    # Ingest and detection state; lives on the writer thread (only touched inside ``db.write``).
    pipeline: Pipeline = field(default_factory=Pipeline)
    hub: Hub = field(default_factory=Hub)
    # The Bluetooth side (``server.sitebox.SiteBox``) when this process is a site box or simulates one; None in
    # the cloud. Typed loosely: Litestar resolves this dataclass's hints at runtime, and sitebox imports context.
    site_box: Any = None
    # Opens and seals secrets at rest (notification URLs); made by ``open_context``.
    secrets: Secrets | None = None
    # The notification sender (``server.notify.worker.Notifier``) in the process that runs it; None elsewhere.
    notifier: Any = None


@asynccontextmanager
async def open_context(settings: Settings, clock: Callable[[], float] = time.time) -> AsyncIterator[Context]:
    """Upgrade the schema, start the writer, bring reference data in; close everything on the way out."""
    reference = load_reference()
    applied = await asyncio.to_thread(upgrade, settings.db_path)
    if applied:
        log.info("database %s: applied migrations %s", settings.db_path, ", ".join(applied))
    db = Database(settings.db_path, reserve_bytes=settings.disk_reserve_bytes)
    db.start()
    try:
        try:
            await db.write(lambda conn: sync_regions(conn, reference.regions))
        except StorageFull:  # the regions of the last start stay; the server must come up to take alarms
            log.warning("disk full: region names not refreshed from the reference data")
        ctx = Context(settings=settings, db=db, reference=reference, clock=clock,
                      secrets=Secrets.for_database(settings.db_path, settings.secret_key))
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

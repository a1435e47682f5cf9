"""Health and reference data."""

from __future__ import annotations

import msgspec
from litestar import Controller, get

from server import __version__
from server.accounts.guards import Ctx
from server.cluster.node import PARTITIONS
from server.reference import Capability, Department, Region, VenueType
from server.storage import ping
from server.storage.space import DiskState
from server.web.schemas import Health

__all__ = ["HealthOut", "MetaController", "ReferenceOut"]


class WorkerOut(msgspec.Struct):
    """This process among the workers of its database (docs/operations.md, "Several workers"): the partitions of
    sites whose alarms it judges (of ``of``), and whether it runs the once-only jobs."""

    id: str
    shared: bool
    partitions: list[int]
    of: int
    leader: bool


class HealthOut(Health):
    """``status`` is ``"ok"``, or ``"degraded"`` with the cause named (still 200: the server answers and keeps
    alarms; it is the operator who must act, not a load balancer)."""

    disk: DiskState
    worker: WorkerOut | None = None


class ReferenceOut(msgspec.Struct):
    regions: list[Region]
    departments: list[Department]
    venue_types: list[VenueType]
    capabilities: list[Capability]


class MetaController(Controller):
    path = "/api/v1"
    tags = ["meta"]

    @get("/health", summary="Liveness and version")
    async def health(self, ctx: Ctx) -> HealthOut:
        await ctx.db.read(ping)
        disk = ctx.db.disk()
        node = ctx.node
        return HealthOut(status="degraded" if disk.full else "ok", version=__version__, time=ctx.clock(),
                         site_box=ctx.settings.site, disk=disk,
                         worker=WorkerOut(node.id, node.shared, sorted(node.parts), PARTITIONS, node.leader))

    @get("/reference", summary="Regions, departments, venue types and required capabilities")
    async def reference(self, ctx: Ctx) -> ReferenceOut:
        ref = ctx.reference
        return ReferenceOut(regions=ref.regions, departments=ref.departments, venue_types=ref.venue_types,
                            capabilities=ref.capabilities)

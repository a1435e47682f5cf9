"""The Litestar application factory."""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import httpx
from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from ble.link import Backends
from server import __version__
from server import clock as watchdog
from server.accounts.controllers import AuthController, CompanyController, UserController
from server.accounts.guards import authenticated_first, dependencies
from server.alarms.controllers import AlarmController
from server.attachments.controllers import AttachmentController
from server.cluster import loops as cluster_loops
from server.context import Context, open_context
from server.devices.controllers import (
    CommissioningController,
    ControlController,
    DeviceController,
    GatewayController,
    PowerOffController,
    ScanController,
    WiredController,
)
from server.devices.sitebox import SiteBox
from server.gb26875 import listen as gb26875_listen
from server.gb26875 import uplink as gb26875_uplink
from server.gb26875.api import GB26875Controller
from server.gb26875.uplink_api import STATE_KEY as GB26875_UPLINK
from server.gb26875.uplink_api import UplinkController
from server.hazards.controllers import DispatchController, HazardController, HazardRulesController
from server.ingest import mqtt as mqtt_ingress
from server.ingest.controllers import IngestController
from server.inspections.controllers import ChecklistController, InspectionController
from server.live.controllers import LiveController
from server.notify import worker as notify_worker
from server.notify.controllers import NotifyPolicyController, PhoneCallController, SubscriptionController
from server.readings.controllers import ReadingsController
from server.reports.controllers import ReportController
from server.settings import Settings
from server.sites.controllers import SiteController
from server.stats.controllers import StatsController
from server.sync.controllers import SyncController
from server.upstream import runner as upstream
from server.upstream.commands_api import CommandsController
from server.upstream.forward_api import BacklogController, ForwardController
from server.upstream.mirror_api import MirrorController
from server.web.background import stop as stop_background
from server.web.bodies import strict_json_body
from server.web.errors import exception_handlers
from server.web.meta import MetaController
from server.web.openapi import render_plugins
from server.web.pwa import PwaFiles, pwa_file, pwa_root, security_headers

if TYPE_CHECKING:
    from ble.simulator import DeviceSpec

# How long shutdown waits for a worker sharing its database to save its partitions' state and give them back.
CLUSTER_STOP_S = 30.0

__all__ = ["create_app"]


def create_app(
    settings: Settings | None = None,
    *,
    clock: Callable[[], float] = time.time,
    background: Sequence[Callable[[Context], Coroutine[Any, Any, None]]] = (),
    simulated: Sequence[DeviceSpec] | None = None,
    notify: bool = True,
    upstream_transport: httpx.AsyncBaseTransport | None = None,
) -> Litestar:
    """The app; ``background`` loops run beside the watchdog for the app's lifetime.

    With ``simulated`` devices the process is a site box on a simulated radio (demo, tests); with
    ``settings.site`` it is one on the platform's Bluetooth stack (BlueZ). ``notify=False`` leaves the
    notification sender off (tests that step it by hand on an injected clock). A box paired with a cloud runs its
    upstream loops (server/upstream); ``upstream_transport`` routes them in tests.
    """
    settings = settings or Settings.from_env()
    resolved = settings

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with open_context(resolved, clock) as ctx:
            app.state["andian"] = ctx
            app.state["pwa"] = await asyncio.to_thread(PwaFiles, resolved.static_dir)
            # Loops that run once across the workers of a database: at once when this process is alone (SQLite),
            # else in the worker that leads (server/cluster; docs/operations.md, "Several workers"). The watchdog
            # runs in every worker, for the sites it judges, and leads its once-only rounds in the leader.
            loops = (*((notify_worker.run,) if notify else ()), *background,
                     functools.partial(upstream.run, transport=upstream_transport))
            if resolved.mqtt_url:  # MQTT ingress (server/ingest/mqtt.py); a bad URL or vendor mapping stops the start
                loops = (*loops, await asyncio.to_thread(mqtt_ingress.prepare, resolved))
            if resolved.gb26875_listen:  # GB/T 26875.3 receiver (server/gb26875); a bad HOST:PORT stops the start
                loops = (*loops, gb26875_listen.prepare(resolved))
            # GB/T 26875.3 uplink to a city monitoring centre (server/gb26875/uplink.py); a bad setting stops the start
            app.state[GB26875_UPLINK] = uplink = gb26875_uplink.prepare(resolved)
            if uplink is not None:
                loops = (*loops, uplink.run)
            tasks: list[asyncio.Task[None]] = [asyncio.create_task(watchdog.run(ctx))]
            leading: list[asyncio.Task[None]] = []

            async def lead() -> None:
                leading.extend(asyncio.create_task(loop(ctx)) for loop in loops)

            async def resign() -> None:  # the leader lock is lost: another worker runs these now
                await stop_background(leading)
                leading.clear()

            if resolved.db_url:  # a worker among others on a shared database (server/cluster)
                ctx.node.join()
            ctx.bridge.start(ctx)
            cluster_stop = asyncio.Event()
            cluster = None
            if ctx.node.shared:
                cluster = asyncio.create_task(cluster_loops.run(ctx, lead, resign, cluster_stop))
            else:
                await lead()
            radio = None
            try:
                if simulated is not None or resolved.site:
                    backends = Backends()
                    if simulated is not None:
                        from ble.simulator import SimRadio  # bumble only where devices are simulated

                        radio = SimRadio(clock)
                        for spec in simulated:
                            await radio.add(spec)
                        backends = Backends(*radio.backends())
                    ctx.site_box = SiteBox(ctx, backends, radio)
                    tasks.append(asyncio.create_task(ctx.site_box.run()))
                yield
            finally:
                await stop_background(leading)
                if cluster is not None:  # its partitions' state is saved before their locks go: asked, not cancelled
                    cluster_stop.set()
                    await asyncio.wait([cluster], timeout=CLUSTER_STOP_S)
                    await stop_background([cluster])
                await stop_background(tasks)
                await ctx.bridge.stop()
                if radio is not None:
                    await radio.close()

    return Litestar(
        route_handlers=[
            MetaController, AuthController, UserController, CompanyController, SiteController, DeviceController,
            GatewayController, IngestController, AlarmController, ReadingsController, LiveController, ScanController,
            CommissioningController, ControlController, SubscriptionController, NotifyPolicyController,
            HazardController, HazardRulesController, AttachmentController, ChecklistController, InspectionController,
            StatsController, ReportController, SyncController, WiredController, pwa_root, pwa_file,
            PowerOffController, DispatchController, PhoneCallController, MirrorController, ForwardController,
            BacklogController, CommandsController, GB26875Controller, UplinkController,
        ],
        dependencies=dependencies,
        guards=[authenticated_first],  # the caller is known before any body is read (accounts/guards.py)
        exception_handlers=exception_handlers,
        before_request=strict_json_body,  # JSON bodies as their JSON types say (web/bodies.py)
        middleware=[security_headers],
        lifespan=[lifespan],
        request_max_body_size=settings.max_body_bytes,
        # Level 6, not the default 9: a sync pull of 50 MB compresses in 0.6 s instead of 0.86 s for 3 % more bytes.
        compression_config=CompressionConfig(backend="gzip", minimum_size=500, gzip_compress_level=6),
        openapi_config=OpenAPIConfig(
            title="andian (安电) API",
            version=__version__,
            description="Smart electricity use: sites, devices, readings, alarms, hazards. See docs/ in the repo.",
            path="/schema",
            render_plugins=render_plugins(),  # each page serves the completed document (web/openapi.py)
            components=Components(
                security_schemes={"BearerToken": SecurityScheme(type="http", scheme="bearer",
                                                                description="a user token or a gateway API key")}
            ),
        ),
    )


"""Cloud side: who may use the upstream endpoints (a site box's gateway key, nobody else), and the box's presence.

Every request a box makes is a heartbeat: the gateway's ``last_seen_at`` and its device's move on, and an
``offline`` alarm the box's silence raised ends. The watchdog (server/clock.py) raises that alarm after
OFFLINE_INTERVALS heartbeats without a word, like any silent device's.
"""

from __future__ import annotations

from server.accounts.principal import Principal
from server.alarms.service import present
from server.context import Context
from server.errors import Forbidden
from server.storage import Connection
from server.storage import upstream_gateways as sql

__all__ = ["require_box", "seen"]


def require_box(principal: Principal) -> int:
    """The caller's gateway id; anyone but a site box's gateway key is refused."""
    if principal.kind != "gateway":
        raise Forbidden("only a site box may use /api/v1/upstream, with the gateway key the cloud issued for its site")
    return principal.id


async def seen(ctx: Context, gateway_id: int) -> int:
    """Record that the box spoke now; answers the box's device id in the cloud."""
    now = ctx.clock()
    heartbeat = ctx.settings.upstream_heartbeat_s

    def write(conn: Connection) -> tuple[int, list]:  # type: ignore[type-arg]
        box = sql.gateway_device(conn, gateway_id, heartbeat, now)
        sql.touch_gateway(conn, gateway_id, box["device_id"], now)
        touched = ctx.pipeline.alarms.device_back(conn, box["device_id"], now)
        return box["device_id"], ctx.pipeline.alarms.events(conn, touched)

    device_id, events = await ctx.db.write(write)
    if events:
        ctx.hub.publish(present(events))
        ctx.doorbell.ring_for(events)
    return int(device_id)

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


# A box speaks several times a heartbeat (mirror, forward, long-poll); its presence is written at most once per
# third of a heartbeat (the watchdog's 3-heartbeat rule is unaffected) and at least every TOUCH_MAX_S (what the
# gateway page says of "last seen"), and always when an offline alarm waits to be cleared: one writer serves every
# box of a city.
TOUCH_FRACTION = 1 / 3
TOUCH_MAX_S = 10.0


async def seen(ctx: Context, gateway_id: int) -> None:
    """Record that the box spoke now (its first contact makes its device)."""
    now = ctx.clock()
    heartbeat = ctx.settings.upstream_heartbeat_s
    state = await ctx.db.read(lambda conn: sql.presence(conn, gateway_id))
    if (state is not None and state["device_id"] is not None and not state["offline"]
            and state["last_seen_at"] is not None
            and now - state["last_seen_at"] < min(heartbeat * TOUCH_FRACTION, TOUCH_MAX_S)):
        return

    def write(conn: Connection) -> tuple[int, list]:  # type: ignore[type-arg]
        box = sql.gateway_device(conn, gateway_id, heartbeat, now)
        sql.touch_gateway(conn, gateway_id, box["device_id"], now)
        touched = ctx.pipeline.alarms.device_back(conn, box["device_id"], now, box["site_id"])
        return box["device_id"], ctx.pipeline.alarms.events(conn, touched)

    _, events = await ctx.db.write(write)
    if events:
        ctx.hub.publish(present(events))
        ctx.doorbell.ring_for(events)

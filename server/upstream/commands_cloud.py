"""Cloud side of commands down: the console's remote trip, close, self-test or identify for a device a site box
reads is queued for that box, taken by the box's long-poll (``take``), run there, and its result (``record_result``:
the breaker's read-back position) answers the operator's request that waits for it (``relay``).

Every command has one deadline, ``expires_at`` = queued + ``upstream_command_timeout_s``: a command the box has not
taken by then is cancelled (``box_unreachable``) and never handed out later; one taken but not answered by then ends
as ``box_no_answer``, and the box's late result is refused (409). The database is the truth (several workers may
share one); ``ctx.bells`` only wakes waiters of this process sooner.
"""

from __future__ import annotations

import functools
import time
from typing import Any

import msgspec

from server.accounts.principal import Principal
from server.context import Context
from server.devices.schemas import DeviceOut
from server.errors import Conflict, NotFound
from server.live.events import LiveEvent
from server.storage import Connection
from server.storage import upstream_commands as sql
from server.upstream.presence import require_box, seen
from server.upstream.wire import Command, CommandResult, Commands

__all__ = ["gateway_of", "record_result", "relay", "take"]

# How often a waiter also looks at the database, for a command queued or a result stored by another worker that
# shares it (this process's own rings wake it at once): an operator waits at most this much longer.
POLL_S = 1.0


async def gateway_of(ctx: Context, device: DeviceOut) -> int | None:
    """The gateway whose box runs commands for ``device``; None when this process runs them itself.

    The box that judges the device (``devices.gateway_id``, set by the mirror) always; else, on a server without a
    radio of its own (the cloud), the site box of the device's site that keeps a connection to this cloud."""
    found = await ctx.db.read(lambda c: sql.command_gateway(c, device.id, any_box_of_site=ctx.site_box is None))
    if found is None:
        return None
    if found["revoked_at"] is not None:
        raise Conflict(f"device {device.serial} is read by the site box of gateway {found['id']}, whose key was "
                       "revoked: pair the site's box again (a new gateway key) before switching it remotely")
    return int(found["id"])


def _expired(row: dict[str, Any], timeout_s: float) -> dict[str, Any]:
    if row["taken_at"] is None:
        return {"outcome": "failed", "code": "box_unreachable",
                "error": f"站点网关未在 {timeout_s:g} 秒内取走命令，命令已取消、不会再执行；请检查网关的网络和电源"}
    return {"outcome": "failed", "code": "box_no_answer",
            "error": f"站点网关已取走命令，但未在 {timeout_s:g} 秒内回复结果；断路器可能已动作，"
                     "请查看设备状态或到现场核实"}


async def relay(ctx: Context, principal: Principal, device: DeviceOut, gateway_id: int, action: str,
                reason: str) -> CommandResult:
    """Queue the command for the box and wait for its result, at most until the command expires."""
    timeout_s = ctx.settings.upstream_command_timeout_s
    now = ctx.clock()
    by_user = principal.id if principal.kind == "user" else None
    command_id = await ctx.db.write(lambda c: sql.queue_command(
        c, gateway_id=gateway_id, device_id=device.id, action=action, reason=reason, by_user=by_user, now=now,
        expires_at=now + timeout_s), durable=True)
    ctx.bells.ring(("gateway", gateway_id))
    key = ("command", command_id)
    deadline = time.monotonic() + timeout_s  # also on an injected clock that stands still, the operator gets an answer
    try:
        while True:
            rung = ctx.bells.listen(key)
            row = await ctx.db.read(lambda c: sql.get_command(c, command_id))
            assert row is not None
            if row["done_at"] is None and (ctx.clock() >= row["expires_at"] or time.monotonic() >= deadline):
                row = await ctx.db.write(lambda c: _expire(c, command_id, ctx.clock(), timeout_s), durable=True)
            if row["done_at"] is not None:
                return msgspec.convert(row["result"], CommandResult)
            await ctx.bells.wait(rung, min(POLL_S, deadline - time.monotonic()))
    finally:
        ctx.bells.forget(key)


def _expire(conn: Connection, command_id: int, now: float, timeout_s: float) -> dict[str, Any]:
    """The command made final as expired, unless the box's result came first; the command as it now stands."""
    row = sql.get_command(conn, command_id)
    assert row is not None
    if row["done_at"] is None:
        sql.finish_command(conn, command_id, now, _expired(row, timeout_s))
        row = sql.get_command(conn, command_id)
        assert row is not None
    return row


async def take(ctx: Context, principal: Principal, wait_s: float) -> Commands:
    """The box's long-poll: its waiting commands, marked taken, as soon as there are any; else, after ``wait_s``
    (at most the heartbeat), none. Each call is also the box's heartbeat."""
    gateway_id = require_box(principal)
    await seen(ctx, gateway_id)
    deadline = time.monotonic() + min(wait_s, ctx.settings.upstream_heartbeat_s)
    key = ("gateway", gateway_id)
    while True:
        rung = ctx.bells.listen(key)
        now = ctx.clock()
        if await ctx.db.read(functools.partial(sql.has_waiting, gateway_id=gateway_id, now=now)):
            rows = await ctx.db.write(functools.partial(sql.take_commands, gateway_id=gateway_id, now=now),
                                      durable=True)
            if rows:
                return Commands([_wire(r) for r in rows], now=now)
        left = deadline - time.monotonic()
        if left <= 0:
            return Commands([], now=ctx.clock())
        await ctx.bells.wait(rung, min(POLL_S, left))


def _wire(row: dict[str, Any]) -> Command:
    return Command(id=row["id"], action=row["action"], device=row["serial"], reason=row["reason"],
                   by=row["by_username"], created_at=row["created_at"], expires_at=row["expires_at"])


async def record_result(ctx: Context, principal: Principal, command_id: int, body: CommandResult) -> None:
    """The box's result of a command it took. 404 for another gateway's command; 409 when it is final already
    (answered, or expired: the operator was told the box did not answer). A read-back ``switch`` moves the cloud's
    device at once (open pages see it), before the box forwards the reading itself."""
    gateway_id = require_box(principal)
    await seen(ctx, gateway_id)
    now = ctx.clock()
    timeout_s = ctx.settings.upstream_command_timeout_s

    def write(conn: Connection) -> tuple[str, list[LiveEvent]]:
        row = sql.get_command(conn, command_id)
        if row is None or row["gateway_id"] != gateway_id:
            raise NotFound("command", command_id)
        if row["done_at"] is not None:
            return "final", []
        if row["taken_at"] is None:
            return "untaken", []
        if now > row["expires_at"]:
            sql.finish_command(conn, command_id, now, _expired(row, timeout_s))
            return "late", []
        result = msgspec.to_builtins(body)
        sql.finish_command(conn, command_id, now, result)
        events: list[LiveEvent] = []
        if body.switch is not None:
            events = ctx.pipeline.alarms.switched(conn, row["device_id"], row["site_id"], body.switch, now,
                                                  row["by_user"])
        return "stored", events

    state, events = await ctx.db.write(write, durable=True)
    ctx.bells.ring(("command", command_id))
    if state == "untaken":
        raise Conflict(f"command {command_id} has not been taken by this box: take it with GET "
                       "/api/v1/upstream/commands first")
    if state != "stored":
        raise Conflict(f"command {command_id} is final already (answered, or expired after {timeout_s:g} s and "
                       "reported to the operator as not answered): this result is not taken")
    ctx.hub.publish(events)

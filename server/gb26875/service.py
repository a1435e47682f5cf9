"""The API of a GB/T 26875.3 gateway: its connection and counters, its analogue mapping, its events, and commands
sent to it. Who may: the caller must see the gateway's site (else 404); reading and the mapping are for those who
maintain installations (admin, operator, installer), commands for the monitoring centre (admin, operator)."""

from __future__ import annotations

from typing import Any

import msgspec

from server.accounts.principal import Principal
from server.accounts.roles import CONSOLE, MANAGERS, require, require_user
from server.context import Context
from server.errors import InvalidInput, NotFound
from server.gb26875.mapping import CommandIn, CommandOut, EventOut, MappingIn, Status, check_mapping
from server.storage import Connection
from server.storage import devices as device_sql
from server.storage import gb26875_receive as sql
from server.storage.scopes import site_scope

__all__ = ["get_command", "list_events", "send_command", "set_mapping", "status"]


async def _gateway(ctx: Context, principal: Principal, gateway_id: int) -> dict[str, Any]:
    scope = site_scope(principal, ctx.reference)
    row = await ctx.db.read(lambda c: device_sql.get_gateway(c, gateway_id, scope))
    if row is None:
        raise NotFound("gateway", gateway_id)
    if row["protocol"] != "gb26875":
        raise NotFound("GB/T 26875.3 gateway", f"{gateway_id} (it is an andian gateway, not a transmission device)")
    return row


async def status(ctx: Context, principal: Principal, gateway_id: int) -> Status:
    gateway = await _gateway(ctx, principal, gateway_id)
    require(principal, MANAGERS, "see a transmission device's link")

    def read(conn: Connection) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
        return (sql.get_status(conn, gateway_id), sql.get_mapping(conn, gateway_id),
                sql.list_commands(conn, gateway_id))

    async with ctx.gb26875.settled():
        stored, mapping, commands = await ctx.db.read(read)
        pending, last = ctx.gb26875.unflushed(gateway_id)
    counters = {k: v + pending.get(k, 0) for k, v in stored["counters"].items()}
    last_at, last_frame = last if last is not None else (stored["last_frame_at"], stored["last_frame"])
    session = ctx.gb26875.sessions.get(gateway_id)
    return msgspec.convert({
        "gateway_id": gateway_id, "address": gateway["address"], "connected": session is not None,
        "peer": session.peer if session else None, "connected_at": session.connected_at if session else None,
        "last_frame_at": last_at, "last_frame": last_frame, "counters": counters, "mapping": mapping,
        "commands": commands}, Status)


async def set_mapping(ctx: Context, principal: Principal, gateway_id: int, body: MappingIn) -> Status:
    gateway = await _gateway(ctx, principal, gateway_id)
    require(principal, MANAGERS, "change a transmission device's analogue mapping")
    user_id = require_user(principal, "change a transmission device's analogue mapping")
    rows = check_mapping(body.mapping)
    now = ctx.clock()

    def write(conn: Connection) -> None:
        sql.set_mapping(conn, gateway_id, rows)
        device_sql.insert_audit(conn, ts=now, actor_id=user_id, action="update", obj="gateway", object_id=gateway_id,
                                detail={"gb26875_mapping": [msgspec.to_builtins(r) for r in body.mapping]})

    await ctx.db.write(write, durable=True)
    ctx.gb26875.forget(gateway["address"])  # the box's next frame reads the new mapping
    return await status(ctx, principal, gateway_id)


async def list_events(ctx: Context, principal: Principal, gateway_id: int, limit: int) -> list[EventOut]:
    await _gateway(ctx, principal, gateway_id)
    require(principal, MANAGERS, "see a transmission device's events")
    rows = await ctx.db.read(lambda c: sql.list_events(c, gateway_id, limit))
    return msgspec.convert(rows, list[EventOut])


async def send_command(ctx: Context, principal: Principal, gateway_id: int, body: CommandIn) -> CommandOut:
    await _gateway(ctx, principal, gateway_id)
    require(principal, CONSOLE, "send commands to a transmission device")
    user_id = require_user(principal, "send commands to a transmission device")
    if body.kind == "initialise" and not body.confirm:
        raise InvalidInput("confirm", 'initialising resets the transmission device; send "confirm": true to do it')
    command_id = await ctx.gb26875.commands.send(ctx, gateway_id, body.kind, body.timeout_min, user_id)
    now = ctx.clock()

    def audit(conn: Connection) -> None:
        device_sql.insert_audit(conn, ts=now, actor_id=user_id, action="gb26875_command", obj="gateway",
                                object_id=gateway_id, detail={"kind": body.kind, "command_id": command_id,
                                                              **({"timeout_min": body.timeout_min}
                                                                 if body.kind == "duty_check" else {})})

    await ctx.db.write(audit, durable=True)
    return await get_command(ctx, principal, gateway_id, command_id)


async def get_command(ctx: Context, principal: Principal, gateway_id: int, command_id: int) -> CommandOut:
    await _gateway(ctx, principal, gateway_id)
    require(principal, CONSOLE, "see commands sent to a transmission device")
    row = await ctx.db.read(lambda c: sql.get_command(c, gateway_id, command_id))
    if row is None:
        raise NotFound("command", command_id)
    return msgspec.convert(row, CommandOut)



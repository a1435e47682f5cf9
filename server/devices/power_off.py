"""Asking for a remote power-off (申请远程断电, story 1.3): the owner asks from the alarm page, the operator's
monitoring centre answers from its console with the remote trip (``devices.control``: confirmation with a reason,
the breaker's state read back, audited) or declines with a note. The owner sees the answer on the alarm page.

A request is pending until a trip is read back as open (tripped) or someone declines it; a trip the device did not
confirm leaves it pending, so it can be tried again or declined. Every step is in the audit log, as remote control
is.
"""

from __future__ import annotations

from typing import Any

import msgspec

from server.accounts.principal import Principal
from server.accounts.roles import POWER_OFF_DECIDERS, POWER_OFF_REQUESTERS, require, require_user
from server.alarms.schemas import PowerOffConfirm, PowerOffDecline, PowerOffIn, PowerOffOut
from server.context import Context
from server.devices import control
from server.devices.schemas import ControlIn, ControlOut
from server.errors import Conflict, NotFound
from server.storage import Connection
from server.storage import alarms as alarm_sql
from server.storage import devices as device_sql
from server.storage import power_off as sql
from server.storage.scopes import site_scope

__all__ = ["confirm", "decline", "list_requests", "of_alarm", "request"]


def _out(row: dict[str, Any], control_out: ControlOut | None = None) -> PowerOffOut:
    out = msgspec.convert(row, PowerOffOut)
    out.control = control_out
    return out


async def request(ctx: Context, principal: Principal, alarm_id: int, body: PowerOffIn) -> PowerOffOut:
    """The owner asks the monitoring centre to switch the alarm's circuit off. 409 while one waits already."""
    scope = site_scope(principal, ctx.reference)
    user_id = require_user(principal, "ask for a remote power-off")
    now = ctx.clock()

    def insert(conn: Connection) -> dict[str, Any]:
        alarm = alarm_sql.get_alarm(conn, alarm_id, scope)
        if alarm is None:
            raise NotFound("alarm", alarm_id)
        require(principal, POWER_OFF_REQUESTERS, "ask for a remote power-off; the monitoring centre trips it itself")
        if alarm["test"]:
            raise Conflict("this is a self-test (自检) alarm: nothing to switch off")
        if (waiting := sql.pending_of_alarm(conn, alarm_id)) is not None:
            raise Conflict(f"request {waiting} for this alarm is waiting for the monitoring centre already")
        request_id = sql.insert_request(conn, alarm_id=alarm_id, site_id=alarm["site_id"],
                                        device_id=alarm["device_id"], user_id=user_id, ts=now,
                                        reason=body.reason.strip())
        device_sql.insert_audit(conn, ts=now, actor_id=user_id, action="power_off_request", obj="alarm",
                                object_id=alarm_id, detail={"request_id": request_id, "reason": body.reason.strip()})
        row = sql.get_request(conn, request_id)
        assert row is not None
        return row

    return _out(await ctx.db.write(insert, durable=True))


async def of_alarm(ctx: Context, principal: Principal, alarm_id: int) -> list[PowerOffOut]:
    """An alarm's requests, the pending one first (the owner's alarm page shows its state)."""
    scope = site_scope(principal, ctx.reference)

    def read(conn: Connection) -> list[dict[str, Any]] | None:
        if alarm_sql.get_alarm(conn, alarm_id, scope) is None:
            return None
        return sql.list_requests(conn, scope, alarm_id=alarm_id, states=None, limit=50)

    rows = await ctx.db.read(read)
    if rows is None:
        raise NotFound("alarm", alarm_id)
    return [_out(r) for r in rows]


async def list_requests(ctx: Context, principal: Principal, states: list[str] | None, limit: int) -> list[PowerOffOut]:
    """Requests at the sites the caller sees, pending first (the console's list)."""
    require_user(principal, "read power-off requests")
    scope = site_scope(principal, ctx.reference)
    rows = await ctx.db.read(lambda c: sql.list_requests(c, scope, alarm_id=None, states=states, limit=limit))
    return [_out(r) for r in rows]


async def _pending(ctx: Context, principal: Principal, request_id: int, action: str) -> dict[str, Any]:
    scope = site_scope(principal, ctx.reference)
    row = await ctx.db.read(lambda c: sql.get_request(c, request_id, scope))
    if row is None:
        raise NotFound("power-off request", request_id)
    require(principal, POWER_OFF_DECIDERS, action)
    if row["state"] != "pending":
        raise Conflict(f"request {request_id} was answered already ({row['state']} by {row['decided_by']})")
    return row


async def confirm(ctx: Context, principal: Principal, request_id: int, body: PowerOffConfirm) -> PowerOffOut:
    """Trip the alarm's breaker for the request (the remote-control flow) and answer it when the breaker reads back
    open; a trip not confirmed leaves it pending, with the control's answer saying why."""
    row = await _pending(ctx, principal, request_id, "switch a circuit off remotely")
    done = await control.control(ctx, principal, row["device_id"], ControlIn(action="trip", reason=body.reason))
    now = ctx.clock()

    def record(conn: Connection) -> dict[str, Any]:
        if done.outcome == "done":
            sql.decide(conn, request_id, state="tripped", user_id=principal.id, ts=now, note=body.reason.strip(),
                       control_id=done.id)
        else:
            sql.set_control(conn, request_id, done.id)
        found = sql.get_request(conn, request_id)
        assert found is not None
        return found

    return _out(await ctx.db.write(record, durable=True), done)


async def decline(ctx: Context, principal: Principal, request_id: int, body: PowerOffDecline) -> PowerOffOut:
    """Decline with a note the owner reads (e.g. an electrician is on the way). 409 when answered already."""
    await _pending(ctx, principal, request_id, "answer power-off requests")
    now = ctx.clock()
    note = body.note.strip()

    def record(conn: Connection) -> dict[str, Any]:
        if not sql.decide(conn, request_id, state="declined", user_id=principal.id, ts=now, note=note):
            raise Conflict(f"request {request_id} was answered already")
        device_sql.insert_audit(conn, ts=now, actor_id=principal.id, action="power_off_decline",
                                obj="power_off_request", object_id=request_id, detail={"note": note})
        found = sql.get_request(conn, request_id)
        assert found is not None
        return found

    return _out(await ctx.db.write(record, durable=True))

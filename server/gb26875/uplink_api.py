"""The uplink in the API (operators and admins): its state, and the answer to a centre's duty check (查岗)."""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.status_codes import HTTP_200_OK

from server.accounts.guards import Caller, Ctx, PathId
from server.accounts.principal import Principal
from server.accounts.roles import CONSOLE, require, require_user
from server.context import Context
from server.errors import Conflict, NotFound, Unavailable
from server.gb26875.uplink import LinkFailed, Uplink
from server.gb26875.uplink_answers import duty_check_answer
from server.storage import Connection
from server.storage import gb26875_uplink as sql

__all__ = ["STATE_KEY", "DutyCheckOut", "UplinkController", "UplinkOut", "answer_duty_check", "status"]

STATE_KEY = "gb26875_uplink"  # app.state: the Uplink, or None when the server has none
DUTY_CHECKS_SHOWN = 20  # the newest duty checks in the state

DutyState = Literal["pending", "answered", "expired"]


class Queued(msgspec.Struct):
    alarms: int
    analogue: int


class CountersOut(msgspec.Struct):
    sent: int
    confirmed: int
    resent: int
    denied: int


class ClockOut(msgspec.Struct):
    """The centre's time as its last clock synchronisation (type 90) said, its offset from andian's, and when."""

    centre_time: float
    offset_s: float
    at: float


class DutyCheckOut(msgspec.Struct):
    id: int
    received_at: float
    timeout_min: int
    deadline: float
    answered_at: float | None
    answered_by: int | None
    state: DutyState
    answered_by_name: str | None = None  # the display name (else username) of who answered


class UplinkOut(msgspec.Struct):
    configured: bool
    centre: str | None
    address: str | None
    connected: bool
    connected_at: float | None
    last_confirm_at: float | None
    queued: Queued
    counters: CountersOut
    clock: ClockOut | None
    duty_checks: list[DutyCheckOut]


def _check(row: dict[str, Any], now: float) -> DutyCheckOut:
    state: DutyState = ("answered" if row["answered_at"] is not None
                        else "expired" if now > row["deadline"] else "pending")
    return DutyCheckOut(id=row["id"], received_at=row["received_at"], timeout_min=row["timeout_min"],
                        deadline=row["deadline"], answered_at=row["answered_at"], answered_by=row["answered_by"],
                        state=state, answered_by_name=row["answered_by_name"])


async def status(ctx: Context, uplink: Uplink | None) -> UplinkOut:
    def read(conn: Connection) -> tuple[dict[str, int], dict[str, Any], list[dict[str, Any]]]:
        return sql.queued(conn), sql.get_state(conn), sql.duty_checks(conn, DUTY_CHECKS_SHOWN)

    queued, state, checks = await ctx.db.read(read)
    now = ctx.clock()
    clock = (ClockOut(centre_time=state["centre_time"], offset_s=state["clock_offset_s"], at=state["clock_at"])
             if state["centre_time"] is not None else None)
    link = uplink.link if uplink is not None else None
    counters = uplink.counters if uplink is not None else None
    return UplinkOut(
        configured=uplink is not None, centre=str(uplink.target) if uplink else None,
        address=uplink.address.hex() if uplink else None, connected=link is not None,
        connected_at=link.connected_at if link else None,
        last_confirm_at=uplink.last_confirm_at if uplink else None,
        queued=Queued(alarms=queued[sql.ALARM], analogue=queued[sql.ANALOGUE]),
        counters=CountersOut(sent=counters.sent, confirmed=counters.confirmed, resent=counters.resent,
                             denied=counters.denied) if counters else CountersOut(0, 0, 0, 0),
        clock=clock, duty_checks=[_check(row, now) for row in checks])


async def answer_duty_check(ctx: Context, uplink: Uplink | None, user_id: int, check_id: int) -> DutyCheckOut:
    """Send the answer to a pending duty check: 404 unknown, 409 answered or expired, 503 not connected."""
    row = await ctx.db.read(lambda conn: sql.duty_check(conn, check_id))
    if row is None:
        raise NotFound("duty check", check_id)
    now = ctx.clock()
    if row["answered_at"] is not None:
        raise Conflict(f"duty check {check_id} was answered already (by user {row['answered_by']})")
    if now > row["deadline"]:
        raise Conflict(f"duty check {check_id} expired: the centre waited {row['timeout_min']} min for an answer")
    link = uplink.link if uplink is not None else None
    if uplink is None or link is None:
        raise Unavailable("the uplink to the monitoring centre is not connected; answer once it is (GET "
                          "/api/v1/gb26875/uplink says when)")
    if not await ctx.db.write(lambda conn: sql.answer_duty_check(conn, check_id, user_id, now), durable=True):
        raise Conflict(f"duty check {check_id} was answered already or has expired")
    try:
        await link.send(duty_check_answer(uplink, row))
    except (LinkFailed, OSError) as exc:
        await ctx.db.write(lambda conn: sql.unanswer_duty_check(conn, check_id), durable=True)
        raise Unavailable("the connection to the monitoring centre went while answering; answer again once it is "
                          "back") from exc
    answered = await ctx.db.read(lambda conn: sql.duty_check(conn, check_id))
    assert answered is not None
    return _check(answered, now)


def provide_uplink(request: Request[Any, Any, Any]) -> Uplink | None:
    uplink = request.app.state.get(STATE_KEY)
    return uplink if isinstance(uplink, Uplink) else None


class UplinkController(Controller):
    path = "/api/v1/gb26875/uplink"
    tags = ["gb26875"]
    security = [{"BearerToken": []}]
    dependencies = {"uplink": Provide(provide_uplink, sync_to_thread=False)}

    @get("/", summary="The GB/T 26875.3 uplink to the city monitoring centre: connection, queue, counters, 查岗",
         description="Operators and admins. `configured` is false (and the connection fields null) when the server "
                     "has no ANDIAN_GB26875_UPLINK.")
    async def show(self, ctx: Ctx, principal: Caller, uplink: NamedDependency[Uplink | None]) -> UplinkOut:
        _allowed(principal, "see the uplink to the monitoring centre")
        return await status(ctx, uplink)

    @post("/duty-checks/{check_id:int}/answer", status_code=HTTP_200_OK,
          summary="Answer the monitoring centre's duty check (查岗): someone is on duty",
          description="Operators and admins. Sends the answer (type 91, the check's serial). 404 for an unknown "
                      "check; 409 when it was answered already or its minutes are over; 503 when the uplink is not "
                      "connected.")
    async def answer(self, ctx: Ctx, principal: Caller, uplink: NamedDependency[Uplink | None],
                     check_id: PathId) -> DutyCheckOut:
        user_id = _allowed(principal, "answer the monitoring centre's duty check")
        return await answer_duty_check(ctx, uplink, user_id, check_id)


def _allowed(principal: Principal, action: str) -> int:
    user_id = require_user(principal, action)
    require(principal, CONSOLE, action)
    return user_id

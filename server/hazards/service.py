"""Hazards: create, move through the workflow, comment. Which move is legal is in ``hazards.workflow``; who may
make it, in ``accounts.roles``."""

from __future__ import annotations

from typing import Any

import msgspec

from server.accounts.principal import Principal
from server.accounts.roles import ASSIGNERS, RULE_EDITORS, require, require_user
from server.context import Context
from server.errors import NotFound
from server.hazards import actions, automation, dispatch, workflow
from server.hazards.notices import Announcer
from server.hazards.schemas import (
    AssigneeOut,
    CommentIn,
    DispatchIn,
    HazardCreate,
    HazardDetail,
    HazardOut,
    HazardRules,
    HazardTransition,
)
from server.live.events import LiveEvent
from server.sites.access import visible_site
from server.storage import Connection
from server.storage import devices as device_sql
from server.storage import hazards as sql
from server.storage.scopes import EVERY_SITE, hazard_scope

__all__ = [
    "assignees", "comment", "create_hazard", "dispatch_alarm", "get_hazard", "get_rules", "hazard_detail",
    "hazard_out", "list_hazards", "set_rules", "transition",
]

def announcer(ctx: Context) -> Announcer:
    return Announcer(ctx.reference, ctx.settings.timezone, ctx.settings.link_base())


async def _told(ctx: Context, principal: Principal, hazard_id: int, kind: str) -> HazardDetail:
    """After a hazard changed: wake the sender for its messages and tell open site pages (live ``hazard``)."""
    ctx.doorbell.ring()
    detail = await get_hazard(ctx, principal, hazard_id)
    summary = msgspec.to_builtins(hazard_out(msgspec.to_builtins(detail), ctx.clock()))
    ctx.hub.publish([LiveEvent(detail.site_id, "hazard", {**summary, "event": kind})])
    return detail


def hazard_out(row: dict[str, Any], now: float) -> HazardOut:
    overdue = workflow.is_overdue(row["state"], row["due_at"], now)
    return msgspec.convert({**row, "overdue": overdue}, HazardOut)


def hazard_detail(row: dict[str, Any], events: list[dict[str, Any]], now: float) -> HazardDetail:
    return msgspec.convert({**msgspec.to_builtins(hazard_out(row, now)), "events": events}, HazardDetail)


async def list_hazards(ctx: Context, principal: Principal, *, site_id: int | None, states: list[str] | None,
                       overdue: bool, mine: bool, limit: int) -> list[HazardOut]:
    require_user(principal, "handle hazards")
    scope = hazard_scope(principal, ctx.reference)
    now = ctx.clock()
    rows = await ctx.db.read(lambda c: sql.list_hazards(
        c, scope, site_id=site_id, states=states, overdue_at=now if overdue else None,
        assignee_id=principal.id if mine else None, limit=limit))
    return [hazard_out(r, now) for r in rows]


async def get_hazard(ctx: Context, principal: Principal, hazard_id: int) -> HazardDetail:
    require_user(principal, "handle hazards")
    scope = hazard_scope(principal, ctx.reference)

    def read(conn: Connection) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        row = sql.get_hazard(conn, hazard_id, scope)
        return row, (sql.hazard_events(conn, hazard_id) if row else [])

    row, events = await ctx.db.read(read)
    if row is None:
        raise NotFound("hazard", hazard_id)
    return hazard_detail(row, events, ctx.clock())


def _doer(ctx: Context, principal: Principal) -> actions.Doer:
    return actions.Doer(principal, ctx.reference, announcer(ctx), ctx.clock())


async def create_hazard(ctx: Context, principal: Principal, body: HazardCreate) -> HazardDetail:
    require_user(principal, "handle hazards")
    await visible_site(ctx, principal, body.site_id)
    if body.assignee_id is not None:
        require(principal, ASSIGNERS, "assign hazards")
    doer = _doer(ctx, principal)
    hazard_id = await ctx.db.write(lambda c: actions.create(c, doer, body), durable=True)
    return await _told(ctx, principal, hazard_id, "created")


async def transition(ctx: Context, principal: Principal, hazard_id: int, body: HazardTransition) -> HazardDetail:
    require_user(principal, "handle hazards")
    doer = _doer(ctx, principal)
    await ctx.db.write(lambda c: actions.move(c, doer, hazard_id, body), durable=True)
    return await _told(ctx, principal, hazard_id, body.to)


async def dispatch_alarm(ctx: Context, principal: Principal, alarm_id: int, body: DispatchIn) -> HazardDetail:
    """The console's dispatch: the alarm's hazard (made now or reused) assigned to an electrician."""
    require_user(principal, "dispatch alarms")
    doer = _doer(ctx, principal)
    hazard_id = await ctx.db.write(lambda c: dispatch.dispatch(c, doer, alarm_id, body), durable=True)
    return await _told(ctx, principal, hazard_id, "assigned")


async def comment(ctx: Context, principal: Principal, hazard_id: int, body: CommentIn) -> HazardDetail:
    """The three-party thread: the unit, the operator company and the regulator write on the hazard."""
    require_user(principal, "handle hazards")
    doer = _doer(ctx, principal)
    await ctx.db.write(lambda c: actions.comment(c, doer, hazard_id, body), durable=True)
    return await _told(ctx, principal, hazard_id, "comment")


async def assignees(ctx: Context, principal: Principal, site_id: int) -> list[AssigneeOut]:
    await visible_site(ctx, principal, site_id)
    require(principal, ASSIGNERS, "assign hazards")
    return msgspec.convert(await ctx.db.read(lambda c: sql.assignees(c, site_id)), list[AssigneeOut])


async def from_commissioning(ctx: Context, principal: Principal, commissioning: dict[str, Any], code: str,
                             error: str) -> int | None:
    """A failed self-test or acceptance item becomes a hazard of the site (one open per commissioning); the
    operator company dispatches it. Answers the new hazard's id, or None when one is already open."""
    now = ctx.clock()
    words = {"checklist_failed": "安装验收未通过", "self_test_no_alarm": "探测器自检未报警",
             "self_test_not_cleared": "探测器自检报警未恢复"}

    def create(conn: Connection) -> int | None:
        if sql.commissioning_hazard_open(conn, commissioning["id"]):
            return None
        found = device_sql.get_device(conn, commissioning["device_id"], EVERY_SITE)
        device = found["serial"] if found else commissioning["address"]
        return automation.open_hazard(
            conn, announcer(ctx), now, site_id=commissioning["site_id"], title=f"{words.get(code, code)}：{device}",
            description=error, severity="general", source="commissioning", actor_id=principal.id,
            refs={"commissioning_id": commissioning["id"]},
            detail={"commissioning_id": commissioning["id"], "code": code})

    return await ctx.db.write(create, durable=True)


async def get_rules(ctx: Context, principal: Principal, site_id: int) -> HazardRules:
    await visible_site(ctx, principal, site_id)
    rules = await ctx.db.read(lambda c: sql.get_rules(c, site_id))
    return HazardRules() if rules is None else msgspec.convert(rules, HazardRules)


async def set_rules(ctx: Context, principal: Principal, site_id: int, body: HazardRules) -> HazardRules:
    await visible_site(ctx, principal, site_id)
    require(principal, RULE_EDITORS, "change when alarms become hazards")
    await ctx.db.write(lambda c: sql.set_rules(c, site_id, msgspec.to_builtins(body)), durable=True)
    return body

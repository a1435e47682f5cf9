"""Hazards: create, move through the workflow, comment; who may do what is in ``hazards.workflow``."""

from __future__ import annotations

import sqlite3
from typing import Any

import msgspec

from ..auth.principal import Principal
from ..context import Context
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..hazards import automation, workflow
from ..hazards.notices import Announcer
from ..hazards.schemas import (
    AssigneeOut,
    CommentIn,
    HazardCreate,
    HazardDetail,
    HazardOut,
    HazardRules,
    HazardTransition,
)
from ..ingest.pipeline import LiveEvent
from ..storage import alarms as alarm_sql
from ..storage import hazards as sql
from ..storage.scopes import sees_site, site_scope, user_principal
from .sites import require, require_user, visible_site

__all__ = [
    "RULE_EDITORS", "assignees", "comment", "create_hazard", "get_hazard", "get_rules", "hazard_out", "list_hazards",
    "set_rules", "transition",
]

# Who sets a site's alarm → hazard rules: the operator company and admins.
RULE_EDITORS = ("admin", "operator")


def announcer(ctx: Context) -> Announcer:
    return Announcer(ctx.reference, ctx.settings.timezone, ctx.settings.link_base())


def _announce(conn: sqlite3.Connection, ctx: Context, hazard_id: int, event_id: int, now: float) -> None:
    """Messages for the event, in its transaction (the sender is woken after the commit)."""
    automation.announce(conn, announcer(ctx), hazard_id, event_id, now)


async def _told(ctx: Context, principal: Principal, hazard_id: int, kind: str) -> HazardDetail:
    """After a hazard changed: wake the sender for its messages and tell open site pages (live ``hazard``)."""
    ctx.hub.alarms.set()
    detail = await get_hazard(ctx, principal, hazard_id)
    summary = msgspec.to_builtins(hazard_out(msgspec.to_builtins(detail), ctx.clock()))
    ctx.hub.publish([LiveEvent(detail.site_id, "hazard", {**summary, "event": kind})])
    return detail


def hazard_out(row: dict[str, Any], now: float) -> HazardOut:
    overdue = row["state"] in workflow.OPEN_STATES and row["due_at"] < now
    return msgspec.convert({**row, "overdue": overdue}, HazardOut)


def _detail(row: dict[str, Any], events: list[dict[str, Any]], now: float) -> HazardDetail:
    return msgspec.convert({**msgspec.to_builtins(hazard_out(row, now)), "events": events}, HazardDetail)


async def list_hazards(ctx: Context, principal: Principal, *, site_id: int | None, states: list[str] | None,
                       overdue: bool, mine: bool, limit: int) -> list[HazardOut]:
    require_user(principal, "handle hazards")
    where, params = site_scope(principal, ctx.reference)
    now = ctx.clock()
    rows = await ctx.db.read(lambda c: sql.list_hazards(
        c, where, params, site_id=site_id, states=states, overdue_at=now if overdue else None,
        assignee_id=principal.id if mine else None, limit=limit))
    return [hazard_out(r, now) for r in rows]


async def get_hazard(ctx: Context, principal: Principal, hazard_id: int) -> HazardDetail:
    require_user(principal, "handle hazards")
    where, params = site_scope(principal, ctx.reference)

    def read(conn: sqlite3.Connection) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        row = sql.get_hazard(conn, hazard_id, where, params)
        return row, (sql.hazard_events(conn, hazard_id) if row else [])

    row, events = await ctx.db.read(read)
    if row is None:
        raise NotFound("hazard", hazard_id)
    return _detail(row, events, ctx.clock())


def _check_photos(conn: sqlite3.Connection, hashes: list[str]) -> None:
    missing = sql.missing_attachments(conn, hashes)
    if missing:
        index = hashes.index(missing[0])
        raise InvalidInput(f"attachments[{index}]", f"no attachment {missing[0][:12]}…; upload it first with "
                                                    "PUT /api/v1/attachments/{sha256}")


def _check_assignee(conn: sqlite3.Connection, ctx: Context, assignee_id: int | None, site_id: int) -> int:
    if assignee_id is None:
        raise InvalidInput("assignee_id", "say who fixes it: the id of a user who can see this site")
    person = user_principal(conn, assignee_id)
    if person is None or person.role == "regulator" or not sees_site(conn, person, ctx.reference, site_id):
        raise InvalidInput("assignee_id", f"user {assignee_id} cannot take this hazard: assign it to the site's "
                                          "owner, its operator company's staff or an inspector of its grid")
    return assignee_id


def _check_due(due: float | None, now: float) -> None:
    if due is not None and due <= now:
        raise InvalidInput("due", "the due date must be in the future")


async def create_hazard(ctx: Context, principal: Principal, body: HazardCreate) -> HazardDetail:
    require_user(principal, "handle hazards")
    await visible_site(ctx, principal, body.site_id)
    if body.assignee_id is not None:
        require(principal, workflow.ASSIGNERS, "assign hazards")
    now = ctx.clock()
    _check_due(body.due, now)
    if body.alarm_id is not None and body.source != "alarm":
        raise InvalidInput("source", "a hazard made from an alarm has source \"alarm\"")

    def create(conn: sqlite3.Connection) -> int:
        if body.alarm_id is not None:
            alarm = alarm_sql.get_alarm(conn, body.alarm_id)
            if alarm is None or alarm["site_id"] != body.site_id:
                raise InvalidInput("alarm_id", f"alarm {body.alarm_id} is not an alarm of site {body.site_id}")
            taken = conn.execute("SELECT id FROM hazards WHERE alarm_id = ?", [body.alarm_id]).fetchone()
            if taken:
                raise Conflict(f"alarm {body.alarm_id} already has hazard {taken[0]}")
        _check_photos(conn, body.attachments)
        assignee = None if body.assignee_id is None else _check_assignee(conn, ctx, body.assignee_id, body.site_id)
        return automation.open_hazard(
            conn, announcer(ctx), now, site_id=body.site_id, title=body.title.strip(),
            description=body.description.strip(), severity=body.severity, source=body.source, actor_id=principal.id,
            assignee_id=assignee, due=body.due, refs={"alarm_id": body.alarm_id}, attachments=body.attachments)

    hazard_id = await ctx.db.write(create, durable=True)
    return await _told(ctx, principal, hazard_id, "created")


async def transition(ctx: Context, principal: Principal, hazard_id: int, body: HazardTransition) -> HazardDetail:
    require_user(principal, "handle hazards")
    where, params = site_scope(principal, ctx.reference)
    now = ctx.clock()
    _check_due(body.due, now)

    def move(conn: sqlite3.Connection) -> None:
        row = sql.get_hazard(conn, hazard_id, where, params)
        if row is None:
            raise NotFound("hazard", hazard_id)
        actor = workflow.Actor(principal.id, principal.role, row["owner_id"] == principal.id)
        try:
            step = workflow.decide(row["state"], body.to, actor, row["assignee_id"], row["rectifier_id"])
        except workflow.Illegal as exc:
            raise Conflict(str(exc)) from exc
        except workflow.NotAllowed as exc:
            raise Forbidden(str(exc)) from exc
        fields: dict[str, Any] = {"state": step.to, "updated_at": now}
        detail: dict[str, Any] = {}
        if step.needs == "assignee":
            fields["assignee_id"] = _check_assignee(conn, ctx, body.assignee_id, row["site_id"])
            # Reassigning keeps the due date unless a new one is given; a date already past starts afresh.
            due = body.due or (row["due_at"] if row["due_at"] > now else now + workflow.SEVERITY_DUE_S[row["severity"]])
            fields |= {"due_at": due, "overdue_notified_at": None}
            detail = {"assignee_id": fields["assignee_id"], "assignee": sql.user_name(conn, fields["assignee_id"]),
                      "due_at": due}
        elif step.needs == "photos" and not body.attachments:
            raise InvalidInput("attachments", "add at least one photo of the rectified work as evidence")
        elif step.needs == "note" and not body.note.strip():
            raise InvalidInput("note", "say what is still wrong, so the person fixing it knows what to do")
        _check_photos(conn, body.attachments)
        if body.to == "rectified":
            fields |= {"rectified_by": principal.id, "rectified_at": now}
        elif body.to == "verified":
            fields |= {"verified_by": principal.id, "verified_at": now}
        elif body.to == "closed":
            fields["closed_at"] = now
        sql.update_hazard(conn, hazard_id, fields)
        event_id = sql.add_event(conn, hazard_id, now, principal.id, body.to, step.to, body.note.strip(), detail,
                                 body.attachments)
        _announce(conn, ctx, hazard_id, event_id, now)

    await ctx.db.write(move, durable=True)
    return await _told(ctx, principal, hazard_id, body.to)


async def comment(ctx: Context, principal: Principal, hazard_id: int, body: CommentIn) -> HazardDetail:
    """The three-party thread: the unit, the operator company and the regulator write on the hazard."""
    require_user(principal, "handle hazards")
    where, params = site_scope(principal, ctx.reference)
    now = ctx.clock()

    def add(conn: sqlite3.Connection) -> None:
        row = sql.get_hazard(conn, hazard_id, where, params)
        if row is None:
            raise NotFound("hazard", hazard_id)
        _check_photos(conn, body.attachments)
        event_id = sql.add_event(conn, hazard_id, now, principal.id, "comment", row["state"], body.text.strip(),
                                 attachments=body.attachments)
        sql.update_hazard(conn, hazard_id, {"updated_at": now})
        _announce(conn, ctx, hazard_id, event_id, now)

    await ctx.db.write(add, durable=True)
    return await _told(ctx, principal, hazard_id, "comment")


async def assignees(ctx: Context, principal: Principal, site_id: int) -> list[AssigneeOut]:
    await visible_site(ctx, principal, site_id)
    require(principal, workflow.ASSIGNERS, "assign hazards")
    return msgspec.convert(await ctx.db.read(lambda c: sql.assignees(c, site_id)), list[AssigneeOut])


async def from_commissioning(ctx: Context, principal: Principal, commissioning: dict[str, Any], code: str,
                             error: str) -> int | None:
    """A failed self-test or acceptance item becomes a hazard of the site (one open per commissioning); the
    operator company dispatches it. Answers the new hazard's id, or None when one is already open."""
    now = ctx.clock()
    words = {"checklist_failed": "安装验收未通过", "self_test_no_alarm": "探测器自检未报警",
             "self_test_not_cleared": "探测器自检报警未恢复"}

    def create(conn: sqlite3.Connection) -> int | None:
        if conn.execute("SELECT 1 FROM hazards WHERE commissioning_id = ? AND state != 'closed'",
                        [commissioning["id"]]).fetchone():
            return None
        found = conn.execute("SELECT serial FROM devices WHERE id = ?", [commissioning["device_id"]]).fetchone()
        device = found[0] if found else commissioning["address"]
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

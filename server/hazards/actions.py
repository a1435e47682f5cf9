"""What a person does to a hazard, inside the writer's transaction: report, move, comment, edit. The HTTP
endpoints and sync pushes both come here, so the rules are the same whichever way the change arrives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from server.accounts.principal import Principal
from server.accounts.roles import ASSIGNERS, HAZARD_EDITORS
from server.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.hazards import automation, workflow
from server.hazards.notices import Announcer
from server.hazards.schemas import CommentIn, HazardCreate, HazardTransition
from server.reference import Reference
from server.storage import Connection
from server.storage import alarms as alarm_sql
from server.storage import attachments as attachment_sql
from server.storage import hazards as sql
from server.storage.scopes import assigned_only, hazard_scope, may_take, sees_site, site_scope, user_principal

__all__ = ["Doer", "check_photos", "comment", "create", "edit", "move", "unusable_photo", "visible"]

@dataclass(frozen=True)
class Doer:
    """Who acts, when, and what they need to decide and announce."""

    principal: Principal
    reference: Reference
    announcer: Announcer
    now: float


def visible(conn: Connection, doer: Doer, hazard_id: int) -> dict[str, Any]:
    scope = hazard_scope(doer.principal, doer.reference)
    row = sql.get_hazard(conn, hazard_id, scope)
    if row is None:
        raise NotFound("hazard", hazard_id)
    return row


def unusable_photo(conn: Connection, principal: Principal, reference: Reference,
                   hashes: list[str]) -> int | None:
    """The index of the first photo the person may not cite: one not uploaded, or uploaded by someone else and not
    evidence on a record they can see (citing a hash must not make another tenant's photo readable)."""
    if not hashes:
        return None
    scope = site_scope(principal, reference)
    ok = attachment_sql.readable(conn, hashes, principal.id, scope, assigned_only(principal))
    return next((i for i, sha in enumerate(hashes) if sha not in ok), None)


def check_photos(conn: Connection, doer: Doer, hashes: list[str]) -> None:
    index = unusable_photo(conn, doer.principal, doer.reference, hashes)
    if index is not None:
        raise InvalidInput(f"attachments[{index}]", f"no attachment {hashes[index][:12]}… of yours; upload it "
                                                    "first with PUT /api/v1/attachments/{sha256}")


def _check_assignee(conn: Connection, doer: Doer, assignee_id: int | None, site_id: int) -> int:
    if assignee_id is None:
        raise InvalidInput("assignee_id", "say who fixes it: the id of a user who can see this site")
    person = user_principal(conn, assignee_id)
    if person is None or person.role == "regulator" or not may_take(conn, person, doer.reference, site_id):
        raise InvalidInput("assignee_id", f"user {assignee_id} cannot take this hazard: assign it to the site's "
                                          "owner, its operator company's staff (electricians included) or an "
                                          "inspector of its grid")
    return assignee_id


def _check_due(due: float | None, now: float) -> None:
    if due is not None and due <= now:
        raise InvalidInput("due", "the due date must be in the future")


def create(conn: Connection, doer: Doer, body: HazardCreate) -> int:
    """A reported hazard (assigned at once when the reporter may assign); its id."""
    if not sees_site(conn, doer.principal, doer.reference, body.site_id):
        raise NotFound("site", body.site_id)
    if body.assignee_id is not None and doer.principal.role not in ASSIGNERS:
        raise Forbidden(f"role {doer.principal.role} may not assign hazards")
    _check_due(body.due, doer.now)
    if body.alarm_id is not None and body.source != "alarm":
        raise InvalidInput("source", "a hazard made from an alarm has source \"alarm\"")
    if body.alarm_id is not None:
        alarm = alarm_sql.get_alarm(conn, body.alarm_id)
        if alarm is None or alarm["site_id"] != body.site_id:
            raise InvalidInput("alarm_id", f"alarm {body.alarm_id} is not an alarm of site {body.site_id}")
        taken = sql.hazard_of_alarm(conn, body.alarm_id)
        if taken is not None:
            raise Conflict(f"alarm {body.alarm_id} already has hazard {taken}")
    check_photos(conn, doer, body.attachments)
    assignee = None if body.assignee_id is None else _check_assignee(conn, doer, body.assignee_id, body.site_id)
    return automation.open_hazard(
        conn, doer.announcer, doer.now, site_id=body.site_id, title=body.title.strip(),
        description=body.description.strip(), severity=body.severity, source=body.source,
        actor_id=doer.principal.id, assignee_id=assignee, due=body.due, refs={"alarm_id": body.alarm_id},
        attachments=body.attachments)


def move(conn: Connection, doer: Doer, hazard_id: int, body: HazardTransition) -> None:
    """One step of the workflow, decided against the hazard's state now: 409 Conflict when it is not a move
    from there, 403 Forbidden when this person may not make it."""
    principal, now = doer.principal, doer.now
    _check_due(body.due, now)
    row = visible(conn, doer, hazard_id)
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
        fields["assignee_id"] = _check_assignee(conn, doer, body.assignee_id, row["site_id"])
        # Reassigning keeps the due date unless a new one is given; a date already past starts afresh.
        due = body.due or (row["due_at"] if row["due_at"] > now else now + workflow.SEVERITY_DUE_S[row["severity"]])
        fields |= {"due_at": due, "overdue_notified_at": None}
        detail = {"assignee_id": fields["assignee_id"], "assignee": sql.user_name(conn, fields["assignee_id"]),
                  "due_at": due}
    elif step.needs == "photos" and not body.attachments:
        raise InvalidInput("attachments", "add at least one photo of the rectified work as evidence")
    elif step.needs == "note" and not body.note.strip():
        raise InvalidInput("note", "say what is still wrong, so the person fixing it knows what to do")
    check_photos(conn, doer, body.attachments)
    if body.to == "rectified":
        fields |= {"rectified_by": principal.id, "rectified_at": now}
    elif body.to == "verified":
        fields |= {"verified_by": principal.id, "verified_at": now}
    elif body.to == "closed":
        fields["closed_at"] = now
    sql.update_hazard(conn, hazard_id, fields)
    event_id = sql.add_event(conn, hazard_id, now, principal.id, body.to, step.to, body.note.strip(), detail,
                             body.attachments)
    automation.announce(conn, doer.announcer, hazard_id, event_id, now)


def comment(conn: Connection, doer: Doer, hazard_id: int, body: CommentIn) -> int:
    """A message on the three-party thread; its event id."""
    row = visible(conn, doer, hazard_id)
    check_photos(conn, doer, body.attachments)
    event_id = sql.add_event(conn, hazard_id, doer.now, doer.principal.id, "comment", row["state"],
                             body.text.strip(), attachments=body.attachments)
    sql.update_hazard(conn, hazard_id, {"updated_at": doer.now})
    automation.announce(conn, doer.announcer, hazard_id, event_id, doer.now)
    return event_id


def edit(conn: Connection, doer: Doer, hazard_id: int,
         decide: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    """New words or severity, by those who may edit and never once closed. ``decide`` gets the hazard as it is
    and answers the fields to write (sync merges them by stamp); the change is kept on the timeline."""
    row = visible(conn, doer, hazard_id)
    principal = doer.principal
    if principal.role not in HAZARD_EDITORS and row["creator_id"] != principal.id:
        raise Forbidden(f"role {principal.role} may not edit this hazard; the person who reported it, the operator "
                        "company or an inspector may")
    if row["state"] == "closed":
        raise Conflict("this hazard is closed; report a new one if something is still wrong")
    fields = decide(row)
    if not fields:
        return
    sql.update_hazard(conn, hazard_id, {**fields, "updated_at": doer.now})
    sql.add_event(conn, hazard_id, doer.now, principal.id, "edited", row["state"], detail={"fields": sorted(fields)})

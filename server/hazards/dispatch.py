"""Dispatch from the operator's console (story 4.3): an alarm's hazard, made now or the one it already made or
joined, assigned to one of the operator company's electricians with a due date. Inside the writer's transaction."""

from __future__ import annotations

from server.accounts.roles import DISPATCHERS, require
from server.errors import Conflict, InvalidInput, NotFound
from server.hazards import actions, automation
from server.hazards.schemas import DispatchIn, HazardTransition
from server.storage import Connection
from server.storage import alarms as alarm_sql
from server.storage import hazards as sql
from server.storage.scopes import site_scope, user_principal

__all__ = ["dispatch"]


def dispatch(conn: Connection, doer: actions.Doer, alarm_id: int, body: DispatchIn) -> int:
    """The id of the alarm's hazard, now assigned to ``body.assignee_id``: 404 for an alarm out of sight, 403 for
    a role that does not dispatch, 400 naming the field for someone who is not the site's company's electrician or
    a due date in the past, 409 for a self-test alarm or a hazard already past its repair."""
    principal, now = doer.principal, doer.now
    alarm = alarm_sql.get_alarm(conn, alarm_id, site_scope(principal, doer.reference))
    if alarm is None:
        raise NotFound("alarm", alarm_id)
    require(principal, DISPATCHERS, "dispatch alarms")
    if alarm["test"]:
        raise Conflict("a self-test (自检) alarm is never a hazard: nothing to dispatch")
    person = user_principal(conn, body.assignee_id)
    if person is None or person.role != "electrician" or person.company_id != alarm["company_id"]:
        raise InvalidInput("assignee_id", f"user {body.assignee_id} is not an electrician of the operator company "
                                          "this site is contracted to; pick one from its electricians")
    if body.due is not None and body.due <= now:
        raise InvalidInput("due", "the due date must be in the future")
    hazard_id = sql.hazard_of_alarm(conn, alarm_id)
    if hazard_id is None:
        title, note = automation.alarm_words(doer.announcer, alarm)
        if body.note.strip():
            note = f"{note}\n{body.note.strip()}"
        return automation.open_hazard(
            conn, doer.announcer, now, site_id=alarm["site_id"], title=title, description=note, severity="major",
            source="alarm", actor_id=principal.id, assignee_id=body.assignee_id, due=body.due,
            refs={"alarm_id": alarm_id})
    # The hazard the alarm made or joined: (re)assigned through the workflow, which refuses one already rectified.
    actions.move(conn, doer, hazard_id, HazardTransition(to="assigned", assignee_id=body.assignee_id, due=body.due,
                                                         note=body.note))
    return hazard_id

"""Hazards that time makes: from alarms by the site's rules, and overdue notices. Run by the watchdog, on the
writer thread, in one transaction per round."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from server.detection.settings import unit_of
from server.hazards.notices import Announcer
from server.hazards.workflow import SEVERITY_DUE_S
from server.notify.templates import Words, quantity
from server.storage import Connection, make_durable
from server.storage import hazards as sql
from server.storage import sites as site_sql
from server.storage.scopes import EVERY_SITE

__all__ = [
    "DEFAULT_RULES", "alarm_words", "announce", "due_alarms", "from_alarms", "open_hazard", "overdue", "pending", "run",
]

# Every fault-arc alarm, any alarm still active after 30 minutes, and any alarm a breaker trip ended (the trip removed
# the symptom, not the cause) becomes a hazard (USER_STORIES 1.5).
DEFAULT_RULES = {"alarm_uncleared_min": 30, "arc_always": True, "trip_always": True}
# Alarms older than this are not looked at again (a site that switched a rule on is not flooded with history).
LOOKBACK_S = 7 * 86400.0


def due_alarms(conn: Connection, now: float) -> list[dict[str, Any]]:
    """Alarms that the site's rules turn into hazards now."""
    out = []
    for alarm in sql.alarms_for_rules(conn, now - LOOKBACK_S):
        rules = {**DEFAULT_RULES, **(alarm["rules"] or {})}
        minutes = rules.get("alarm_uncleared_min")
        arc = alarm["cause"] == "arc" and bool(rules.get("arc_always"))
        late = minutes is not None and alarm["cleared_at"] is None and now - alarm["started_at"] >= minutes * 60
        tripped = alarm["cleared_reason"] == "trip" and bool(rules.get("trip_always"))
        if arc or late or tripped:
            out.append(alarm)
    return out


def pending(conn: Connection, now: float) -> bool:
    """Whether ``run`` has anything to do: asked on a reader first, so the writer is not held by the look."""
    return bool(due_alarms(conn, now) or sql.newly_overdue(conn, now))


# (hazard id, what happened to it): what open site pages are told of after the round.
Changed = list[tuple[int, str]]


def alarm_words(announcer: Announcer, alarm: dict[str, Any]) -> tuple[str, str]:
    """The title and first note of a hazard made from ``alarm`` (its circuit or device, cause, peak, trip)."""
    words = Words("zh-CN", announcer.timezone, announcer.link_base)  # hazards are records in the site's language
    place = alarm["circuit"] or alarm["device_name"]
    cause = words.cause(alarm["cause"])
    title = words("hazard.from_alarm_arc" if alarm["cause"] == "arc" else "hazard.from_alarm", place=place,
                  cause=cause)
    unit = unit_of(alarm["channel"]) if alarm["channel"] and alarm["cause"] != "arc" else ""
    note = words("hazard.from_alarm_note", cause=cause, peak=quantity(alarm["peak"], unit))
    if alarm["cleared_reason"] == "trip":
        note += words("hazard.tripped_note")
    return title, note


def from_alarms(conn: Connection, announcer: Announcer, now: float, changed: Changed) -> None:
    for alarm in due_alarms(conn, now):
        title, note = alarm_words(announcer, alarm)
        unit = unit_of(alarm["channel"]) if alarm["channel"] and alarm["cause"] != "arc" else ""
        # One hazard per fault: a repeat alarm of the same device and cause joins the hazard still open for it.
        same = sql.open_hazard_of_fault(conn, alarm["device_id"], alarm["cause"])
        if same is not None:
            sql.add_event(conn, same["id"], now, None, "alarm_again", same["state"], note, {
                "alarm_id": alarm["id"], "cause": alarm["cause"], "level": alarm["level"],
                "started_at": alarm["started_at"], "peak": alarm["peak"], "unit": unit})
            sql.update_hazard(conn, same["id"], {"updated_at": now})
            sql.link_alarm(conn, alarm["id"], same["id"])
            changed.append((same["id"], "alarm_again"))
            continue
        site = site_sql.get_site(conn, alarm["site_id"], EVERY_SITE)
        assert site is not None  # an alarm's site
        hazard_id = open_hazard(conn, announcer, now, site_id=alarm["site_id"], title=title, description=note,
                                severity="major", source="alarm", actor_id=None, assignee_id=site["owner_id"],
                                refs={"alarm_id": alarm["id"]})
        changed.append((hazard_id, "created"))


def open_hazard(conn: Connection, announcer: Announcer, now: float, *, site_id: int, title: str,
                description: str, severity: str, source: str, actor_id: int | None, assignee_id: int | None = None,
                due: float | None = None, refs: dict[str, Any] | None = None, detail: dict[str, Any] | None = None,
                attachments: Sequence[str] = ()) -> int:
    """A new hazard with its "created" event, and, when it has an assignee, its "assigned" event, announced.

    ``refs`` names where it came from (alarm_id, inspection_id or commissioning_id); the due date defaults to the
    severity's. Every way a hazard is made goes through here."""
    due = due or now + SEVERITY_DUE_S[severity]
    hazard_id = sql.insert_hazard(conn, {
        "site_id": site_id, "title": title[:100], "description": description, "severity": severity, "source": source,
        **(refs or {}), "state": "assigned" if assignee_id else "open", "assignee_id": assignee_id, "due_at": due,
        "created_by": actor_id, "created_at": now, "updated_at": now})
    if refs and refs.get("alarm_id"):
        sql.link_alarm(conn, int(refs["alarm_id"]), hazard_id)
    sql.add_event(conn, hazard_id, now, actor_id, "created", "open", description, detail, attachments)
    if assignee_id:
        event_id = sql.add_event(conn, hazard_id, now, actor_id, "assigned", "assigned", detail={
            "assignee_id": assignee_id, "assignee": sql.user_name(conn, assignee_id), "due_at": due})
        announce(conn, announcer, hazard_id, event_id, now)
    return hazard_id


def overdue(conn: Connection, announcer: Announcer, now: float, changed: Changed) -> None:
    for hazard in sql.newly_overdue(conn, now):
        changed.append((hazard["id"], "overdue"))
        event_id = sql.add_event(conn, hazard["id"], now, None, "overdue", hazard["state"])
        sql.update_hazard(conn, hazard["id"], {"overdue_notified_at": now})
        announce(conn, announcer, hazard["id"], event_id, now)


def announce(conn: Connection, announcer: Announcer, hazard_id: int, event_id: int, now: float) -> None:
    """Messages for one event of a hazard, in the event's transaction."""
    hazard = sql.get_hazard(conn, hazard_id)
    assert hazard is not None
    event = next(e for e in sql.hazard_events(conn, hazard_id) if e["id"] == event_id)
    announcer.announce(conn, hazard, event, now)


def run(conn: Connection, announcer: Announcer, now: float, changed: Changed | None = None) -> int:
    """One round; answers how many hazards it made, joined to a repeat alarm or found overdue, and lists them in
    ``changed`` when given (for open site pages)."""
    changed = [] if changed is None else changed
    from_alarms(conn, announcer, now, changed)
    overdue(conn, announcer, now, changed)
    if changed:
        make_durable(conn)  # people are told of these hazards
    return len(changed)

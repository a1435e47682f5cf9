"""Hazards that time makes: from alarms by the site's rules, and overdue notices. Run by the watchdog, on the
writer thread, in one transaction per round."""

from __future__ import annotations

import sqlite3

from ..detection.settings import unit_of
from ..notify.templates import Words, quantity
from ..storage import hazards as sql
from ..storage.database import make_durable
from .notices import Announcer
from .workflow import SEVERITY_DUE_S

__all__ = ["DEFAULT_RULES", "announce", "from_alarms", "overdue", "run"]

# Every fault-arc alarm, and any alarm still active after 30 minutes, becomes a hazard (USER_STORIES 1.5).
DEFAULT_RULES = {"alarm_uncleared_min": 30, "arc_always": True}
# Alarms older than this are not looked at again (a site that switched a rule on is not flooded with history).
LOOKBACK_S = 7 * 86400.0


def from_alarms(conn: sqlite3.Connection, announcer: Announcer, now: float) -> int:
    made = 0
    words = Words("zh-CN", announcer.timezone, announcer.link_base)  # hazards are records in the site's language
    for alarm in sql.alarms_for_rules(conn, now - LOOKBACK_S):
        rules = alarm["rules"] or DEFAULT_RULES
        minutes = rules.get("alarm_uncleared_min")
        arc = alarm["cause"] == "arc" and bool(rules.get("arc_always"))
        late = minutes is not None and alarm["cleared_at"] is None and now - alarm["started_at"] >= minutes * 60
        if not (arc or late):
            continue
        place = alarm["circuit"] or alarm["device_name"]
        cause = words.cause(alarm["cause"])
        title = words("hazard.from_alarm_arc" if alarm["cause"] == "arc" else "hazard.from_alarm", place=place,
                      cause=cause)
        unit = unit_of(alarm["channel"]) if alarm["channel"] and alarm["cause"] != "arc" else ""
        note = words("hazard.from_alarm_note", cause=cause, peak=quantity(alarm["peak"], unit))
        owner = conn.execute("SELECT owner_id FROM sites WHERE id = ?", [alarm["site_id"]]).fetchone()[0]
        due = now + SEVERITY_DUE_S["major"]
        hazard_id = sql.insert_hazard(conn, {
            "site_id": alarm["site_id"], "title": title[:100], "description": note, "severity": "major",
            "source": "alarm", "alarm_id": alarm["id"], "state": "assigned" if owner else "open",
            "assignee_id": owner, "due_at": due, "created_by": None, "created_at": now, "updated_at": now})
        sql.add_event(conn, hazard_id, now, None, "created", "open", note)
        if owner:
            event_id = sql.add_event(conn, hazard_id, now, None, "assigned", "assigned",
                                     detail={"assignee_id": owner, "assignee": sql.user_name(conn, owner),
                                             "due_at": due})
            announce(conn, announcer, hazard_id, event_id, now)
        made += 1
    return made


def overdue(conn: sqlite3.Connection, announcer: Announcer, now: float) -> int:
    rows = sql.newly_overdue(conn, now)
    for hazard in rows:
        event_id = sql.add_event(conn, hazard["id"], now, None, "overdue", hazard["state"])
        sql.update_hazard(conn, hazard["id"], {"overdue_notified_at": now})
        announce(conn, announcer, hazard["id"], event_id, now)
    return len(rows)


def announce(conn: sqlite3.Connection, announcer: Announcer, hazard_id: int, event_id: int, now: float) -> None:
    """Messages for one event of a hazard, in the event's transaction."""
    hazard = sql.get_hazard(conn, hazard_id)
    assert hazard is not None
    event = next(e for e in sql.hazard_events(conn, hazard_id) if e["id"] == event_id)
    announcer.announce(conn, hazard, event, now)


def run(conn: sqlite3.Connection, announcer: Announcer, now: float) -> int:
    changed = from_alarms(conn, announcer, now) + overdue(conn, announcer, now)
    if changed:
        make_durable(conn)  # people are told of these hazards
    return changed

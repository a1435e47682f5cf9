"""Telling people about a hazard's events through their subscriptions (level ``hazard``): the assignee when it
is assigned or rejected, whoever found and dispatched it when it is rectified, the owner and the assignee when it
is verified or closed or overdue, and everyone on the thread when someone writes. The messages are written in
the same transaction as the event (the outbox again) and sent by the notification sender."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.notify.recipients import subscribers
from server.notify.templates import Words
from server.reference import Reference
from server.storage import Connection
from server.storage import hazards as hazard_sql
from server.storage import notify as notify_sql

__all__ = ["Announcer"]


@dataclass(frozen=True)
class Announcer:
    reference: Reference
    timezone: str
    link_base: str

    def announce(self, conn: Connection, hazard: dict[str, Any], event: dict[str, Any], now: float) -> int:
        """Messages for one event of ``hazard`` (a row of ``storage.hazards.get_hazard``); answers how many."""
        made = 0
        recipients = self._recipients(conn, hazard, event)
        for sub in subscribers(conn, self.reference, hazard["site_id"], "hazard",
                               wanted=lambda sub: sub["user_id"] in recipients):
            role_in_event = recipients[sub["user_id"]]
            title, body = self._words(Words(sub["lang"], self.timezone, self.link_base), hazard, event, role_in_event)
            notify_sql.insert_message(conn, {
                "subscription_id": sub["id"], "kind": "hazard", "key": f"h{event['id']}-s{sub['id']}",
                "level": "prealarm" if hazard["severity"] == "general" else "alarm", "title": title,
                "body": body, "next_at": now, "created_at": now}, [])
            made += 1
        return made

    @staticmethod
    def _recipients(conn: Connection, hazard: dict[str, Any], event: dict[str, Any]) -> dict[int, str]:
        """user id → "assignee" | "other", never the person who caused the event."""
        kind = event["kind"]
        out: dict[int, str] = {}
        owner, assignee, creator = hazard["owner_id"], hazard["assignee_id"], hazard["creator_id"]
        # The assignee's entry comes last: when the owner fixes it themselves, they are told as the assignee.
        if kind == "assigned":
            out = {owner: "other", assignee: "assignee"}
        elif kind == "rejected":
            out = {assignee: "assignee"}
        elif kind == "rectified":
            dispatchers = hazard_sql.event_actors(conn, hazard["id"], ("created", "assigned"))
            out = dict.fromkeys([creator, *dispatchers], "other")
        elif kind in ("verified", "closed", "overdue"):
            out = {owner: "other", assignee: "assignee"}
        elif kind == "comment":
            writers = hazard_sql.event_actors(conn, hazard["id"])
            out = dict.fromkeys([owner, assignee, creator, *writers], "other")
        out.pop(event.get("actor_id"), None)  # type: ignore[arg-type]
        return {k: v for k, v in out.items() if k is not None}

    @staticmethod
    def _words(w: Words, hazard: dict[str, Any], event: dict[str, Any], role: str) -> tuple[str, str]:
        title = w("hazard_title", severity=w(f"severity.{hazard['severity']}"), site=hazard["site_name"],
                  title=hazard["title"])
        kind = event["kind"]
        due = w.time(hazard["due_at"])
        params = {"due": due, "actor": event.get("actor") or "", "note": event.get("note") or "",
                  "assignee": hazard.get("assignee") or ""}
        key = "hazard.assigned_other" if kind == "assigned" and role != "assignee" else f"hazard.{kind}"
        lines = [w(key, **params), w("hazard.open", link=f"{w.link_base}/hazards/{hazard['id']}")]
        return title, "\n".join(lines)

"""The notifier's decisions, run on the writer thread inside one transaction each: outbox rows become
deliveries (who is told of which transition, and when), the escalation ladder climbs, and due deliveries
become messages (alone, in a digest, or folded into a summary by the rate limit). Sending is worker.py's.

A delivery's ``due_at`` is what the delivery log promises ("等待摘要，约 {due_at} 发送"), so it is the time the
message is really composed: a digest's when it is planned (quiet hours included), a held one's when the rate
limit frees a slot. Compose takes exactly the deliveries whose ``due_at`` has come."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.detection.settings import unit_of
from server.notify import policy, template_params, templates
from server.notify.recipients import Seen, alarm_subscribers
from server.reference import Reference
from server.storage import Connection, make_durable
from server.storage import notify as sql

__all__ = ["Config", "Planner"]

# Outbox rows planned per round: bounds one write transaction; the rest wait for the next round.
OUTBOX_BATCH = 500


@dataclass(frozen=True)
class Config:
    timezone: str
    link_base: str
    rate_max: int
    rate_window_s: float
    calls: bool = False  # a voice service is configured: owners with a phone number are called (calls.py)


class Planner:
    def __init__(self, reference: Reference, config: Config) -> None:
        self.reference = reference
        self.config = config

    def step(self, conn: Connection, now: float) -> int:
        """One round: plan the outbox, climb the ladders, compose the due messages. Answers how many messages
        were made; anything written is made durable (people were promised these messages)."""
        seen: Seen = {}
        changed = self.plan_outbox(conn, now, seen)
        changed += self.escalate(conn, now, seen)
        made = self.compose(conn, now)
        if changed or made:
            make_durable(conn)
        return made

    # ---- who is told ------------------------------------------------------------------------------------

    def _recipients(self, conn: Connection, site: dict[str, Any], level: str,
                    seen: Seen) -> list[tuple[dict[str, Any], int]]:
        """Subscriptions that want ``level`` of the alarm at the site and whose users still see it (electricians:
        the alarm is dispatched to them), with their ladder rung."""
        return [(sub, policy.tier_of(sub["role"], sub["user_id"], sub["company_id"], site["owner_id"],
                                     site["company_id"]))
                for sub in alarm_subscribers(conn, self.reference, site["site_id"], site["alarm_id"], level,
                                             seen=seen)]

    def plan_outbox(self, conn: Connection, now: float, seen: Seen) -> int:
        rows = sql.outbox_batch(conn, OUTBOX_BATCH)
        for row in rows:
            sql.planned(conn, row["transition_id"])
            if row["test"]:
                continue  # a self-test (自检): storage gives it no outbox row; this guards against an old one
            recipients = self._recipients(conn, row, row["level"], seen)
            # Phone calls are no subscription like the others: only the ladder's call rung (below) makes them.
            calls = [(s, t) for s, t in recipients if s["kind"] == "call"]
            recipients = [(s, t) for s, t in recipients if s["kind"] != "call"]
            if row["transition"] == "cleared":
                told = sql.subscriptions_told(conn, row["alarm_id"])
                recipients = [(s, t) for s, t in recipients if s["id"] in told]
            mode = policy.mode_of(row["level"])
            if row["level"] == "alarm" and row["transition"] != "cleared":
                after = sql.get_policy(conn, row["site_id"]) or policy.DEFAULT_ESCALATE_AFTER_S
                delays = policy.ladder([t for _, t in recipients], after)
                sql.insert_escalations(conn, [(row["alarm_id"], tier, row["transition_id"], now + delay, delay)
                                              for tier, delay in delays.items() if delay > 0])
                if self.config.calls and any(t == policy.CALL_TIER for _, t in calls):
                    wait = policy.call_after(after)
                    sql.insert_escalations(conn, [(row["alarm_id"], policy.CALL_TIER, row["transition_id"],
                                                   now + wait, wait)])
                recipients = [(s, t) for s, t in recipients if delays.get(t) == 0]
            sql.insert_deliveries(conn, [(row["transition_id"], row["alarm_id"], s["id"], s["user_id"], tier, mode,
                                          now if mode == "immediate" else self._digest_at(conn, s, now), None)
                                         for s, tier in recipients], now)
        return len(rows)

    def _digest_at(self, conn: Connection, sub: dict[str, Any], now: float) -> float:
        """When a digest item for ``sub`` goes out: with the digest already waiting, else one interval from now;
        never inside quiet hours."""
        pending = sql.pending_digest(conn, sub["id"])
        if pending is not None:
            return pending[1]
        return policy.digest_at(now, sub["digest_interval_s"], sub["quiet_start"], sub["quiet_end"],
                                self.config.timezone)

    def escalate(self, conn: Connection, now: float, seen: Seen) -> int:
        """Rungs whose time has come: told if the alarm is still active and unacknowledged, else closed."""
        rows = sql.due_escalations(conn, now)
        for row in rows:
            if row["cleared_at"] is not None or row["acknowledged_at"] is not None:
                outcome = "cleared" if row["cleared_at"] is not None else "acknowledged"
                sql.escalation_done(conn, row["alarm_id"], row["tier"], now, outcome)
                continue
            call = row["tier"] == policy.CALL_TIER  # the owner's phone call, else the next rung of the ladder
            recipients = [(s, t) for s, t in self._recipients(conn, row, "alarm", seen)
                          if t == row["tier"] and (s["kind"] == "call") == call]
            if call and not self.config.calls:
                recipients = []  # the voice service was switched off since the alarm
            sql.insert_deliveries(conn, [(row["transition_id"], row["alarm_id"], s["id"], s["user_id"], tier,
                                          "immediate", now, row["after_s"]) for s, tier in recipients], now)
            sql.escalation_done(conn, row["alarm_id"], row["tier"], now, "told" if recipients else "nobody")
            if recipients:
                sql.set_escalated_tier(conn, row["alarm_id"], row["tier"])
        return len(rows)

    # ---- what is sent -----------------------------------------------------------------------------------

    def compose(self, conn: Connection, now: float) -> int:
        made = 0
        for sub in sql.waiting_subscriptions(conn, now):
            waiting = sql.waiting_deliveries(conn, sub["id"], now)
            words = templates.Words(sub["lang"], self.config.timezone, self.config.link_base)
            events = self._events(conn, waiting)
            # Messages counted by the rate limit, this round's included as they are made.
            recent = sql.recent_message_times(conn, sub["id"], now - self.config.rate_window_s)
            before = len(recent)
            # Held earlier by the rate limit: they go together in one summary as soon as a slot is free.
            held = [d for d in waiting if d["mode"] == "summary"]
            if held and self._free(recent) > 0:
                self._summary(conn, sub["id"], words, events, held, now)
                recent.append(now)
            fresh = [d for d in waiting if d["mode"] == "immediate"]
            alone, folded = policy.rate_split(fresh, self._free(recent))
            if fresh and not alone and not folded:  # no slot: they wait, to be folded into one summary
                self._hold(conn, fresh, "summary", recent)
            for delivery in alone:
                event = events[delivery["transition_id"]]
                title, body = templates.alarm_message(words, _event(event), tier=delivery["tier"],
                                                      escalated_after_s=delivery["after_s"])
                self._message(conn, sub["id"], "alarm", f"t{delivery['transition_id']}-s{sub['id']}",
                              _tone(event), title, body, [delivery["id"]], now, mode="immediate",
                              params=template_params.alarm_params(words, _event(event)))
                recent.append(now)
            if folded:
                self._summary(conn, sub["id"], words, events, folded, now)
                recent.append(now)
            digest = [d for d in waiting if d["mode"] == "digest"]
            if digest and self._free(recent) <= 0:
                self._hold(conn, digest, "digest", recent)  # its time came with no slot free: the log says when
            elif digest:
                self._digest(conn, sub["id"], words, [_event(events[d["transition_id"]]) for d in digest],
                             [d["id"] for d in digest], now)
                recent.append(now)
            made += len(recent) - before
        return made

    def _free(self, recent: list[float]) -> int:
        return self.config.rate_max - len(recent)

    def _hold(self, conn: Connection, deliveries: list[dict[str, Any]], mode: str,
              recent: list[float]) -> None:
        """Deliveries that wait for the rate limit, due again when it frees a slot."""
        free_at = policy.slot_free_at(recent, self.config.rate_max, self.config.rate_window_s)
        assert free_at is not None
        sql.hold(conn, [d["id"] for d in deliveries], mode, free_at)

    def _digest(self, conn: Connection, subscription_id: int, words: templates.Words,
                events: list[templates.Event], delivery_ids: list[int], now: float) -> None:
        level = "prealarm" if any(e.level == "prealarm" for e in events) else "fault"
        title, body = templates.digest_message(words, level, events)
        self._message(conn, subscription_id, "digest", f"digest-s{subscription_id}-d{delivery_ids[0]}", level,
                      title, body, delivery_ids, now, params=template_params.digest_params(words, level, events))

    def _summary(self, conn: Connection, subscription_id: int, words: templates.Words,
                 events: dict[int, dict[str, Any]], deliveries: list[dict[str, Any]], now: float) -> None:
        told = [_event(events[d["transition_id"]]) for d in deliveries]
        title, body = templates.summary_message(words, told)
        self._message(conn, subscription_id, "summary", f"summary-s{subscription_id}-d{deliveries[0]['id']}",
                      "alarm", title, body, [d["id"] for d in deliveries], now, mode="summary",
                      params=template_params.summary_params(words, told))

    @staticmethod
    def _events(conn: Connection, waiting: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
        return sql.delivery_events(conn, sorted({d["transition_id"] for d in waiting})) if waiting else {}

    @staticmethod
    def _message(conn: Connection, subscription_id: int, kind: str, key: str, tone: str, title: str,
                 body: str, delivery_ids: list[int], now: float, mode: str | None = None,
                 params: dict[str, str] | None = None) -> None:
        """A message with its text, and the named values a template service (SMS, voice) sends instead."""
        sql.insert_message(conn, {"subscription_id": subscription_id, "kind": kind, "key": key, "level": tone,
                                  "title": title, "body": body, "next_at": now, "created_at": now,
                                  "params": params}, delivery_ids, mode)


def _tone(event: dict[str, Any]) -> str:
    return "cleared" if event["transition"] == "cleared" else str(event["level"])


def _event(row: dict[str, Any]) -> templates.Event:
    unit = "°C" if row["cause"] == "hot_joint" else (unit_of(row["channel"]) if row["channel"] else "")
    ended_at = row["cleared_at"]
    power_cut = row["cleared_reason"] == "trip"
    if power_cut and isinstance(row["ended"].get("at"), int | float):
        ended_at = float(row["ended"]["at"])  # when the breaker opened, which ended the alarm
    return templates.Event(
        alarm_id=row["alarm_id"], transition=row["transition"], level=row["level"], cause=row["cause"], ts=row["ts"],
        started_at=row["started_at"], value=row["value"], peak=row["peak"], threshold=row["threshold"], unit=unit,
        site_name=row["site_name"], device_name=row["device_name"], circuit=row["circuit"], detail=row["detail"],
        change=row["change"], raised_value=row["raised_value"], alarm_level=row["alarm_level"], ended_at=ended_at,
        power_cut=power_cut)

"""Who is told when, as plain functions of time: the escalation ladder, when a digest goes out, quiet hours,
the per-recipient rate limit and the retry backoff. The planner (plan.py) applies them inside transactions."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Literal, TypeVar
from zoneinfo import ZoneInfo

__all__ = [
    "CALL_TIER",
    "DEFAULT_ESCALATE_AFTER_S",
    "IMMEDIATE_LEVELS",
    "Mode",
    "after_quiet_hours",
    "backoff",
    "call_after",
    "digest_at",
    "in_quiet_hours",
    "ladder",
    "mode_of",
    "rate_split",
    "slot_free_at",
    "tier_of",
]

T = TypeVar("T")
Mode = Literal["immediate", "digest"]

# alarm and offline are told at once; pre-alarms and faults are collected into a digest (ARCHITECTURE
# "Notifications": never a digest or quiet hours for alarms).
IMMEDIATE_LEVELS = frozenset({"alarm", "offline"})
# An unacknowledged alarm goes to the operator company after 10 minutes and to the grid inspector after 30
# (USER_STORIES 1.4); each site may set its own.
DEFAULT_ESCALATE_AFTER_S = (600.0, 1800.0)
# The owner's phone call (notify/calls.py) is rung 0's own escalation: rung 0 is told at once by its
# subscriptions, so the ladder never has an escalation row of tier 0 but this one.
CALL_TIER = 0


def mode_of(level: str) -> Mode:
    return "immediate" if level in IMMEDIATE_LEVELS else "digest"


def tier_of(role: str, user_id: int, company_id: int | None, owner_id: int | None,
            site_company_id: int | None) -> int:
    """A person's rung on a site's ladder: 0 the unit (owner, admin), 1 the operator company (its operators and
    installers, and the electrician an alarm is dispatched to: recipients.alarm_subscribers lets no other
    electrician through), 2 the grid inspector and the regulator."""
    if role == "admin" or user_id == owner_id:
        return 0
    if role in ("operator", "installer", "electrician") and company_id is not None and company_id == site_company_id:
        return 1
    return 2


def ladder(tiers_present: Sequence[int], escalate_after_s: Sequence[float]) -> dict[int, float]:
    """Delay after the alarm of each tier that has someone to tell. An empty rung is skipped: when the owner
    has no subscription the operator company is told at once, and the inspector at the first step."""
    delays = (0.0, *escalate_after_s)
    return {tier: delays[rank] for rank, tier in enumerate(sorted(set(tiers_present)))}


def call_after(escalate_after_s: Sequence[float]) -> float:
    """When an unacknowledged alarm calls the owner: at the first rung's time (the operator company's)."""
    return float(escalate_after_s[0])


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def in_quiet_hours(now: float, start: str | None, end: str | None, tz: str) -> bool:
    """Whether ``now`` falls in the daily window [start, end) local time; a window may wrap midnight."""
    if not start or not end or start == end:
        return False
    local = datetime.fromtimestamp(now, ZoneInfo(tz)).time()
    begin, finish = _clock(start), _clock(end)
    if begin < finish:
        return begin <= local < finish
    return local >= begin or local < finish


def after_quiet_hours(ts: float, start: str | None, end: str | None, tz: str) -> float:
    """``ts``, or the end of the quiet hours it falls in (the next ``end`` o'clock, local time)."""
    if not in_quiet_hours(ts, start, end, tz):
        return ts
    assert end is not None
    zone = ZoneInfo(tz)
    local = datetime.fromtimestamp(ts, zone)
    finish = datetime.combine(local.date(), _clock(end), tzinfo=zone)
    if finish <= local:
        finish += timedelta(days=1)
    return finish.timestamp()


def digest_at(started: float, interval_s: float, quiet_start: str | None, quiet_end: str | None, tz: str) -> float:
    """When a digest whose first item was planned at ``started`` is composed and sent: one interval later, and
    never inside quiet hours. The delivery log promises this time, so the planner keeps it."""
    return after_quiet_hours(started + interval_s, quiet_start, quiet_end, tz)


def slot_free_at(recent: Sequence[float], rate_max: int, window_s: float) -> float | None:
    """When a recipient whose messages were made at ``recent`` (ascending, all inside the window) may be sent one
    more: None when a slot is free now, else when enough of them have left the window."""
    over = len(recent) - rate_max
    return None if over < 0 else recent[over] + window_s


def rate_split(waiting: list[T], free: int) -> tuple[list[T], list[T]]:
    """Split due messages by the recipient's free slots: (sent one by one, folded into one summary).

    With enough slots every message goes alone; with fewer, all but one slot go to the oldest and the last
    slot carries a summary of the rest; with none, everything waits (nothing is ever dropped).
    """
    if free <= 0 or not waiting:
        return [], []
    if len(waiting) <= free:
        return waiting, []
    alone = free - 1
    return waiting[:alone], waiting[alone:]


def backoff(attempts: int, base_s: float, cap_s: float, seed: int) -> float:
    """Seconds before the next try after ``attempts`` failures: doubling from ``base_s`` up to ``cap_s``, with
    ±20 % jitter (seeded per message, so a test replays it) so that a recovering service is not hit at once
    by every message that failed together."""
    delay = min(cap_s, base_s * 2 ** max(0, attempts - 1))
    return float(min(cap_s, delay * random.Random(seed * 1_000_003 + attempts).uniform(0.8, 1.2)))

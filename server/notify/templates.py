"""What a message says, in zh-CN or en: site, circuit, quantity, value, cause in plain words, what to do now,
and the link to the alarm in the PWA. The words live in messages.toml; this module fills them in."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["LANGS", "Event", "Words", "alarm_message", "digest_message", "summary_message", "test_message"]

LANGS = ("zh-CN", "en")
# A digest or summary lists this many items; the rest are counted.
MAX_LINES = 20
_DECIMALS = {"mA": 0, "V": 0, "A": 1, "°C": 1, "K": 1}


@dataclass(frozen=True)
class Event:
    """One alarm transition as a person is told of it, and the alarm as it stands when the message is composed."""

    alarm_id: int
    transition: str  # raised | escalated | cleared
    level: str  # the transition's level
    cause: str
    ts: float
    started_at: float
    value: float | None  # the transition's value
    peak: float | None
    threshold: float | None  # the threshold this transition crossed (a pre-alarm's stays the pre-alarm level)
    unit: str
    site_name: str
    device_name: str
    circuit: str
    detail: dict[str, Any] = field(default_factory=dict)  # the alarm's
    change: dict[str, Any] = field(default_factory=dict)  # the transition's: {"reason": "trip", "by": name|None}
    raised_value: float | None = None  # the value that raised the alarm: the arc count the alarm page shows
    # The alarm now: its level (higher than ``level`` when it escalated since), when it ended and whether a trip
    # ended it (the breaker opened: the power is off, the cause is not fixed).
    alarm_level: str = ""
    ended_at: float | None = None
    power_cut: bool = False


@functools.cache
def _catalog() -> dict[str, dict[str, str]]:
    raw = tomllib.loads((Path(__file__).parent / "messages.toml").read_text(encoding="utf-8"))

    def flat(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
        out: dict[str, str] = {}
        for key, value in table.items():
            if isinstance(value, dict):
                out |= flat(value, f"{prefix}{key}.")
            else:
                out[prefix + key] = str(value)
        return out

    return {lang: flat(raw[lang]) for lang in LANGS}


class Words:
    """The catalog of one language, with times in the site's time zone."""

    def __init__(self, lang: str, tz: str, link_base: str) -> None:
        self.lang = lang if lang in LANGS else "zh-CN"
        self.words = _catalog()[self.lang]
        self.zone = ZoneInfo(tz)
        self.link_base = link_base

    def __call__(self, key: str, **params: Any) -> str:
        return self.words.get(key, key).format(**params)

    def time(self, ts: float) -> str:
        return datetime.fromtimestamp(ts, self.zone).strftime(self.words["time_format"])

    def clock(self, ts: float) -> str:
        """Hours and minutes only, for a later change inside a digest."""
        return datetime.fromtimestamp(ts, self.zone).strftime(self.words["clock_format"])

    def duration(self, seconds: float) -> str:
        minutes = max(1, round(seconds / 60))
        return self("minutes", count=minutes) if minutes < 120 else self("hours", count=round(minutes / 60))

    def alarm_link(self, alarm_id: int) -> str:
        return f"{self.link_base}/alarms/{alarm_id}"

    def cause(self, cause: str) -> str:
        return self.words.get(f"cause.{cause}", cause)

    def level(self, level: str) -> str:
        """A level inside a sentence ("over the alarm threshold")."""
        word = self(f"level.{level}")
        return word.lower() if self.lang == "en" else word

    def sentence(self, text: str) -> str:
        return text[:1].upper() + text[1:] if self.lang == "en" else text


def quantity(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    decimals = _DECIMALS.get(unit, 2)
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text} {unit}".strip()


def _place(event: Event) -> str:
    where = event.circuit or event.device_name
    return f"{event.site_name} {where}".strip()


def _cut(event: Event) -> bool:
    """A clearing because the breaker opened: the power is off, not the fault fixed."""
    return event.transition == "cleared" and event.change.get("reason") == "trip"


def _who(w: Words, event: Event) -> str:
    name = str(event.change.get("by") or "").strip()
    return w("tripped_by", name=name) if name else w("tripped_self")


def _cut_at(event: Event) -> float:
    at = event.change.get("at")
    return float(at) if isinstance(at, int | float) else event.ts


def _tag(w: Words, event: Event) -> str:
    if event.transition == "cleared":
        return w("power_cut") if _cut(event) else w("cleared")
    return w(f"level.{event.level}")


def _facts(w: Words, event: Event) -> str:
    """The measured fact of a raise or escalation in one sentence, with the threshold that transition crossed."""
    value = event.value if event.value is not None else event.peak
    what = w.cause(event.cause)
    match event.cause:
        case "offline":
            return w("offline", since=w.time(float(event.detail.get("last_seen_at") or event.started_at)))
        case "sensor":
            return w("link_lost") if event.detail.get("reason") == "link" else w("sensor")
        case "arc":
            # The count that raised the alarm, as the alarm page shows it (the peak is shown there apart).
            count = event.raised_value if event.raised_value is not None else value
            return w("arc", count=quantity(count, ""))
        case "leakage_trend":
            projected = event.detail.get("projected_at")
            when = w.time(float(projected)) if isinstance(projected, int | float) else "—"
            return w("trend", value=quantity(value, event.unit), threshold=quantity(event.threshold, event.unit),
                     when=when)
    if event.detail.get("reason") == "device":  # the detector's own judgement (GB/T 26875.3): no value of ours
        return w.sentence(w("device_alarm", what=what, level=w.level(event.level)))
    if event.threshold is not None:
        return w.sentence(w("over", what=what, value=quantity(value, event.unit), level=w.level(event.level),
                            threshold=quantity(event.threshold, event.unit)))
    return w.sentence(w("value_only", what=what, value=quantity(value, event.unit)))


def _ended(w: Words, event: Event) -> str:
    """A clearing in one sentence: back to normal, or the power cut by a trip (never "back to normal" then)."""
    what, level = w.cause(event.cause), w.level(event.level)
    if _cut(event):
        return w.sentence(w("cut_line", what=what, level=level, who=_who(w, event)))
    return w.sentence(w("cleared_body", what=what, level=level, duration=w.duration(event.ts - event.started_at)))


def _line(w: Words, event: Event) -> str:
    """What one transition says inside a digest or summary line."""
    return (_ended(w, event) if event.transition == "cleared" else _facts(w, event)).rstrip("。.")


def alarm_message(w: Words, event: Event, *, escalated_after_s: float | None = None,
                  tier: int = 0) -> tuple[str, str]:
    """Title and body of one alarm transition."""
    tag = _tag(w, event)
    if _cut(event):
        # The breaker opened: the power is off, the fault is not fixed. Who did it, when, and what to do before
        # switching back on; the time is in the sentence (a separate time line would cost an SMS part).
        title = f"【{tag}】{_place(event)} {w.cause(event.cause)}"
        lines = [w.sentence(w("cut_body", what=w.cause(event.cause), level=w.level(event.level), who=_who(w, event),
                              time=w.time(_cut_at(event)))),
                 w("cut_advice"), w("open_cleared", link=w.alarm_link(event.alarm_id))]
        return title, "\n".join(lines)
    if event.transition == "cleared":
        title = f"【{tag}】{_place(event)} {w.cause(event.cause)}"
        lines = [_ended(w, event)]
    else:
        shown = event.value if event.value is not None else event.peak
        # Counts of arc half-cycles and states without a value say it in the body, not the title.
        headline = ("" if event.cause in ("offline", "sensor", "arc") or shown is None
                    else f" {quantity(shown, event.unit)}")
        title = f"【{tag}】{_place(event)} {w.cause(event.cause)}{headline}"
        lines = [_facts(w, event)]
        advice = w.words.get(f"advice.{event.cause}")
        if advice:
            lines.append(advice)
        if event.level == "alarm" and event.cause not in ("offline", "sensor"):
            lines.append(w("advice.alarm"))
    if escalated_after_s is not None:
        lines.insert(0, w("escalated", minutes=round(escalated_after_s / 60), tier=w(f"tier.{tier}")))
    link = w("open_cleared" if event.transition == "cleared" else "open", link=w.alarm_link(event.alarm_id))
    lines += [w("at", time=w.time(event.ts)), link]
    return title, "\n".join(lines)


def _sites(w: Words, events: list[Event]) -> str:
    names = list(dict.fromkeys(e.site_name for e in events))
    return names[0] if len(names) == 1 else w("more_sites", first=names[0], count=len(names))


def _since(w: Words, event: Event) -> str:
    """What became of a raised alarm by the time its digest goes out, e.g. "（已升级为报警，03:40 已恢复）"."""
    if event.transition == "cleared":
        return ""  # the line itself says how it ended
    parts = []
    if event.alarm_level and event.alarm_level != event.level:
        parts.append(w("digest_escalated", level=w.level(event.alarm_level)))
    if event.ended_at is not None:
        parts.append(w("digest_cut" if event.power_cut else "digest_cleared", time=w.clock(event.ended_at)))
    return w("digest_state", state=w("digest_sep").join(parts)) if parts else ""


def digest_message(w: Words, level: str, events: list[Event]) -> tuple[str, str]:
    """Pre-alarms and faults collected over the digest interval: one line per alarm, saying what it was and what
    has become of it since (escalated, recovered, power cut), whether or not that later change is in this digest."""
    by_alarm: dict[int, list[Event]] = {}
    for event in sorted(events, key=lambda e: e.ts):
        by_alarm.setdefault(event.alarm_id, []).append(event)
    lines = []
    for alarm_events in list(by_alarm.values())[:MAX_LINES]:
        shown = next((e for e in alarm_events if e.transition != "cleared"), alarm_events[0])
        lines.append(w("digest_line", time=w.time(shown.ts), place=_place(shown), what=_line(w, shown),
                       state=_since(w, shown)))
        lines.append(w.alarm_link(shown.alarm_id))
    if len(by_alarm) > MAX_LINES:
        lines.append(w("digest_more", count=len(by_alarm) - MAX_LINES))
    title = w("digest_title", level=w(f"level.{level}"), count=len(by_alarm), sites=_sites(w, events))
    return title, "\n".join(lines)


def summary_message(w: Words, events: list[Event]) -> tuple[str, str]:
    """Messages over the per-recipient rate limit, folded into one: every alarm is listed, none dropped."""
    lines = [w("summary_head")]
    for event in events[:MAX_LINES]:
        lines.append(w("summary_line", time=w.time(event.ts), tag=_tag(w, event), place=_place(event),
                       what=_line(w, event)))
        lines.append(w.alarm_link(event.alarm_id))
    if len(events) > MAX_LINES:
        lines.append(w("digest_more", count=len(events) - MAX_LINES))
    lines.append(w("list_link", link=f"{w.link_base}/"))
    return w("summary_title", count=len(events)), "\n".join(lines)


def test_message(w: Words, service: str, now: float) -> tuple[str, str]:
    return w("test_title"), w("test_body", service=service, time=w.time(now))

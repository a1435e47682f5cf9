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
    """One alarm transition as a person is told of it."""

    alarm_id: int
    transition: str  # raised | escalated | cleared
    level: str
    cause: str
    ts: float
    started_at: float
    value: float | None
    peak: float | None
    threshold: float | None
    unit: str
    site_name: str
    device_name: str
    circuit: str
    detail: dict[str, Any] = field(default_factory=dict)


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


def _tag(w: Words, event: Event) -> str:
    return w("cleared") if event.transition == "cleared" else w(f"level.{event.level}")


def _facts(w: Words, event: Event) -> str:
    """The measured fact in one sentence."""
    value = event.value if event.value is not None else event.peak
    what = w.cause(event.cause)
    match event.cause:
        case "offline":
            return w("offline", since=w.time(float(event.detail.get("last_seen_at") or event.started_at)))
        case "sensor":
            return w("link_lost") if event.detail.get("reason") == "link" else w("sensor")
        case "arc":
            return w("arc", count=quantity(value, ""))
        case "leakage_trend":
            projected = event.detail.get("projected_at")
            when = w.time(float(projected)) if isinstance(projected, int | float) else "—"
            return w("trend", value=quantity(value, event.unit), threshold=quantity(event.threshold, event.unit),
                     when=when)
    if event.threshold is not None:
        return w.sentence(w("over", what=what, value=quantity(value, event.unit), level=w.level(event.level),
                            threshold=quantity(event.threshold, event.unit)))
    return w.sentence(w("value_only", what=what, value=quantity(value, event.unit)))


def alarm_message(w: Words, event: Event, *, escalated_after_s: float | None = None,
                  tier: int = 0) -> tuple[str, str]:
    """Title and body of one alarm transition."""
    tag = _tag(w, event)
    if event.transition == "cleared":
        title = f"【{tag}】{_place(event)} {w.cause(event.cause)}"
        lines = [w.sentence(w("cleared_body", what=w.cause(event.cause), level=w.level(event.level),
                              duration=w.duration(event.ts - event.started_at)))]
    else:
        shown = event.value if event.value is not None else event.peak
        # Counts of arc half-cycles and states without a value say it in the body, not the title.
        headline = "" if event.cause in ("offline", "sensor", "arc") else f" {quantity(shown, event.unit)}"
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


def digest_message(w: Words, level: str, events: list[Event]) -> tuple[str, str]:
    """Pre-alarms and faults collected over the digest interval: one line per alarm, clearing folded in."""
    by_alarm: dict[int, list[Event]] = {}
    for event in events:
        by_alarm.setdefault(event.alarm_id, []).append(event)
    lines = []
    for alarm_events in list(by_alarm.values())[:MAX_LINES]:
        first, last = alarm_events[0], alarm_events[-1]
        state = w("digest_cleared", time=w.time(last.ts)) if last.transition == "cleared" else ""
        lines.append(w("digest_line", time=w.time(first.ts), place=_place(first),
                       what=_facts(w, first).rstrip("。."), state=state))
        lines.append(w.alarm_link(first.alarm_id))
    if len(by_alarm) > MAX_LINES:
        lines.append(w("digest_more", count=len(by_alarm) - MAX_LINES))
    title = w("digest_title", level=w(f"level.{level}"), count=len(by_alarm), sites=_sites(w, events))
    return title, "\n".join(lines)


def summary_message(w: Words, events: list[Event]) -> tuple[str, str]:
    """Messages over the per-recipient rate limit, folded into one: every alarm is listed, none dropped."""
    lines = [w("summary_head")]
    for event in events[:MAX_LINES]:
        lines.append(w("summary_line", time=w.time(event.ts), tag=_tag(w, event), place=_place(event),
                       what=_facts(w, event).rstrip("。.")))
        lines.append(w.alarm_link(event.alarm_id))
    if len(events) > MAX_LINES:
        lines.append(w("digest_more", count=len(events) - MAX_LINES))
    lines.append(w("list_link", link=f"{w.link_base}/"))
    return w("summary_title", count=len(events)), "\n".join(lines)


def test_message(w: Words, service: str, now: float) -> tuple[str, str]:
    return w("test_title"), w("test_body", service=service, time=w.time(now))

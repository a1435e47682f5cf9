"""The named values of a pre-approved SMS or voice template (Aliyun, Tencent Cloud), for each kind of message
andian sends: an alarm (raised, escalated, cleared, power cut), a digest, a rate-limit summary, a test. Every
message fills the same names, so one template registered with the vendor serves them all; docs/notifications.md
lists them for the operator who registers it. ``cloud_base`` cuts each value to the vendors' length limit."""

from __future__ import annotations

from server.notify.templates import Event, Words, quantity

__all__ = ["alarm_params", "digest_params", "summary_params", "test_params"]

Params = dict[str, str]


def _where(event: Event) -> str:
    return event.circuit or event.device_name


def alarm_params(w: Words, event: Event) -> Params:
    """报警 / 预警 / 已恢复 / 已断电, where, what, the value and the threshold it crossed, when."""
    if event.transition == "cleared":
        level = w("power_cut") if event.change.get("reason") == "trip" else w("cleared")
    else:
        level = w(f"level.{event.level}")
    value = event.value if event.value is not None else event.peak
    if event.cause == "arc":  # the count that raised it, as the alarm page and the text message say
        value = event.raised_value if event.raised_value is not None else value
    no_value = event.cause in ("offline", "sensor")
    return {"level": level, "site": event.site_name, "circuit": _where(event), "quantity": w.cause(event.cause),
            "value": "" if no_value else quantity(value, event.unit),
            "threshold": "" if no_value or event.threshold is None else quantity(event.threshold, event.unit),
            "time": w.time(event.ts)}


def _site_of(w: Words, events: list[Event]) -> str:
    names = list(dict.fromkeys(e.site_name for e in events))
    return names[0] if len(names) == 1 else w("more_sites", first=names[0], count=len(names))


def digest_params(w: Words, level: str, events: list[Event]) -> Params:
    first = min(events, key=lambda e: e.ts)
    count = len({e.alarm_id for e in events})
    return {"level": w("param.digest", level=w(f"level.{level}")), "site": _site_of(w, events),
            "circuit": _where(first) if count == 1 else "", "quantity": w("param.count", count=count),
            "value": "", "threshold": "", "time": w.time(first.ts)}


def summary_params(w: Words, events: list[Event]) -> Params:
    first = min(events, key=lambda e: e.ts)
    return {"level": w("param.summary"), "site": _site_of(w, events), "circuit": "",
            "quantity": w("param.count", count=len(events)), "value": "", "threshold": "", "time": w.time(first.ts)}


def test_params(w: Words, now: float) -> Params:
    return {"level": w("param.test"), "site": "安电" if w.lang == "zh-CN" else "andian", "circuit": "",
            "quantity": "", "value": "", "threshold": "", "time": w.time(now)}

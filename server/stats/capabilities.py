"""What a commissioned device gives its site, by kind and channels. Pure.

- a combined electrical-fire detector (residual current and temperature probes), or a smart breaker measuring
  both, is the combined_detector that high-risk units need (GB 14287.2/.3);
- a fault-arc detector, or a breaker with an arc channel, detects fault arcs (GB 14287.4);
- a breaker with an arc channel also cuts the circuit when it arcs: arc extinguishing (灭弧) for markets,
  malls and heritage sites.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["capabilities_of", "compliant", "installed_capabilities", "missing_capabilities"]


def capabilities_of(kind: str, channels: Iterable[str]) -> set[str]:
    keys = set(channels)
    has_arc = "arc" in keys
    has_combined = "residual_ma" in keys and any(k.startswith("temp_c") for k in keys)
    out: set[str] = set()
    if kind == "combined" or (kind == "breaker" and has_combined):
        out.add("combined_detector")
    if kind == "arc" or has_arc:
        out.add("arc_detection")
    if kind == "breaker" and has_arc:
        out.add("arc_extinguishing")
    return out


def installed_capabilities(devices: Iterable[tuple[str, Iterable[str]]]) -> set[str]:
    """What a site's commissioned devices, as (kind, channel keys), give it together."""
    out: set[str] = set()
    for kind, channels in devices:
        out |= capabilities_of(kind, channels)
    return out


def missing_capabilities(required: Iterable[str], installed: set[str]) -> list[str]:
    """The required capabilities (in their order) that the installed, commissioned ones do not include."""
    return [c for c in required if c not in installed]


def compliant(required: Iterable[str], installed: set[str]) -> bool:
    """The compliance rule: a site complies with its venue type when its installed, commissioned capabilities
    include every required one."""
    return not missing_capabilities(required, installed)

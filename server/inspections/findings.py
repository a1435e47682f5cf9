"""What a failed checklist item becomes, in words: its number on the checklist and the hazard's title and
description. Pure; the PWA follows the same rules (pwa/src/features/inspections/findings.ts) so a hazard made
offline on a phone reads as the server would make it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["TITLE_MAX", "hazard_description", "hazard_title", "numbers"]

# The hazard's title: at most this many characters (server/hazards/schemas.py HazardCreate.title).
TITLE_MAX = 100


def numbers(items: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Each item's number as the checklist shows it: grouped by section in the order the sections first appear
    (a checklist that extends another may add items to a section the parent has), numbered 1, 2, 3 … down the
    page, so the numbers never jump back inside a section."""
    order: dict[str, list[str]] = {}
    for item in items:
        order.setdefault(str(item.get("section", "")).strip(), []).append(item["key"])
    keys = [key for section in order.values() for key in section]
    return {key: index + 1 for index, key in enumerate(keys)}


def hazard_title(item: dict[str, Any], note: str, lang: str = "zh-CN") -> str:
    """What was found: the inspector's own words when they typed a note (its first line), else the item's failure
    wording, else (a checklist without one) the requirement."""
    words = note.strip().splitlines()[0].strip() if note.strip() else ""
    if not words:
        finding = item.get("finding") or {}
        words = finding.get(lang) or finding.get("zh-CN") or item["text"].get(lang) or item["text"]["zh-CN"]
    return words[:TITLE_MAX]


def hazard_description(item: dict[str, Any], note: str, number: int, lang: str = "zh-CN") -> str:
    """The inspector's note, then the requirement that was not met, with its number on the checklist."""
    requirement = item["text"].get(lang) or item["text"]["zh-CN"]
    label = "检查项" if lang == "zh-CN" else "Checklist item"
    line = f"{label} {number}：{requirement}" if lang == "zh-CN" else f"{label} {number}: {requirement}"
    return f"{note.strip()}\n{line}" if note.strip() else line

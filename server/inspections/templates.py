"""Checklist templates (server/reference/checklists/*.toml): installation acceptance per device kind, periodic
inspection per venue type, remediation checks. A template may extend another (its items come first). Files are
checked when loaded; an error names the file and the field."""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import Annotated, Literal

import msgspec
from msgspec import Meta, Struct, field

__all__ = ["DIR", "Finding", "Item", "Template", "TemplateError", "load", "template_for"]

DIR = Path(__file__).parent.parent / "reference" / "checklists"
Kind = Literal["acceptance", "inspection", "remediation"]
Key = Annotated[str, Meta(pattern=r"^[a-z][a-z0-9_]{1,39}$")]


class Finding(Struct, frozen=True, forbid_unknown_fields=True):
    """What was found when an item fails, as a finding ("配电箱前堆放杂物"), not as the requirement."""

    zh: str = field(name="zh-CN")
    en: str


class Item(Struct, frozen=True, forbid_unknown_fields=True):
    key: Key
    zh: str = field(name="zh-CN")
    en: str
    section: str = ""
    # Acceptance items apply to these device kinds only.
    kinds: list[str] | None = None
    # A failed major item makes a major hazard (重大隐患).
    major: bool = False
    # The answer should carry a photo.
    photo: bool = False
    # The failure wording: the title of the hazard a failed item becomes (required in inspection checklists).
    finding: Finding | None = None


class Template(Struct, frozen=True, forbid_unknown_fields=True):
    id: str
    version: int
    kind: Kind
    venue_types: list[str]
    zh: str = field(name="zh-CN")
    en: str
    extends: str | None = None
    item: list[Item] = []

    @property
    def items(self) -> list[Item]:
        return self.item


class TemplateError(Exception):
    pass


def _read(path: Path) -> Template:
    try:
        return msgspec.convert(tomllib.loads(path.read_text("utf-8")), Template)
    except (tomllib.TOMLDecodeError, msgspec.ValidationError) as exc:
        raise TemplateError(f"{path.name}: {exc}") from exc


@functools.cache
def load(directory: Path = DIR) -> dict[str, Template]:
    """Every template by id, with ``extends`` resolved (the parent's items, then the template's own)."""
    raw = {t.id: t for t in (_read(p) for p in sorted(directory.glob("*.toml")))}
    out: dict[str, Template] = {}
    for template in raw.values():
        items = list(template.items)
        if template.extends is not None:
            parent = raw.get(template.extends)
            if parent is None:
                raise TemplateError(f"{template.id}: extends unknown template {template.extends!r}")
            items = [*parent.items, *items]
        if template.kind == "inspection" and (bare := [i.key for i in items if i.finding is None]):
            raise TemplateError(f"{template.id}: items without a finding (the words of a failure): {bare}")
        keys = [i.key for i in items]
        if len(set(keys)) != len(keys):
            raise TemplateError(f"{template.id}: item keys repeat: {sorted({k for k in keys if keys.count(k) > 1})}")
        out[template.id] = msgspec.structs.replace(template, item=items)
    return out


def template_for(kind: str, venue_type: str) -> Template | None:
    """The template of this kind made for the venue type, else the one for every venue type."""
    candidates = [t for t in load().values() if t.kind == kind]
    for template in candidates:
        if venue_type in template.venue_types:
            return template
    return next((t for t in candidates if "*" in t.venue_types), None)

"""The sync protocol's messages (API.md "Sync"), versioned: a new field gets a default, a field is never retyped.

A mutation is a tagged union on ``op``: ``create`` (the new record), ``update`` (changed scalar fields),
``transition`` (the body of a workflow move), ``append`` (a new answer, comment or photo reference).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from msgspec import Meta, Struct

__all__ = [
    "ENTITIES", "PROTOCOL_VERSION", "Append", "Change", "Create", "Mutation", "MutationResult", "PullResult", "Push",
    "PushResult", "Transition", "Update",
]

PROTOCOL_VERSION = 1
Entity = Literal["hazard", "hazard_comment", "inspection", "checklist_answer", "commissioning", "attachment_ref"]
ENTITIES: tuple[str, ...] = ("hazard", "hazard_comment", "inspection", "checklist_answer", "commissioning",
                             "attachment_ref")
Id = Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Stamp = Annotated[str, Meta(pattern=r"^\d{13}-[0-9a-f]{4}-[A-Za-z0-9_-]{1,64}$")]
Fields = Annotated[dict[str, Any], Meta(max_length=200)]


class _Base(Struct, frozen=True, forbid_unknown_fields=True, tag_field="op"):
    mutation_id: Id
    hlc: Stamp
    entity: Entity
    entity_id: Id
    fields: Fields = {}


class Create(_Base, frozen=True, tag="create"):
    pass


class Update(_Base, frozen=True, tag="update"):
    pass


class Transition(_Base, frozen=True, tag="transition"):
    pass


class Append(_Base, frozen=True, tag="append"):
    pass


Mutation = Create | Update | Transition | Append


class Push(Struct, frozen=True, forbid_unknown_fields=True):
    client_id: Id
    mutations: Annotated[list[Any], Meta(max_length=1000)]  # decoded one by one: a bad one does not sink the rest
    v: int = PROTOCOL_VERSION


Status = Literal["applied", "merged", "rejected", "duplicate"]


class MutationResult(Struct, frozen=True, omit_defaults=True):
    mutation_id: str
    status: Status
    reason: str | None = None
    # A duplicate's first answer (applied, merged or rejected), so a client whose first answer was lost learns it.
    was: Status | None = None


class PushResult(Struct, frozen=True):
    results: list[MutationResult]


class Change(Struct, frozen=True):
    entity: str
    entity_id: str
    version: int
    deleted: bool
    fields: dict[str, Any]


class PullResult(Struct, frozen=True):
    cursor: str
    changes: list[Change]
    more: bool

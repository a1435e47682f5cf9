"""One mutation, done as the matching HTTP endpoint would do it (hazards.actions, checklists.visits), inside
the push's transaction. What the server refuses becomes ``Rejected`` with the reason; fields are named from the
mutation (``fields.to: …``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import msgspec

from offline_sync.apply import Done, Rejected
from offline_sync.merge import Record, update
from offline_sync.protocol import Append, Create, Mutation, Transition, Update
from server.accounts.roles import INSPECTORS
from server.errors import AndianError, InvalidInput
from server.hazards import actions
from server.hazards.actions import Doer
from server.hazards.schemas import CommentIn, HazardCreate, HazardTransition, Sha256
from server.inspections import visits
from server.inspections.schemas import AnswerIn, CompleteIn
from server.storage import Connection, sync_log
from server.storage import sync_ids as ids

__all__ = ["EDITABLE", "Handlers"]

T = TypeVar("T")
_ANSWER_PREFIX = re.compile(r"^answers\[\d+\]\.")

# The scalar fields of a hazard that sync edits, last writer wins per field.
EDITABLE = {"title": (1, 100), "description": (0, 2000), "severity": None}


class _AnswerFields(AnswerIn, forbid_unknown_fields=True):
    inspection_id: str = ""


class _HazardFields(HazardCreate, forbid_unknown_fields=True):
    # A failed checklist item made into a hazard on the phone: the inspection (its entity id) and the item's key.
    inspection_id: str | None = None
    item: str | None = None


class _CommentFields(CommentIn, forbid_unknown_fields=True):
    hazard_id: str = ""


class _InspectionCreate(msgspec.Struct, forbid_unknown_fields=True):
    site_id: int
    template_id: str | None = None


class _InspectionMove(CompleteIn, forbid_unknown_fields=True):
    to: str = "completed"
    # acknowledged: the unit's drawn signature (an image uploaded before the mutation is pushed).
    signature: Sha256 | None = None


def _fields(mutation: Mutation, kind: type[T]) -> T:
    try:
        return msgspec.convert(mutation.fields, kind)
    except msgspec.ValidationError as exc:
        words, _, path = str(exc).partition(" - at `$")
        raise Rejected(f"fields{path.rstrip('`')}: {words}") from exc


# (entity, op) → the method that does it.
_ROUTES: dict[tuple[str, type], str] = {
    ("hazard", Create): "hazard_create",
    ("hazard", Update): "hazard_update",
    ("hazard", Transition): "hazard_transition",
    ("hazard_comment", Append): "comment",
    ("inspection", Create): "inspection_create",
    ("inspection", Transition): "inspection_sign",
    ("checklist_answer", Append): "answer",
    ("checklist_answer", Update): "answer",
}


@dataclass
class Handlers:
    """Does mutations for one person in one transaction; remembers the hazards it touched (to tell open pages)."""

    conn: Connection
    doer: Doer
    hazards: set[int] = field(default_factory=set)
    # Inspections read earlier in this push, by id: a push answers many items of one visit.
    open_visits: dict[int, dict[str, Any]] = field(default_factory=dict)
    # Names already resolved in this push (entity, entity_id) → id.
    known: dict[tuple[str, str], int] = field(default_factory=dict)

    def __call__(self, mutation: Mutation) -> Done:
        name = _ROUTES.get((mutation.entity, type(mutation)))
        if name is None:
            ops = sorted(type_.__name__.lower() for (e, type_) in _ROUTES if e == mutation.entity)
            raise Rejected(f"op: {mutation.entity} takes " + (", ".join(ops) if ops else "no mutations; photos "
                           "travel by hash inside the answer, comment or transition that shows them"))
        handler: Callable[[Mutation], Done] = getattr(self, name)
        try:
            return handler(mutation)
        except AndianError as exc:
            raise Rejected(self._words(exc)) from exc

    @staticmethod
    def _words(exc: AndianError) -> str:
        if isinstance(exc, InvalidInput):
            return f"fields.{exc.detail}"
        return exc.detail

    def _local(self, entity: str, entity_id: str, what: str) -> int:
        local_id = self.known.get((entity, entity_id)) or ids.resolve(self.conn, entity, entity_id)
        if local_id is None:
            raise Rejected(f"{what}: no {entity} {entity_id} on the server; it must be sent before what refers to it")
        self.known[entity, entity_id] = local_id  # records are never deleted: a name found stays right
        return local_id

    def _new(self, mutation: Mutation) -> None:
        if ids.resolve(self.conn, mutation.entity, mutation.entity_id) is not None:
            raise Rejected(f"entity_id: {mutation.entity} {mutation.entity_id} already exists; make a new id")

    def hazard_create(self, mutation: Mutation) -> Done:
        self._new(mutation)
        body = _fields(mutation, _HazardFields)
        if body.inspection_id is not None or body.item is not None:
            return self._finding(mutation, body)
        hazard_id = actions.create(self.conn, self.doer, body)
        ids.bind(self.conn, "hazard", mutation.entity_id, hazard_id)
        self.hazards.add(hazard_id)
        return Done()

    def _finding(self, mutation: Mutation, body: _HazardFields) -> Done:
        """A failed item's hazard made offline: the same hazard the signature makes, never a second. Sent before
        the signature, it is made here and keeps the phone's id; one the item has already is left as it is (its
        name too, so no device that pulled it sees it twice) and the phone's copy gives way at the next pull."""
        self._inspector()
        if body.inspection_id is None or body.item is None:
            raise Rejected("fields.item: a hazard from an inspection names both inspection_id and item")
        inspection_id = self._local("inspection", body.inspection_id, "fields.inspection_id")
        hazard_id, made = visits.item_hazard(self.conn, self.doer, inspection_id, body.item)
        self.hazards.add(hazard_id)
        if not made:
            return Done("merged", f"fields.item: this finding is hazard {hazard_id} already")
        ids.bind(self.conn, "hazard", mutation.entity_id, hazard_id)
        return Done()

    def hazard_update(self, mutation: Mutation) -> Done:
        hazard_id = self._local("hazard", mutation.entity_id, "entity_id")
        changes = self._editable(mutation.fields)
        lost: list[str] = []

        def decide(row: dict[str, Any]) -> dict[str, Any]:
            stamps = sync_log.stamps(self.conn, "hazard", hazard_id)
            record = Record({k: row[k] for k in EDITABLE}, stamps)
            update(record, changes, mutation.hlc)
            won = {k: v for k, v in changes.items() if record.stamps[k] == mutation.hlc}
            lost.extend(sorted(set(changes) - set(won)))
            sync_log.set_stamps(self.conn, "hazard", hazard_id, list(won), mutation.hlc)
            return {k: v for k, v in won.items() if row[k] != v}

        actions.edit(self.conn, self.doer, hazard_id, decide)
        self.hazards.add(hazard_id)
        if lost:
            return Done("merged", f"fields.{', fields.'.join(lost)}: a newer edit from another person is kept")
        return Done()

    @staticmethod
    def _editable(fields: dict[str, Any]) -> dict[str, Any]:
        if not fields:
            raise Rejected("fields: name at least one of " + ", ".join(EDITABLE))
        for name, value in fields.items():
            if name not in EDITABLE:
                raise Rejected(f"fields.{name}: not editable; a hazard's {', '.join(EDITABLE)} are")
            if name == "severity":
                if value not in ("general", "major"):
                    raise Rejected("fields.severity: general or major")
                continue
            low, high = EDITABLE[name] or (0, 0)
            if not isinstance(value, str) or not low <= len(value.strip()) <= high:
                raise Rejected(f"fields.{name}: text of {low} to {high} characters")
        return {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}

    def hazard_transition(self, mutation: Mutation) -> Done:
        hazard_id = self._local("hazard", mutation.entity_id, "entity_id")
        actions.move(self.conn, self.doer, hazard_id, _fields(mutation, HazardTransition))
        self.hazards.add(hazard_id)
        return Done()

    def comment(self, mutation: Mutation) -> Done:
        body = _fields(mutation, _CommentFields)
        hazard_id = self._local("hazard", body.hazard_id, "fields.hazard_id")
        if ids.resolve(self.conn, "hazard_comment", mutation.entity_id) is not None:
            return Done()  # appended once: the same comment sent under another mutation id
        event_id = actions.comment(self.conn, self.doer, hazard_id, CommentIn(body.text, body.attachments))
        ids.bind(self.conn, "hazard_comment", mutation.entity_id, event_id)
        self.hazards.add(hazard_id)
        return Done()

    def _inspector(self) -> None:
        if self.doer.principal.role not in INSPECTORS:
            raise Rejected(f"role {self.doer.principal.role} may not inspect sites; that is for "
                           f"{' or '.join(INSPECTORS)}")

    def inspection_create(self, mutation: Mutation) -> Done:
        self._inspector()
        self._new(mutation)
        body = _fields(mutation, _InspectionCreate)
        inspection_id = visits.start(self.conn, self.doer, body.site_id, body.template_id)
        ids.bind(self.conn, "inspection", mutation.entity_id, inspection_id)
        return Done()

    def inspection_sign(self, mutation: Mutation) -> Done:
        self._inspector()
        inspection_id = self._local("inspection", mutation.entity_id, "entity_id")
        body = _fields(mutation, _InspectionMove)
        self.open_visits.pop(inspection_id, None)
        if body.to == "acknowledged":  # the unit signed the rectification notice (整改通知书)
            visits.acknowledge(self.conn, self.doer, inspection_id, body.signed_by, body.signature)
            return Done()
        if body.to != "completed":
            raise Rejected(f"fields.to: an inspection goes to completed (signed by the inspector) or acknowledged "
                           f"(the unit signed its rectification notice), not {body.to}")
        visits.sign(self.conn, self.doer, inspection_id, CompleteIn(body.signed_by, body.summary))
        return Done()

    def answer(self, mutation: Mutation) -> Done:
        [outcome] = self.apply_batch([mutation])
        if isinstance(outcome, Rejected):
            raise outcome
        return outcome

    @staticmethod
    def batch_key(mutation: Mutation) -> Hashable | None:
        """A phone's answers to one checklist go together (offline_sync.apply): one read, one write."""
        if mutation.entity == "checklist_answer" and isinstance(mutation, Append | Update):
            inspection = mutation.fields.get("inspection_id")
            return ("answers", inspection) if isinstance(inspection, str) else None
        return None

    def apply_batch(self, mutations: list[Mutation]) -> list[Done | Rejected]:
        """Answers to one inspection, as if one by one: each saved, kept out by a newer one, or refused alone;
        all refused alike when the inspection itself refuses them (unknown, not visible, signed)."""
        try:
            return self._answers(mutations)
        except AndianError as exc:
            raise Rejected(self._words(exc)) from exc

    def _answers(self, mutations: list[Mutation]) -> list[Done | Rejected]:
        self._inspector()
        outcomes: list[Done | Rejected] = [Done()] * len(mutations)
        bodies: list[tuple[int, Mutation, _AnswerFields]] = []
        for index, mutation in enumerate(mutations):
            try:
                bodies.append((index, mutation, _fields(mutation, _AnswerFields)))
            except Rejected as exc:
                outcomes[index] = exc
        if not bodies:
            return outcomes
        inspection_id = self._local("inspection", bodies[0][2].inspection_id, "fields.inspection_id")
        if inspection_id not in self.open_visits:
            self.open_visits[inspection_id] = visits.visible(self.conn, self.doer, inspection_id)
        given = [AnswerIn(b.key, b.answer, b.note, b.attachments) for _, _, b in bodies]
        saved = visits.answer(self.conn, self.doer, inspection_id, given, [m.hlc for _, m, _ in bodies],
                              self.open_visits[inspection_id])
        for (index, _, body), (status, error) in zip(bodies, saved, strict=True):
            if status == "rejected":
                outcomes[index] = Rejected("fields." + _ANSWER_PREFIX.sub("", error or ""))
            elif status == "kept":
                outcomes[index] = Done("merged", f"fields.answer: a newer answer to {body.key} is kept")
        return outcomes

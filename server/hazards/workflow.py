"""The hazard workflow as a table: which move is legal from which state, and who may make it. Pure.

    open ──assign──▶ assigned ──rectify (with photos)──▶ rectified ──verify──▶ verified ──close──▶ closed
                       ▲  └─reassign┘                        │
                       └──────────────reject (with a note)───┘

A move not in the table is illegal (409); a legal move by someone it does not allow is forbidden (403). The
person who rectified never verifies or rejects their own work: the three-party check regulators ask for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from server.accounts.roles import ASSIGNERS, CLOSERS, VERIFIERS

__all__ = [
    "MOVES", "OPEN_STATES", "SEVERITY_DUE_S", "STATES", "Actor", "Illegal", "Move", "NotAllowed", "decide",
    "is_overdue",
]

State = Literal["open", "assigned", "rectified", "verified", "closed"]
Target = Literal["assigned", "rectified", "verified", "closed", "rejected"]
STATES: tuple[State, ...] = ("open", "assigned", "rectified", "verified", "closed")
# States in which a hazard can be overdue: nobody has fixed it yet.
OPEN_STATES = ("open", "assigned")

# Default time to fix: a major hazard (重大隐患) within 3 days, a general one (一般隐患) within 7.
SEVERITY_DUE_S = {"major": 3 * 86400.0, "general": 7 * 86400.0}


class Illegal(Exception):
    """Not a move from this state (409)."""


class NotAllowed(Exception):
    """A legal move this person may not make (403)."""


@dataclass(frozen=True)
class Actor:
    user_id: int
    role: str
    owns_site: bool


@dataclass(frozen=True)
class Move:
    to: State
    roles: tuple[str, ...]  # empty: decided by the person, not the role (rectify)
    needs: str = ""  # "assignee" | "photos" | "note"


MOVES: dict[tuple[State, Target], Move] = {
    ("open", "assigned"): Move("assigned", ASSIGNERS, "assignee"),
    ("assigned", "assigned"): Move("assigned", ASSIGNERS, "assignee"),
    ("assigned", "rectified"): Move("rectified", (), "photos"),
    ("rectified", "verified"): Move("verified", VERIFIERS),
    ("rectified", "rejected"): Move("assigned", VERIFIERS, "note"),
    ("verified", "closed"): Move("closed", CLOSERS),
}


def is_overdue(state: str, due_at: float, now: float) -> bool:
    """Past its due date with nobody having fixed it yet."""
    return state in OPEN_STATES and due_at < now


def decide(state: State, target: Target, actor: Actor, assignee_id: int | None, rectified_by: int | None) -> Move:
    """The move, or Illegal / NotAllowed with words that say what to do."""
    move = MOVES.get((state, target))
    if move is None:
        legal = [t for (s, t) in MOVES if s == state]
        raise Illegal(f"a hazard that is {state} cannot go to {target}"
                      + (f"; from {state} it can go to {', '.join(legal)}" if legal else "; it is closed"))
    if target == "rectified":
        if actor.user_id != assignee_id and not (actor.role == "owner" and actor.owns_site):
            raise NotAllowed("only the person it is assigned to, or the site's owner, marks a hazard rectified")
        return move
    if actor.role not in move.roles:
        raise NotAllowed(f"role {actor.role} may not move a hazard to {target}; "
                         f"that is for {' or '.join(move.roles)}")
    if target in ("verified", "rejected") and actor.user_id == rectified_by:
        raise NotAllowed("the person who rectified a hazard may not verify their own work; another inspector "
                         "or the operator checks it")
    return move

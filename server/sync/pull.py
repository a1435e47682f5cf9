"""What a pull sends: the records changed since the cursor among the sites the caller sees now, and tombstones for
the records of sites the caller no longer sees.

The cursor is ``{seq}-{scope}``: the position in ``sync_log`` and a hash of the sites the caller saw (and, for
an electrician, who sees only the hazards assigned to them, of those hazards). When the sites differ from the
cursor's, the records of sites that left are tombstoned, and when sites joined, the walk starts again from the
beginning (what is already on the device is sent again; the client's upsert makes that harmless). A hazard
assigned to someone else is tombstoned on the electrician's device.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from server.errors import InvalidInput
from server.storage import Connection
from server.storage import sync_log as sql
from server.storage.scopes import Scope

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "Cursor", "Page", "Row", "page", "parse_cursor", "remember_scope"]

DEFAULT_LIMIT = 500
MAX_LIMIT = 2000
_CURSOR = re.compile(r"^(\d{1,18})-([0-9a-f]{16})$")


@dataclass(frozen=True)
class Cursor:
    seq: int
    scope: str

    def __str__(self) -> str:
        return f"{self.seq}-{self.scope}"


@dataclass(frozen=True)
class Row:
    seq: int
    entity: str
    local_id: int


@dataclass
class Page:
    rows: list[Row]
    tombstones: list[Row]
    cursor: Cursor
    more: bool
    sites: list[int] = field(default_factory=list)
    # The hazards the scope names (an electrician's), or None for every hazard of the sites.
    hazards: list[int] | None = None
    # The scope is new to the server: remember it (a write) before handing out a cursor that names it.
    new_scope: bool = False


def parse_cursor(text: str | None) -> Cursor | None:
    if not text:
        return None
    found = _CURSOR.match(text)
    if found is None:
        raise InvalidInput("cursor", "not a cursor this server made; pull again without one")
    return Cursor(int(found.group(1)), found.group(2))


def _hash(sites: list[int], hazards: list[int] | None) -> str:
    text = ",".join(map(str, sites))
    if hazards is not None:
        text += "|" + ",".join(map(str, hazards))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def remember_scope(conn: Connection, sites: list[int], hazards: list[int] | None) -> None:
    sql.remember_scope(conn, _hash(sites, hazards), sites, hazards)


def page(conn: Connection, scope: Scope, cursor: Cursor | None, limit: int, only: Scope | None = None) -> Page:
    """One page of changes at the sites of ``scope``, read in one snapshot; given ``only`` (a condition over the
    hazard ``h``, scopes.assigned_only), only the hazards that meet it, and the scope names them too."""
    sites = sql.scope_sites(conn, scope)
    hazards = None if only is None else sql.scope_hazards(conn, scope, only)
    scope_hash = _hash(sites, hazards)
    seq, tombstones = 0, []
    if cursor is not None:
        seq = cursor.seq
        if cursor.scope != scope_hash:
            found = sql.scope_of(conn, cursor.scope)
            if found is None:
                raise InvalidInput("cursor", "this cursor is not known here (another server, or too old); pull "
                                             "again without one")
            gone, restart = _gone(conn, found, sites, hazards)
            tombstones = [Row(*r) for r in gone]
            if restart:
                seq = 0
    rows = [Row(*r) for r in sql.changes_after(conn, seq, scope, limit + 1, only)]
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1].seq if rows else seq
    return Page(rows, tombstones, Cursor(last, scope_hash), more, sites, hazards,
                not sql.scope_known(conn, scope_hash))


def _gone(conn: Connection, before: tuple[list[int], list[int] | None], sites: list[int],
          hazards: list[int] | None) -> tuple[list[tuple[int, str, int]], bool]:
    """The records the caller saw under the cursor's scope and sees no more (tombstones), and whether the walk
    starts again because sites joined (or every hazard of the sites did).

    A hazard newly assigned within sites already seen needs no new walk: the assignment changed it, so it is
    logged after the cursor."""
    before_sites, before_hazards = set(before[0]), before[1]
    left, kept = before_sites - set(sites), before_sites & set(sites)
    gone = sql.records_of(conn, left) if left else []
    if before_hazards is not None:
        seen = set(before_hazards)
        gone = [r for r in gone if r[1] != "hazard" or r[2] in seen]
        if hazards is not None:
            already = {r[2] for r in gone if r[1] == "hazard"}
            gone += sql.hazard_records(conn, seen - set(hazards) - already)
    elif hazards is not None and kept:
        mine = set(hazards)
        gone += [r for r in sql.records_of(conn, kept) if r[1] == "hazard" and r[2] not in mine]
    restart = bool(set(sites) - before_sites) or (before_hazards is not None and hazards is None)
    return sorted(gone), restart

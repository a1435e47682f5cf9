"""What a pull sends: the records changed since the cursor among the sites the caller sees now, and tombstones for
the records of sites the caller no longer sees.

The cursor is ``{seq}-{scope}``: the position in ``sync_log`` and a hash of the sites the caller saw. When the
sites differ from the cursor's, the records of sites that left are tombstoned, and when sites joined, the walk
starts again from the beginning (what is already on the device is sent again; the client's upsert makes that
harmless).
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
    # The scope is new to the server: remember it (a write) before handing out a cursor that names it.
    new_scope: bool = False


def parse_cursor(text: str | None) -> Cursor | None:
    if not text:
        return None
    found = _CURSOR.match(text)
    if found is None:
        raise InvalidInput("cursor", "not a cursor this server made; pull again without one")
    return Cursor(int(found.group(1)), found.group(2))


def _hash(sites: list[int]) -> str:
    return hashlib.sha256(",".join(map(str, sites)).encode()).hexdigest()[:16]


def remember_scope(conn: Connection, sites: list[int]) -> None:
    sql.remember_scope(conn, _hash(sites), sites)


def page(conn: Connection, scope: Scope, cursor: Cursor | None, limit: int) -> Page:
    """One page of changes at the sites of ``scope``, read in one snapshot."""
    sites = sql.scope_sites(conn, scope)
    scope_hash = _hash(sites)
    seq, tombstones = 0, []
    if cursor is not None:
        seq = cursor.seq
        if cursor.scope != scope_hash:
            found = sql.scope_of(conn, cursor.scope)
            if found is None:
                raise InvalidInput("cursor", "this cursor is not known here (another server, or too old); pull "
                                             "again without one")
            before = set(found)
            left = before - set(sites)
            if left:
                tombstones = [Row(*r) for r in sql.records_of(conn, left)]
            if set(sites) - before:
                seq = 0
    rows = [Row(*r) for r in sql.changes_after(conn, seq, scope, limit + 1)]
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1].seq if rows else seq
    return Page(rows, tombstones, Cursor(last, scope_hash), more, sites, not sql.scope_known(conn, scope_hash))

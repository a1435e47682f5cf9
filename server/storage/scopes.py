"""What a caller may see, as a ``Scope`` over the ``sites`` table (alias ``s``). Every scoped query uses this."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from server.accounts.principal import Principal
from server.reference import Reference
from server.storage.connection import Connection

__all__ = [
    "EVERY_SITE", "Scope", "assigned_only", "hazard_scope", "in_region", "may_take", "of_company", "of_site",
    "of_venue_types", "sees_site", "site_scope", "user_principal",
]


@dataclass(frozen=True)
class Scope:
    """The sites a query may touch: a boolean SQL condition over ``s`` and its parameters.

    Opaque outside ``server.storage``: only storage reads its fields. Others get one from ``site_scope`` (or take
    ``EVERY_SITE``), narrow it with ``narrowed``, and hand it to storage functions.
    """

    condition: str
    params: tuple[Any, ...] = ()

    def narrowed(self, other: Scope) -> Scope:
        """The sites in both scopes."""
        return Scope(f"({self.condition}) AND ({other.condition})", (*self.params, *other.params))


# Every site: for the server's own work (watchdog, automation) and for reads after a scoped check was made.
EVERY_SITE = Scope("1 = 1")
_NO_SITE = Scope("0 = 1")


def site_scope(principal: Principal, reference: Reference) -> Scope:
    """The sites ``principal`` may see.

    owner → own sites; installer, operator → their company's sites; electrician → their company's sites where a
    hazard is assigned to them (what they were dispatched to); inspector → sites in their regions
    (a region covers its descendants); regulator → their regions × their department's venue types (fire
    rescue supervises every unit, key fire-safety units included); admin → all; gateway → its own site.
    """
    match principal.role:
        case "admin":
            return EVERY_SITE
        case "gateway":
            return of_site(principal.site_id or 0)
        case "owner":
            return Scope("s.owner_id = ?", (principal.id,))
        case "operator" | "installer":
            if principal.company_id is None:
                return _NO_SITE
            return Scope("s.company_id = ?", (principal.company_id,))
        case "electrician":
            if principal.company_id is None:
                return _NO_SITE
            return Scope("s.company_id = ? AND s.id IN (SELECT ha.site_id FROM hazards ha WHERE ha.assignee_id = ?)",
                         (principal.company_id, principal.id))
        case "inspector":
            return _regions(principal.regions)
        case "regulator":
            regions = _regions(principal.regions)
            department = reference.department(principal.department or "")
            if department is None:
                return _NO_SITE
            if department.sees_all_venue_types:
                return regions
            return regions.narrowed(of_venue_types(department.venue_types))


def hazard_scope(principal: Principal, reference: Reference) -> Scope:
    """The hazards ``principal`` may see, as a condition over ``s`` and the hazard ``h``: those of the sites they
    see; an electrician only the hazards assigned to them."""
    scope = site_scope(principal, reference)
    only = assigned_only(principal)
    return scope if only is None else scope.narrowed(only)


def assigned_only(principal: Principal) -> Scope | None:
    """The condition over the hazard ``h`` that narrows the hazards of the sites ``principal`` sees (an
    electrician's: the ones assigned to them), or None when they see every hazard of those sites."""
    if principal.role == "electrician":
        return Scope("h.assignee_id = ?", (principal.id,))
    return None


def of_site(site_id: int) -> Scope:
    """One site."""
    return Scope("s.id = ?", (site_id,))


def of_company(company_id: int) -> Scope:
    """The sites contracted to operator company ``company_id``."""
    return Scope("s.company_id = ?", (company_id,))


def in_region(code: str) -> Scope:
    """The sites in region ``code`` or a region under it."""
    return _regions((code,))


def of_venue_types(venue_types: Sequence[str]) -> Scope:
    """The sites of one of ``venue_types``."""
    if not venue_types:
        return _NO_SITE
    return Scope(f"s.venue_type IN ({', '.join('?' * len(venue_types))})", tuple(venue_types))


def _regions(codes: Sequence[str]) -> Scope:
    if not codes:
        return _NO_SITE
    marks = ", ".join("?" * len(codes))
    return Scope("s.region_code IN (SELECT r.code FROM regions r JOIN regions u ON r.path LIKE u.path || '%' "
                 f"WHERE u.code IN ({marks}))", tuple(codes))


def user_principal(conn: Connection, user_id: int) -> Principal | None:
    """The principal of an enabled user, as if they had signed in (for deciding on someone else's behalf)."""
    row = conn.execute("SELECT id, username, role, company_id, department FROM users WHERE id = ? AND disabled = 0",
                       [user_id]).fetchone()
    if row is None:
        return None
    regions = tuple(c for (c,) in conn.execute("SELECT region_code FROM user_regions WHERE user_id = ?", [user_id]))
    return Principal(kind="user", id=row["id"], role=row["role"], username=row["username"],
                     company_id=row["company_id"], regions=regions, department=row["department"])


def may_take(conn: Connection, principal: Principal, reference: Reference, site_id: int) -> bool:
    """Whether a hazard of the site may be assigned to ``principal``: someone who sees the site, or an electrician
    of the operator company the site is contracted to (assigning it is what lets them see it)."""
    if principal.role == "electrician" and principal.company_id is not None:
        return sees_site(conn, principal, reference, site_id, of_company(principal.company_id))
    return sees_site(conn, principal, reference, site_id)


def sees_site(conn: Connection, principal: Principal, reference: Reference, site_id: int,
              scope: Scope | None = None) -> bool:
    """Whether ``principal`` sees the site (or, given ``scope``, whether the site is in it)."""
    scope = site_scope(principal, reference) if scope is None else scope
    found = conn.execute(f"SELECT 1 FROM sites s WHERE s.id = ? AND ({scope.condition})",
                         [site_id, *scope.params]).fetchone()
    return found is not None

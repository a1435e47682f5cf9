"""What a caller may see, as SQL over the ``sites`` table (alias ``s``). Every scoped query uses this."""

from __future__ import annotations

import sqlite3
from typing import Any

from server.accounts.principal import Principal
from server.reference import Reference

__all__ = ["sees_site", "site_scope", "user_principal"]


def site_scope(principal: Principal, reference: Reference) -> tuple[str, list[Any]]:
    """A boolean SQL expression over ``s`` and its parameters.

    owner → own sites; installer, operator → their company's sites; inspector → sites in their regions
    (a region covers its descendants); regulator → their regions × their department's venue types (fire
    rescue supervises every unit, key fire-safety units included); admin → all; gateway → its own site.
    """
    match principal.role:
        case "admin":
            return "1 = 1", []
        case "gateway":
            return "s.id = ?", [principal.site_id]
        case "owner":
            return "s.owner_id = ?", [principal.id]
        case "operator" | "installer":
            if principal.company_id is None:
                return "0 = 1", []
            return "s.company_id = ?", [principal.company_id]
        case "inspector":
            return _regions(principal.regions)
        case "regulator":
            region_sql, params = _regions(principal.regions)
            department = reference.department(principal.department or "")
            if department is None:
                return "0 = 1", []
            if department.sees_all_venue_types:
                return region_sql, params
            venue_types = department.venue_types
            marks = ", ".join("?" * len(venue_types))
            return f"({region_sql}) AND s.venue_type IN ({marks})", [*params, *venue_types]


def _regions(codes: tuple[str, ...]) -> tuple[str, list[Any]]:
    if not codes:
        return "0 = 1", []
    marks = ", ".join("?" * len(codes))
    return (
        "s.region_code IN (SELECT r.code FROM regions r JOIN regions u ON r.path LIKE u.path || '%' "
        f"WHERE u.code IN ({marks}))",
        list(codes),
    )


def user_principal(conn: sqlite3.Connection, user_id: int) -> Principal | None:
    """The principal of an enabled user, as if they had signed in (for deciding on someone else's behalf)."""
    row = conn.execute("SELECT id, username, role, company_id, department FROM users WHERE id = ? AND disabled = 0",
                       [user_id]).fetchone()
    if row is None:
        return None
    regions = tuple(c for (c,) in conn.execute("SELECT region_code FROM user_regions WHERE user_id = ?", [user_id]))
    return Principal(kind="user", id=row["id"], role=row["role"], username=row["username"],
                     company_id=row["company_id"], regions=regions, department=row["department"])


def sees_site(conn: sqlite3.Connection, principal: Principal, reference: Reference, site_id: int) -> bool:
    where, params = site_scope(principal, reference)
    found = conn.execute(f"SELECT 1 FROM sites s WHERE s.id = ? AND ({where})", [site_id, *params]).fetchone()
    return found is not None

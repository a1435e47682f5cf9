"""Users, companies, session tokens and login failures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.accounts.principal import Principal
from server.storage.connection import Connection, Row

__all__ = [
    "UserScope",
    "clear_login_failures",
    "company_exists",
    "company_id",
    "company_name_exists",
    "count_login_failures",
    "get_user",
    "get_user_by_username",
    "insert_company",
    "insert_token",
    "insert_user",
    "list_companies",
    "list_electricians",
    "list_users",
    "nth_login_failure",
    "principal_for_gateway",
    "principal_for_gateway_key",
    "principal_for_token",
    "record_login_failure",
    "revoke_token",
    "set_hotline",
    "set_phone",
    "user_scope",
]

_USER_COLUMNS = "u.id, u.username, u.role, u.display_name, u.phone, u.company_id, u.department, u.created_at"


def insert_company(conn: Connection, name: str, hotline: str, now: float) -> int:
    cur = conn.execute("INSERT INTO companies (name, hotline, created_at) VALUES (?, ?, ?) RETURNING id",
                       (name, hotline, now))
    return int(cur.fetchone()[0])


def set_hotline(conn: Connection, company_id: int, hotline: str) -> dict[str, Any] | None:
    """Change a company's hotline; the company, or None when there is no such company."""
    conn.execute("UPDATE companies SET hotline = ? WHERE id = ?", (hotline, company_id))
    found = conn.execute("SELECT id, name, hotline FROM companies WHERE id = ?", (company_id,)).fetchone()
    return dict(found) if found else None


def list_electricians(conn: Connection, company_id: int) -> list[dict[str, Any]]:
    """A company's enabled electricians, by name (the console's dispatch pick-list)."""
    rows = conn.execute("SELECT u.id, u.username, u.display_name, u.phone FROM users u WHERE u.company_id = ? "
                        "AND u.role = 'electrician' AND u.disabled = 0 ORDER BY u.display_name, u.id", (company_id,))
    return [dict(r) for r in rows]


def company_exists(conn: Connection, company_id: int) -> bool:
    return conn.execute("SELECT 1 FROM companies WHERE id = ?", (company_id,)).fetchone() is not None


def insert_user(
    conn: Connection,
    *,
    username: str,
    password_hash: str,
    role: str,
    display_name: str,
    phone: str,
    company_id: int | None,
    department: str | None,
    regions: list[str],
    now: float,
) -> int:
    cur = conn.execute(
        "INSERT INTO users (username, password_hash, role, display_name, phone, company_id, department, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (username, password_hash, role, display_name, phone, company_id, department, now),
    )
    user_id = int(cur.fetchone()[0])
    conn.executemany(
        "INSERT INTO user_regions (user_id, region_code) VALUES (?, ?)", [(user_id, code) for code in regions]
    )
    return user_id


def _with_regions(conn: Connection, rows: list[Row]) -> list[dict[str, Any]]:
    users = [dict(row) for row in rows]
    if not users:
        return users
    marks = ", ".join("?" * len(users))
    regions: dict[int, list[str]] = {}
    for user_id, code in conn.execute(
        f"SELECT user_id, region_code FROM user_regions WHERE user_id IN ({marks}) ORDER BY region_code",
        [u["id"] for u in users],
    ):
        regions.setdefault(user_id, []).append(code)
    for user in users:
        user["regions"] = regions.get(user["id"], [])
    return users


@dataclass(frozen=True)
class UserScope:
    """The user accounts a query may return: a boolean SQL condition over ``users u`` and its parameters.

    Opaque outside ``server.storage``: only storage reads its fields; others get one from ``user_scope``.
    """

    condition: str
    params: tuple[Any, ...] = ()


def user_scope(principal: Principal) -> UserScope:
    """Admin sees every user; an operator the users of their company; everyone else themselves."""
    if principal.is_admin:
        return UserScope("1 = 1")
    if principal.role == "operator" and principal.company_id is not None:
        return UserScope("(u.company_id = ? OR u.id = ?)", (principal.company_id, principal.id))
    if principal.kind == "user":
        return UserScope("u.id = ?", (principal.id,))
    return UserScope("0 = 1")


def get_user(conn: Connection, user_id: int, scope: UserScope) -> dict[str, Any] | None:
    rows = conn.execute(
        f"SELECT {_USER_COLUMNS} FROM users u WHERE u.id = ? AND ({scope.condition})", [user_id, *scope.params]
    ).fetchall()
    users = _with_regions(conn, rows)
    return users[0] if users else None


def list_users(conn: Connection, scope: UserScope) -> list[dict[str, Any]]:
    rows = conn.execute(f"SELECT {_USER_COLUMNS} FROM users u WHERE ({scope.condition}) ORDER BY u.id",
                        scope.params).fetchall()
    return _with_regions(conn, rows)


def set_phone(conn: Connection, user_id: int, phone: str) -> None:
    conn.execute("UPDATE users SET phone = ? WHERE id = ?", [phone, user_id])


def get_user_by_username(conn: Connection, username: str) -> dict[str, Any] | None:
    row = conn.execute(
        f"SELECT {_USER_COLUMNS}, u.password_hash, u.disabled FROM users u WHERE u.username = ?", (username,)
    ).fetchone()
    return _with_regions(conn, [row])[0] if row else None


def insert_token(conn: Connection, token_hash: str, user_id: int, now: float, expires_at: float) -> None:
    conn.execute(
        "INSERT INTO tokens (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
        (token_hash, user_id, now, expires_at),
    )


def revoke_token(conn: Connection, token_hash: str, now: float) -> None:
    conn.execute("UPDATE tokens SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL", (now, token_hash))


def principal_for_token(conn: Connection, token_hash: str, now: float) -> Principal | None:
    row = conn.execute(
        "SELECT u.id, u.username, u.role, u.company_id, u.department FROM tokens t JOIN users u ON u.id = t.user_id "
        "WHERE t.token_hash = ? AND t.revoked_at IS NULL AND t.expires_at > ? AND u.disabled = 0",
        (token_hash, now),
    ).fetchone()
    if row is None:
        return None
    regions = tuple(
        code for (code,) in conn.execute("SELECT region_code FROM user_regions WHERE user_id = ?", (row["id"],))
    )
    return Principal(
        kind="user", id=row["id"], role=row["role"], username=row["username"], company_id=row["company_id"],
        regions=regions, department=row["department"],
    )


def _gateway(conn: Connection, column: str, value: object) -> Principal | None:
    """The gateway whose ``column`` (id or key_hash) is ``value``, unless it was revoked."""
    row = conn.execute(
        f"SELECT id, site_id, name FROM gateways WHERE {column} = ? AND revoked_at IS NULL", (value,)
    ).fetchone()
    if row is None:
        return None
    return Principal(kind="gateway", id=row["id"], role="gateway", username=row["name"], site_id=row["site_id"])


def principal_for_gateway_key(conn: Connection, key_hash: str) -> Principal | None:
    return _gateway(conn, "key_hash", key_hash)


def principal_for_gateway(conn: Connection, gateway_id: int) -> Principal | None:
    """The gateway with this id unless it was revoked: MQTT ingress names its gateway by topic (the broker's ACL
    vouches for the publisher), where HTTP finds it by its key."""
    return _gateway(conn, "id", gateway_id)


def record_login_failure(conn: Connection, username: str, client: str, now: float) -> None:
    """A failed login, or one reserved until its password has been verified (a success deletes it)."""
    conn.execute("INSERT INTO login_failures (username, client, ts) VALUES (?, ?, ?)", (username, client, now))


def _failures_where(username: str, client: str | None, since: float) -> tuple[str, list[Any]]:
    if client is None:
        return "username = ? AND ts >= ?", [username, since]
    return "username = ? AND client = ? AND ts >= ?", [username, client, since]


def count_login_failures(conn: Connection, username: str, client: str | None, since: float) -> int:
    """Failures for ``username`` since ``since``: from ``client``, or from anywhere when ``client`` is None."""
    where, params = _failures_where(username, client, since)
    return int(conn.execute(f"SELECT COUNT(*) FROM login_failures WHERE {where}", params).fetchone()[0])


def nth_login_failure(conn: Connection, username: str, client: str | None, since: float, n: int) -> float:
    """The time of the ``n``-th oldest (from 0) of those failures; there must be more than ``n`` of them."""
    where, params = _failures_where(username, client, since)
    row = conn.execute(f"SELECT ts FROM login_failures WHERE {where} ORDER BY ts LIMIT 1 OFFSET ?", [*params, n])
    return float(row.fetchone()[0])


def clear_login_failures(conn: Connection, username: str, client: str, before: float) -> None:
    """Forget ``client``'s failures for ``username`` (a successful login) and everyone's older than ``before``."""
    conn.execute("DELETE FROM login_failures WHERE (username = ? AND client = ?) OR ts < ?", (username, client, before))


def list_companies(conn: Connection, company_id: int | None) -> list[dict[str, Any]]:
    """All companies, or only ``company_id`` when given."""
    if company_id is None:
        rows = conn.execute("SELECT id, name, hotline FROM companies ORDER BY id")
    else:
        rows = conn.execute("SELECT id, name, hotline FROM companies WHERE id = ?", (company_id,))
    return [dict(r) for r in rows]


def company_id(conn: Connection, name: str) -> int | None:
    row = conn.execute("SELECT id FROM companies WHERE name = ?", [name]).fetchone()
    return None if row is None else int(row[0])


def company_name_exists(conn: Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM companies WHERE name = ?", (name,)).fetchone() is not None

"""The site, its operator company and the people who may log in at its box, as the mirror carries them: read in
the cloud, written at the box (server/upstream/mirror_api.py and mirror_box.py)."""

from __future__ import annotations

from typing import Any

from server.storage.connection import Connection

__all__ = [
    "BOX_ROLES",
    "box_state",
    "box_users",
    "disable_mirrored_except",
    "insert_site",
    "mark_paired",
    "mirror_company",
    "mirror_user",
    "region_exists",
    "set_box_state",
    "site_down",
    "site_ids",
    "update_site",
    "user_id",
]

_SITE_FIELDS = ("name", "address", "region_code", "venue_type", "key_unit", "lat", "lon", "owner_id", "company_id")


# ---- cloud: what a box is sent ----------------------------------------------------------------------------------

def site_down(conn: Connection, site_id: int) -> dict[str, Any]:
    """The site with its owner's username and its operator company (name, hotline), or None for either."""
    row = conn.execute(
        "SELECT s.name, s.address, s.region_code, s.venue_type, s.key_unit, s.lat, s.lon, s.company_id, "
        "u.username AS owner, c.name AS company_name, c.hotline AS company_hotline FROM sites s "
        "LEFT JOIN users u ON u.id = s.owner_id LEFT JOIN companies c ON c.id = s.company_id WHERE s.id = ?",
        [site_id]).fetchone()
    return dict(row)


# Who of the operator company may log in at a box: the people who work on site. Admins, inspectors and regulators
# never get a box login (nor their password hashes on a box), whatever company they are in.
BOX_ROLES = ("operator", "installer", "electrician")


def box_users(conn: Connection, site_id: int) -> list[dict[str, Any]]:
    """Who may log in at the site's box: its owner and the operators, installers and electricians of its operator
    company (``company`` 1). A disabled user's hash is not sent (empty): the box disables them."""
    roles = ", ".join("?" for _ in BOX_ROLES)
    rows = conn.execute(
        "SELECT u.username, CASE WHEN u.disabled = 1 THEN '' ELSE u.password_hash END AS password_hash, u.role, "
        "u.display_name, u.phone, u.disabled, CASE WHEN u.company_id = s.company_id THEN 1 ELSE 0 END AS company "
        "FROM sites s JOIN users u ON (u.id = s.owner_id AND u.role = 'owner') OR (s.company_id IS NOT NULL "
        f"AND u.company_id = s.company_id AND u.role IN ({roles})) WHERE s.id = ? ORDER BY u.id",
        [*BOX_ROLES, site_id])
    return [dict(row) for row in rows]


# ---- box: the pairing's own state ---------------------------------------------------------------------------------

def mark_paired(conn: Connection, url: str, now: float) -> None:
    """A box paired from the environment gets its upstream_link row too (the key itself stays in the environment):
    that row is how this database knows it is a box's."""
    conn.execute("INSERT INTO upstream_link (id, url, key_sealed, paired_at) VALUES (1, ?, '', ?) "
                 "ON CONFLICT DO NOTHING", [url, now])


def box_state(conn: Connection) -> dict[str, Any] | None:
    """The box's site, its gateway id in the cloud and the newest own stamp the cloud has taken; None: not a box."""
    row = conn.execute("SELECT site_id, gateway_id, mirror_sent FROM upstream_link WHERE id = 1").fetchone()
    return dict(row) if row else None


def set_box_state(conn: Connection, gateway_id: int, mirror_sent: str | None) -> None:
    conn.execute("UPDATE upstream_link SET gateway_id = ?, mirror_sent = COALESCE(?, mirror_sent) WHERE id = 1",
                 [gateway_id, mirror_sent])


# ---- box: the site, its company, its people ---------------------------------------------------------------------

def site_ids(conn: Connection) -> list[int]:
    return [int(row[0]) for row in conn.execute("SELECT id FROM sites ORDER BY id")]


def region_exists(conn: Connection, code: str) -> bool:
    return conn.execute("SELECT 1 FROM regions WHERE code = ?", [code]).fetchone() is not None


def insert_site(conn: Connection, fields: dict[str, Any], now: float) -> int:
    cur = conn.execute(
        "INSERT INTO sites (name, address, region_code, venue_type, key_unit, owner_id, company_id, lat, lon, "
        "created_at) VALUES (:name, :address, :region_code, :venue_type, :key_unit, :owner_id, :company_id, :lat, "
        ":lon, :created_at) RETURNING id", {**fields, "created_at": now})
    return int(cur.fetchone()[0])


def update_site(conn: Connection, site_id: int, fields: dict[str, Any]) -> None:
    fields = {k: v for k, v in fields.items() if k in _SITE_FIELDS}
    assignments = ", ".join(f"{k} = :{k}" for k in fields)
    conn.execute(f"UPDATE sites SET {assignments} WHERE id = :id", {**fields, "id": site_id})


def mirror_company(conn: Connection, name: str, hotline: str, now: float) -> int:
    """The company of this name (made when the box has none), with the cloud's hotline."""
    conn.execute("INSERT INTO companies (name, hotline, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE "
                 "SET hotline = excluded.hotline", [name, hotline, now])
    return int(conn.execute("SELECT id FROM companies WHERE name = ?", [name]).fetchone()[0])


def mirror_user(conn: Connection, user: dict[str, Any], company_id: int | None, now: float) -> int | None:
    """Insert or update a mirrored user by username; a user made at the box itself is left alone (None)."""
    found = conn.execute("SELECT id, mirrored FROM users WHERE username = ?", [user["username"]]).fetchone()
    values = [user["password_hash"], user["role"], user["display_name"], user["phone"], company_id,
              int(user["disabled"])]
    if found is None:
        cur = conn.execute(
            "INSERT INTO users (password_hash, role, display_name, phone, company_id, disabled, username, created_at, "
            "mirrored) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING id", [*values, user["username"], now])
        return int(cur.fetchone()[0])
    if not found["mirrored"]:
        return None
    conn.execute("UPDATE users SET password_hash = ?, role = ?, display_name = ?, phone = ?, company_id = ?, "
                 "disabled = ? WHERE id = ?", [*values, found["id"]])
    return int(found["id"])


def disable_mirrored_except(conn: Connection, usernames: list[str]) -> int:
    """Mirrored users the cloud no longer sends may not log in at the box any more."""
    keep = set(usernames)
    rows = conn.execute("SELECT id, username FROM users WHERE mirrored = 1 AND disabled = 0").fetchall()
    gone = [(row["id"],) for row in rows if row["username"] not in keep]
    conn.executemany("UPDATE users SET disabled = 1 WHERE id = ?", gone)
    return len(gone)


def user_id(conn: Connection, username: str) -> int | None:
    row = conn.execute("SELECT id FROM users WHERE username = ?", [username]).fetchone()
    return int(row[0]) if row else None

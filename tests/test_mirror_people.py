"""Who a site box is sent as able to log in (server/storage/mirror_people.py box_users), on a real database."""

from __future__ import annotations

from pathlib import Path

from server.storage import upgrade
from server.storage.mirror_people import box_users

from . import backends


def test_a_box_gets_the_owner_and_the_site_staff_only_and_no_hash_of_a_disabled_user(tmp_path: Path) -> None:
    path = tmp_path / "andian.db"
    upgrade(backends.database(path))
    with backends.connect(path) as conn:
        conn.execute("INSERT INTO regions (code, name, level, path) VALUES ('R1', 'r', 'village', 'R1')")
        mine, other = (conn.execute("INSERT INTO companies (name, created_at) VALUES (?, 0) RETURNING id",
                                    [name]).fetchone()[0] for name in ("A", "B"))
        people = {  # username: (role, company, disabled)
            "owner": ("owner", None, 0), "other_owner": ("owner", None, 0),
            "operator": ("operator", mine, 0), "installer": ("installer", mine, 0),
            "electrician": ("electrician", mine, 0), "gone": ("electrician", mine, 1),
            "admin": ("admin", mine, 0), "inspector": ("inspector", mine, 0), "regulator": ("regulator", mine, 0),
            "elsewhere": ("installer", other, 0),
        }
        ids = {name: conn.execute(
            "INSERT INTO users (username, password_hash, role, display_name, company_id, created_at, disabled) "
            "VALUES (?, ?, ?, ?, ?, 0, ?) RETURNING id", [name, f"hash-{name}", role, name, company, disabled]
        ).fetchone()[0] for name, (role, company, disabled) in people.items()}
        site = conn.execute("INSERT INTO sites (name, address, region_code, venue_type, owner_id, company_id, "
                            "created_at) VALUES ('s', 'a', 'R1', 'market', ?, ?, 0) RETURNING id",
                            [ids["owner"], mine]).fetchone()[0]
        sent = {user["username"]: user for user in box_users(conn, site)}
    assert set(sent) == {"owner", "operator", "installer", "electrician", "gone"}
    assert sent["gone"]["disabled"] and sent["gone"]["password_hash"] == ""  # the box disables them, without a hash
    assert sent["installer"]["password_hash"] == "hash-installer" and sent["installer"]["company"]
    assert sent["owner"]["password_hash"] == "hash-owner" and not sent["owner"]["company"]

"""Authentication: login, tokens, the login rate limit, gateway keys, user and company accounts, the CLI.

Everything runs against the real app and a real database; time moves only through the injected clock.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from server.settings import Settings
from server.web.app import create_app

from . import backends
from .conftest import PASSWORD, Clock, World, bearer, login

REPO = Path(__file__).resolve().parents[1]
LOGIN = "/api/v1/auth/login"
WINDOW_S = Settings().login_window_s  # 15 minutes
MAX_FAILURES = Settings().login_max_failures  # 5
TTL_S = Settings().token_ttl_s  # 30 days


def attempt(client: TestClient[Any], username: str, password: str) -> Any:
    return client.post(LOGIN, json={"username": username, "password": password})


def fail(client: TestClient[Any], username: str, times: int) -> None:
    for _ in range(times):
        assert attempt(client, username, "wrong-password").status_code == 401


def assert_error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"status_code", "detail", "extra"}
    assert body["status_code"] == status
    return body


@pytest.fixture
def shared(shared_world: tuple[TestClient[Any], World]) -> tuple[TestClient[Any], World]:
    """One world for the module (building it costs a second of password hashing). Tests that use it either
    only read or are refused, or write objects of their own that no other test looks at."""
    return shared_world


# --- login, the caller, bad credentials ------------------------------------------------------------------------


def test_login_returns_a_token_that_names_the_caller(client: TestClient[Any], clock: Clock) -> None:
    response = attempt(client, "root", PASSWORD)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token"]
    assert body["expires_at"] == pytest.approx(clock.now + TTL_S)
    assert body["user"]["username"] == "root"
    assert body["user"]["role"] == "admin"
    assert isinstance(body["user"]["id"], int)
    assert "password_hash" not in body["user"]

    me = client.get("/api/v1/me", headers=bearer(body["token"]))
    assert me.status_code == 200, me.text
    assert me.json()["id"] == body["user"]["id"]
    assert me.json()["username"] == "root"
    assert me.json()["role"] == "admin"


def test_wrong_password_and_unknown_user_get_the_same_answer(client: TestClient[Any]) -> None:
    wrong = assert_error(attempt(client, "root", "not-the-password"), 401)
    unknown = assert_error(attempt(client, "nobody-here", "not-the-password"), 401)
    # No user enumeration: an attacker cannot tell an unknown name from a wrong password.
    assert wrong["detail"] == unknown["detail"]
    assert "password" in wrong["detail"]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, "Authorization: Bearer"),
        ({"Authorization": "Basic cm9vdDpwdw=="}, "Bearer <token>"),
        ({"Authorization": "Bearer"}, "Bearer <token>"),
        ({"Authorization": "Bearer not-a-real-token"}, "log in again"),
        ({"Authorization": "Bearer adg_not-a-real-gateway-key"}, "log in again"),
    ],
    ids=["missing", "basic-scheme", "no-token", "garbage-token", "garbage-gateway-key"],
)
def test_missing_or_garbage_credentials_say_what_to_send(
    shared: tuple[TestClient[Any], World], headers: dict[str, str], expected: str
) -> None:
    client = shared[0]
    body = assert_error(client.get("/api/v1/me", headers=headers), 401)
    assert expected in body["detail"]


# --- the login rate limit ----------------------------------------------------------------------------------------


def test_repeated_failures_lock_one_username_for_the_window(client: TestClient[Any], clock: Clock) -> None:
    admin = bearer(login(client, "root"))
    created = client.post("/api/v1/users", headers=admin,
                          json={"username": "owner_x", "password": PASSWORD, "role": "owner"})
    assert created.status_code == 201, created.text

    fail(client, "root", MAX_FAILURES)
    # The next attempt is refused before the password is even checked: the right one does not help.
    limited = attempt(client, "root", PASSWORD)
    body = assert_error(limited, 429)
    retry_after = int(limited.headers["Retry-After"])
    assert 0 < retry_after <= WINDOW_S + 1
    assert "try again" in body["detail"]
    # The limit is per username: an attacker hammering root does not lock out everyone else.
    assert attempt(client, "owner_x", PASSWORD).status_code == 200
    # Tokens issued before the lock keep working.
    assert client.get("/api/v1/me", headers=admin).status_code == 200

    # Retry-After counts down as time passes.
    clock.advance(300)
    still = attempt(client, "root", PASSWORD)
    assert still.status_code == 429
    assert int(still.headers["Retry-After"]) == pytest.approx(retry_after - 300, abs=1)

    # Once the window has passed the right password works again.
    clock.advance(WINDOW_S - 300 + 1)
    assert attempt(client, "root", PASSWORD).status_code == 200


def test_failures_are_counted_for_unknown_usernames_too(client: TestClient[Any]) -> None:
    fail(client, "ghost", MAX_FAILURES)
    assert_error(attempt(client, "ghost", PASSWORD), 429)
    assert attempt(client, "root", PASSWORD).status_code == 200


def test_a_successful_login_clears_earlier_failures(client: TestClient[Any]) -> None:
    fail(client, "root", MAX_FAILURES - 1)
    assert attempt(client, "root", PASSWORD).status_code == 200
    fail(client, "root", MAX_FAILURES - 1)
    assert attempt(client, "root", PASSWORD).status_code == 200


def test_failures_older_than_the_window_stop_counting(client: TestClient[Any], clock: Clock) -> None:
    fail(client, "root", 1)
    clock.advance(600)
    fail(client, "root", MAX_FAILURES - 1)
    assert attempt(client, "root", PASSWORD).status_code == 429
    clock.advance(WINDOW_S - 600 + 1)  # the first failure has left the window; four remain
    assert attempt(client, "root", PASSWORD).status_code == 200


# --- tokens: expiry and logout --------------------------------------------------------------------------------------


def test_a_token_expires_after_its_time_to_live(client: TestClient[Any], clock: Clock) -> None:
    token = login(client, "root")
    clock.advance(TTL_S - 1)
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    clock.advance(2)
    body = assert_error(client.get("/api/v1/me", headers=bearer(token)), 401)
    assert "expired" in body["detail"]
    # A fresh login works at the new time.
    assert client.get("/api/v1/me", headers=bearer(login(client, "root"))).status_code == 200


def test_logout_revokes_only_the_token_it_was_sent_with(client: TestClient[Any]) -> None:
    laptop, phone = login(client, "root"), login(client, "root")
    assert laptop != phone
    assert client.post("/api/v1/auth/logout", headers=bearer(laptop)).status_code == 204
    assert_error(client.get("/api/v1/me", headers=bearer(laptop)), 401)
    assert client.get("/api/v1/me", headers=bearer(phone)).status_code == 200
    # Logging out again with the revoked token is refused, not silently accepted.
    assert_error(client.post("/api/v1/auth/logout", headers=bearer(laptop)), 401)


def test_logout_needs_a_token(client: TestClient[Any]) -> None:
    assert_error(client.post("/api/v1/auth/logout"), 401)


# --- gateway API keys ---------------------------------------------------------------------------------------------


def test_a_gateway_key_sees_only_its_own_site(shared: tuple[TestClient[Any], World]) -> None:
    client, world = shared
    key = bearer(world.gateway_keys["site_market"])
    sites = client.get("/api/v1/sites", headers=key)
    assert sites.status_code == 200, sites.text
    assert [s["id"] for s in sites.json()] == [world.sites["site_market"]]
    assert client.get(f"/api/v1/sites/{world.sites['site_market']}", headers=key).status_code == 200
    for other in ("site_care", "site_hotel"):
        assert_error(client.get(f"/api/v1/sites/{world.sites[other]}", headers=key), 404)


def test_revoking_a_gateway_locks_its_key_out(shared: tuple[TestClient[Any], World]) -> None:
    client, world = shared
    admin = world.headers("admin")
    issued = client.post(f"/api/v1/sites/{world.sites['site_hotel']}/gateways", json={"name": "spare"}, headers=admin)
    assert issued.status_code == 201, issued.text
    key, gateway_id = bearer(issued.json()["api_key"]), issued.json()["id"]
    assert [s["id"] for s in client.get("/api/v1/sites", headers=key).json()] == [world.sites["site_hotel"]]

    assert client.delete(f"/api/v1/gateways/{gateway_id}", headers=admin).status_code == 204
    assert "log in again" in assert_error(client.get("/api/v1/sites", headers=key), 401)["detail"]
    assert client.get(f"/api/v1/gateways/{gateway_id}", headers=admin).json()["revoked_at"] is not None
    # The site's other box keeps working.
    assert client.get("/api/v1/sites", headers=bearer(world.gateway_keys["site_hotel"])).status_code == 200


# --- users and companies -----------------------------------------------------------------------------------------


NEW_USER = {"username": "new_owner", "password": PASSWORD, "role": "owner"}


@pytest.mark.parametrize(
    "caller", ["operator_a", "installer_a", "owner_1", "inspector_heshan", "regulator_fire", "gateway"]
)
def test_only_an_admin_creates_users_and_companies(shared: tuple[TestClient[Any], World], caller: str) -> None:
    client, world = shared
    headers = bearer(world.gateway_keys["site_market"]) if caller == "gateway" else world.headers(caller)
    assert_error(client.post("/api/v1/users", json=NEW_USER, headers=headers), 403)
    assert_error(client.post("/api/v1/companies", json={"name": "新公司"}, headers=headers), 403)
    names = [u["username"] for u in client.get("/api/v1/users", headers=world.headers("admin")).json()]
    assert "new_owner" not in names


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "inspector"}, "regions"),
        ({"role": "regulator", "regions": ["430900"]}, "department"),
        ({"role": "regulator", "department": "commerce"}, "regions"),
        ({"role": "operator"}, "company_id"),
        ({"role": "installer"}, "company_id"),
        ({"role": "operator", "company_id": 999_999}, "company_id"),
        ({"role": "inspector", "regions": ["999999"]}, "regions[0]"),
        ({"role": "inspector", "regions": ["430903", "430999"]}, "regions[1]"),
        ({"role": "owner", "password": "short"}, "password"),
    ],
    ids=["inspector-no-regions", "regulator-no-department", "regulator-no-regions", "operator-no-company",
         "installer-no-company", "unknown-company", "unknown-region", "second-region-unknown", "short-password"],
)
def test_user_creation_names_what_is_missing(
    shared: tuple[TestClient[Any], World], body: dict[str, Any], field: str
) -> None:
    client, world = shared
    full = {"username": "someone_new", "password": PASSWORD, **body}
    error = assert_error(client.post("/api/v1/users", json=full, headers=world.headers("admin")), 400)
    assert error["detail"].startswith(f"{field}:") or f"`{field}`" in error["detail"], error["detail"]


def test_duplicate_username_and_company_name_conflict(shared: tuple[TestClient[Any], World]) -> None:
    client, world = shared
    admin = world.headers("admin")
    body = {"username": "owner_1", "password": PASSWORD, "role": "owner"}
    assert "owner_1" in assert_error(client.post("/api/v1/users", json=body, headers=admin), 409)["detail"]
    company = assert_error(client.post("/api/v1/companies", json={"name": "运维公司A"}, headers=admin), 409)
    assert "运维公司A" in company["detail"]


def test_admin_creates_a_user_who_can_log_in(shared: tuple[TestClient[Any], World]) -> None:
    client, world = shared
    body = {"username": "inspector_new", "password": PASSWORD, "role": "inspector", "regions": ["430903", "430903"],
            "display_name": "新检查员"}
    created = client.post("/api/v1/users", json=body, headers=world.headers("admin"))
    assert created.status_code == 201, created.text
    assert created.json()["regions"] == ["430903"]
    me = client.get("/api/v1/me", headers=bearer(login(client, "inspector_new"))).json()
    assert (me["id"], me["role"], me["display_name"]) == (created.json()["id"], "inspector", "新检查员")


# --- what is stored ----------------------------------------------------------------------------------------------


def test_passwords_and_secrets_are_stored_hashed(shared: tuple[TestClient[Any], World]) -> None:
    client, world = shared
    with backends.connect(client.app.state["andian"].settings) as db:
        hashes = [h for (h,) in db.execute("SELECT password_hash FROM users")]
        tokens = " ".join(str(v) for row in db.execute("SELECT * FROM tokens") for v in row)
        gateways = " ".join(str(v) for row in db.execute("SELECT * FROM gateways") for v in row)
    assert len(hashes) >= 1 + len(world.user_ids)
    assert all(h.startswith("$argon2id$") for h in hashes), hashes
    assert PASSWORD not in " ".join(hashes)
    assert tokens, "no tokens stored"
    for plain in world.tokens.values():
        assert plain not in tokens
    for key in world.gateway_keys.values():
        assert key not in gateways


# --- the command line ------------------------------------------------------------------------------------------------


def andian(*args: str, stdin: str, db: Path) -> subprocess.CompletedProcess[str]:
    """``andian ARGS --db`` the database ``db`` stands for, its files beside ``db``."""
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args, "--db", backends.database(db)], input=stdin, capture_output=True,
        text=True, cwd=REPO, timeout=60, check=False, env={**os.environ, **backends.server_env(db)},
    )


def test_cli_user_add_creates_a_user_who_can_log_in(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    done = andian("user", "add", "alice", "--role", "admin", "--password-stdin", stdin="alice-secret-99\n", db=db)
    assert done.returncode == 0, done.stderr
    assert "alice" in done.stdout
    refused = andian("user", "add", "bob", "--role", "owner", "--password-stdin", stdin="short\n", db=db)
    assert refused.returncode != 0
    assert "password" in refused.stderr

    settings = backends.settings(db, static_dir=tmp_path / "static")
    with TestClient(create_app(settings, clock=Clock())) as client:
        me = client.get("/api/v1/me", headers=bearer(login(client, "alice", "alice-secret-99")))
        assert me.json()["role"] == "admin"
        # The trailing newline of standard input is not part of the password.
        assert_error(attempt(client, "alice", "alice-secret-99\n"), 401)
        assert_error(attempt(client, "bob", "short"), 401)


def test_me_with_a_gateway_key_says_it_is_no_user(client: TestClient[Any], world: World) -> None:
    response = client.get("/api/v1/me", headers=bearer(world.gateway_keys["site_market"]))
    assert response.status_code == 403
    assert "user account" in response.json()["detail"]

"""Login hardening (issue 15): an atomic rate limit per (account, client), the same cost for unknown and known
usernames, no common passwords, no pretend logout for gateway keys, and live streams that end with their token.

Races and client addresses need a real HTTP server: the app runs under uvicorn in this process (so the clock is the
injected one), and requests come from different loopback addresses (127.0.0.2, 127.0.0.3, …: all of 127/8 is
local on Linux), which the server sees as different clients.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import argon2
import httpx
import pytest
import uvicorn
from litestar.testing import TestClient

from server.accounts.passwords import password_problem
from server.accounts.service import login_client
from server.demo.city import DEMO_PASSWORD
from server.settings import Settings
from server.web.app import create_app

from . import backends
from .conftest import PASSWORD, Clock, World, add_admin, bearer, login
from .server_process import free_port

REPO = Path(__file__).resolve().parents[1]
LOGIN = "/api/v1/auth/login"
WAIT_S = 10.0
MAX_FAILURES = Settings().login_max_failures  # 5 per (account, client)
WINDOW_S = Settings().login_window_s
TTL_S = Settings().token_ttl_s
RECHECK_S = 0.2  # the live streams' credential re-check in these tests (5 s by default)
ENDS_WITHIN_S = 3.0  # how soon a stream must end once its credential is gone (several re-checks)


# --- a real server in this process ----------------------------------------------------------------------------------


@contextmanager
def serving(settings: Settings, clock: Clock) -> Iterator[str]:
    """The app under uvicorn on a free port of 127.0.0.1, with the injected clock; answers its base URL."""
    add_admin(settings)
    config = uvicorn.Config(create_app(settings, clock=clock, notify=False), host="127.0.0.1", port=free_port(),
                            log_level="warning", timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT_S
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(WAIT_S)


@pytest.fixture
def server_settings(tmp_path: Path) -> Settings:
    return backends.settings(tmp_path / "andian.db", static_dir=tmp_path / "static", live_recheck_s=RECHECK_S)


@pytest.fixture
def url(server_settings: Settings, clock: Clock) -> Iterator[str]:
    with serving(server_settings, clock) as base:
        yield base


def client_at(url: str, address: str) -> httpx.Client:
    """An HTTP client whose requests leave from ``address`` (the server sees it as the peer)."""
    return httpx.Client(base_url=url, timeout=WAIT_S, transport=httpx.HTTPTransport(local_address=address))


def attempt(http: httpx.Client, username: str, password: str, **headers: str) -> httpx.Response:
    return http.post(LOGIN, json={"username": username, "password": password}, headers=headers)


# --- the login rate limit: atomic, per (account, client) ------------------------------------------------------------


def test_parallel_wrong_passwords_get_at_most_the_limit_of_401s(url: str) -> None:
    """40 wrong passwords at once: the check and the counting of an attempt are one step, so only the first
    ``login_max_failures`` reach the password check; the rest are told to wait."""
    barrier = threading.Barrier(40)

    def one(_: int) -> int:
        with client_at(url, "127.0.0.2") as http:
            barrier.wait()
            return attempt(http, "root", "wrong-password").status_code

    with ThreadPoolExecutor(40) as pool:
        statuses = Counter(pool.map(one, range(40)))
    assert statuses == {401: MAX_FAILURES, 429: 40 - MAX_FAILURES}, statuses
    with client_at(url, "127.0.0.2") as attacker, client_at(url, "127.0.0.1") as user:
        limited = attempt(attacker, "root", PASSWORD)
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0, limited.text
        # The real user, from their own address, is not locked out by the attacker's failures.
        assert attempt(user, "root", PASSWORD).status_code == 200


def test_failures_from_one_client_do_not_lock_the_account_out_for_another(url: str, clock: Clock) -> None:
    with client_at(url, "127.0.0.2") as attacker, client_at(url, "127.0.0.1") as user:
        for _ in range(MAX_FAILURES):
            assert attempt(attacker, "root", "wrong-password").status_code == 401
        limited = attempt(attacker, "root", PASSWORD)
        assert limited.status_code == 429, limited.text
        assert "try again" in limited.json()["detail"]
        assert 0 < int(limited.headers["Retry-After"]) <= WINDOW_S + 1
        # A header anyone can send does not make another client (no trusted proxy is configured).
        assert attempt(attacker, "root", PASSWORD, **{"X-Forwarded-For": "198.51.100.7"}).status_code == 429

        # The user's own client counts only its own failures, and a success clears them.
        assert attempt(user, "root", "wrong-password").status_code == 401
        assert attempt(user, "root", PASSWORD).status_code == 200
        for _ in range(MAX_FAILURES - 1):
            assert attempt(user, "root", "wrong-password").status_code == 401
        assert attempt(user, "root", PASSWORD).status_code == 200
        # The attacker's client is still waiting, until its failures leave the window.
        assert attempt(attacker, "root", PASSWORD).status_code == 429
        clock.advance(WINDOW_S + 1)
        assert attempt(attacker, "root", PASSWORD).status_code == 200


def test_above_the_account_ceiling_only_clients_without_failures_may_try(tmp_path: Path, clock: Clock) -> None:
    """Many addresses guessing one account: once the account has ``login_account_max_failures`` in the window, an
    address with any failure of its own waits; an address without one (the real user's) may still log in."""
    settings = backends.settings(tmp_path / "andian.db", static_dir=tmp_path / "static", login_max_failures=3,
                        login_account_max_failures=6)
    with serving(settings, clock) as url:
        for address in ("127.0.0.2", "127.0.0.3"):
            with client_at(url, address) as attacker:
                for _ in range(3):
                    assert attempt(attacker, "root", "wrong-password").status_code == 401
        with client_at(url, "127.0.0.4") as attacker:
            # No failure of its own yet: one try, then it waits although it is far below the per-client limit.
            assert attempt(attacker, "root", "wrong-password").status_code == 401
            waited = attempt(attacker, "root", "wrong-password")
            assert waited.status_code == 429, waited.text
            assert 0 < int(waited.headers["Retry-After"]) <= WINDOW_S + 1
            assert "many addresses" in waited.json()["detail"]
        with client_at(url, "127.0.0.1") as user:
            assert attempt(user, "root", PASSWORD).status_code == 200
        clock.advance(WINDOW_S + 1)
        with client_at(url, "127.0.0.4") as attacker:
            assert attempt(attacker, "root", "wrong-password").status_code == 401
            assert attempt(attacker, "root", "wrong-password").status_code == 401


def test_a_trusted_proxy_names_the_client(tmp_path: Path, clock: Clock) -> None:
    settings = backends.settings(tmp_path / "andian.db", static_dir=tmp_path / "static",
                        trusted_proxies=("127.0.0.1",))
    with serving(settings, clock) as url, client_at(url, "127.0.0.1") as proxy:
        for _ in range(MAX_FAILURES):
            assert attempt(proxy, "root", "wrong", **{"X-Forwarded-For": "198.51.100.7"}).status_code == 401
        assert attempt(proxy, "root", PASSWORD, **{"X-Forwarded-For": "198.51.100.7"}).status_code == 429
        assert attempt(proxy, "root", PASSWORD, **{"X-Forwarded-For": "198.51.100.8"}).status_code == 200
        # Forged hops in front of what the proxy saw do not help: the nearest untrusted address counts.
        forged = {"X-Forwarded-For": "203.0.113.1, 198.51.100.7"}
        assert attempt(proxy, "root", PASSWORD, **forged).status_code == 429


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "trusted", "client"),
    [
        ("192.0.2.1", None, (), "192.0.2.1"),
        ("192.0.2.1", "198.51.100.7", (), "192.0.2.1"),  # untrusted peer: the header is ignored
        ("10.0.0.2", "198.51.100.7", ("10.0.0.2",), "198.51.100.7"),
        ("10.0.0.2", "203.0.113.1, 198.51.100.7", ("10.0.0.2",), "198.51.100.7"),
        ("10.0.0.2", "198.51.100.7, 10.0.0.3", ("10.0.0.2", "10.0.0.3"), "198.51.100.7"),
        ("10.0.0.2", "10.0.0.3", ("10.0.0.2", "10.0.0.3"), "10.0.0.2"),
        ("10.0.0.2", "", ("10.0.0.2",), "10.0.0.2"),
        (None, None, (), ""),
    ],
)
def test_the_login_client(peer: str | None, forwarded_for: str | None, trusted: tuple[str, ...],
                          client: str) -> None:
    assert login_client(peer, forwarded_for, trusted) == client


# --- timing: an unknown username costs an argon2 verify like a known one -------------------------------------------


def test_unknown_disabled_and_known_usernames_all_run_argon2(
    client: TestClient[Any], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Timing is not asserted (it would be flaky on a busy machine); what makes it equal is: every wrong answer runs
    one argon2 verify, against a hash with the same parameters (so the same cost) as the stored ones."""
    created = client.post("/api/v1/users", headers=bearer(login(client, "root")),
                          json={"username": "gone", "password": PASSWORD, "role": "owner"})
    assert created.status_code == 201, created.text
    with backends.connect(settings) as db:
        db.execute("UPDATE users SET disabled = 1 WHERE username = 'gone'")
        [stored] = db.execute("SELECT password_hash FROM users WHERE username = 'root'").fetchone()

    verified: list[str] = []
    real_verify = argon2.PasswordHasher.verify

    def counting_verify(self: argon2.PasswordHasher, hash: str | bytes, password: str | bytes) -> bool:
        verified.append(hash if isinstance(hash, str) else hash.decode())
        return real_verify(self, hash, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", counting_verify)
    for username in ("nobody-here", "gone", "root"):
        verified.clear()
        response = client.post(LOGIN, json={"username": username, "password": "not-the-password"})
        assert response.status_code == 401, response.text
        assert len(verified) == 1, f"{username}: {len(verified)} argon2 verifies"
        assert argon2.extract_parameters(verified[0]) == argon2.extract_parameters(stored), username
    # A disabled user cannot log in even with the right password.
    assert client.post(LOGIN, json={"username": "gone", "password": PASSWORD}).status_code == 401


# --- common passwords ---------------------------------------------------------------------------------------------


COMMON = ["12345678", "123456789", "11111111", "88888888", "a1234567", "woaini1314", "qwerty123", "Password1",
          "PASSWORD", "QWERTY123", " 1qaz2wsx ", "5201314520", "23456789", "98765432", "abcdefgh", "zzzzzzzzzz"]


@pytest.mark.parametrize("password", COMMON)
def test_common_passwords_are_refused(client: TestClient[Any], admin: dict[str, str], password: str) -> None:
    response = client.post("/api/v1/users", headers=admin,
                           json={"username": "shop_owner", "password": password, "role": "owner"})
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["detail"].startswith("password:") and "common" in body["detail"], body
    assert body["extra"] == {"field": "password"}


@pytest.mark.parametrize("password", [PASSWORD, DEMO_PASSWORD, "alice-secret-99", "电工李师傅2025", "Hunter2-longer"])
def test_ordinary_passwords_are_accepted(password: str) -> None:
    assert password_problem(password) is None


def test_short_passwords_are_still_refused() -> None:
    assert password_problem("x7!kQ2") == "must be at least 8 characters"


def test_the_command_line_refuses_a_common_password(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "user", "add", "boss", "--role", "admin", "--password-stdin",
         "--db", backends.database(tmp_path / "cli.db")],
        input="woaini1314\n", capture_output=True, text=True, cwd=REPO, timeout=60, check=False,
        env={**os.environ, **backends.server_env(tmp_path / "cli.db")},
    )
    assert done.returncode != 0
    assert "password" in done.stderr and "common" in done.stderr, done.stderr


# --- logout with a gateway key --------------------------------------------------------------------------------------


def test_logout_with_a_gateway_key_is_refused_and_says_how_to_revoke_it(client: TestClient[Any], world: World) -> None:
    key = bearer(world.gateway_keys["site_market"])
    refused = client.post("/api/v1/auth/logout", headers=key)
    assert refused.status_code == 403, refused.text
    assert f"DELETE /api/v1/gateways/{world.gateways['site_market']}" in refused.json()["detail"]
    # Nothing was pretended: the key still works, until it is revoked the documented way.
    assert client.get("/api/v1/sites", headers=key).status_code == 200
    gateway = world.gateways["site_market"]
    assert client.delete(f"/api/v1/gateways/{gateway}", headers=world.headers("admin")).status_code == 204
    assert client.get("/api/v1/sites", headers=key).status_code == 401


# --- live streams end with their credential ----------------------------------------------------------------------


def _site_with_gateway(url: str, admin: dict[str, str]) -> tuple[int, str, int]:
    """A site, and a gateway key of it: (site id, key, gateway id)."""
    with httpx.Client(base_url=url, timeout=WAIT_S, headers=admin) as http:
        company = http.post("/api/v1/companies", json={"name": "运维公司"}).json()["id"]
        site = http.post("/api/v1/sites", json={"name": "五金店", "address": "桃花仑路 1 号",
                                                "region_code": "430903001001", "venue_type": "market",
                                                "company_id": company})
        assert site.status_code == 201, site.text
        gateway = http.post(f"/api/v1/sites/{site.json()['id']}/gateways", json={"name": "box"})
        assert gateway.status_code == 201, gateway.text
        return int(site.json()["id"]), gateway.json()["api_key"], int(gateway.json()["id"])


def _login(url: str, username: str = "root") -> str:
    response = httpx.post(f"{url}{LOGIN}", json={"username": username, "password": PASSWORD}, timeout=WAIT_S)
    assert response.status_code == 200, response.text
    token: str = response.json()["token"]
    return token


class OpenStream:
    """GET /api/v1/live, read line by line in the background; ``ended`` is set when the server closes it."""

    def __init__(self, url: str, site_id: int, secret: str) -> None:
        self.http = httpx.AsyncClient(base_url=url, timeout=httpx.Timeout(WAIT_S, read=None))
        self.request = self.http.stream("GET", "/api/v1/live", params={"site_id": site_id}, headers=bearer(secret))
        self.lines: list[str] = []
        self.opened = asyncio.Event()
        self.heard_event = asyncio.Event()  # a line `event: …` has come
        self.ended = asyncio.Event()
        self.reader: asyncio.Task[None] | None = None

    async def __aenter__(self) -> OpenStream:
        response = await self.request.__aenter__()
        assert response.status_code == 200, (await response.aread()).decode()
        self.reader = asyncio.create_task(self._read(response))
        await asyncio.wait_for(self.opened.wait(), WAIT_S)
        return self

    async def _read(self, response: httpx.Response) -> None:
        try:
            async for line in response.aiter_lines():
                self.lines.append(line)
                self.opened.set()
                if line.startswith("event:"):
                    self.heard_event.set()
        finally:
            self.ended.set()

    async def ends_within(self, seconds: float) -> float:
        """How long the server took to close the stream; fails if it is still open after ``seconds``."""
        start = time.monotonic()
        try:
            await asyncio.wait_for(self.ended.wait(), seconds)
        except TimeoutError:
            pytest.fail(f"the stream was still open {seconds} s later")
        assert self.reader is not None
        self.reader.result()  # ended cleanly, not with a transport error
        return time.monotonic() - start

    async def __aexit__(self, *exc: object) -> None:
        assert self.reader is not None
        self.reader.cancel()
        await asyncio.gather(self.reader, return_exceptions=True)
        await self.request.__aexit__(None, None, None)
        await self.http.aclose()


async def test_an_open_stream_ends_soon_after_logout(url: str) -> None:
    token = await asyncio.to_thread(_login, url)
    site_id, _, _ = await asyncio.to_thread(_site_with_gateway, url, bearer(token))
    async with OpenStream(url, site_id, token) as stream:
        # Several re-checks pass while the token is good: the stream stays open and still carries events.
        await asyncio.sleep(5 * RECHECK_S)
        assert not stream.ended.is_set()
        async with httpx.AsyncClient(base_url=url, timeout=WAIT_S, headers=bearer(token)) as http:
            hazard = await http.post("/api/v1/hazards", json={"site_id": site_id, "title": "配电箱门损坏"})
            assert hazard.status_code == 201, hazard.text
            await asyncio.wait_for(stream.heard_event.wait(), WAIT_S)
            assert "event: hazard" in stream.lines
            assert (await http.post("/api/v1/auth/logout")).status_code == 204
            await stream.ends_within(ENDS_WITHIN_S)
            # And it cannot be reopened with the revoked token.
            assert (await http.get("/api/v1/live", params={"site_id": site_id})).status_code == 401


async def test_an_open_stream_ends_when_its_token_expires(url: str, clock: Clock) -> None:
    token = await asyncio.to_thread(_login, url)
    site_id, _, _ = await asyncio.to_thread(_site_with_gateway, url, bearer(token))
    async with OpenStream(url, site_id, token) as stream:
        clock.advance(TTL_S - 60)
        await asyncio.sleep(5 * RECHECK_S)
        assert not stream.ended.is_set(), "the stream ended before its token expired"
        clock.advance(61)
        await stream.ends_within(ENDS_WITHIN_S)


async def test_a_gateways_stream_ends_when_its_key_is_revoked(url: str) -> None:
    token = await asyncio.to_thread(_login, url)
    site_id, key, gateway_id = await asyncio.to_thread(_site_with_gateway, url, bearer(token))
    async with OpenStream(url, site_id, key) as stream:
        await asyncio.sleep(3 * RECHECK_S)
        assert not stream.ended.is_set()
        async with httpx.AsyncClient(base_url=url, timeout=WAIT_S) as http:
            revoked = await http.delete(f"/api/v1/gateways/{gateway_id}", headers=bearer(token))
            assert revoked.status_code == 204, revoked.text
        await stream.ends_within(ENDS_WITHIN_S)

"""Login, logout, the caller behind a bearer secret, and user accounts."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import msgspec

from server.accounts.passwords import hash_password, password_problem, verify_password
from server.accounts.principal import Principal
from server.accounts.roles import COMPANY_STAFF, REGIONAL
from server.accounts.schemas import LoginResponse, MePatch, UserCreate, UserOut
from server.accounts.tokens import GATEWAY_PREFIX, TOKEN_PREFIX, new_secret, secret_hash
from server.context import Context
from server.errors import Conflict, Forbidden, InvalidInput, NotFound, RateLimited, Unauthorized
from server.notify import calls
from server.settings import Settings
from server.storage import Connection
from server.storage import users as sql

__all__ = ["authenticate", "create_user", "get_user", "list_users", "login", "login_client", "logout", "update_me"]


async def login(ctx: Context, username: str, password: str, client: str = "") -> LoginResponse:
    """Check a password, limited per (username, client): see ``_reserve_attempt`` and docs/security.md.

    ``client`` is the address the request came from (``login_client``); '' when unknown.
    """
    now = ctx.clock()
    window_start = now - ctx.settings.login_window_s

    def reserve(conn: Connection) -> dict[str, Any] | None:
        _reserve_attempt(ctx.settings, conn, username, client, now)
        return sql.get_user_by_username(conn, username)

    # One step on the single writer: parallel requests cannot all pass the check before any of them is counted.
    # Durable, as a login must work on a full disk too (the writer keeps those from its reserve): people log in to
    # see the alarms.
    user = await ctx.db.write(reserve, durable=True)
    stored_hash = user["password_hash"] if user and not user["disabled"] else None
    # argon2 runs for unknown and disabled users too (against a dummy hash): every wrong answer costs the same.
    if not await asyncio.to_thread(verify_password, stored_hash, password) or user is None:
        raise Unauthorized("wrong username or password")  # the reserved attempt stays, as this failure

    token = new_secret(TOKEN_PREFIX)
    expires_at = now + ctx.settings.token_ttl_s
    user_id = int(user["id"])

    def record(conn: Connection) -> None:
        sql.insert_token(conn, secret_hash(token), user_id, now, expires_at)
        sql.clear_login_failures(conn, username, client, window_start)  # this client's, with the reservation

    await ctx.db.write(record, durable=True)
    return LoginResponse(token=token, expires_at=expires_at, user=msgspec.convert(user, UserOut))


def _reserve_attempt(settings: Settings, conn: Connection, username: str, client: str, now: float) -> None:
    """Count this attempt as a failure before its password is checked, or raise RateLimited. On the writer.

    A client waits once it has ``login_max_failures`` failures for the username within the window, or once it has
    any failure while the username has ``login_account_max_failures`` from all clients together; a client with no
    failure of its own is never refused, so an attacker elsewhere cannot lock the real user out.
    """
    window = settings.login_window_s
    since = now - window
    mine = sql.count_login_failures(conn, username, client, since)
    if mine >= settings.login_max_failures:
        # Free again when enough of this client's failures have left the window.
        retry_at = sql.nth_login_failure(conn, username, client, since, mine - settings.login_max_failures) + window
        raise RateLimited(f"too many failed logins for {username!r} from this address; try again in "
                          f"{_minutes(retry_at - now)} minutes",
                          retry_after_s=int(retry_at - now) + 1)
    if mine:
        everyone = sql.count_login_failures(conn, username, None, since)
        if everyone >= settings.login_account_max_failures:
            # Free again when this client's failures have left the window, or enough of everyone's have.
            retry_at = window + min(
                sql.nth_login_failure(conn, username, client, since, mine - 1),
                sql.nth_login_failure(conn, username, None, since, everyone - settings.login_account_max_failures),
            )
            raise RateLimited(f"too many failed logins for {username!r} from many addresses, so an address that has "
                              f"failed must wait; try again in {_minutes(retry_at - now)} minutes",
                              retry_after_s=int(retry_at - now) + 1)
    sql.record_login_failure(conn, username, client, now)


def _minutes(seconds: float) -> int:
    return max(int(seconds) // 60, 1)


def login_client(peer: str | None, forwarded_for: str | None, trusted_proxies: Sequence[str]) -> str:
    """The client a login counts against: the peer address, unless the peer is a trusted reverse proxy; then the
    nearest address in X-Forwarded-For that is not one of the trusted proxies (the ones before it could be forged)."""
    client = peer or ""
    if client not in trusted_proxies or not forwarded_for:
        return client
    for hop in reversed([h.strip() for h in forwarded_for.split(",")][-16:]):
        if hop and hop not in trusted_proxies:
            return hop[:64]
    return client


async def logout(ctx: Context, principal: Principal, token: str) -> None:
    if principal.kind == "gateway":
        raise Forbidden("a gateway API key is not a login and logout does not revoke it; revoke the key with "
                        f"DELETE /api/v1/gateways/{principal.id} (admin, or the site's operator or installer)")
    now = ctx.clock()
    await ctx.db.write(lambda c: sql.revoke_token(c, secret_hash(token), now), durable=True)


async def authenticate(ctx: Context, authorization: str | None) -> Principal:
    """The caller behind an ``Authorization: Bearer …`` header: a user token or a gateway API key."""
    if not authorization:
        raise Unauthorized("missing Authorization header; send 'Authorization: Bearer <token>' (log in first)")
    scheme, _, secret = authorization.partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        raise Unauthorized("Authorization header must be 'Bearer <token>'")
    digest = secret_hash(secret)
    principal: Principal | None
    if secret.startswith(GATEWAY_PREFIX):
        principal = await ctx.db.read(lambda c: sql.principal_for_gateway_key(c, digest))
    else:
        now = ctx.clock()
        principal = await ctx.db.read(lambda c: sql.principal_for_token(c, digest, now))
    if principal is None:
        raise Unauthorized("token is invalid, expired or revoked; log in again")
    return principal


async def get_user(ctx: Context, principal: Principal, user_id: int) -> UserOut:
    scope = sql.user_scope(principal)
    user = await ctx.db.read(lambda c: sql.get_user(c, user_id, scope))
    if user is None:
        raise NotFound("user", user_id)
    return msgspec.convert(user, UserOut)


async def update_me(ctx: Context, principal: Principal, body: MePatch) -> UserOut:
    """The caller's own phone number; an owner's number is also the one called for unacknowledged alarms
    (notify/calls.py keeps that call subscription in the same transaction)."""
    if principal.kind != "user":
        raise Forbidden("a gateway API key belongs to no user; log in with a user account")
    phone = ""
    if body.phone.strip():
        phone = calls.mainland_mobile(body.phone) or ""
        if not phone:
            raise InvalidInput("phone", "请填写 11 位中国大陆手机号，例如 13800138000")
    now = ctx.clock()
    role = str(principal.role)

    def write(conn: Connection) -> None:
        sql.set_phone(conn, principal.id, phone)
        calls.phone_changed(conn, principal.id, role, phone, now)

    await ctx.db.write(write, durable=True)
    return await get_user(ctx, principal, principal.id)


async def list_users(ctx: Context, principal: Principal) -> list[UserOut]:
    scope = sql.user_scope(principal)
    return msgspec.convert(await ctx.db.read(lambda c: sql.list_users(c, scope)), list[UserOut])


async def create_user(ctx: Context, principal: Principal | None, body: UserCreate) -> UserOut:
    """Create a user. ``principal`` None means the local command line, which is trusted."""
    if principal is not None and not principal.is_admin:
        raise Forbidden("only an admin may create users")
    _check_role_fields(ctx, body)
    problem = password_problem(body.password)
    if problem is not None:
        raise InvalidInput("password", problem)
    password_hash = await asyncio.to_thread(hash_password, body.password)
    now = ctx.clock()
    regions = sorted(set(body.regions))
    display_name = body.display_name or body.username

    def insert(conn: Connection) -> int:
        if sql.get_user_by_username(conn, body.username) is not None:
            raise Conflict(f"username {body.username!r} is taken; choose another")
        if body.company_id is not None and not sql.company_exists(conn, body.company_id):
            raise InvalidInput("company_id", f"no company with id {body.company_id}")
        user_id = sql.insert_user(
            conn, username=body.username, password_hash=password_hash, role=body.role, display_name=display_name,
            phone=body.phone, company_id=body.company_id, department=body.department, regions=regions, now=now,
        )
        calls.phone_changed(conn, user_id, body.role, body.phone, now)  # an owner with a mobile number is called
        return user_id

    user_id = await ctx.db.write(insert, durable=True)
    return UserOut(
        id=user_id, username=body.username, role=body.role, display_name=display_name, phone=body.phone,
        company_id=body.company_id, regions=regions, department=body.department,
    )


def _check_role_fields(ctx: Context, body: UserCreate) -> None:
    for i, code in enumerate(body.regions):
        if ctx.reference.region(code) is None:
            raise InvalidInput(f"regions[{i}]", f"unknown region code {code!r}")
    if body.role in REGIONAL and not body.regions:
        raise InvalidInput("regions", f"a {body.role} needs at least one region code (GB/T 2260)")
    if body.role == "regulator" and body.department is None:
        raise InvalidInput("department", "a regulator needs a department, e.g. fire_rescue or commerce")
    if body.role in COMPANY_STAFF and body.company_id is None:
        raise InvalidInput("company_id", f"an {body.role} belongs to an operator company; give company_id")

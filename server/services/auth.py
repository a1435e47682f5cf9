"""Login, logout, the caller behind a bearer secret, and user accounts."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import msgspec

from ..auth.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from ..auth.principal import Principal
from ..auth.tokens import GATEWAY_PREFIX, TOKEN_PREFIX, new_secret, secret_hash
from ..context import Context
from ..errors import Conflict, Forbidden, InvalidInput, NotFound, RateLimited, Unauthorized
from ..schemas import LoginResponse, UserCreate, UserOut
from ..storage import users as sql

__all__ = ["authenticate", "create_user", "get_user", "list_users", "login", "logout"]


async def login(ctx: Context, username: str, password: str) -> LoginResponse:
    now = ctx.clock()
    window_start = now - ctx.settings.login_window_s
    failures, oldest = await ctx.db.read(lambda c: sql.count_login_failures(c, username, window_start))
    if failures >= ctx.settings.login_max_failures:
        retry_after = int((oldest or now) + ctx.settings.login_window_s - now) + 1
        raise RateLimited(
            f"too many failed logins for {username!r}; try again in {max(retry_after // 60, 1)} minutes",
            retry_after_s=retry_after,
        )
    user = await ctx.db.read(lambda c: sql.get_user_by_username(c, username))
    stored_hash = user["password_hash"] if user and not user["disabled"] else None
    if user is None or not await asyncio.to_thread(verify_password, stored_hash, password):
        await ctx.db.write(lambda c: sql.record_login_failure(c, username, now))
        raise Unauthorized("wrong username or password")

    token = new_secret(TOKEN_PREFIX)
    expires_at = now + ctx.settings.token_ttl_s
    user_id = int(user["id"])

    def record(conn: sqlite3.Connection) -> None:
        sql.insert_token(conn, secret_hash(token), user_id, now, expires_at)
        sql.clear_login_failures(conn, username, window_start)

    await ctx.db.write(record, durable=True)
    return LoginResponse(token=token, expires_at=expires_at, user=msgspec.convert(user, UserOut))


async def logout(ctx: Context, token: str) -> None:
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


def _visible_users(principal: Principal) -> tuple[str, list[Any]]:
    """Admin sees every user; an operator the users of their company; everyone else themselves."""
    if principal.is_admin:
        return "1 = 1", []
    if principal.role == "operator" and principal.company_id is not None:
        return "(u.company_id = ? OR u.id = ?)", [principal.company_id, principal.id]
    if principal.kind == "user":
        return "u.id = ?", [principal.id]
    return "0 = 1", []


async def get_user(ctx: Context, principal: Principal, user_id: int) -> UserOut:
    where, params = _visible_users(principal)
    user = await ctx.db.read(lambda c: sql.get_user(c, user_id, where, params))
    if user is None:
        raise NotFound("user", user_id)
    return msgspec.convert(user, UserOut)


async def list_users(ctx: Context, principal: Principal) -> list[UserOut]:
    where, params = _visible_users(principal)
    return msgspec.convert(await ctx.db.read(lambda c: sql.list_users(c, where, params)), list[UserOut])


async def create_user(ctx: Context, principal: Principal | None, body: UserCreate) -> UserOut:
    """Create a user. ``principal`` None means the local command line, which is trusted."""
    if principal is not None and not principal.is_admin:
        raise Forbidden("only an admin may create users")
    _check_role_fields(ctx, body)
    if len(body.password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput("password", f"must be at least {MIN_PASSWORD_LENGTH} characters")
    password_hash = await asyncio.to_thread(hash_password, body.password)
    now = ctx.clock()
    regions = sorted(set(body.regions))
    display_name = body.display_name or body.username

    def insert(conn: sqlite3.Connection) -> int:
        if sql.get_user_by_username(conn, body.username) is not None:
            raise Conflict(f"username {body.username!r} is taken; choose another")
        if body.company_id is not None and not sql.company_exists(conn, body.company_id):
            raise InvalidInput("company_id", f"no company with id {body.company_id}")
        return sql.insert_user(
            conn, username=body.username, password_hash=password_hash, role=body.role, display_name=display_name,
            phone=body.phone, company_id=body.company_id, department=body.department, regions=regions, now=now,
        )

    user_id = await ctx.db.write(insert, durable=True)
    return UserOut(
        id=user_id, username=body.username, role=body.role, display_name=display_name, phone=body.phone,
        company_id=body.company_id, regions=regions, department=body.department,
    )


def _check_role_fields(ctx: Context, body: UserCreate) -> None:
    for i, code in enumerate(body.regions):
        if ctx.reference.region(code) is None:
            raise InvalidInput(f"regions[{i}]", f"unknown region code {code!r}")
    if body.role in ("inspector", "regulator") and not body.regions:
        raise InvalidInput("regions", f"a {body.role} needs at least one region code (GB/T 2260)")
    if body.role == "regulator" and body.department is None:
        raise InvalidInput("department", "a regulator needs a department, e.g. fire_rescue or commerce")
    if body.role in ("operator", "installer") and body.company_id is None:
        raise InvalidInput("company_id", f"an {body.role} belongs to an operator company; give company_id")

"""Operator companies (运营单位): installers and operators belong to one; sites are contracted to one."""

from __future__ import annotations

import msgspec

from server.accounts.principal import Principal
from server.accounts.roles import DISPATCHERS, require
from server.accounts.schemas import CompanyCreate, CompanyOut, CompanyPatch, ElectricianOut
from server.context import Context
from server.errors import Conflict, Forbidden, NotFound
from server.storage import Connection
from server.storage import users as sql

__all__ = ["create_company", "electricians", "list_companies", "set_hotline"]


async def create_company(ctx: Context, principal: Principal, body: CompanyCreate) -> CompanyOut:
    if not principal.is_admin:
        raise Forbidden("only an admin may register operator companies")
    now = ctx.clock()

    def insert(conn: Connection) -> int:
        if sql.company_name_exists(conn, body.name):
            raise Conflict(f"a company named {body.name!r} exists already")
        return sql.insert_company(conn, body.name, body.hotline, now)

    company_id = await ctx.db.write(insert, durable=True)
    return CompanyOut(id=company_id, name=body.name, hotline=body.hotline)


async def list_companies(ctx: Context, principal: Principal) -> list[CompanyOut]:
    """Admin sees every company; a member of a company sees their own; others see none."""
    if principal.is_admin:
        rows = await ctx.db.read(lambda c: sql.list_companies(c, None))
    elif principal.company_id is not None:
        company_id = principal.company_id
        rows = await ctx.db.read(lambda c: sql.list_companies(c, company_id))
    else:
        rows = []
    return msgspec.convert(rows, list[CompanyOut])


async def set_hotline(ctx: Context, principal: Principal, company_id: int, body: CompanyPatch) -> CompanyOut:
    """An admin sets the company's 24-hour hotline, the number the owner's alarm page calls."""
    if not principal.is_admin:
        raise Forbidden("only an admin may change an operator company's hotline")
    row = await ctx.db.write(lambda c: sql.set_hotline(c, company_id, body.hotline), durable=True)
    if row is None:
        raise NotFound("company", company_id)
    return msgspec.convert(row, CompanyOut)


async def electricians(ctx: Context, principal: Principal, company_id: int) -> list[ElectricianOut]:
    """The company's electricians, for the console's dispatch: an admin's for any company, an operator's for their
    own (another company answers 404, as if it were not there)."""
    if not principal.is_admin and principal.company_id != company_id:
        raise NotFound("company", company_id)
    require(principal, DISPATCHERS, "dispatch work to electricians")

    def read(conn: Connection) -> list[dict[str, object]] | None:
        return sql.list_electricians(conn, company_id) if sql.company_exists(conn, company_id) else None

    rows = await ctx.db.read(read)
    if rows is None:
        raise NotFound("company", company_id)
    return msgspec.convert(rows, list[ElectricianOut])

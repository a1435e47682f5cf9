"""Operator companies (运营单位): installers and operators belong to one; sites are contracted to one."""

from __future__ import annotations

import msgspec

from server.accounts.principal import Principal
from server.accounts.schemas import CompanyCreate, CompanyOut
from server.context import Context
from server.errors import Conflict, Forbidden
from server.storage import Connection
from server.storage import users as sql

__all__ = ["create_company", "list_companies"]


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

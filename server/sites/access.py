"""A site the caller may see, or 404: the check every site-scoped action starts with."""

from __future__ import annotations

from typing import Any

from server.accounts.principal import Principal
from server.context import Context
from server.errors import NotFound
from server.storage import sites as sql
from server.storage.scopes import site_scope

__all__ = ["visible_site"]


async def visible_site(ctx: Context, principal: Principal, site_id: int) -> dict[str, Any]:
    scope = site_scope(principal, ctx.reference)
    row = await ctx.db.read(lambda c: sql.get_site(c, site_id, scope))
    if row is None:
        raise NotFound("site", site_id)
    return row

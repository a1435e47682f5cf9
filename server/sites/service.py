"""Sites, devices, channels and gateways: who may see and change what, and what is valid."""

from __future__ import annotations

from typing import Any

import msgspec

from server.accounts.principal import Principal
from server.accounts.roles import MANAGERS, require
from server.alarms.service import site_status
from server.context import Context
from server.devices.service import device_out
from server.errors import Forbidden, InvalidInput
from server.sites.access import visible_site
from server.sites.schemas import SiteCapabilities, SiteCreate, SiteDetail, SiteOut
from server.stats.capabilities import compliant, installed_capabilities
from server.storage import Connection
from server.storage import alarms as alarm_sql
from server.storage import devices as device_sql
from server.storage import readings as reading_sql
from server.storage import sites as sql
from server.storage import users as user_sql
from server.storage.scopes import site_scope

__all__ = ["create_site", "get_site", "list_sites"]


def _site_out(ctx: Context, row: dict[str, Any], levels: list[str] | None = None) -> SiteOut:
    venue = ctx.reference.venue_type(row["venue_type"])
    return SiteOut(
        id=row["id"], name=row["name"], address=row["address"], region_code=row["region_code"],
        region_name=ctx.reference.region_name(row["region_code"]), venue_type=row["venue_type"],
        department=venue.department if venue else "fire_rescue",
        required_capabilities=list(venue.required_capabilities) if venue else [], key_unit=bool(row["key_unit"]),
        owner_id=row["owner_id"], company_id=row["company_id"], lat=row["lat"], lon=row["lon"],
        created_at=row["created_at"], device_count=row["device_count"],
        status=site_status(levels or []),  # the worst active alarm
    )


async def list_sites(ctx: Context, principal: Principal) -> list[SiteOut]:
    scope = site_scope(principal, ctx.reference)

    def query(conn: Connection) -> list[SiteOut]:
        rows = sql.list_sites(conn, scope)
        levels = alarm_sql.site_levels(conn, [r["id"] for r in rows])
        return [_site_out(ctx, row, levels.get(row["id"])) for row in rows]

    return await ctx.db.read(query)


async def get_site(ctx: Context, principal: Principal, site_id: int) -> SiteDetail:
    row = await visible_site(ctx, principal, site_id)
    now = ctx.clock()

    def read(conn: Connection) -> tuple[list[dict[str, Any]], dict[int, list[str]]]:
        devices = device_sql.list_devices(conn, site_id)
        latest = reading_sql.latest(conn, [c["id"] for d in devices for c in d["channels"]], now)
        for device in devices:
            for channel in device["channels"]:
                if channel["id"] in latest:
                    channel["latest"] = dict(zip(("ts", "value"), latest[channel["id"]], strict=True))
        return devices, alarm_sql.site_levels(conn, [site_id])

    devices, levels = await ctx.db.read(read)
    site = msgspec.structs.asdict(_site_out(ctx, row, levels.get(site_id)))
    return SiteDetail(**site, devices=[device_out(d) for d in devices], capabilities=_capabilities(site, devices))


def _capabilities(site: dict[str, Any], devices: list[dict[str, Any]]) -> SiteCapabilities:
    present = installed_capabilities((d["kind"], [c["key"] for c in d["channels"]])
                                     for d in devices if d["state"] == "commissioned")
    required = site["required_capabilities"]
    return SiteCapabilities(required=required, present=sorted(present), compliant=compliant(required, present))


async def create_site(ctx: Context, principal: Principal, body: SiteCreate) -> SiteOut:
    require(principal, MANAGERS, "create sites")
    if ctx.reference.region(body.region_code) is None:
        raise InvalidInput("region_code", f"unknown region code {body.region_code!r}; see GET /api/v1/reference")
    if ctx.reference.venue_type(body.venue_type) is None:
        known = ", ".join(v.code for v in ctx.reference.venue_types)
        raise InvalidInput("venue_type", f"unknown venue type {body.venue_type!r}; one of {known}")
    company_id = body.company_id if principal.is_admin else principal.company_id
    if not principal.is_admin and body.company_id not in (None, principal.company_id):
        raise Forbidden("a site can only be created for your own company")
    now = ctx.clock()

    def insert(conn: Connection) -> dict[str, Any]:
        # An operator may not make another company's customer the owner of its site (and so read their name):
        # only an owner account with no sites yet, or whose sites are all the operator's company's.
        if body.owner_id is not None and (
                not sql.user_exists_with_role(conn, body.owner_id, "owner")
                or (not principal.is_admin and sql.owns_sites_beyond(conn, body.owner_id, company_id))):
            raise InvalidInput("owner_id", f"no owner account with id {body.owner_id} that you can assign; an "
                                           "owner of other companies' sites is assigned by an administrator")
        if company_id is not None and not user_sql.company_exists(conn, company_id):
            raise InvalidInput("company_id", f"no company with id {company_id}; see GET /api/v1/companies")
        record = {**msgspec.structs.asdict(body), "company_id": company_id, "key_unit": int(body.key_unit),
                  "created_at": now, "created_by": principal.id}
        site_id = sql.insert_site(conn, record)
        device_sql.insert_audit(conn, ts=now, actor_id=principal.id, action="create", obj="site", object_id=site_id,
                         detail={"name": body.name})
        return {**record, "id": site_id, "device_count": 0}

    return _site_out(ctx, await ctx.db.write(insert, durable=True))

















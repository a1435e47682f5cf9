"""Sites, devices, channels and gateways: who may see and change what, and what is valid."""

from __future__ import annotations

import sqlite3
from typing import Any

import msgspec

from ble.profiles import profiles
from server.accounts.principal import Principal
from server.accounts.tokens import GATEWAY_PREFIX, new_secret, secret_hash
from server.alarms.service import site_status
from server.context import Context
from server.detection.settings import public, resolve_settings, unit_of
from server.devices.schemas import ChannelOut, DeviceCreate, DeviceOut, GatewayCreate, GatewayCreated, GatewayOut
from server.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.sites.schemas import SiteCreate, SiteDetail, SiteOut
from server.storage import alarms as alarm_sql
from server.storage import sites as sql
from server.storage import users as user_sql
from server.storage.scopes import site_scope

__all__ = [
    "MANAGERS", "create_device", "create_gateway", "create_site", "get_channel", "get_device", "get_gateway",
    "get_site", "list_gateways", "list_sites", "require", "require_user", "revoke_gateway", "update_channel",
    "visible_site",
]

# Roles that build and maintain installations: create sites, register devices, set thresholds, issue gateway keys.
MANAGERS = ("admin", "operator", "installer")


def require(principal: Principal, roles: tuple[str, ...], action: str) -> None:
    if principal.role not in roles:
        raise Forbidden(f"role {principal.role} may not {action}; ask an {' or '.join(roles)}")


def require_user(principal: Principal, action: str) -> int:
    """The user's id; gateways (keys of a site box) are refused with what they tried."""
    if principal.kind != "user":
        raise Forbidden(f"a gateway may not {action}; sign in as a user")
    return principal.id


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


def _device_out(row: dict[str, Any]) -> DeviceOut:
    channels = [{**c, "unit": unit_of(c["key"]), "settings": public(c["settings"])} for c in row["channels"]]
    profile = profiles().get(row["model"]) if row["ble_address"] else None
    controls = profile.controls if profile is not None else []
    return msgspec.convert({**row, "channels": channels, "controls": controls}, DeviceOut)


async def list_sites(ctx: Context, principal: Principal) -> list[SiteOut]:
    where, params = site_scope(principal, ctx.reference)

    def query(conn: sqlite3.Connection) -> list[SiteOut]:
        rows = sql.list_sites(conn, where, params)
        levels = alarm_sql.site_levels(conn, [r["id"] for r in rows])
        return [_site_out(ctx, row, levels.get(row["id"])) for row in rows]

    return await ctx.db.read(query)


async def visible_site(ctx: Context, principal: Principal, site_id: int) -> dict[str, Any]:
    where, params = site_scope(principal, ctx.reference)
    row = await ctx.db.read(lambda c: sql.get_site(c, site_id, where, params))
    if row is None:
        raise NotFound("site", site_id)
    return row


async def get_site(ctx: Context, principal: Principal, site_id: int) -> SiteDetail:
    row = await visible_site(ctx, principal, site_id)
    devices, levels = await ctx.db.read(
        lambda c: (sql.list_devices(c, site_id), alarm_sql.site_levels(c, [site_id])))
    site = msgspec.structs.asdict(_site_out(ctx, row, levels.get(site_id)))
    return SiteDetail(**site, devices=[_device_out(d) for d in devices])


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

    def insert(conn: sqlite3.Connection) -> dict[str, Any]:
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
        sql.insert_audit(conn, ts=now, actor_id=principal.id, action="create", obj="site", object_id=site_id,
                         detail={"name": body.name})
        return {**record, "id": site_id, "device_count": 0}

    return _site_out(ctx, await ctx.db.write(insert, durable=True))


async def create_device(ctx: Context, principal: Principal, site_id: int, body: DeviceCreate) -> DeviceOut:
    await visible_site(ctx, principal, site_id)
    require(principal, MANAGERS, "register devices")
    seen: set[str] = set()
    channels: list[tuple[str, dict[str, Any]]] = []
    for i, channel in enumerate(body.channels):
        if channel.key in seen:
            raise InvalidInput(f"channels[{i}].key", f"channel {channel.key} is listed twice")
        seen.add(channel.key)
        settings = resolve_settings(channel.key, channel.settings, device_rated_a=body.rated_current_a,
                                    field=f"channels[{i}].settings")
        channels.append((channel.key, settings))
    now = ctx.clock()

    def insert(conn: sqlite3.Connection) -> dict[str, Any]:
        if sql.serial_exists(conn, body.serial):
            raise Conflict(f"a device with serial {body.serial!r} is already registered")
        record = {**msgspec.structs.asdict(body), "site_id": site_id, "created_at": now,
                  "name": body.name or body.serial}
        device_id = sql.insert_device(conn, record, channels)
        ctx.pipeline.registry.refresh(conn, body.serial)
        sql.insert_audit(conn, ts=now, actor_id=principal.id, action="create", obj="device", object_id=device_id,
                         detail={"serial": body.serial, "site_id": site_id})
        device = sql.get_device(conn, device_id, "1 = 1", [])
        assert device is not None
        return device

    return _device_out(await ctx.db.write(insert, durable=True))


async def get_device(ctx: Context, principal: Principal, device_id: int) -> DeviceOut:
    where, params = site_scope(principal, ctx.reference)
    row = await ctx.db.read(lambda c: sql.get_device(c, device_id, where, params))
    if row is None:
        raise NotFound("device", device_id)
    return _device_out(row)


async def get_channel(ctx: Context, principal: Principal, channel_id: int) -> ChannelOut:
    where, params = site_scope(principal, ctx.reference)
    row = await ctx.db.read(lambda c: sql.get_channel(c, channel_id, where, params))
    if row is None:
        raise NotFound("channel", channel_id)
    return ChannelOut(id=row["id"], device_id=row["device_id"], key=row["key"], unit=unit_of(row["key"]),
                      settings=public(row["settings"]))


async def update_channel(ctx: Context, principal: Principal, channel_id: int, given: dict[str, Any]) -> ChannelOut:
    where, params = site_scope(principal, ctx.reference)
    row = await ctx.db.read(lambda c: sql.get_channel(c, channel_id, where, params))
    if row is None:
        raise NotFound("channel", channel_id)
    require(principal, MANAGERS, "change channel settings")
    settings = resolve_settings(row["key"], given, current=row["settings"], device_rated_a=row["rated_current_a"])
    now = ctx.clock()

    def update(conn: sqlite3.Connection) -> None:
        sql.update_channel_settings(conn, channel_id, settings)
        ctx.pipeline.registry.refresh(conn, row["serial"])
        sql.insert_audit(conn, ts=now, actor_id=principal.id, action="update", obj="channel", object_id=channel_id,
                         detail={"before": public(row["settings"]), "after": public(settings)})

    await ctx.db.write(update, durable=True)
    return ChannelOut(id=channel_id, device_id=row["device_id"], key=row["key"], unit=unit_of(row["key"]),
                      settings=public(settings))


async def create_gateway(ctx: Context, principal: Principal, site_id: int, body: GatewayCreate) -> GatewayCreated:
    await visible_site(ctx, principal, site_id)
    require(principal, MANAGERS, "issue gateway keys")
    api_key = new_secret(GATEWAY_PREFIX)
    now = ctx.clock()
    key_prefix = api_key[:10]
    record = {"site_id": site_id, "name": body.name, "key_hash": secret_hash(api_key),
              "key_prefix": key_prefix, "created_at": now, "created_by": principal.id}

    def insert(conn: sqlite3.Connection) -> int:
        gateway_id = sql.insert_gateway(conn, record)
        sql.insert_audit(conn, ts=now, actor_id=principal.id, action="create", obj="gateway", object_id=gateway_id,
                         detail={"site_id": site_id, "name": body.name})
        return gateway_id

    gateway_id = await ctx.db.write(insert, durable=True)
    return GatewayCreated(id=gateway_id, site_id=site_id, name=body.name, key_prefix=key_prefix,
                          created_at=now, revoked_at=None, last_seen_at=None, api_key=api_key)


async def list_gateways(ctx: Context, principal: Principal, site_id: int) -> list[GatewayOut]:
    await visible_site(ctx, principal, site_id)
    return msgspec.convert(await ctx.db.read(lambda c: sql.list_gateways(c, site_id)), list[GatewayOut])


async def get_gateway(ctx: Context, principal: Principal, gateway_id: int) -> GatewayOut:
    where, params = site_scope(principal, ctx.reference)
    row = await ctx.db.read(lambda c: sql.get_gateway(c, gateway_id, where, params))
    if row is None:
        raise NotFound("gateway", gateway_id)
    return msgspec.convert(row, GatewayOut)


async def revoke_gateway(ctx: Context, principal: Principal, gateway_id: int) -> None:
    await get_gateway(ctx, principal, gateway_id)
    require(principal, MANAGERS, "revoke gateway keys")
    now = ctx.clock()

    def revoke(conn: sqlite3.Connection) -> None:
        sql.revoke_gateway(conn, gateway_id, now)
        sql.insert_audit(conn, ts=now, actor_id=principal.id, action="revoke", obj="gateway", object_id=gateway_id,
                         detail={})

    await ctx.db.write(revoke, durable=True)

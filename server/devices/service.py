"""Devices, their channels and settings, and gateway keys: register, read, change, issue and revoke."""

from __future__ import annotations

from typing import Any

import msgspec

from ble.links import BleLink
from ble.profiles import Profile, profiles
from server.accounts.principal import Principal
from server.accounts.roles import MANAGERS, require
from server.accounts.tokens import GATEWAY_PREFIX, new_secret, secret_hash
from server.alarms.service import present
from server.context import Context
from server.detection.settings import public, resolve_settings, unit_of
from server.devices.models import check_link
from server.devices.schemas import (
    ChannelIn,
    ChannelOut,
    Circuit,
    DeviceCreate,
    DeviceOut,
    DevicePatch,
    GatewayCreate,
    GatewayCreated,
    GatewayOut,
)
from server.errors import Conflict, InvalidInput, NotFound
from server.live.events import LiveEvent
from server.sites.access import visible_site
from server.storage import Connection
from server.storage import devices as device_sql
from server.storage.scopes import EVERY_SITE, site_scope

__all__ = [
    "create_device",
    "create_gateway",
    "device_out",
    "get_channel",
    "get_device",
    "get_gateway",
    "list_gateways",
    "revoke_gateway",
    "site_circuits",
    "update_channel",
    "update_device",
    "visible_device",
]


def device_out(row: dict[str, Any]) -> DeviceOut:
    channels = [{**c, "unit": unit_of(c["key"]), "settings": public(c["settings"])} for c in row["channels"]]
    profile = profiles().get(row["model"]) if row["ble_address"] else None  # remote control: over Bluetooth
    controls = profile.controls if profile is not None else []
    return msgspec.convert({**row, "channels": channels, "controls": controls}, DeviceOut)


def _channels(body: DeviceCreate, profile: Profile | None) -> list[tuple[str, dict[str, Any]]]:
    """The channels to create, with their settings checked: as given, or the known model's."""
    given = body.channels
    if not given:
        if profile is None:
            raise InvalidInput("channels", f"list the device's channels: andian has no register map for model "
                                           f"{body.model!r} (GET /api/v1/models lists those it has)")
        given = [ChannelIn(key) for key in profile.channel_keys()]
    seen: set[str] = set()
    channels: list[tuple[str, dict[str, Any]]] = []
    for i, channel in enumerate(given):
        if channel.key in seen:
            raise InvalidInput(f"channels[{i}].key", f"channel {channel.key} is listed twice")
        seen.add(channel.key)
        settings = resolve_settings(channel.key, channel.settings, device_rated_a=body.rated_current_a,
                                    field=f"channels[{i}].settings")
        channels.append((channel.key, settings))
    return channels


async def create_device(ctx: Context, principal: Principal, site_id: int, body: DeviceCreate) -> DeviceOut:
    await visible_site(ctx, principal, site_id)
    require(principal, MANAGERS, "register devices")
    profile = profiles().get(body.model)
    kind = body.kind or (profile.kind if profile else None)
    if kind is None:
        raise InvalidInput("kind", f"say what kind of device {body.model!r} is: breaker, combined, residual, "
                                   "temperature or arc")
    link = check_link(body.link, body.model) if body.link is not None else None
    ble_address = link.address if isinstance(link, BleLink) else body.ble_address
    if ble_address is not None and link is None:
        link = BleLink(ble_address.upper())
    channels = _channels(body, profile)
    interval = body.poll_interval_s or (profile.poll_interval_s if profile else 30.0)
    now = ctx.clock()

    def insert(conn: Connection) -> dict[str, Any]:
        if device_sql.serial_exists(conn, body.serial):
            raise Conflict(f"a device with serial {body.serial!r} is already registered")
        record = {**msgspec.structs.asdict(body), "site_id": site_id, "created_at": now, "kind": kind,
                  "name": body.name or body.serial, "ble_address": ble_address, "poll_interval_s": interval,
                  "link": None if link is None else str(link)}
        device_id = device_sql.insert_device(conn, record, channels)
        ctx.pipeline.registry.refresh(conn, body.serial)
        device_sql.insert_audit(conn, ts=now, actor_id=principal.id, action="create", obj="device", object_id=device_id,
                                detail={"serial": body.serial, "site_id": site_id})
        device = device_sql.get_device(conn, device_id, EVERY_SITE)
        assert device is not None
        return device

    out = device_out(await ctx.db.write(insert, durable=True))
    await _repoll(ctx)
    return out


async def _repoll(ctx: Context) -> None:
    """A site box polls what its database now says (a new wired device, a changed link or interval)."""
    if ctx.site_box is not None:
        await ctx.site_box.refresh()


async def visible_device(ctx: Context, principal: Principal, device_id: int) -> dict[str, Any]:
    """The device, if the caller may see its site; else 404 (the two are never told apart)."""
    scope = site_scope(principal, ctx.reference)
    row = await ctx.db.read(lambda c: device_sql.get_device(c, device_id, scope))
    if row is None:
        raise NotFound("device", device_id)
    return row


async def update_device(ctx: Context, principal: Principal, device_id: int, body: DevicePatch) -> DeviceOut:
    row = await visible_device(ctx, principal, device_id)
    require(principal, MANAGERS, "change devices")
    fields: dict[str, Any] = {k: v for k, v in msgspec.structs.asdict(body).items() if v is not None}
    if body.link is not None:
        link = check_link(body.link, row["model"])
        fields["link"] = str(link)
        if isinstance(link, BleLink):
            fields["ble_address"] = link.address
    now = ctx.clock()

    def update(conn: Connection) -> dict[str, Any]:
        device_sql.update_device_fields(conn, device_id, fields)
        ctx.pipeline.registry.refresh(conn, row["serial"])
        device_sql.insert_audit(conn, ts=now, actor_id=principal.id, action="update", obj="device",
                                object_id=device_id, detail={k: row.get(k) for k in fields} | {"changed": fields})
        device = device_sql.get_device(conn, device_id, EVERY_SITE)
        assert device is not None
        return device

    out = device_out(await ctx.db.write(update, durable=True))
    await _repoll(ctx)
    return out


async def get_device(ctx: Context, principal: Principal, device_id: int) -> DeviceOut:
    return device_out(await visible_device(ctx, principal, device_id))


def _channel_out(row: dict[str, Any], settings: dict[str, Any], label: str) -> ChannelOut:
    return ChannelOut(id=row["id"], device_id=row["device_id"], key=row["key"], unit=unit_of(row["key"]),
                      settings=public(settings), label=label)


async def get_channel(ctx: Context, principal: Principal, channel_id: int) -> ChannelOut:
    scope = site_scope(principal, ctx.reference)
    row = await ctx.db.read(lambda c: device_sql.get_channel(c, channel_id, scope))
    if row is None:
        raise NotFound("channel", channel_id)
    return _channel_out(row, row["settings"], row["label"])


async def update_channel(ctx: Context, principal: Principal, channel_id: int, given: dict[str, Any] | None,
                         label: str | None = None) -> ChannelOut:
    """Change a channel's settings (checked against the standards) and/or its label; ``None`` leaves one as it is."""
    scope = site_scope(principal, ctx.reference)
    row = await ctx.db.read(lambda c: device_sql.get_channel(c, channel_id, scope))
    if row is None:
        raise NotFound("channel", channel_id)
    require(principal, MANAGERS, "change channel settings")
    if given is None and label is None:
        raise InvalidInput("settings", "send the settings to change, a label, or both")
    settings = row["settings"] if given is None else resolve_settings(
        row["key"], given, current=row["settings"], device_rated_a=row["rated_current_a"])
    new_label = row["label"] if label is None else " ".join(label.split())  # one line, single spaces
    now = ctx.clock()

    def update(conn: Connection) -> None:
        detail: dict[str, Any] = {}
        if given is not None:
            device_sql.update_channel_settings(conn, channel_id, settings)
            ctx.pipeline.registry.refresh(conn, row["serial"])
            detail |= {"before": public(row["settings"]), "after": public(settings)}
        if label is not None:
            device_sql.update_channel_label(conn, channel_id, new_label)
            detail |= {"label_before": row["label"], "label": new_label}
        device_sql.insert_audit(conn, ts=now, actor_id=principal.id, action="update", obj="channel",
                                object_id=channel_id, detail=detail)

    await ctx.db.write(update, durable=True)
    return _channel_out(row, settings, new_label)


async def site_circuits(ctx: Context, principal: Principal, site_id: int) -> list[Circuit]:
    """The circuits the site's devices protect: the installer's pick-list when naming a new device's circuit."""
    await visible_site(ctx, principal, site_id)
    return msgspec.convert(await ctx.db.read(lambda c: device_sql.site_circuits(c, site_id)), list[Circuit])


async def create_gateway(ctx: Context, principal: Principal, site_id: int, body: GatewayCreate) -> GatewayCreated:
    await visible_site(ctx, principal, site_id)
    require(principal, MANAGERS, "issue gateway keys")
    address = _gateway_address(body)
    api_key = new_secret(GATEWAY_PREFIX)
    now = ctx.clock()
    key_prefix = api_key[:10]
    record = {"site_id": site_id, "name": body.name, "key_hash": secret_hash(api_key),
              "key_prefix": key_prefix, "created_at": now, "created_by": principal.id,
              "protocol": body.protocol, "address": address}

    def insert(conn: Connection) -> int:
        if address is not None and (other := device_sql.gb26875_address_taken(conn, address)) is not None:
            raise Conflict(f"address {address} already belongs to gateway {other}; revoke it first "
                           f"(DELETE /api/v1/gateways/{other}) or check the address on the device")
        gateway_id = device_sql.insert_gateway(conn, record)
        device_sql.insert_audit(conn, ts=now, actor_id=principal.id, action="create", obj="gateway",
                                object_id=gateway_id,
                                detail={"site_id": site_id, "name": body.name, "protocol": body.protocol,
                                        **({"address": address} if address else {})})
        return gateway_id

    gateway_id = await ctx.db.write(insert, durable=True)
    return GatewayCreated(id=gateway_id, site_id=site_id, name=body.name, key_prefix=key_prefix,
                          created_at=now, revoked_at=None, last_seen_at=None, protocol=body.protocol,
                          address=address, api_key=api_key)


def _gateway_address(body: GatewayCreate) -> str | None:
    """A gb26875 gateway's address, lower-case; 400 naming ``address`` when it is missing or does not belong."""
    if body.protocol == "gb26875":
        if body.address is None:
            raise InvalidInput("address", "a gb26875 transmission device needs its address: the 6 address bytes it "
                                          "sends as 12 hex digits, e.g. 1527082020fe")
        return body.address.lower()
    if body.address is not None:
        raise InvalidInput("address", 'only a "protocol": "gb26875" gateway has an address; leave it out')
    return None


async def list_gateways(ctx: Context, principal: Principal, site_id: int) -> list[GatewayOut]:
    await visible_site(ctx, principal, site_id)
    return msgspec.convert(await ctx.db.read(lambda c: device_sql.list_gateways(c, site_id)), list[GatewayOut])


async def get_gateway(ctx: Context, principal: Principal, gateway_id: int) -> GatewayOut:
    scope = site_scope(principal, ctx.reference)
    row = await ctx.db.read(lambda c: device_sql.get_gateway(c, gateway_id, scope))
    if row is None:
        raise NotFound("gateway", gateway_id)
    return msgspec.convert(row, GatewayOut)


async def revoke_gateway(ctx: Context, principal: Principal, gateway_id: int) -> None:
    gateway = await get_gateway(ctx, principal, gateway_id)
    require(principal, MANAGERS, "revoke gateway keys")
    now = ctx.clock()

    def revoke(conn: Connection) -> list[LiveEvent]:
        device_sql.revoke_gateway(conn, gateway_id, now)
        device_sql.insert_audit(conn, ts=now, actor_id=principal.id, action="revoke", obj="gateway",
                                object_id=gateway_id,
                                detail={})
        box = device_sql.retire_gateway_device(conn, gateway_id)
        if box is None:
            return []
        # Its box will not speak again under this gateway (it is moved or taken away): no offline alarm for it
        # now, and one already raised ends.
        alarms = ctx.pipeline.alarms
        return alarms.events(conn, alarms.device_back(conn, box, now, gateway.site_id))

    events = await ctx.db.write(revoke, durable=True)
    if events:
        ctx.hub.publish(present(events))
        ctx.doorbell.ring_for(events)
    if gateway.protocol == "gb26875":  # the receiver stops taking its box's frames now, not after its cache expires
        ctx.gb26875.revoked(gateway_id, gateway.address)

"""Commissioning wired devices on a site box: scan a bus, read a device once, write its own alarm levels.

Everything here talks to devices through the box's buses (the poller's: one owner per bus), so it runs only on a
site box (503 elsewhere), for those who build installations (``MANAGERS``) at sites they see (404 otherwise).
Writing a device's levels changes the device itself: it needs ``"confirm": true``, is read back, audited, and the
channel's settings in andian follow, so the device and andian's detection use the same levels.
"""

from __future__ import annotations

from typing import Any

from ble.bus import WiredDevice
from ble.device import Reading
from ble.errors import LinkError
from ble.links import BadLink, ModbusLink, parse_link
from ble.profiles import Profile, Threshold, profiles
from server.accounts.principal import Principal
from server.accounts.roles import MANAGERS, require
from server.context import Context
from server.detection.settings import Range, out_of_range, resolve_settings, unit_of
from server.devices import service as devices_service
from server.devices.sitebox import SiteBox
from server.devices.wired_schemas import BusScan, BusScanIn, LiveValues, ThresholdsWrite, ThresholdsWritten
from server.errors import Conflict, InvalidInput, NotFound, Unavailable
from server.sites.access import visible_site
from server.storage import devices as sql

__all__ = ["cancel_scan", "get_scan", "read_device", "read_once", "require_wired_box", "start_scan", "wired_device",
           "write_thresholds"]

WIRED = ("modbus-rtu", "modbus-tcp", "modbus-rtu-tcp")


def require_wired_box(ctx: Context) -> SiteBox:
    if ctx.site_box is None:
        raise Unavailable("this server is not a site box: wired buses are scanned and read by the site box they are "
                          "wired to (andian serve --site)")
    return ctx.site_box


def _link_failed(exc: LinkError) -> Unavailable:
    return Unavailable(f"{exc.code}: {exc.message} — {exc.advice}")  # a wired bus's advice (ble/bus.py)


# ---- bus scans ------------------------------------------------------------------------------------------------------


def _bus(text: str) -> ModbusLink:
    try:
        link = parse_link(text)
    except BadLink as exc:
        raise InvalidInput("link", str(exc)) from exc
    if not isinstance(link, ModbusLink):
        raise InvalidInput("link", "a bus scan is for wired buses: modbus-rtu:///dev/ttyUSB0, "
                                   "modbus-tcp://192.168.1.20:502 or modbus-rtu-tcp://192.168.1.21:4001")
    if link.unit is not None:
        raise InvalidInput("link", "leave out unit: the scan tries every unit from first to last")
    return link


async def start_scan(ctx: Context, principal: Principal, site_id: int, body: BusScanIn) -> BusScan:
    await visible_site(ctx, principal, site_id)
    require(principal, MANAGERS, "scan a bus")
    box = require_wired_box(ctx)
    link = _bus(body.link)
    if body.last < body.first:
        raise InvalidInput("last", f"the scan runs from first to last: {body.last} is below first ({body.first})")
    running = box.bus_scans.running_on(link)
    if running is not None:
        raise Conflict(f"bus scan {running.id} is running on this bus: follow it (GET /api/v1/bus-scans/"
                       f"{running.id}) or cancel it first")
    return box.bus_scans.start(site_id, link, body.first, body.last)


async def get_scan(ctx: Context, principal: Principal, scan_id: int) -> BusScan:
    box = require_wired_box(ctx)
    scan = box.bus_scans.get(scan_id)
    if scan is None:
        raise NotFound("bus scan", scan_id)
    try:
        await visible_site(ctx, principal, scan.site_id)
    except NotFound:
        raise NotFound("bus scan", scan_id) from None
    require(principal, MANAGERS, "follow bus scans")
    return scan


async def cancel_scan(ctx: Context, principal: Principal, scan_id: int) -> None:
    await get_scan(ctx, principal, scan_id)
    require_wired_box(ctx).bus_scans.cancel(scan_id)


# ---- one device -----------------------------------------------------------------------------------------------------


async def wired_device(ctx: Context, principal: Principal, device_id: int,
                       action: str) -> tuple[dict[str, Any], ModbusLink, Profile, SiteBox]:
    """The device (404 out of sight), the caller's right (403), the box (503) and the device's wired link (400)."""
    row = await devices_service.visible_device(ctx, principal, device_id)
    require(principal, MANAGERS, action)
    box = require_wired_box(ctx)
    profile = profiles().get(row["model"])
    try:
        link = parse_link(row["link"]) if row["link"] else None
    except BadLink:
        link = None
    if not isinstance(link, ModbusLink) or profile is None or profile.protocol != "modbus":
        raise InvalidInput("link", f"device {row['serial']} has no wired link: give it one (PATCH "
                                   f"/api/v1/devices/{device_id} with {', '.join(s + '://' for s in WIRED)})")
    return row, link, profile, box


async def read_device(ctx: Context, principal: Principal, device_id: int,
                      action: str) -> tuple[dict[str, Any], Reading, float]:
    """The device, its values now through its link (``LinkError`` when it does not answer) and when they were
    read; ingested like a poll."""
    row, link, profile, box = await wired_device(ctx, principal, device_id, action)
    reading = await WiredDevice(box.poller.buses.get(link, profile), link.unit or profile.unit_id, profile).read()
    read_at = ctx.clock()
    await box.ingest_reading(row["serial"], reading)
    return row, reading, read_at


async def read_once(ctx: Context, principal: Principal, device_id: int) -> LiveValues:
    """The device's values now, through its link; ingested like a poll (the installer's live-values step)."""
    try:
        _row, reading, read_at = await read_device(ctx, principal, device_id, "read devices")
    except LinkError as exc:
        raise _link_failed(exc) from exc
    return LiveValues(values=reading.values, faults=dict(reading.faults), read_at=read_at)


Checked = tuple[dict[str, Any], dict[str, Threshold], dict[str, float]]


def _checked(row: dict[str, Any], profile: Profile, body: ThresholdsWrite) -> Checked:
    """The channel, its level registers and the levels to write, each checked against the device's range and
    andian's settings for the channel (400 naming the field)."""
    channel = next((c for c in row["channels"] if c["key"] == body.channel), None)
    if channel is None:
        raise InvalidInput("channel", f"device {row['serial']} has no channel {body.channel}")
    registers = profile.thresholds_of(body.channel)
    if not registers:
        raise InvalidInput("channel", f"model {profile.model} keeps no level of {body.channel} andian can write")
    wanted = {name: value for name, value in (("alarm", body.alarm), ("prealarm", body.prealarm)) if value is not None}
    if not wanted:
        raise InvalidInput("alarm", "give alarm, prealarm or both")
    unit = unit_of(body.channel)
    for name, value in wanted.items():
        register = registers.get(name)
        if register is None:
            raise InvalidInput(name, f"model {profile.model} keeps no {name} level of {body.channel}")
        if not register.min <= value <= register.max:
            raise InvalidInput(name, f"{value:g} {unit} is outside the device's range "
                                     f"{register.min:g}–{register.max:g} {unit}",
                               out_of_range(body.channel, name, value, Range(register.min, register.max), unit,
                                            "device_range", f"the range of {profile.model}"))
        steps = value / register.scale
        if abs(steps - round(steps)) > 1e-6:
            raise InvalidInput(name, f"the device keeps it in steps of {register.scale:g} {unit}",
                               {"code": "device_step", "channel": body.channel, "setting": name, "value": value,
                                "step": register.scale, "unit": unit})
    try:
        resolve_settings(body.channel, wanted, current=channel["settings"], device_rated_a=row["rated_current_a"])
    except InvalidInput as exc:
        raise exc.moved(exc.field.removeprefix("settings.")) from exc
    return channel, registers, wanted


async def write_thresholds(ctx: Context, principal: Principal, device_id: int,
                           body: ThresholdsWrite) -> ThresholdsWritten:
    row, link, profile, box = await wired_device(ctx, principal, device_id, "change a device's own settings")
    channel, registers, wanted = _checked(row, profile, body)
    if not body.confirm:
        raise InvalidInput("confirm", f"this changes the device's own settings ({', '.join(wanted)} of "
                                      f"{body.channel} on device {row['serial']}): send \"confirm\": true to go ahead")
    bus = box.poller.buses.get(link, profile)
    unit = link.unit or profile.unit_id

    async def levels() -> dict[str, float]:  # the device's levels, as values in the channel's unit
        return {name: round((await bus.read(unit, 3, r.address, 1))[0] * r.scale, 6) for name, r in registers.items()}

    before: dict[str, float] = {}
    after: dict[str, float] = {}
    error: str | None = None
    try:
        before = await levels()
        # Raising: the alarm first, lowering: the pre-alarm first, so the device never holds a pre-alarm above it.
        lowering = wanted.get("alarm", before.get("alarm", 0.0)) < before.get("alarm", 0.0)
        order = ["prealarm", "alarm"] if lowering else ["alarm", "prealarm"]
        for name in (n for n in order if n in wanted):
            await bus.write_register(unit, registers[name].address, round(wanted[name] / registers[name].scale))
        after = await levels()
    except LinkError as exc:
        error = str(_link_failed(exc))
    differ = [name for name in wanted if after.get(name) != wanted[name]] if error is None else []
    at = ctx.clock()
    detail = {"channel": body.channel, "before": before, "written": wanted, "after": after, "matches": not differ,
              "error": error}
    await ctx.db.write(lambda c: sql.insert_audit(c, ts=at, actor_id=principal.id, action="write_thresholds",
                                                  obj="device", object_id=device_id, detail=detail), durable=True)
    if error is not None:
        raise Unavailable(error)
    if differ:
        name = differ[0]
        raise Conflict(f"{name}: wrote {wanted[name]:g}, the device reads back {after.get(name, 0):g}; it keeps its "
                       "own limits — check the device's settings on site; andian's settings were not changed")
    await devices_service.update_channel(ctx, principal, channel["id"], wanted)
    return ThresholdsWritten(channel=body.channel, before=before, written=wanted, read_back=after, matches=True)

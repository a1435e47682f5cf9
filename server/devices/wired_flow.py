"""Commissioning a registered wired device (RS-485, Modbus TCP): the same record and acceptance as Bluetooth.

A wired device is registered from a bus scan before it is commissioned, so its record starts from the device: its
link is the record's address and its model the record's model. Pairing is the device answering a read at its link;
identify and self-test need the model's coils (Acrel's wired models have none), else they are done as not supported,
with the reason. live_read reads through the bus like ``wired.read_once``; thresholds and accept are Bluetooth's
(``commissioning._Flow``).
"""

from __future__ import annotations

from typing import Any

from ble.links import BadLink, ModbusLink, parse_link
from ble.profiles import Profile
from server.accounts.principal import Principal
from server.context import Context
from server.detection.settings import unit_of
from server.devices.schemas import STEPS, CommissioningStart
from server.devices.sitebox import SiteBox
from server.devices.wired import read_device, wired_device
from server.errors import InvalidInput
from server.storage import devices as sql

__all__ = ["WiredSteps", "is_wired", "start"]

NO_COIL = ("{model} has no coil to {action} it over the bus; andian cannot {action} it from here: do it on the "
           "device itself if it has a button")


def is_wired(row: dict[str, Any]) -> bool:
    """Whether a commissioning record is a wired device's (its address is a link, not a BLE address)."""
    try:
        return isinstance(parse_link(row["address"]), ModbusLink)
    except BadLink:
        return False


async def start(ctx: Context, principal: Principal, body: CommissioningStart) -> dict[str, Any]:
    """The device's open commissioning, or a new one (the caller has checked the site and the right)."""
    assert body.device_id is not None
    device_id = body.device_id
    try:
        row, _link, profile, _box = await wired_device(ctx, principal, device_id, "commission devices")
    except InvalidInput as exc:
        raise InvalidInput("device_id", exc.detail.removeprefix("link: ")) from exc
    if row["site_id"] != body.site_id:
        raise InvalidInput("device_id", f"device {device_id} is not a device of site {body.site_id}")
    now = ctx.clock()

    def insert(conn: Any) -> dict[str, Any]:
        found = sql.open_commissioning(conn, device_id)
        if found is not None:
            return found
        steps = [{"step": s, "status": "pending"} for s in STEPS]
        commissioning_id = sql.insert_commissioning(conn, {
            "site_id": body.site_id, "address": row["link"], "model": profile.model, "steps": steps,
            "created_by": principal.id, "created_at": now})
        sql.update_commissioning(conn, commissioning_id, device_id=device_id)
        made = sql.get_commissioning(conn, commissioning_id)
        assert made is not None
        return made

    return await ctx.db.write(insert, durable=True)


class WiredSteps:
    """pair, identify, live_read and self_test of a wired device; each returns the step's result or raises
    ``LinkError`` (the bus's code and advice)."""

    def __init__(self, ctx: Context, principal: Principal, box: SiteBox, row: dict[str, Any], profile: Profile) -> None:
        self.ctx = ctx
        self.principal = principal
        self.box = box
        self.row = row
        self.profile = profile

    async def _read(self) -> tuple[str, Any]:
        row, reading, _at = await read_device(self.ctx, self.principal, self.row["device_id"], "commission devices")
        return str(row["link"]), reading

    async def pair(self, body: Any) -> dict[str, Any]:
        link, reading = await self._read()
        return {"paired": "wired", "link": link, "channels": sorted(reading.values) + sorted(reading.faults),
                "reason": f"the device answered a read at {link}: a wired device needs no pairing"}

    def _unsupported(self, action: str) -> dict[str, Any]:
        if action in self.profile.coils:
            reason = (f"{self.profile.model} has a coil to {action} it, which andian does not write over a wired bus "
                      "yet: do it on the device itself")
        else:
            reason = NO_COIL.format(model=self.profile.model, action=action.replace("_", "-"))
        return {"supported": False, "reason": reason}

    async def identify(self, body: Any) -> dict[str, Any]:
        return self._unsupported("identify")

    async def self_test(self, body: Any) -> dict[str, Any]:
        return self._unsupported("self_test")

    async def live_read(self, body: Any) -> dict[str, Any]:
        _link, reading = await self._read()
        return {"values": reading.values, "units": {k: unit_of(k) for k in reading.values}, "switch": reading.switch,
                "faults": dict(reading.faults)}

"""Remote control of breakers: trip, close and self-test, by the operator's monitoring centre only.

Every attempt is audited (who, when, why, outcome), including the ones the device did not confirm. The
outcome is read back from the device: a trip counts only when the breaker then reports itself open.
"""

from __future__ import annotations

from typing import Any

from ble.device import ModbusDevice
from ble.errors import LinkError
from ble.profiles import profiles
from server.accounts.principal import Principal
from server.accounts.roles import CONTROLLERS
from server.context import Context
from server.devices import service as devices_service
from server.devices.commissioning import require_box
from server.devices.schemas import ControlIn, ControlOut
from server.errors import Conflict, Forbidden
from server.storage import devices as sql

__all__ = ["control", "history"]

_EXPECTED = {"trip": "open", "close": "closed"}


async def control(ctx: Context, principal: Principal, device_id: int, body: ControlIn) -> ControlOut:
    device = await devices_service.get_device(ctx, principal, device_id)  # 404 when not visible
    if principal.role not in CONTROLLERS:
        raise Forbidden(f"role {principal.role} may not switch devices remotely; ask the operator's monitoring centre")
    profile = profiles().get(device.model) if device.ble_address else None
    if profile is None or body.action not in profile.controls:
        raise Conflict(f"device {device.serial} ({device.model}) cannot {body.action} remotely")
    box = require_box(ctx)
    assert device.ble_address is not None
    remote = ModbusDevice(box.pool.get(device.ble_address), profile)
    outcome, switch, code, error = "done", None, None, None
    try:
        await remote.command(body.action)
        reading = await remote.read()  # read back what the device now reports
        switch = reading.switch
        await box.ingest_reading(device.serial, reading, principal.id)
        expected = _EXPECTED.get(body.action)
        if expected is not None and switch != expected:
            outcome, code = "failed", "not_confirmed"
            error = f"the device reports {switch} after {body.action}; check it on site"
    except LinkError as exc:
        outcome, code, error = "failed", exc.code, exc.message
    at = ctx.clock()
    detail = {"device_id": device_id, "action": body.action, "reason": body.reason, "outcome": outcome,
              "switch": switch, "code": code, "error": error}

    def audit(conn: Any) -> int:
        return sql.insert_audit(conn, ts=at, actor_id=principal.id, action="control", obj="device",
                                     object_id=device_id, detail=detail)

    entry_id = await ctx.db.write(audit, durable=True)
    return ControlOut(id=entry_id, at=at, by=principal.username, **detail)  # type: ignore[arg-type]


async def history(ctx: Context, principal: Principal, device_id: int) -> list[ControlOut]:
    await devices_service.get_device(ctx, principal, device_id)
    rows = await ctx.db.read(lambda c: sql.control_log(c, device_id))
    return [ControlOut(**r) for r in rows]

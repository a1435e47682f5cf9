"""Remote control of breakers: trip, close, self-test and identify, by the operator's monitoring centre only.

Every attempt is audited (who, when, why, outcome), including the ones the device did not confirm. The
outcome is read back from the device: a trip counts only when the breaker then reports itself open.

Where the device's radio is: this process's site box (``operate``), or a site box paired with this cloud, which
takes the command over the connection it keeps open (server/upstream/commands_cloud.py) and runs ``operate`` there
(server/upstream/commands_box.py). Both ends audit it.
"""

from __future__ import annotations

from typing import Any, Literal

from ble.device import ModbusDevice
from ble.errors import LinkError
from ble.profiles import Profile, profiles
from server.accounts.principal import Principal
from server.accounts.roles import CONTROLLERS
from server.context import Context
from server.devices import service as devices_service
from server.devices.commissioning import require_box
from server.devices.schemas import ControlIn, ControlOut, DeviceOut
from server.errors import Conflict, Forbidden
from server.storage import devices as sql
from server.upstream import commands_cloud
from server.upstream.wire import CommandResult

__all__ = ["audit", "capable", "control", "history", "operate"]

_EXPECTED = {"trip": "open", "close": "closed"}
Switch = Literal["open", "closed"]


async def control(ctx: Context, principal: Principal, device_id: int, body: ControlIn) -> ControlOut:
    device = await devices_service.get_device(ctx, principal, device_id)  # 404 when not visible
    if principal.role not in CONTROLLERS:
        raise Forbidden(f"role {principal.role} may not switch devices remotely; ask the operator's monitoring centre")
    capable(device, body.action)
    gateway_id = await commands_cloud.gateway_of(ctx, device)
    if gateway_id is None:
        result = await operate(ctx, device, body.action, principal.id)
    else:
        result = await commands_cloud.relay(ctx, principal, device, gateway_id, body.action, body.reason)
    return await audit(ctx, device.id, body.action, body.reason, result, actor_id=principal.id,
                       by=principal.username, via=None if gateway_id is None else f"gateway:{gateway_id}")


def capable(device: DeviceOut, action: str) -> Profile:
    """The device's profile when its model can do ``action`` remotely (over Bluetooth); else 409."""
    profile = profiles().get(device.model) if device.ble_address else None
    if profile is None or action not in profile.coils:
        raise Conflict(f"device {device.serial} ({device.model}) cannot {action} remotely")
    return profile


async def operate(ctx: Context, device: DeviceOut, action: str, actor_id: int | None) -> CommandResult:
    """Run ``action`` on the device through this process's radio, read it back and store the reading (the breaker's
    new position recorded as moved by ``actor_id``). 503 without a radio; 409 when the model cannot."""
    profile = capable(device, action)
    box = require_box(ctx)
    assert device.ble_address is not None
    remote = ModbusDevice(box.pool.get(device.ble_address), profile)
    try:
        await remote.command(action)
        reading = await remote.read()  # read back what the device now reports
        await box.ingest_reading(device.serial, reading, actor_id)
    except LinkError as exc:
        return CommandResult(outcome="failed", code=exc.code, error=exc.message, at=ctx.clock())
    switch: Switch | None = "open" if reading.switch == "open" else "closed" if reading.switch == "closed" else None
    expected = _EXPECTED.get(action)
    if expected is not None and switch != expected:
        return CommandResult(outcome="failed", switch=switch, code="not_confirmed", at=ctx.clock(),
                             error=f"the device reports {reading.switch} after {action}; check it on site")
    return CommandResult(outcome="done", switch=switch, at=ctx.clock())


async def audit(ctx: Context, device_id: int, action: str, reason: str, result: CommandResult, *,
                actor_id: int | None, by: str, via: str | None) -> ControlOut:
    """The attempt in the audit log; ``via``: "gateway:{id}" in a cloud that relayed it, "cloud" at the box that ran
    it for the cloud's operator ``by`` (who is the actor only when the box has that user mirrored)."""
    at = ctx.clock()
    detail: dict[str, Any] = {"device_id": device_id, "action": action, "reason": reason, "outcome": result.outcome,
                              "switch": result.switch, "code": result.code, "error": result.error}
    if via is not None:
        detail |= {"via": via, "by": by}

    def write(conn: Any) -> int:
        return sql.insert_audit(conn, ts=at, actor_id=actor_id, action="control", obj="device", object_id=device_id,
                                detail=detail)

    entry_id = await ctx.db.write(write, durable=True)
    return ControlOut(id=entry_id, at=at, by=by, device_id=device_id, action=action, reason=reason,
                      outcome=result.outcome, switch=result.switch, code=result.code, error=result.error, via=via)


async def history(ctx: Context, principal: Principal, device_id: int) -> list[ControlOut]:
    await devices_service.get_device(ctx, principal, device_id)
    rows = await ctx.db.read(lambda c: sql.control_log(c, device_id))
    return [ControlOut(**r) for r in rows]

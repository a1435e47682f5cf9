"""The installer's flow: scan → pair → identify → live read → self-test → thresholds → acceptance.

Each step is one request that talks to the device and records its outcome in the commissioning record: done,
or failed with a code and advice (``ble.errors``). A step needs every earlier step done; running a step again
resets the steps after it. Acceptance makes the device ``commissioned`` and the poller starts reading it.
"""

from __future__ import annotations

import asyncio
import functools
import time
from typing import Any

import msgspec

from ble.device import ModbusDevice
from ble.errors import LinkError
from ble.poller import Gathered
from ble.profiles import Profile, guess, profiles
from ble.protocol.arc import ArcReport
from ble.scanner import scan
from server.accounts.principal import Principal
from server.accounts.roles import MANAGERS, require
from server.context import Context
from server.detection.settings import public, resolve_settings, unit_of
from server.devices import acceptance, wired_flow
from server.devices import service as devices_service
from server.devices.schemas import (
    STEPS,
    AcceptIn,
    ChannelIn,
    ChecklistItem,
    Commissioning,
    CommissioningStart,
    DeviceCreate,
    IdentifyIn,
    ScanResult,
    ThresholdsIn,
)
from server.devices.sitebox import SiteBox
from server.errors import Conflict, InvalidInput, NotFound, Unavailable
from server.hazards import service as hazards
from server.ingest.wire import field_of
from server.inspections import templates
from server.sites.access import visible_site
from server.storage import devices as sql
from server.storage.scopes import EVERY_SITE

__all__ = ["accepted", "checklist", "get", "require_box", "run_step", "scan_site", "start"]

# Waiting for a self-test: the device's test signal, the detection delay (≤ 60 s allowed, 5 s by default) and
# the clear that follows; more than this and something is wrong with the device or its transformer.
SELF_TEST_MARGIN_S = 15.0
SELF_TEST_READ_S = 0.5


class StepFailed(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def require_box(ctx: Context) -> SiteBox:
    if ctx.site_box is None:
        raise Unavailable("this server has no Bluetooth radio: commission devices against the site box on the "
                          "site's network (andian serve --site)")
    return ctx.site_box


def checklist(kind: str) -> list[ChecklistItem]:
    """The acceptance items for a device kind (server/reference/checklists/acceptance.toml)."""
    return [ChecklistItem(i.key, {"zh-CN": i.zh, "en": i.en}, i.photo) for i in templates.load()["acceptance"].items
            if i.kinds is None or kind in i.kinds]


async def scan_site(ctx: Context, principal: Principal, site_id: int, seconds: float) -> list[ScanResult]:
    await visible_site(ctx, principal, site_id)
    require(principal, MANAGERS, "scan for devices")
    box = require_box(ctx)
    try:
        found = await scan(box.backends, seconds)
    except Exception as exc:
        raise Unavailable(f"scanning failed: {exc}; check that Bluetooth is on") from exc
    box.heard.update({f.address: f for f in found})
    known = await ctx.db.read(lambda c: {f.address: sql.device_by_address(c, f.address) for f in found})
    out = []
    for f in found:
        profile = profiles().get(f.model) if f.model else None
        row = known.get(f.address)
        here = row is not None and row["site_id"] == site_id
        out.append(ScanResult(
            address=f.address, name=f.name, rssi=f.rssi, model=f.model,
            model_name=profile.name.zh_cn if profile else None, kind=profile.kind if profile else None,
            known=None if row is None else ("here" if here else "elsewhere"),
            device_id=row["id"] if row is not None and here else None))
    return out


async def _out(ctx: Context, row: dict[str, Any]) -> Commissioning:
    profile = profiles()[row["model"]]
    device = None
    if row["device_id"] is not None:
        device = await ctx.db.read(lambda c: sql.get_device(c, row["device_id"], EVERY_SITE))
    channels = [{"id": c["id"], "key": c["key"], "unit": unit_of(c["key"]), "settings": public(c["settings"])}
                for c in (device["channels"] if device else [])]
    return msgspec.convert({
        **row, "model_name": profile.name.zh_cn, "kind": profile.kind,
        "serial": device["serial"] if device else None, "channels": channels,
        "checklist": [msgspec.structs.asdict(i) for i in checklist(profile.kind)],
        "via": "wired" if wired_flow.is_wired(row) else "ble", **acceptance.record_of(row),
    }, Commissioning)


async def _visible(ctx: Context, principal: Principal, commissioning_id: int) -> dict[str, Any]:
    row = await ctx.db.read(lambda c: sql.get_commissioning(c, commissioning_id))
    if row is None:
        raise NotFound("commissioning", commissioning_id)
    try:
        await visible_site(ctx, principal, row["site_id"])
    except NotFound:
        raise NotFound("commissioning", commissioning_id) from None
    return row


async def get(ctx: Context, principal: Principal, commissioning_id: int) -> Commissioning:
    return await _out(ctx, await _visible(ctx, principal, commissioning_id))


async def accepted(ctx: Context, principal: Principal, device_id: int) -> Commissioning:
    """The device's newest signed acceptance, with its photos and signature; 404 before it was accepted."""
    await devices_service.visible_device(ctx, principal, device_id)
    row = await ctx.db.read(lambda c: sql.last_accepted(c, device_id))
    if row is None:
        raise NotFound("acceptance of device", device_id)
    return await _out(ctx, row)


async def start(ctx: Context, principal: Principal, body: CommissioningStart) -> Commissioning:
    await visible_site(ctx, principal, body.site_id)
    require(principal, MANAGERS, "commission devices")
    if (body.address is None) == (body.device_id is None):
        raise InvalidInput("address" if body.device_id is None else "device_id",
                           "give address (a device found by a Bluetooth scan) or device_id (a registered wired "
                           "device), not both")
    if body.device_id is not None:
        return await _out(ctx, await wired_flow.start(ctx, principal, body))
    box = require_box(ctx)
    assert body.address is not None
    address = body.address.upper()
    model = body.model
    if model is None:
        heard = box.heard.get(address)
        profile = guess(heard.name) if heard else None
        if profile is None:
            raise InvalidInput("model", "cannot tell the model from the advertised name; scan again or choose one of "
                               + ", ".join(sorted(profiles())))
        model = profile.model
    elif model not in profiles():
        raise InvalidInput("model", f"unknown model {model!r}; one of {', '.join(sorted(profiles()))}")
    now = ctx.clock()

    def insert(conn: Any) -> dict[str, Any]:
        known = sql.device_by_address(conn, address)
        if known is not None and known["site_id"] != body.site_id:
            raise Conflict(f"device {address} is registered at another site; it must be removed there first")
        steps = [{"step": s, "status": "pending"} for s in STEPS]
        commissioning_id = sql.insert_commissioning(conn, {
            "site_id": body.site_id, "address": address, "model": model, "steps": steps,
            "created_by": principal.id, "created_at": now})
        row = sql.get_commissioning(conn, commissioning_id)
        assert row is not None
        return row

    return await _out(ctx, await ctx.db.write(insert, durable=True))


# Failures that are hazards of the installation, not of the radio: a detector that does not detect, an
# acceptance item not passed (GB 50116 wiring, location…). They go into the hazard loop to be fixed and checked.
HAZARD_CODES = frozenset({"self_test_no_alarm", "self_test_not_cleared", "checklist_failed"})


def _decode(body: Any, kind: type[Any]) -> Any:
    try:
        return msgspec.convert(body or {}, kind)
    except msgspec.ValidationError as exc:
        raise InvalidInput(field_of(str(exc), "body"), str(exc).split(" - at ")[0]) from exc


async def run_step(ctx: Context, principal: Principal, commissioning_id: int, step: str, body: Any) -> Commissioning:
    row = await _visible(ctx, principal, commissioning_id)
    require(principal, MANAGERS, "commission devices")
    if step not in STEPS:
        raise NotFound("step", step)
    if row["state"] == "commissioned":
        raise Conflict("this device is already commissioned; start a new commissioning to redo it")
    index = STEPS.index(step)
    for earlier in row["steps"][:index]:
        if earlier["status"] != "done":
            raise Conflict(f"do the step {earlier['step']} first")
    box = require_box(ctx)
    profile = profiles()[row["model"]]
    flow = _Flow(ctx, principal, box, row, profile)
    wired = wired_flow.WiredSteps(ctx, principal, box, row, profile) if wired_flow.is_wired(row) else None
    outcome: dict[str, Any] = {"step": step, "at": ctx.clock()}
    try:
        result = await getattr(wired if wired and hasattr(wired, step) else flow, step)(body)
        outcome |= {"status": "done", "result": result}
    except (LinkError, StepFailed) as exc:
        outcome |= {"status": "failed", "code": exc.code, "error": exc.message}
    steps = [*row["steps"][:index], outcome, *({"step": s, "status": "pending"} for s in STEPS[index + 1:])]
    fields: dict[str, Any] = {"steps": steps, "device_id": flow.device_id}
    if step == "accept" and outcome["status"] == "done":
        fields |= {"state": "commissioned", "completed_at": ctx.clock()}
    await ctx.db.write(lambda c: sql.update_commissioning(c, commissioning_id, **fields), durable=True)
    if outcome.get("code") in HAZARD_CODES:
        await hazards.from_commissioning(ctx, principal, row, outcome["code"], outcome["error"])
    if step == "accept" and outcome["status"] == "done":
        await box.refresh()  # the poller reads it from now on
    return await get(ctx, principal, commissioning_id)


class _Flow:
    """The steps themselves; each returns the step's result or raises ``LinkError``/``StepFailed``."""

    def __init__(self, ctx: Context, principal: Principal, box: SiteBox, row: dict[str, Any],
                 profile: Profile) -> None:
        self.ctx = ctx
        self.principal = principal
        self.box = box
        self.row = row
        self.profile = profile
        self.device_id: int | None = row["device_id"]

    @functools.cached_property
    def device(self) -> ModbusDevice:  # Bluetooth only: a wired record's device is read by wired_flow
        return ModbusDevice(self.box.pool.get(self.row["address"]), self.profile)

    def _device_id(self) -> int:
        if self.device_id is None:
            raise StepFailed("not_paired", "pair with the device first")
        return self.device_id

    async def _serial(self) -> str:
        device_id = self._device_id()
        found = await self.ctx.db.read(lambda c: sql.get_device(c, device_id, EVERY_SITE))
        assert found is not None
        return str(found["serial"])

    async def pair(self, body: Any) -> dict[str, Any]:
        await self.device.link.connect()
        await self.device.link.pair()
        identity = await self.device.identity()
        address = self.row["address"]
        known = await self.ctx.db.read(lambda c: sql.device_by_serial(c, identity.serial))
        if known is not None and known["site_id"] != self.row["site_id"]:
            raise StepFailed("registered_elsewhere", f"device {identity.serial} is registered at another site")
        if known is not None:
            self.device_id = known["id"]
            await self.ctx.db.write(lambda c: sql.update_device_fields(c, known["id"], {"ble_address": address}))
        else:
            created = await devices_service.create_device(self.ctx, self.principal, self.row["site_id"], DeviceCreate(
                serial=identity.serial, model=self.profile.model, kind=self.profile.kind,
                name=f"{self.profile.name.zh_cn} {identity.serial}"[:100], ble_address=address,
                poll_interval_s=self.profile.poll_interval_s,
                channels=[ChannelIn(key=k) for k in self.profile.channel_keys()]))
            self.device_id = created.id
        return {"serial": identity.serial, "model": identity.model, "firmware": identity.firmware}

    async def identify(self, body: Any) -> dict[str, Any]:
        given = _decode(body, IdentifyIn)
        for field, what in (("name", "name the device (what the installer calls it on site)"),
                            ("circuit", "say which circuit the device protects")):
            if not (getattr(given, field) or "").strip():
                raise InvalidInput(field, what, {"code": "required"})
        fields = {k: v for k, v in msgspec.structs.asdict(given).items() if v is not None}
        device_id = self.device_id
        assert device_id is not None
        if fields:
            await self.ctx.db.write(lambda c: sql.update_device_fields(c, device_id, fields))
        await self.device.command("identify")
        return {"identified": True, **fields}

    async def live_read(self, body: Any) -> dict[str, Any]:
        reading = await self.device.read()
        await self.box.ingest_reading(await self._serial(), reading)
        return {"values": reading.values, "units": {k: unit_of(k) for k in reading.values},
                "switch": reading.switch}

    async def self_test(self, body: Any) -> dict[str, Any]:
        serial = await self._serial()
        if "residual_ma" in self.profile.channel_keys():
            return await self._residual_test(serial)
        if self.profile.arc_characteristic:
            return await self._arc_test(serial)
        raise StepFailed("unsupported", f"{self.profile.model} has no self-test")

    async def _residual_test(self, serial: str) -> dict[str, Any]:
        """The test current must raise a leakage alarm through detection, which must then clear."""
        device_id = self.device_id
        assert device_id is not None
        since = self.ctx.clock() - 1.0
        await self.device.command("self_test")
        deadline = time.monotonic() + self.profile.self_test_s + SELF_TEST_MARGIN_S
        peak = 0.0
        alarm: dict[str, Any] | None = None
        while time.monotonic() < deadline:
            reading = await self.device.read()
            await self.box.ingest_reading(serial, reading)
            peak = max(peak, reading.values.get("residual_ma", 0.0))
            alarm = await self.ctx.db.read(lambda c: sql.leakage_alarm_since(c, device_id, since))
            if alarm is not None and alarm["cleared_at"] is not None:
                return {"kind": "leakage", "peak": peak, "alarm_id": alarm["id"],
                        "raised_at": alarm["started_at"], "cleared_at": alarm["cleared_at"]}
            await asyncio.sleep(SELF_TEST_READ_S)
        if alarm is None:
            raise StepFailed("self_test_no_alarm", f"the self-test gave no residual-current alarm (peak {peak:.0f} "
                             "mA); check that L and N pass through the transformer")
        raise StepFailed("self_test_not_cleared", "the self-test alarm did not clear; check the residual current")

    async def _arc_test(self, serial: str) -> dict[str, Any]:
        """An arc detector's test pulse comes back as an arc report flagged as a test, never as an arc."""
        loop = asyncio.get_running_loop()
        reported: asyncio.Future[ArcReport] = loop.create_future()

        def on_report(report: ArcReport) -> None:
            if report.test and not reported.done():
                reported.set_result(report)

        await self.device.subscribe_arcs(on_report)
        await self.device.command("self_test")
        try:
            report = await asyncio.wait_for(reported, self.profile.self_test_s + SELF_TEST_MARGIN_S)
        except TimeoutError:
            raise StepFailed("self_test_no_alarm", "the detector did not report its test pulse") from None
        now = self.ctx.clock()
        await self.box.ingest(Gathered(events=[(serial, "self_test", now, report.half_cycles)]))
        return {"kind": "arc", "peak": float(report.half_cycles), "alarm_id": None, "raised_at": now,
                "cleared_at": now}

    async def thresholds(self, body: Any) -> dict[str, Any]:
        given = _decode(body, ThresholdsIn)
        device_id = self._device_id()
        device = await self.ctx.db.read(lambda c: sql.get_device(c, device_id, EVERY_SITE))
        assert device is not None
        channels = {c["key"]: c for c in device["channels"]}
        for key, settings in given.channels.items():  # validate all before changing any
            if key not in channels:
                raise InvalidInput(f"channels.{key}", f"this device has no channel {key}",
                                   {"code": "unknown_channel", "channel": key})
            resolve_settings(key, settings, current=channels[key]["settings"],
                             device_rated_a=device["rated_current_a"], field=f"channels.{key}")
        out = {}
        for key, settings in given.channels.items():
            changed = await devices_service.update_channel(self.ctx, self.principal, channels[key]["id"], settings)
            out[key] = changed.settings
        return {"channels": out}

    async def accept(self, body: Any) -> dict[str, Any]:
        given = _decode(body, AcceptIn)
        acceptance.check_answers(checklist(self.profile.kind), given)
        device_id = self._device_id()
        device = await self.ctx.db.read(lambda c: sql.get_device(c, device_id, EVERY_SITE))
        assert device is not None
        acceptance.require_named(device)
        await acceptance.check_evidence(self.ctx, self.principal, given)
        version = templates.load()["acceptance"].version
        answers = [msgspec.structs.asdict(a) for a in given.answers]
        failed = [a.key for a in given.answers if a.answer == "fail"]
        commissioning_id = self.row["id"]
        await self.ctx.db.write(lambda c: sql.update_commissioning(
            c, commissioning_id, answers={"version": version, "items": answers}, signed_by=given.signed_by,
            signature=given.signature))
        if failed:
            raise StepFailed("checklist_failed", f"items not passed: {', '.join(failed)}; rectify them and sign again")
        now = self.ctx.clock()

        def commission(conn: Any) -> None:
            sql.set_device_state(conn, device_id, "commissioned")
            sql.insert_audit(conn, ts=now, actor_id=self.principal.id, action="commission", obj="device",
                                  object_id=device_id, detail={"commissioning_id": commissioning_id,
                                                               "signed_by": given.signed_by,
                                                               "signature": given.signature,
                                                               "checklist_version": version})

        await self.ctx.db.write(commission, durable=True)
        return {"signed_by": given.signed_by, "signature": given.signature, "checklist_version": version}

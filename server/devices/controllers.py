"""Devices, channels and gateways; scanning, commissioning and remote control (a site box with a radio)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, delete, get, patch, post
from litestar.params import JSONBody, Parameter, PathParameter, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from server.accounts.guards import Caller, Ctx, PathId
from server.alarms.schemas import PowerOffConfirm, PowerOffDecline, PowerOffIn, PowerOffOut, PowerOffState
from server.devices import commissioning, control, power_off, wired
from server.devices import service as devices_service
from server.devices.models import model_list
from server.devices.schemas import (
    ChannelOut,
    ChannelPatch,
    Circuit,
    Commissioning,
    CommissioningStart,
    ControlIn,
    ControlOut,
    DeviceOut,
    DevicePatch,
    GatewayOut,
    ModelOut,
    ScanResult,
    Step,
)
from server.devices.wired_schemas import BusScan, BusScanIn, LiveValues, ThresholdsWrite, ThresholdsWritten

__all__ = ["CommissioningController", "ControlController", "DeviceController", "GatewayController",
           "PowerOffController", "ScanController", "WiredController"]


class ScanController(Controller):
    path = "/api/v1/sites"
    tags = ["bluetooth"]
    security = [{"BearerToken": []}]

    @get("/{site_id:int}/ble/scan", summary="Devices advertising near the site box, strongest first (installers)")
    async def scan(
        self, ctx: Ctx, principal: Caller, site_id: PathId,
        seconds: Annotated[float, Parameter(ge=1, le=15, description="how long to listen")] = 4.0,
    ) -> list[ScanResult]:
        return await commissioning.scan_site(ctx, principal, site_id, seconds)


class CommissioningController(Controller):
    path = "/api/v1/commissioning"
    tags = ["bluetooth"]
    security = [{"BearerToken": []}]

    @post("/", status_code=HTTP_201_CREATED,
          summary="Start commissioning a device found by a scan, or a registered wired device (device_id)",
          description="Give address (Bluetooth) or device_id (a device with a wired link; its open commissioning "
                      "is answered when there is one), not both: 400 naming the field.")
    async def start(self, ctx: Ctx, principal: Caller, data: JSONBody[CommissioningStart]) -> Commissioning:
        return await commissioning.start(ctx, principal, data)

    @get("/{commissioning_id:int}", summary="A commissioning and the state of its steps")
    async def get_one(self, ctx: Ctx, principal: Caller, commissioning_id: PathId) -> Commissioning:
        return await commissioning.get(ctx, principal, commissioning_id)

    @post("/{commissioning_id:int}/steps/{step:str}", status_code=HTTP_200_OK,
          summary="Run a step: pair, identify, live_read, self_test, thresholds or accept",
          description="The answer records the step as done, or failed with a code and advice. 409 when an earlier "
                      "step is not done.")
    async def run_step(
        self, ctx: Ctx, principal: Caller, commissioning_id: PathId,
        step: Annotated[Step, PathParameter(description="pair, identify, live_read, self_test, thresholds or accept")],
        data: JSONBody[dict[str, Any] | None] = None,
    ) -> Commissioning:
        return await commissioning.run_step(ctx, principal, commissioning_id, step, data)


class ControlController(Controller):
    path = "/api/v1/devices"
    tags = ["bluetooth"]
    security = [{"BearerToken": []}]

    @post("/{device_id:int}/control", status_code=HTTP_200_OK,
          summary="Trip, close or self-test a device remotely (operator only; audited)")
    async def act(self, ctx: Ctx, principal: Caller, device_id: PathId, data: JSONBody[ControlIn]) -> ControlOut:
        return await control.control(ctx, principal, device_id, data)

    @get("/{device_id:int}/control", summary="The device's remote-control log, newest first")
    async def log(self, ctx: Ctx, principal: Caller, device_id: PathId) -> list[ControlOut]:
        return await control.history(ctx, principal, device_id)


class DeviceController(Controller):
    path = "/api/v1"
    tags = ["devices"]
    security = [{"BearerToken": []}]

    @get("/devices/{device_id:int}", summary="A device with its channels")
    async def get_device(self, ctx: Ctx, principal: Caller, device_id: PathId) -> DeviceOut:
        return await devices_service.get_device(ctx, principal, device_id)

    @get("/devices/{device_id:int}/acceptance", summary="The device's signed acceptance: answers, photos, signature",
         description="The newest commissioning that made the device commissioned; 404 before it was accepted.")
    async def acceptance(self, ctx: Ctx, principal: Caller, device_id: PathId) -> Commissioning:
        return await commissioning.accepted(ctx, principal, device_id)

    @patch("/devices/{device_id:int}", summary="Change how a device is reached (link) or read (poll_interval_s)",
           description="A link the server cannot parse, or a scheme the device's model cannot speak, is a 400 "
                       "naming `link`. A site box polls the device by its new link at once.")
    async def patch_device(self, ctx: Ctx, principal: Caller, device_id: PathId,
                           data: JSONBody[DevicePatch]) -> DeviceOut:
        return await devices_service.update_device(ctx, principal, device_id, data)

    @get("/sites/{site_id:int}/circuits", summary="The circuits a site's devices protect, by name (a pick-list)",
         description="Each distinct circuit named by the site's devices, with how many devices protect it; 404 for "
                     "a site the caller may not see.")
    async def circuits(self, ctx: Ctx, principal: Caller, site_id: PathId) -> list[Circuit]:
        return await devices_service.site_circuits(ctx, principal, site_id)

    @get("/models", summary="Device models andian reads: their channels and the links each speaks")
    async def models(self, principal: Caller) -> list[ModelOut]:
        return model_list()

    @get("/channels/{channel_id:int}", summary="A channel and its settings")
    async def get_channel(self, ctx: Ctx, principal: Caller, channel_id: PathId) -> ChannelOut:
        return await devices_service.get_channel(ctx, principal, channel_id)

    @patch("/channels/{channel_id:int}",
           summary="Change a channel's settings (checked against the standards) or its label (installers, operators)")
    async def patch_channel(
        self, ctx: Ctx, principal: Caller, channel_id: PathId, data: JSONBody[ChannelPatch]
    ) -> ChannelOut:
        return await devices_service.update_channel(ctx, principal, channel_id, data.settings, data.label)


class GatewayController(Controller):
    path = "/api/v1/gateways"
    tags = ["gateways"]
    security = [{"BearerToken": []}]

    @get("/{gateway_id:int}", summary="A gateway")
    async def get_one(self, ctx: Ctx, principal: Caller, gateway_id: PathId) -> GatewayOut:
        return await devices_service.get_gateway(ctx, principal, gateway_id)

    @delete("/{gateway_id:int}", status_code=HTTP_204_NO_CONTENT, summary="Revoke a gateway's API key")
    async def revoke(self, ctx: Ctx, principal: Caller, gateway_id: PathId) -> None:
        await devices_service.revoke_gateway(ctx, principal, gateway_id)


class WiredController(Controller):
    """Commissioning wired devices on a site box (docs/devices.md "Commissioning a wired bus"); 503 elsewhere."""

    path = "/api/v1"
    tags = ["wired"]
    security = [{"BearerToken": []}]

    @post("/sites/{site_id:int}/bus-scans", status_code=HTTP_201_CREATED,
          summary="Scan a wired bus for answering units and guess their models (installers; runs on the site box)",
          description="Tries units first–last on the bus with a short timeout each, taking turns with polling; "
                      "follow it with GET /api/v1/bus-scans/{id}. 409 while another scan runs on the same bus.")
    async def start_scan(self, ctx: Ctx, principal: Caller, site_id: PathId, data: JSONBody[BusScanIn]) -> BusScan:
        return await wired.start_scan(ctx, principal, site_id, data)

    @get("/bus-scans/{scan_id:int}", summary="A bus scan: its progress and the units found so far")
    async def get_scan(self, ctx: Ctx, principal: Caller, scan_id: PathId) -> BusScan:
        return await wired.get_scan(ctx, principal, scan_id)

    @delete("/bus-scans/{scan_id:int}", status_code=HTTP_204_NO_CONTENT, summary="Cancel a bus scan")
    async def cancel_scan(self, ctx: Ctx, principal: Caller, scan_id: PathId) -> None:
        await wired.cancel_scan(ctx, principal, scan_id)

    @post("/devices/{device_id:int}/read", status_code=HTTP_200_OK,
          summary="Read a wired device now through its link (the installer's live values); ingested like a poll")
    async def read(self, ctx: Ctx, principal: Caller, device_id: PathId) -> LiveValues:
        return await wired.read_once(ctx, principal, device_id)

    @post("/devices/{device_id:int}/thresholds", status_code=HTTP_200_OK,
          summary="Write a wired device's own alarm levels (confirmed, read back, audited)",
          description="Needs \"confirm\": true (the device's own settings change). The values are checked against "
                      "the device's range and the channel's settings; after the write they are read back (409 when "
                      "the device holds something else) and the channel's settings in andian follow.")
    async def thresholds(self, ctx: Ctx, principal: Caller, device_id: PathId,
                         data: JSONBody[ThresholdsWrite]) -> ThresholdsWritten:
        return await wired.write_thresholds(ctx, principal, device_id, data)


class PowerOffController(Controller):
    """Owners' requests for a remote power-off and the monitoring centre's answers (docs/console.md)."""

    path = "/api/v1"
    tags = ["console"]
    security = [{"BearerToken": []}]

    @post("/alarms/{alarm_id:int}/power-off-requests", status_code=HTTP_201_CREATED,
          summary="Ask the operator's monitoring centre to switch the alarm's circuit off remotely (owner)",
          description="409 while a request for the alarm is pending, or for a self-test alarm.")
    async def ask(self, ctx: Ctx, principal: Caller, alarm_id: PathId,
                  data: JSONBody[PowerOffIn | None] = None) -> PowerOffOut:
        return await power_off.request(ctx, principal, alarm_id, data or PowerOffIn())

    @get("/alarms/{alarm_id:int}/power-off-requests", summary="An alarm's power-off requests and their answers")
    async def of_alarm(self, ctx: Ctx, principal: Caller, alarm_id: PathId) -> list[PowerOffOut]:
        return await power_off.of_alarm(ctx, principal, alarm_id)

    @get("/power-off-requests", summary="Power-off requests at the sites the caller sees, pending first (console)")
    async def list_all(
        self, ctx: Ctx, principal: Caller,
        states: Annotated[list[PowerOffState] | None, QueryParameter(name="state", description="only these states "
                                                                     "(repeat)")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> list[PowerOffOut]:
        return await power_off.list_requests(ctx, principal, list(states) if states else None, limit)

    @post("/power-off-requests/{request_id:int}/confirm", status_code=HTTP_200_OK,
          summary="Answer a request by tripping the breaker remotely (operator; read back and audited)",
          description="The answer carries the control's outcome: the request is tripped once the breaker reads back "
                      "open, and stays pending when the device did not confirm. 409 when answered already or the "
                      "device cannot trip; 503 on a server without a site box's radio.")
    async def confirm(self, ctx: Ctx, principal: Caller, request_id: PathId,
                      data: JSONBody[PowerOffConfirm]) -> PowerOffOut:
        return await power_off.confirm(ctx, principal, request_id, data)

    @post("/power-off-requests/{request_id:int}/decline", status_code=HTTP_200_OK,
          summary="Decline a request with a note for the owner (operator); 409 when answered already")
    async def decline(self, ctx: Ctx, principal: Caller, request_id: PathId,
                      data: JSONBody[PowerOffDecline]) -> PowerOffOut:
        return await power_off.decline(ctx, principal, request_id, data)

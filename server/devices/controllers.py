"""Scanning, commissioning and remote control (a site box with a Bluetooth radio)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.params import JSONBody, Parameter, PathParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from server.accounts.guards import Caller, Ctx, PathId
from server.devices import commissioning, control
from server.devices.schemas import Commissioning, CommissioningStart, ControlIn, ControlOut, ScanResult, Step

__all__ = ["CommissioningController", "ControlController", "ScanController"]


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

    @post("/", status_code=HTTP_201_CREATED, summary="Start commissioning a device found by a scan")
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

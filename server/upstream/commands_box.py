"""Box side of commands down: long-poll the cloud for commands (this request is also the box's heartbeat), run each
through the same code a local operator's remote control uses, one at a time and in order, and post its result.

A result the cloud could not be told (the network) is kept in memory and sent again before the next poll; the cloud
answers 409 once the command has expired, and the result is then dropped with a log line. A command whose deadline
(measured from the cloud's clock, on this box's monotonic clock) is too close is not started at all.
"""

from __future__ import annotations

import logging
import time

from server.context import Context
from server.devices import control
from server.devices import service as devices_service
from server.errors import Conflict
from server.storage import devices as device_sql
from server.storage import upstream_commands as sql
from server.storage.scopes import EVERY_SITE
from server.upstream.link import Backoff, Refused, Unreachable, Upstream
from server.upstream.supervise import supervise
from server.upstream.wire import Command, CommandResult, Commands

__all__ = ["execute", "run"]

log = logging.getLogger("andian.upstream.commands")

# The long-poll asks the cloud to answer this much before a heartbeat interval is over, so that the next request
# (the next heartbeat) starts within the interval even over a slow 4G link.
POLL_MARGIN_S = 5.0
# Beyond the wait, how long the long-poll's answer may take to arrive (a connection through a 4G router).
ANSWER_S = 15.0
# A command is not started with less time than this left before the cloud's deadline: a Bluetooth command and its
# read-back take a second or two, and a result arriving after the deadline is refused while the breaker moved.
START_MARGIN_S = 2.0


async def run(ctx: Context, upstream: Upstream) -> None:
    settings = ctx.settings
    heartbeat = settings.upstream_heartbeat_s
    wait = max(heartbeat - POLL_MARGIN_S, heartbeat / 2)
    undelivered: dict[int, CommandResult] = {}  # command id → result, oldest first

    async def round_() -> float:
        await _deliver(upstream, undelivered)
        answer = await upstream.call("GET", "/api/v1/upstream/commands", Commands, params={"wait": wait},
                                     timeout_s=wait + ANSWER_S)
        received = time.monotonic()
        for command in answer.commands:
            left = command.expires_at - (answer.now if answer.now is not None else ctx.clock())
            try:
                undelivered[command.id] = await execute(ctx, command, left - (time.monotonic() - received))
            except Exception as exc:  # one command's failure must not end the loop that takes the next ones
                log.exception("commands: command %d failed at the box", command.id)
                undelivered[command.id] = _failed(ctx, "box_error", f"站点网关执行命令时出错：{exc}")
            try:
                await _deliver(upstream, undelivered)  # the operator is waiting for it
            except Unreachable as exc:
                log.warning("commands: result of command %d not delivered (%s); kept to send again", command.id, exc)
        return 0.0  # poll again at once: the long-poll itself waits

    await supervise("commands", round_, Backoff(settings.upstream_retry_base_s, settings.upstream_retry_cap_s),
                    log=log)


async def _deliver(upstream: Upstream, undelivered: dict[int, CommandResult]) -> None:
    """Post the kept results, oldest first; a refused one is dropped (the cloud will never take it). Raises
    Unreachable, keeping what is not delivered yet."""
    for command_id, result in list(undelivered.items()):
        try:
            await upstream.call("POST", f"/api/v1/upstream/commands/{command_id}/result", type(None), result)
        except Refused as exc:
            log.warning("commands: the cloud refused the result of command %d (%s); dropped", command_id, exc)
        del undelivered[command_id]


def _failed(ctx: Context, code: str, error: str) -> CommandResult:
    return CommandResult(outcome="failed", code=code, error=error, at=ctx.clock())


async def execute(ctx: Context, command: Command, left_s: float) -> CommandResult:
    """Run one command from the cloud with ``left_s`` seconds left before its deadline, audited here; its result."""
    if left_s < START_MARGIN_S:
        log.warning("commands: command %d (%s %s) reached its turn %.1f s before its deadline; not executed",
                    command.id, command.action, command.device, left_s)
        return _failed(ctx, "box_expired", "站点网关轮到这条命令时已接近超时，未执行；请重新下发")
    row = await ctx.db.read(lambda c: device_sql.device_by_serial(c, command.device))
    if row is None:
        log.warning("commands: command %d names device %s, which this box does not have", command.id, command.device)
        return _failed(ctx, "box_unknown_device", f"站点网关上没有设备 {command.device}；请先在网关上调试接入该设备")
    found = await ctx.db.read(lambda c: device_sql.get_device(c, row["id"], EVERY_SITE))
    assert found is not None
    device = devices_service.device_out(found)
    by = command.by
    actor = await ctx.db.read(lambda c: sql.mirrored_user_id(c, by)) if by else None
    if ctx.site_box is None:
        result = _failed(ctx, "box_no_radio", "站点网关没有开启蓝牙（andian serve --site），无法操作设备")
    else:
        try:
            result = await control.operate(ctx, device, command.action, actor)
        except Conflict as exc:  # the model at the box cannot do it
            result = _failed(ctx, "unsupported", exc.detail)
    await control.audit(ctx, device.id, command.action, command.reason, result, actor_id=actor,
                        by=command.by or "", via="cloud")
    log.info("commands: command %d %s %s for %s: %s %s", command.id, command.action, command.device,
             command.by or "?", result.outcome, result.switch or result.code or "")
    return result

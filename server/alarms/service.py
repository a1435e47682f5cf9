"""Alarms as people see them, and acknowledgement."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec

from server.accounts.principal import Principal
from server.accounts.roles import ACKNOWLEDGERS
from server.alarms.schemas import AckManyOut, AckResult, AlarmOut
from server.detection.settings import unit_of
from server.errors import Forbidden, NotFound
from server.live.events import LiveEvent
from server.sites.schemas import SiteStatus
from server.storage import Connection
from server.storage import alarms as sql
from server.storage.scopes import in_region, of_company, site_scope

if TYPE_CHECKING:  # not at run time: server.context imports this module's importers
    from server.context import Context

__all__ = [
    "AlarmFilters", "acknowledge", "acknowledge_many", "alarm_out", "get_alarm", "list_alarms", "present",
    "site_status",
]

_STATUS_ORDER: tuple[SiteStatus, ...] = ("alarm", "fault", "offline", "power_off", "prealarm")


def alarm_out(row: dict[str, Any]) -> AlarmOut:
    unit = unit_of(row["channel"]) if row.get("channel") else ""
    if row["cause"] == "hot_joint":
        unit = "°C"
    return msgspec.convert({**row, "unit": unit}, AlarmOut)


def present(events: list[LiveEvent]) -> list[LiveEvent]:
    """Live events as clients see them: alarm rows in the shape of the alarm list, plus their transition."""
    out = []
    for event in events:
        if event.event == "alarm":
            shaped = msgspec.to_builtins(alarm_out(event.data))
            event = LiveEvent(event.site_id, "alarm", {**shaped, "transition": event.data["transition"]})
        out.append(event)
    return out


def site_status(levels: list[str]) -> SiteStatus:
    for level in _STATUS_ORDER:
        if level in levels:
            return level
    return "normal"


class AlarmFilters(msgspec.Struct, frozen=True):
    """The console's filters (each narrows when given): a region (a district covers its streets and grids), an
    operator company (for admins; others see one company at most anyway), causes, levels, acknowledged or not,
    self-test alarms or real ones."""

    region: str | None = None
    company_id: int | None = None
    causes: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    acknowledged: bool | None = None
    test: bool | None = None


async def list_alarms(ctx: Context, principal: Principal, *, site_id: int | None, active: bool | None,
                      since: float | None, limit: int, filters: AlarmFilters | None = None) -> list[AlarmOut]:
    filters = filters or AlarmFilters()
    scope = site_scope(principal, ctx.reference)
    if filters.region is not None:
        scope = scope.narrowed(in_region(filters.region))
    if filters.company_id is not None:
        scope = scope.narrowed(of_company(filters.company_id))
    rows = await ctx.db.read(lambda c: sql.list_alarms(
        c, scope, site_id=site_id, active=active, since=since, limit=limit, causes=filters.causes,
        levels=filters.levels, acknowledged=filters.acknowledged, test=filters.test))
    return [alarm_out(r) for r in rows]


async def get_alarm(ctx: Context, principal: Principal, alarm_id: int) -> AlarmOut:
    scope = site_scope(principal, ctx.reference)
    row = await ctx.db.read(lambda c: sql.get_alarm(c, alarm_id, scope))
    if row is None:
        raise NotFound("alarm", alarm_id)
    return alarm_out(row)


async def acknowledge(ctx: Context, principal: Principal, alarm_id: int, note: str) -> AlarmOut:
    scope = site_scope(principal, ctx.reference)
    if await ctx.db.read(lambda c: sql.get_alarm(c, alarm_id, scope)) is None:
        raise NotFound("alarm", alarm_id)
    if principal.kind != "user" or principal.role not in ACKNOWLEDGERS:
        raise Forbidden(f"role {principal.role} may not acknowledge alarms; the site's owner or operator does")
    now = ctx.clock()

    def ack(conn: Connection) -> dict[str, Any]:
        sql.acknowledge(conn, alarm_id, principal.id, now, note)
        row = sql.get_alarm(conn, alarm_id)
        assert row is not None
        return row

    row = await ctx.db.write(ack, durable=True)
    out = alarm_out(row)
    ctx.hub.publish([LiveEvent(row["site_id"], "alarm", {**msgspec.to_builtins(out), "transition": "acknowledged"})])
    ctx.doorbell.ring()  # an acknowledgement ends the alarm's escalation ladder
    return out


async def acknowledge_many(ctx: Context, principal: Principal, alarm_ids: list[int], note: str) -> AckManyOut:
    """Acknowledge several alarms with one note, answering per alarm: the ones the caller sees are acknowledged
    even when others are unknown or out of sight (404) or were acknowledged before (409)."""
    if principal.kind != "user" or principal.role not in ACKNOWLEDGERS:
        raise Forbidden(f"role {principal.role} may not acknowledge alarms; the site's owner or operator does")
    scope = site_scope(principal, ctx.reference)
    now = ctx.clock()
    wanted = list(dict.fromkeys(alarm_ids))  # each once, in the caller's order

    def ack(conn: Connection) -> tuple[list[AckResult], list[dict[str, Any]]]:
        results, done = [], []
        for alarm_id in wanted:
            if sql.get_alarm(conn, alarm_id, scope) is None:
                results.append(AckResult(alarm_id, "not_found", 404))
            elif sql.acknowledge(conn, alarm_id, principal.id, now, note):
                results.append(AckResult(alarm_id, "acknowledged", 200))
                done.append(sql.get_alarm(conn, alarm_id))
            else:
                results.append(AckResult(alarm_id, "already", 409))
        return results, [r for r in done if r is not None]

    results, rows = await ctx.db.write(ack, durable=True)
    if rows:
        ctx.hub.publish([LiveEvent(r["site_id"], "alarm", {**msgspec.to_builtins(alarm_out(r)),
                                                            "transition": "acknowledged"}) for r in rows])
        ctx.doorbell.ring()  # acknowledgements end the alarms' escalation ladders
    return AckManyOut(results=results, acknowledged=len(rows))

"""Cloud side of the mirror: a site box sends its stamped edits and gets its site back as the cloud holds it — the
site, its operator company, the people who may log in at the box, and every device and channel with its stamps."""

from __future__ import annotations

import json
import logging
from typing import Any

import msgspec
from litestar import Controller, post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK

from server.accounts.guards import Caller, Ctx
from server.accounts.principal import Principal
from server.context import Context
from server.storage import Connection
from server.storage import devices as device_sql
from server.storage import mirror as sql
from server.storage import mirror_people as people_sql
from server.upstream import stamps
from server.upstream.merge import merge
from server.upstream.presence import require_box, seen
from server.upstream.wire import CompanyDown, MirrorAnswer, MirrorRequest, Record, SiteDown, UserDown

__all__ = ["MirrorController", "mirror", "site_records"]

log = logging.getLogger("andian.upstream")


def site_records(conn: Connection, site_id: int) -> list[Record]:
    """Every device and channel of the site (not the box's own device) with each field's value and stamp."""
    records: dict[tuple[str, str], dict[str, tuple[Any, str]]] = {}
    for (entity, key), fields in stamps.site_stamps(conn, site_id).items():
        records[entity, key] = {name: (json.loads(value), hlc) for name, (value, hlc) in fields.items()}
    return [Record(entity=entity, key=key, fields=fields)  # type: ignore[arg-type]
            for (entity, key), fields in sorted(records.items())]


def _answer(conn: Connection, gateway_id: int, site_id: int) -> MirrorAnswer:
    site = people_sql.site_down(conn, site_id)
    company = (CompanyDown(name=site["company_name"], hotline=site["company_hotline"])
               if site["company_name"] is not None else None)
    users = [UserDown(username=u["username"], password_hash=u["password_hash"], role=u["role"],
                      display_name=u["display_name"], phone=u["phone"], disabled=bool(u["disabled"]),
                      company=bool(u["company"])) for u in people_sql.box_users(conn, site_id)]
    return MirrorAnswer(
        gateway_id=gateway_id,
        site=SiteDown(name=site["name"], address=site["address"], region_code=site["region_code"],
                      venue_type=site["venue_type"], key_unit=bool(site["key_unit"]), lat=site["lat"], lon=site["lon"],
                      owner=site["owner"]),
        company=company, users=users, records=site_records(conn, site_id))


async def mirror(ctx: Context, principal: Principal, body: MirrorRequest) -> MirrorAnswer:
    gateway_id = require_box(principal)
    await seen(ctx, gateway_id)
    site_id = principal.site_id or 0  # a gateway's principal always names its site
    now = ctx.clock()
    if not body.edits:  # the usual round: nothing to merge; answered from a reader unless something must be written

        def quiet(conn: Connection) -> MirrorAnswer | None:
            if site_id in sql.dirty_sites(conn) or sql.unassigned(conn, site_id, gateway_id):
                return None
            return _answer(conn, gateway_id, site_id)

        unchanged = await ctx.db.read(quiet)
        if unchanged is not None:
            return unchanged

    def write(conn: Connection) -> tuple[MirrorAnswer, list[str]]:
        clock = stamps.load_clock(conn, stamps.CLOUD)
        if site_id in sql.dirty_sites(conn):  # cloud edits since the watchdog's last pass: stamped before merging
            stamps.stamp(conn, site_id, clock, int(now * 1000))
        merged = merge(conn, site_id, body.edits, clock, now, check=True)
        stamps.save_clock(conn, clock)
        for serial in merged.touched:
            ctx.pipeline.registry.refresh(conn, serial)
        sql.assign_gateway(conn, site_id, gateway_id)
        if merged.applied or merged.rejected:
            device_sql.insert_audit(conn, ts=now, actor_id=None, action="mirror", obj="gateway", object_id=gateway_id,
                                    detail={"fields": merged.applied, "devices": sorted(merged.touched),
                                            "rejected": merged.rejected[:20], "box_version": body.box_version})
        answer = _answer(conn, gateway_id, site_id)
        return msgspec.structs.replace(answer, rejected=merged.rejected), merged.rejected

    answer, rejected = await ctx.db.write(write, durable=True)
    if rejected:
        log.info("gateway %d: %d mirrored field(s) refused, e.g. %s", gateway_id, len(rejected), rejected[0])
    return answer


class MirrorController(Controller):
    path = "/api/v1/upstream"
    tags = ["upstream"]
    security = [{"BearerToken": []}]

    @post("/mirror", status_code=HTTP_200_OK,
          summary="A site box's mirror: its edits up, its site down (gateway key only)",
          description="The box's stamped field edits are merged, per field the newer stamp winning; what the API "
                      "would refuse is named in `rejected` and the rest applied. The answer is the site as the cloud "
                      "holds it: the site, its operator company, who may log in at the box (password hashes), and "
                      "every device and channel with each field's value and stamp.")
    async def mirror(self, ctx: Ctx, principal: Caller, data: JSONBody[MirrorRequest]) -> MirrorAnswer:
        return await mirror(ctx, principal, data)

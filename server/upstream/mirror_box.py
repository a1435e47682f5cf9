"""Box side of the mirror: every ``upstream_mirror_s`` the box stamps its own edits, sends up those the cloud has not
taken yet, and applies the site the cloud answers — the site row, its operator company, who may log in here, and
each device and channel field whose stamp is newer than the box's. The detector and the poller see the change at
once. While the cloud is away the box keeps stamping its edits as they are made, so they go up, with the time they
were made, once it is back."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from server import __version__
from server.context import Context
from server.errors import StorageFull
from server.storage import Connection
from server.storage import mirror as mirror_sql
from server.storage import mirror_people as people_sql
from server.storage import upstream_link as link_sql
from server.upstream import stamps
from server.upstream.link import Backoff, Pairing, Upstream
from server.upstream.merge import Merged, merge
from server.upstream.supervise import supervise
from server.upstream.wire import MirrorAnswer, MirrorRequest, Record

__all__ = ["PATH", "check", "run", "sync_once"]

log = logging.getLogger("andian.upstream")

PATH = "/api/v1/upstream/mirror"


def _outgoing(conn: Connection, url: str, now: float) -> tuple[list[Record], str | None]:
    """Stamp the box's edits; the fields the box stamped that the cloud has not taken yet, and the newest stamp
    among them (the cloud has taken everything up to it once it answers)."""
    people_sql.mark_paired(conn, url, now)  # from now on this database stamps as a box's
    state = people_sql.box_state(conn)
    if state is None or state["site_id"] is None:
        return [], None  # not mirrored yet: the first answer says which site this is
    site_id = int(state["site_id"])
    clock = stamps.load_clock(conn, stamps.node_of(state["gateway_id"]))
    stamps.stamp(conn, site_id, clock, int(now * 1000))
    stamps.save_clock(conn, clock)
    after = state["mirror_sent"] or ""
    edits: dict[tuple[str, str], dict[str, tuple[Any, str]]] = {}
    newest: str | None = None
    for (entity, key), fields in stamps.site_stamps(conn, site_id).items():
        for name, (value, hlc) in fields.items():
            if hlc > after and not hlc.endswith(f"-{stamps.CLOUD}"):
                edits.setdefault((entity, key), {})[name] = (json.loads(value), hlc)
                newest = max(newest or hlc, hlc)
    return [Record(entity=entity, key=key, fields=fields)  # type: ignore[arg-type]
            for (entity, key), fields in sorted(edits.items())], newest


def _site(conn: Connection, answer: MirrorAnswer, url: str, now: float) -> int | None:
    """The box's site that mirrors the cloud's: the one mapped before, else the box's only site, else a new one."""
    state = people_sql.box_state(conn)
    if state is not None and state["site_id"] is not None:
        return int(state["site_id"])
    ids = people_sql.site_ids(conn)
    if len(ids) == 1:
        # A box that ran alone before its pairing: what was set up here is the truth on site. Its fields, stamped
        # as a standalone server's (node "cloud"), are stamped anew as the box's own, so they win and go up.
        site_id = ids[0]
        mirror_sql.forget_site_stamps(conn, site_id)
    elif not people_sql.region_exists(conn, answer.site.region_code):
        log.error("the cloud's site is in region %s, which this box's reference data does not have: upgrade the "
                  "box (andian) to the cloud's version", answer.site.region_code)
        return None
    else:
        site = answer.site
        site_id = people_sql.insert_site(conn, {
            "name": site.name, "address": site.address, "region_code": site.region_code,
            "venue_type": site.venue_type, "key_unit": int(site.key_unit), "lat": site.lat, "lon": site.lon,
            "owner_id": None, "company_id": None}, now)
    link_sql.set_site(conn, site_id, url, now)
    return site_id


def _people(conn: Connection, site_id: int, answer: MirrorAnswer, now: float) -> None:
    """The site's company and the people who may log in here; the site row as the cloud has it."""
    company_id = (people_sql.mirror_company(conn, answer.company.name, answer.company.hotline, now)
                  if answer.company is not None else None)
    for user in answer.users:
        people_sql.mirror_user(conn, {"username": user.username, "password_hash": user.password_hash,
                                      "role": user.role, "display_name": user.display_name, "phone": user.phone,
                                      "disabled": user.disabled}, company_id if user.company else None, now)
    people_sql.disable_mirrored_except(conn, [user.username for user in answer.users])
    site = answer.site
    fields: dict[str, Any] = {"name": site.name, "address": site.address, "venue_type": site.venue_type,
                              "key_unit": int(site.key_unit), "lat": site.lat, "lon": site.lon,
                              "owner_id": people_sql.user_id(conn, site.owner) if site.owner else None,
                              "company_id": company_id}
    if people_sql.region_exists(conn, site.region_code):
        fields["region_code"] = site.region_code
    people_sql.update_site(conn, site_id, fields)


def _apply(ctx: Context, conn: Connection, answer: MirrorAnswer, sent: str | None, url: str) -> Merged:
    now = ctx.clock()
    site_id = _site(conn, answer, url, now)
    if site_id is None:
        return Merged()
    clock = stamps.load_clock(conn, stamps.node_of(answer.gateway_id))
    stamps.stamp(conn, site_id, clock, int(now * 1000))  # edits made while the request was out: the box's, later
    _people(conn, site_id, answer, now)
    merged = merge(conn, site_id, answer.records, clock, now, check=False)
    stamps.save_clock(conn, clock)
    people_sql.set_box_state(conn, answer.gateway_id, sent)
    for serial in merged.touched:  # the detector takes the new settings at once, on the writer thread
        ctx.pipeline.registry.refresh(conn, serial)
    return merged


async def sync_once(ctx: Context, upstream: Upstream) -> MirrorAnswer:
    """One mirror round; raises Unreachable or Refused as Upstream.call does (nothing is lost: the edits stay
    unsent until an answer comes)."""
    edits, sent = await ctx.db.write(lambda conn: _outgoing(conn, upstream.pairing.url, ctx.clock()))
    answer = await upstream.call("POST", PATH, MirrorAnswer, MirrorRequest(edits=edits, box_version=__version__))
    merged = await ctx.db.write(lambda conn: _apply(ctx, conn, answer, sent, upstream.pairing.url), durable=True)
    for message in answer.rejected:
        log.warning("the cloud refused an edit made at this box (the cloud's value comes back): %s", message)
    for message in merged.rejected:
        log.warning("a record from the cloud not taken here: %s", message)
    if merged.touched and ctx.site_box is not None:
        await ctx.site_box.refresh()  # the poller reads the devices the database now has
    return answer


async def _wait(ctx: Context, seconds: float) -> None:
    """Sleep, stamping the box's edits every mirror interval meanwhile (a long backoff must not make an offline
    edit's stamp later than when it was made by more than one interval)."""
    loop = asyncio.get_running_loop()
    until = loop.time() + seconds
    while (left := until - loop.time()) > 0:
        await asyncio.sleep(min(left, ctx.settings.upstream_mirror_s))
        try:
            await stamps.stamp_dirty_sites(ctx)
        except StorageFull as exc:
            log.warning("edits not stamped: %s", exc.detail)


async def run(ctx: Context, upstream: Upstream) -> None:
    settings = ctx.settings

    async def round_() -> float:
        await sync_once(ctx, upstream)
        return settings.upstream_mirror_s

    await supervise("mirror", round_, Backoff(settings.upstream_retry_base_s, settings.upstream_retry_cap_s),
                    log=log, sleep=lambda seconds: _wait(ctx, seconds))


async def check(pairing: Pairing) -> MirrorAnswer:
    """One mirror request with no edits: does the cloud take this key? (``andian box pair``)"""
    async with Upstream(pairing) as upstream:
        return await upstream.call("POST", PATH, MirrorAnswer, MirrorRequest(box_version=__version__))

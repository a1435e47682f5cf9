"""Work for a site is done by the worker that owns the site's partition (node.py): its detector state and alarm
book are the ones that count. A batch for a partition this worker owns runs here; one for a partition another
worker owns is handed to it through ``owner_calls`` and its answer awaited, so the sender hears exactly what it
would have heard from the owner (accepted, rejected items, a repeat). The owner claims open calls with
``FOR UPDATE SKIP LOCKED`` and answers each in the transaction that does the work: a call is done once.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import msgspec

from server.cluster.node import PARTITIONS, part_of
from server.errors import Unavailable
from server.ingest.admit import Access
from server.ingest.wire import IngestResult, ParsedBatch
from server.live.events import LiveEvent
from server.storage import Connection
from server.storage import cluster as cluster_sql
from server.storage import devices as device_sql

if TYPE_CHECKING:
    from server.context import Context

__all__ = ["CALL_WAIT_S", "IngestCall", "by_partition", "fail", "hand_over", "merge", "take_one"]

log = logging.getLogger("andian.cluster")

# How long a worker waits for the owner of a partition to answer a handed-over batch before it answers 503 (the
# sender sends the same batch again; its id makes the repeat harmless). A dead owner's partition moves in seconds.
CALL_WAIT_S = 30.0
POLL_S = 0.2


class IngestCall(msgspec.Struct):
    items: list[tuple[Access, ParsedBatch]]
    durable: bool


_encoder = msgspec.msgpack.Encoder()
_ingest = msgspec.msgpack.Decoder(IngestCall)
_results = msgspec.msgpack.Decoder(list[IngestResult])


def _subset(batch: ParsedBatch, keep: set[str], first: bool, part: int) -> ParsedBatch:
    """The items of ``batch`` for the devices in ``keep``, with their positions in the body; the body's own
    rejections go with the first subset only."""
    def pick(items: list[Any], index: list[int]) -> tuple[list[Any], list[int]]:
        chosen = [(item, i) for item, i in zip(items, index, strict=True) if item.device in keep]
        return [c[0] for c in chosen], [c[1] for c in chosen]

    samples, sample_index = pick(batch.samples, batch.sample_index)
    events, event_index = pick(batch.events, batch.event_index)
    faults, fault_index = pick(batch.faults, batch.fault_index)
    detail = batch.state_detail or [{}] * len(batch.states)
    states = [(s, i, d) for s, i, d in zip(batch.states, batch.state_index, detail, strict=True) if s.device in keep]
    return replace(batch, batch_id=f"{batch.batch_id}~{part}", samples=samples, sample_index=sample_index,
                   events=events, event_index=event_index, faults=faults, fault_index=fault_index,
                   states=[s for s, _, _ in states], state_index=[i for _, i, _ in states],
                   state_detail=[d for _, _, d in states] if batch.state_detail else [],
                   rejected=batch.rejected if first else [])


def _serials(batch: ParsedBatch) -> set[str]:
    return {item.device for items in (batch.samples, batch.events, batch.faults, batch.states) for item in items}


async def by_partition(ctx: Context, items: list[tuple[Access, ParsedBatch]]
                       ) -> dict[int, list[tuple[int, Access, ParsedBatch]]]:
    """The items grouped by the partition of their site, each with its position; a user's batch that spans
    partitions is split (its parts answered together by ``merge``)."""
    out: dict[int, list[tuple[int, Access, ParsedBatch]]] = defaultdict(list)
    loose = [(n, access, batch) for n, (access, batch) in enumerate(items)]
    # A serial with a NUL names no device (PostgreSQL text cannot hold one): it is refused where it is judged.
    serials = sorted({s for _, access, batch in loose if access.site_id is None for s in _serials(batch)
                      if "\x00" not in s})
    sites = await ctx.db.read(lambda conn: device_sql.sites_of_serials(conn, serials)) if serials else {}
    for n, access, batch in loose:
        if access.site_id is not None:  # a gateway feeds its own site only
            out[part_of(access.site_id)].append((n, access, batch))
            continue
        parts: dict[int, set[str]] = defaultdict(set)
        for serial in _serials(batch):
            parts[part_of(sites[serial]) if serial in sites else -1].add(serial)
        if len(parts) <= 1:  # one partition (unknown devices are refused by whichever worker looks)
            out[next((p for p in parts if p >= 0), 0)].append((n, access, batch))
            continue
        unknown = parts.pop(-1, set())
        for k, (part, serials_of) in enumerate(sorted(parts.items())):
            out[part].append((n, access, _subset(batch, serials_of | (unknown if k == 0 else set()), k == 0, part)))
    return out


def merge(results: list[IngestResult]) -> IngestResult:
    rejected = sorted((r for result in results for r in result.rejected), key=lambda r: (r.kind, r.index))
    return IngestResult(sum(r.accepted for r in results), all(r.duplicate for r in results), rejected)


async def hand_over(ctx: Context, part: int, items: list[tuple[Access, ParsedBatch]], durable: bool
                    ) -> list[IngestResult]:
    """Hand these items to the owner of ``part`` and wait for its answer."""
    body = _encoder.encode(IngestCall(items, durable))
    node = ctx.node
    call_id = await ctx.db.write(lambda conn: cluster_sql.put_call(conn, part, "ingest", body, node.id, ctx.clock()),
                                 durable=durable)
    ctx.bridge.call_put(part)
    waited = 0.0
    while waited < CALL_WAIT_S:
        done = ctx.bridge.call_done(call_id)
        try:
            async with asyncio.timeout(POLL_S * 5):
                await done.wait()
        except TimeoutError:
            pass
        result = await ctx.db.read(lambda conn: cluster_sql.result_of(conn, call_id))
        if result is not None:
            ctx.bridge.forget_call(call_id)
            answer = msgspec.msgpack.decode(result)
            if isinstance(answer, dict):  # the owner failed on it (its log has the details): as a 500 here
                raise RuntimeError(f"the worker that owns partition {part} failed on this batch: {answer['error']}")
            return _results.decode(result)
        waited += POLL_S * 5
    ctx.bridge.forget_call(call_id)
    raise Unavailable(f"the worker that judges these sites (partition {part} of {PARTITIONS}) did not answer in "
                      f"{CALL_WAIT_S:.0f} s; send the same batch again (its batch_id makes the repeat harmless)")


def fail(conn: Connection, call_ids: list[int], error: str, now: float) -> None:
    """These calls (that failed) answered with the error, unless answered already."""
    for call_id in call_ids:
        cluster_sql.fail_call(conn, call_id, _encoder.encode({"error": error}), now)


def take_one(ctx: Context, conn: Connection, parts: frozenset[int], now: float, watched: frozenset[int],
             claimed: list[int]) -> tuple[int, list[LiveEvent]] | None:
    """On the owner's writer: claim the oldest open call for ``parts``, do it, answer it — in this transaction.
    Answers (call id, live events) or None when there was none; the id also goes into ``claimed`` first."""
    calls = cluster_sql.take_calls(conn, parts, 1)
    if not calls:
        return None
    call = calls[0]
    claimed.append(call["id"])
    try:
        work = _ingest.decode(call["body"])
    except msgspec.DecodeError as exc:
        log.exception("owner call %s cannot be read", call["id"])
        cluster_sql.finish_call(conn, call["id"], _encoder.encode({"error": f"unreadable call: {exc}"}), now)
        return call["id"], []
    outcomes = ctx.pipeline.ingest_many(conn, work.items, now, watched)
    cluster_sql.finish_call(conn, call["id"], _encoder.encode([o.result for o in outcomes]), now)
    if work.durable:
        from server.storage import make_durable

        make_durable(conn)
    return call["id"], [event for outcome in outcomes for event in outcome.live]

"""A worker taking partitions over from another (server/cluster, ``Pipeline.take_over``): the channels of the sites
it gains continue from the state their last owner saved and from their active alarms as the database holds them;
the channels of every other site are left as they are. (Before, every device and every state was read again, which
at 20,000 sites held the writer for seconds at each move.)"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from litestar.testing import TestClient

from server.alarms.book import RANK
from server.cluster.node import PARTITIONS, part_of
from server.detection.table import CAUSES
from server.settings import Settings
from server.storage import readings as readings_sql

from . import backends
from .conftest import World, bearer


def _same(a: list[float], b: list[float]) -> bool:
    return all(x == y or (math.isnan(x) and math.isnan(y)) for x, y in zip(a, b, strict=True))


def test_gained_sites_continue_from_their_checkpoint_and_alarms_and_no_other_site_moves(
        client: TestClient[Any], world: World) -> None:
    ctx = client.app.state["andian"]
    pipeline = ctx.pipeline
    market, care = world.sites["site_market"], world.sites["site_care"]
    assert part_of(market) != part_of(care)
    now = ctx.clock()
    # 380 mA of leakage for 20 s at the market: an alarm, its level in the detector, its state checkpointed.
    samples = [{"device": "SN-site_market", "channel": "residual_ma", "ts": now - 20 + i, "value": 380.0}
               for i in range(21)]
    r = client.post("/api/v1/ingest", json={"batch_id": "leak", "samples": samples},
                    headers=bearer(world.gateway_keys["site_market"]))
    assert r.status_code == 200 and r.json()["accepted"] == 21, r.text
    client.blocking_portal.call(ctx.db.write, pipeline.checkpoint)
    table = pipeline.detector.table
    entry = pipeline.registry.by_serial["SN-site_market"]
    slot, other = entry.slots["residual_ma"], pipeline.registry.by_serial["SN-site_care"].slots["residual_ma"]
    key = (entry.id, entry.channel_ids["residual_ma"], "leakage")
    saved = table.export(slot)
    assert key in pipeline.alarms.book.active
    assert table.desired[CAUSES.index("leakage"), slot] == RANK["alarm"]

    # Meanwhile another worker judged both sites: what this one holds in memory is stale.
    for s in (slot, other):
        table.state["last_ts"][s] = 1.0
    table.desired[:, slot] = 0
    pipeline.alarms.book.remove(key)

    taken = client.blocking_portal.call(
        ctx.db.write, lambda conn: pipeline.take_over(conn, (PARTITIONS, frozenset({part_of(market)}))))
    assert taken == len(entry.slots)  # the market's channels, not the others
    assert _same(table.export(slot), saved)
    assert key in pipeline.alarms.book.active
    assert table.desired[CAUSES.index("leakage"), slot] == RANK["alarm"]
    assert table.state["last_ts"][other] == 1.0  # not taken over: left alone


def test_readings_a_gained_site_sends_again_are_stored_once(client: TestClient[Any], world: World,
                                                            settings: Settings) -> None:
    """What this worker stored for a site before it lost it is older than what the site's next owner stored since:
    taken back, a reading sent again (under a new batch id, as a box re-forwards) is looked up, not appended."""
    ctx = client.app.state["andian"]
    market = world.sites["site_market"]
    channel = world.channels["site_market"]
    key = bearer(world.gateway_keys["site_market"])
    now = ctx.clock()

    def send(batch_id: str, times: list[float]) -> None:
        samples = [{"device": "SN-site_market", "channel": "residual_ma", "ts": t, "value": 20.0} for t in times]
        r = client.post("/api/v1/ingest", json={"batch_id": batch_id, "samples": samples}, headers=key)
        assert r.status_code == 200 and r.json()["accepted"] == len(times), r.text

    send("before", [now - 100, now - 90])
    with backends.connect(settings) as conn:  # meanwhile the other worker stored the site's next reading
        readings_sql.insert_readings(conn, np.array([channel]), np.array([now - 50]), np.array([20.0]))
    client.blocking_portal.call(ctx.db.write, lambda conn: ctx.pipeline.take_over(
        conn, (PARTITIONS, frozenset({part_of(market)}))))
    send("again", [now - 50, now - 40])
    with backends.connect(settings) as conn:
        ts, _ = readings_sql.range_raw(conn, channel, now - 200, now)
    assert ts.tolist() == [now - 100, now - 90, now - 50, now - 40]

"""Group commit: several senders' batches stored in one transaction and detected in one pass
(``service.ingest_many``, what the GB/T 26875.3 receiver does with the frames of all its connections), each batch
answered as if it had come alone."""

from __future__ import annotations

import json
from typing import Any

from litestar.testing import TestClient

from server.ingest import service
from server.ingest.admit import Access
from server.ingest.wire import IngestResult, ParsedBatch, parse_batch

from .conftest import T0, World


def _batch(batch_id: str, device: str, residual_ma: float, start: float, seconds: int = 20,
           extra: list[dict[str, Any]] | None = None) -> ParsedBatch:
    samples = [{"device": device, "channel": "residual_ma", "ts": start + i, "value": residual_ma}
               for i in range(seconds)]
    return parse_batch(json.dumps({"batch_id": batch_id, "samples": samples + (extra or [])}).encode())


def _group(client: TestClient[Any], items: list[tuple[Access, ParsedBatch]]) -> list[IngestResult]:
    ctx = client.app.state["andian"]
    return list(client.blocking_portal.call(service.ingest_many, ctx, items))


def _access(world: World, site: str) -> Access:
    return Access(sender=f"gateway:{world.gateways[site]}", site_id=world.sites[site])


def _alarms(client: TestClient[Any], world: World, site: str) -> list[dict[str, Any]]:
    answer = client.get("/api/v1/alarms", params={"site_id": world.sites[site], "active": "true"},
                        headers=world.headers("admin"))
    return [a for a in answer.json() if a["cause"] == "leakage"]


def _readings(client: TestClient[Any], world: World, site: str, start: float, end: float) -> list[float]:
    device = client.get(f"/api/v1/devices/{world.devices[site]}", headers=world.headers("admin")).json()
    channel = next(c["id"] for c in device["channels"] if c["key"] == "residual_ma")
    answer = client.get(f"/api/v1/channels/{channel}/readings", params={"from": start, "to": end},
                        headers=world.headers("admin"))
    return list(answer.json()["value"])


def test_each_batch_of_a_group_is_judged_and_answered_as_if_alone(client: TestClient[Any], world: World) -> None:
    start = T0 - 600
    leaking = _batch("g-1", "SN-site_market", 450.0, start)
    quiet = _batch("g-2", "SN-site_care", 40.0, start,
                   extra=[{"device": "SN-site_market", "channel": "residual_ma", "ts": start, "value": 1.0}])
    market, care = _group(client, [(_access(world, "site_market"), leaking), (_access(world, "site_care"), quiet)])
    assert (market.accepted, market.duplicate, market.rejected) == (20, False, [])
    # The care home's gateway may not feed the market's breaker: that one sample is refused, its own 20 are kept.
    assert care.accepted == 20 and [r.index for r in care.rejected] == [20]
    assert "SN-site_market" in care.rejected[0].error
    assert [a["level"] for a in _alarms(client, world, "site_market")] == ["alarm"]
    assert _alarms(client, world, "site_care") == []
    assert _readings(client, world, "site_market", start, start + 30) == [450.0] * 20
    assert _readings(client, world, "site_care", start, start + 30) == [40.0] * 20


def test_a_batch_twice_in_one_group_is_stored_once(client: TestClient[Any], world: World) -> None:
    start = T0 - 300
    access = _access(world, "site_market")
    batch = _batch("twice", "SN-site_market", 50.0, start, seconds=5)
    first, second = _group(client, [(access, batch), (access, batch)])
    assert (first.accepted, first.duplicate) == (5, False)
    assert (second.accepted, second.duplicate) == (5, True)
    (later,) = _group(client, [(access, batch)])
    assert later.duplicate
    assert _readings(client, world, "site_market", start, start + 10) == [50.0] * 5

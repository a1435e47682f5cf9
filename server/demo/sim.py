"""``andian sim``: a simulated site box on its own — the demo's devices read over the real link, profile and
poller stack, printed as they arrive, and optionally forwarded to a server's ingest with a gateway key."""

from __future__ import annotations

import asyncio
import json
import urllib.request
import uuid

from ble.errors import LinkError
from ble.link import Backends
from ble.poller import Gathered, Poller, Target
from ble.pool import LinkPool
from ble.profiles import profiles
from ble.scanner import scan
from ble.simulator import SimRadio
from server.demo.city import DEMO_DEVICES

__all__ = ["run_sim"]


def _post(url: str, key: str, gathered: Gathered) -> str:
    body = {"batch_id": str(uuid.uuid4()),
            "samples": [{"device": d, "channel": c, "ts": t, "value": v} for d, c, t, v in gathered.samples],
            "events": [{"device": d, "kind": k, "ts": t, "count": n} for d, k, t, n in gathered.events]}
    request = urllib.request.Request(f"{url.rstrip('/')}/api/v1/ingest", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        answer = json.loads(response.read())
    return f"accepted {answer['accepted']}, rejected {len(answer['rejected'])}"


async def run_sim(seconds: float, interval_s: float, url: str | None, key: str | None) -> int:
    radio = SimRadio()
    for spec in DEMO_DEVICES:
        await radio.add(spec)
    backends = Backends(*radio.backends())
    heard = await scan(backends, 2.0)
    print(f"heard {len(heard)} devices:")
    for found in heard:
        print(f"  {found.address}  {found.rssi:>4} dBm  {found.name:<16} {found.model or '?'}")

    async def sink(gathered: Gathered) -> None:
        for device, channel, _ts, value in gathered.samples:
            print(f"{device:<12} {channel:<13} {value:>10.2f}")
        for device, kind, _ts, count in gathered.events:
            print(f"{device:<12} event {kind} ×{count}")
        if url and key:
            print("→", await asyncio.to_thread(_post, url, key, gathered))

    async def on_fault(target: Target, exc: LinkError) -> None:
        print(f"{target.serial:<12} link fault: {exc}")

    pool = LinkPool(backends)
    poller = Poller(pool, sink, on_fault, flush_s=interval_s)
    poller.set_targets([Target(s.serial, s.address, s.model, interval_s) for s in DEMO_DEVICES
                        if s.model in profiles()])
    task = asyncio.create_task(poller.run())
    try:
        await asyncio.sleep(seconds)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await pool.close()  # our own disconnects: not link faults
        await radio.close()
    print(f"{poller.stats.reads} reads, {poller.stats.failures} failures")
    return 0

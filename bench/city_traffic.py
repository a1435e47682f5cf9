"""The traffic of bench/city.py: a city's sites seeded in SQL, the load process that offers their readings through
HTTP ingest as an integrator's platform does, and the probe sites whose alarms are timed to the message."""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any

import httpx
import psycopg

from server.detection.settings import resolve_settings
from tests.conftest import PASSWORD
from tests.receivers import WebhookReceiver

CADENCE_S = 60.0
KEYS = ("residual_ma", "current_a", "temp_c", "voltage_v")
NORMAL = {"residual_ma": 20.0, "current_a": 10.0, "temp_c": 35.0, "voltage_v": 221.0}
BODY_SITES = 500  # 4,000 samples per body
ALARM = "【报警】"


def seed(url: str, sites: int) -> None:
    """``sites`` sites with two breakers of four channels each, in a few statements."""
    settings = {k: json.dumps(resolve_settings(k, {}, device_rated_a=32)) for k in KEYS}
    with psycopg.connect(url) as conn:
        conn.execute("INSERT INTO regions (code, name, parent, level, path) VALUES "
                     "('430900', '益阳市', NULL, 'city', '/430900/')")
        conn.execute("INSERT INTO sites (name, address, region_code, venue_type, created_at) SELECT '场所' || g, "
                     "'益阳市', '430900', 'market', 0 FROM generate_series(1, %s) g", [sites])
        conn.execute("INSERT INTO devices (site_id, serial, model, kind, name, rated_current_a, poll_interval_s, "
                     "created_at) SELECT s.id, 'C' || s.id || p.part, 'AD-SB63', 'breaker', '断路器' || p.part, 32, "
                     "%s, 0 FROM sites s CROSS JOIN (VALUES ('A'), ('B')) p(part)", [CADENCE_S])
        conn.execute("INSERT INTO channels (device_id, key, settings) SELECT d.id, k.key, k.settings FROM devices d "
                     "CROSS JOIN json_each_text(CAST(%s AS json)) k(key, settings)", [json.dumps(settings)])
        # A finished import: the stamps that let a site box mirror these sites' fields (server/upstream/stamps.py)
        # come in a first pass over every new site, 100 sites per write on the leader, about 10 ms a site here —
        # some 17 minutes of a 10⁵-site city's first day, not part of its steady load. The sites here are left
        # unstamped; none has a box.
        conn.execute("DELETE FROM mirror_dirty")
        conn.execute("ANALYZE")


def login(url: str, name: str) -> str:
    r = httpx.post(f"{url}/api/v1/auth/login", json={"username": name, "password": PASSWORD}, timeout=30)
    assert r.status_code == 200, r.text
    return str(r.json()["token"])


def seed_probes(url: str, hooks: WebhookReceiver, count: int) -> list[tuple[int, str, str]]:
    """``count`` probe sites of one owner who subscribes ``hooks``; answers [(site id, device serial, circuit)]."""
    admin = {"Authorization": f"Bearer {login(url, 'root')}"}
    out = []
    with httpx.Client(base_url=url, timeout=60, headers=admin) as http:
        r = http.post("/api/v1/users", json={"username": "shop", "password": PASSWORD, "role": "owner"})
        assert r.status_code == 201, r.text
        owner = r.json()["id"]
        for n in range(count):
            r = http.post("/api/v1/sites", json={"name": f"探针场所{n}", "address": "赫山区", "region_code": "430900",
                                                 "venue_type": "market", "owner_id": owner})
            assert r.status_code == 201, r.text
            site = r.json()["id"]
            serial, circuit = f"PROBE-{n:03d}", f"探针{n:03d}号"
            r = http.post(f"/api/v1/sites/{site}/devices", json={
                "serial": serial, "model": "AD-SB63", "kind": "breaker", "circuit": circuit,
                "channels": [{"key": "residual_ma"}], "poll_interval_s": 86400})
            assert r.status_code == 201, r.text
            out.append((site, serial, circuit))
    shop = {"Authorization": f"Bearer {login(url, 'shop')}"}
    r = httpx.post(f"{url}/api/v1/me/subscriptions", headers=shop, json={"url": hooks.url("shop")}, timeout=30)
    assert r.status_code == 201, r.text
    return out


def post(urls: list[str], alive: Any, turn: int, http: httpx.Client, body: bytes) -> httpx.Response:
    """To the worker whose turn it is, or the other one if that one is gone (a balancer's health check)."""
    for attempt in range(2 * len(urls) + 2):
        n = (turn + attempt) % len(urls)
        if not alive[n]:
            continue
        try:
            r = http.post(f"{urls[n]}/api/v1/ingest", content=body)
        except httpx.TransportError:
            alive[n] = 0
            continue
        if r.status_code != 503:
            return r
        time.sleep(1.0)  # a partition between owners: the same batch again (same id), as a gateway retries
    raise RuntimeError("no worker took the body")


def load(urls: list[str], token: str, sites: int, stop: Any, alive: Any, counts: Any, clients: int) -> None:
    """Offer each site's eight readings once per CADENCE_S until ``stop``; ``counts``: [offered, accepted,
    failed bodies, readings in bodies that waited behind schedule]."""
    per_second = sites / CADENCE_S
    lock = threading.Lock()
    clock: dict[str, Any] = {"next": 0, "turn": 0, "start": time.time()}

    def body(first: int, last: int, ts: float) -> bytes:
        samples = ",".join(
            f'{{"device":"C{s}{part}","channel":"{k}","ts":{ts:.3f},"value":{v + (s % 7) * 0.1:.1f}}}'
            for s in range(first, last) for part in "AB" for k, v in NORMAL.items())
        return b'{"batch_id":"%s","samples":[%s]}' % (uuid.uuid4().hex.encode(), samples.encode())

    def client() -> None:
        with httpx.Client(headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                          timeout=120) as http:
            while not stop.is_set():
                with lock:  # the next BODY_SITES sites in order, due when the schedule reaches them
                    first = clock["next"]
                    clock["next"] += BODY_SITES
                    clock["turn"] += 1
                    turn = clock["turn"]
                due = clock["start"] + first / per_second
                if due > time.time():
                    time.sleep(due - time.time())
                site = first % sites + 1
                last = min(site + BODY_SITES, sites + 1)
                n = (last - site) * 8
                with counts.get_lock():
                    counts[0] += n
                    counts[3] += n if time.time() - due > 5 else 0
                try:
                    r = post(urls, alive, turn, http, body(site, last, min(due, time.time())))
                    result = r.json() if r.status_code == 200 else {}
                except (RuntimeError, httpx.HTTPError, ValueError):
                    result = {}
                with counts.get_lock():
                    counts[1] += int(result.get("accepted", 0))
                    counts[2] += int(not result or bool(result.get("rejected")))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


class Probe:
    def __init__(self, urls: list[str], token: str, hooks: WebhookReceiver) -> None:
        self.urls, self.token, self.hooks = urls, token, hooks
        self.sent: list[dict[str, Any]] = []

    def fire(self, site: int, serial: str, circuit: str, worker: int, alive: Any) -> dict[str, Any]:
        now = time.time()
        samples = [{"device": serial, "channel": "residual_ma", "ts": now - 9 + i, "value": 450.0} for i in range(10)]
        body = json.dumps({"batch_id": f"{serial}-high", "samples": samples}).encode()
        with httpx.Client(timeout=120, headers={"Authorization": f"Bearer {self.token}",
                                                 "Content-Type": "application/json"}) as http:
            r = post(self.urls, alive, worker, http, body)
        assert r.status_code == 200 and r.json()["accepted"] == 10, r.text
        p = {"site": site, "circuit": circuit, "t0": time.time(), "sent": now}
        self.sent.append(p)
        return p

    def receipts(self) -> dict[str, list[float]]:
        out: dict[str, list[float]] = {}
        for hook in self.hooks.accepted():
            if hook.title.startswith(ALARM):
                circuit = next((p["circuit"] for p in self.sent if f" {p['circuit']} " in hook.title), None)
                if circuit is not None:
                    out.setdefault(circuit, []).append(hook.at)
        return out

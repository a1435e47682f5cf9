"""What the box ↔ cloud outage tests share: a cloud (`andian demo --no-devices` in a subprocess) with a gateway key
for the market stall, a network cable the test can cut, and a day of a breaker's readings with leakage episodes."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from server.demo.city import DEMO_PASSWORD

from . import backends
from .server_process import start_server

STALL = "桃花仑综合市场 12号摊位"
BREAKER = "AD-BRK-0001"
CHANNELS = ("current_a", "residual_ma", "temp_c", "voltage_v")
# Leakage episodes of a recorded day: (hour it starts, minutes it lasts) at 450 mA, above the 300 mA alarm level.
EPISODES = ((3, 3), (9, 5), (15, 2), (21, 4))


@dataclass
class Cloud:
    url: str
    db: Path
    gateway_id: int
    key: str
    site_id: int


@contextlib.contextmanager
def demo_cloud(directory: Path, port: int | None = None) -> Iterator[Cloud]:
    """The demo city as the cloud, with a gateway key issued for the market stall."""
    with (directory / "cloud.log").open("a") as log:
        process, url = start_server(directory / "cloud.db", log, command="demo", args=("--no-devices",), port=port)
        try:
            with httpx.Client(base_url=url, timeout=60) as http:
                token = http.post("/api/v1/auth/login", json={"username": "admin", "password": DEMO_PASSWORD})
                admin = {"Authorization": f"Bearer {token.json()['token']}"}
                site = next(s for s in http.get("/api/v1/sites", headers=admin).json() if s["name"] == STALL)
                gateways = http.get(f"/api/v1/sites/{site['id']}/gateways", headers=admin).json()
                issued = next((g for g in gateways if g["name"] == "市场配电房网关"), None)
                key = ""
                if issued is None:
                    made = http.post(f"/api/v1/sites/{site['id']}/gateways", json={"name": "市场配电房网关"},
                                     headers=admin)
                    assert made.status_code == 201, made.text
                    issued, key = made.json(), made.json()["api_key"]
            yield Cloud(url, directory / "cloud.db", issued["id"], key, site["id"])
        finally:
            process.terminate()
            process.wait(timeout=15)


def recorded_day(start: float, every_s: float = 10.0, batch_s: float = 600.0) -> Iterator[tuple[float, dict[str, Any]]]:
    """A day of the breaker's readings as ingest bodies of ``batch_s`` each: (the time the batch is sent, its body).
    Residual current sits at 110 mA except during EPISODES."""
    episodes = [(start + h * 3600, start + h * 3600 + m * 60) for h, m in EPISODES]
    t = start
    while t < start + 86400:
        samples = []
        end = min(t + batch_s, start + 86400)
        while t < end:
            leaking = any(a <= t < b for a, b in episodes)
            values = {"current_a": 8.0 + (t % 3600) / 1800, "residual_ma": 450.0 if leaking else 110.0,
                      "temp_c": 35.0, "voltage_v": 221.0}
            samples += [{"device": BREAKER, "channel": k, "ts": t, "value": values[k]} for k in CHANNELS]
            t += every_s
        yield t, {"batch_id": f"day-{start}-{t}", "samples": samples}


def count(db: Path, sql: str, params: tuple[Any, ...] = ()) -> Any:
    """One value from a server's database (the SQLite file ``db`` or the PostgreSQL database standing for it), read
    while the server runs (SQLite's WAL and PostgreSQL's MVCC: readers never block the writer)."""
    return backends.rows(db, sql, params)[0][0]


def rows(db: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in backends.rows(db, sql, params)]

"""Issue 18: the demo has weeks of history on day one (server/demo/history.py) — last month's report scores data,
the trends have a point a day, past alarms made hazards that were rectified and closed, and the supermarket's
freezer circuit, slowly leaking more, has the leakage-trend pre-alarm; and `andian demo` on a port in use says so,
naming --port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from litestar.testing import TestClient

from server.demo.city import DEMO_PASSWORD, seed_demo
from server.web.app import create_app

from . import backends
from .conftest import bearer, login

ROOT = Path(__file__).parent.parent
STALL = "桃花仑综合市场 12号摊位"
SUPERMARKET = "惠民超市 赫山店"


def _last_month(now: float, tz: str) -> str:
    local = datetime.fromtimestamp(now, ZoneInfo(tz))
    return f"{local.year - 1}-12" if local.month == 1 else f"{local.year}-{local.month - 1:02d}"


def test_the_demo_has_weeks_of_history(tmp_path: Path) -> None:
    settings = backends.settings(tmp_path / "demo.db", static_dir=tmp_path / "static")
    with TestClient(create_app(settings, notify=False)) as client:
        ctx = client.app.state["andian"]
        started = time.perf_counter()
        assert client.blocking_portal.call(seed_demo, ctx)
        seeded = time.perf_counter() - started
        owner = bearer(login(client, "owner", DEMO_PASSWORD))
        operator = bearer(login(client, "operator", DEMO_PASSWORD))
        sites = {s["name"]: s for s in client.get("/api/v1/sites", headers=operator).json()}
        site, shop = sites[STALL], sites[SUPERMARKET]

        last = client.get(f"/api/v1/sites/{site['id']}/report",
                          params={"period": _last_month(time.time(), settings.timezone)}, headers=owner)
        assert last.status_code == 200, last.text
        report = last.json()
        factors = {f["key"]: f for f in report["factors"]}
        assert factors["online"]["value"] is not None  # devices were watched: a score from data, not from nothing
        assert report["trends"] and all(len(t["day"]) >= 3 for t in report["trends"])
        for trend in report["trends"]:
            low, high = (60, 300) if trend["unit"] == "mA" else (25, 70)  # leakage; terminal temperatures
            assert trend["day"] == sorted(trend["day"]) and low < max(trend["value"]) < high

        now = client.get(f"/api/v1/sites/{site['id']}/report", headers=owner).json()
        days = {d for t in report["trends"] + now["trends"] for d in t["day"]}
        assert len(days) >= 30  # five weeks of daily maxima over the two months
        causes = {c["cause"] for r in (report, now) for c in r["alarms_by_cause"]}
        assert "leakage" in causes
        assert not client.get("/api/v1/alarms", params={"site_id": site["id"], "active": True},
                              headers=owner).json()  # the past is over: the stall starts quiet

        # the freezer circuit's leakage trend: rising, and an active pre-alarm the detector raised from it
        freezer = client.get(f"/api/v1/sites/{shop['id']}/report", headers=operator).json()
        [leak] = [t for t in freezer["trends"] if t["key"] == "residual_ma"]
        assert leak["place"] == "冷柜回路" and leak["value"][-1] > leak["value"][0]
        alarms = client.get("/api/v1/alarms", params={"site_id": shop["id"], "active": True}, headers=operator).json()
        [trend_alarm] = [a for a in alarms if a["cause"] == "leakage_trend"]
        assert trend_alarm["level"] == "prealarm" and trend_alarm["started_at"] < time.time() - 3600
        assert 150 < trend_alarm["peak"] < 240  # below the pre-alarm threshold: only the trend says it is coming

        hazards = client.get("/api/v1/hazards", headers=operator).json()
        items = hazards["items"] if isinstance(hazards, dict) else hazards
        assert {h["state"] for h in items} >= {"closed", "assigned"}
        assert any(h["rectified_at"] and h["closed_at"] for h in items)
    assert seeded < 15  # bulk and vectorised; measured ~1 s of extra start on an idle machine


def test_demo_on_a_port_in_use_names_port(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "server.cli", "demo", "--db", backends.database(tmp_path / "demo.db"),
             "--port", str(port), "--no-devices"], cwd=ROOT, capture_output=True, text=True, timeout=60,
            env={**os.environ, **backends.server_env(tmp_path / "demo.db")})
    assert result.returncode == 2
    assert f"端口 {port} 已被占用" in result.stderr and "--port" in result.stderr
    assert f"port {port} is already in use" in result.stderr
    assert "andian demo —" not in result.stdout  # no banner with a URL that does not answer
    assert not (tmp_path / "demo.db").exists()  # nothing was made

"""Done-when 2 of issue 6: the health-check report's score and grade are deterministic for a fixed data set (every
factor checked against a count made here), and the PDF carries the Chinese site name (pdftotext) and renders
(pdftoppm)."""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from litestar.testing import TestClient

from . import backends
from .conftest import T0, World

NAME = "桃花仑综合市场 12号摊位"
ZONE = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int = 0) -> float:
    return datetime(2025, 11, day, hour, tzinfo=ZONE).timestamp()


@pytest.fixture
def month(client: TestClient[Any], world: World) -> int:
    """November 2025 at site_market, up to the clock's now (the 23rd, 08:00 local)."""
    site = world.sites["site_market"]
    device = world.devices["site_market"]
    with backends.connect(client.app.state["andian"].settings) as conn:
        conn.execute("UPDATE sites SET name = ? WHERE id = ?", [NAME, site])
        conn.execute("UPDATE devices SET created_at = ? WHERE id = ?", [at(1), device])
        channel = conn.execute("SELECT id FROM channels WHERE device_id = ? AND key = 'residual_ma'",
                               [device]).fetchone()[0]
        # alarms: two leakage and one arc (level alarm), three pre-alarms, one 12-hour offline spell
        rows = [("leakage", "alarm", at(3, 2)), ("leakage", "alarm", at(9, 3)), ("arc", "alarm", at(15, 21)),
                ("leakage", "prealarm", at(2, 10)), ("leakage", "prealarm", at(8, 11)),
                ("overtemp", "prealarm", at(20, 14))]
        for cause, level, start in rows:
            conn.execute("INSERT INTO alarms (site_id, device_id, channel_id, cause, level, started_at, cleared_at) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)", [site, device, channel, cause, level, start, start + 600])
        conn.execute("INSERT INTO alarms (site_id, device_id, cause, level, started_at, cleared_at) VALUES "
                     "(?, ?, 'offline', 'offline', ?, ?)", [site, device, at(10, 0), at(10, 12)])
        # hazards: a major one still assigned and overdue; a general one rectified in 10 days and closed
        conn.execute("INSERT INTO hazards (site_id, title, severity, source, state, due_at, created_at, updated_at) "
                     "VALUES (?, '插座面板烧蚀', 'major', 'inspection', 'assigned', ?, ?, ?)",
                     [site, at(8), at(5), at(5)])
        conn.execute("INSERT INTO hazards (site_id, title, severity, source, state, due_at, created_at, "
                     "updated_at, rectified_at, closed_at) VALUES (?, '电动车楼道充电', 'general', 'inspection', "
                     "'closed', ?, ?, ?, ?, ?)", [site, at(9), at(2), at(13), at(12), at(13)])
        # a week of daily leakage maxima, from the hourly aggregates
        conn.executemany("INSERT INTO readings_hour (channel_id, start, n, vmin, vmax, vsum) "
                         "VALUES (?, ?, 60, ?, ?, ?)",
                         [(channel, int(at(d, 12)), 100.0, 150.0 + d * 5, 7200.0) for d in range(14, 21)])
    return site


def test_score_and_grade_are_deterministic(client: TestClient[Any], world: World, month: int) -> None:
    r = client.get(f"/api/v1/sites/{month}/report", params={"period": "2025-11"}, headers=world.headers("owner_1"))
    assert r.status_code == 200, r.text
    report = r.json()
    hours = (T0 - at(1)) / 3600  # 536 hours of the month so far
    online = 1 - 12 / hours
    expected_points = {
        "alarms": 4 * 2 + 6 * 1,  # two leakage alarms, one arc
        "prealarms": 3,
        "online": round((0.99 - online) * 100, 2),
        "open_hazards": 8,  # one major
        "overdue": 2,
        "capabilities": 10,  # a market needs arc extinguishing; nothing commissioned
        "rectification": 5,  # 10 days on average
    }
    assert {f["key"]: f["points"] for f in report["factors"]} == expected_points
    assert report["score"] == round(100 - sum(expected_points.values())) == 57
    assert report["grade"] == "D"
    assert report["online_rate"] == round(online, 4)
    assert report["alarms_total"] == 7
    assert report["alarms_by_hour"][2] == 1 and report["alarms_by_hour"][3] == 1 and report["alarms_by_hour"][21] == 1
    assert {c["cause"]: (c["alarm"], c["prealarm"], c["offline"]) for c in report["alarms_by_cause"]} == {
        "leakage": (2, 2, 0), "arc": (1, 0, 0), "overtemp": (0, 1, 0), "offline": (0, 0, 1)}
    [trend] = report["trends"]
    assert trend["key"] == "residual_ma" and trend["value"] == [150.0 + d * 5 for d in range(14, 21)]
    hazards = report["hazards"]
    assert (hazards["found"], hazards["rectified"], hazards["open"], hazards["overdue"]) == (2, 1, 1, 1)
    assert hazards["mean_days_to_rectify"] == 10.0
    assert len(report["recommendations"]) == 7 and "灭弧保护" in report["recommendations"][5]
    again = client.get(f"/api/v1/sites/{month}/report", params={"period": "2025-11"},
                       headers=world.headers("operator_a")).json()
    assert (again["score"], again["grade"], again["factors"]) == (report["score"], report["grade"], report["factors"])


def test_pdf_has_the_chinese_name_and_renders(client: TestClient[Any], world: World, month: int,
                                              tmp_path: Path) -> None:
    r = client.get(f"/api/v1/sites/{month}/report", params={"period": "2025-11", "format": "pdf"},
                   headers=world.headers("owner_1"))
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(r.content)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True,
                          text=True).stdout
    assert NAME in text and "电气火灾安全体检报告" in text and "安全评分 57" in text
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True)
    [png] = list(tmp_path.glob("page*.png"))
    data = png.read_bytes()
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and abs(width - 413) <= 1 and abs(height - 585) <= 1  # A4, 50 dpi
    assert len(data) > 5000, "the page rendered blank"


def test_html_and_english(client: TestClient[Any], world: World, month: int) -> None:
    r = client.get(f"/api/v1/sites/{month}/report", params={"period": "2025-11", "format": "html"},
                   headers=world.headers("owner_1"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert NAME in r.text and "<svg" in r.text and ">D<" in r.text
    en = client.get(f"/api/v1/sites/{month}/report", params={"period": "2025-11", "lang": "en"},
                    headers=world.headers("owner_1")).json()
    assert en["factors"][0]["name"] == "Alarms" and en["score"] == 57


def test_periods_and_scope(client: TestClient[Any], world: World) -> None:
    site = world.sites["site_market"]
    for period, words in (("2025-13", "not a month"), ("2026-01", "has not begun")):
        r = client.get(f"/api/v1/sites/{site}/report", params={"period": period}, headers=world.headers("owner_1"))
        assert r.status_code == 400 and r.json()["extra"] == {"field": "period"} and words in r.json()["detail"]
    assert client.get(f"/api/v1/sites/{site}/report", headers=world.headers("owner_2")).status_code == 404
    quiet = client.get(f"/api/v1/sites/{site}/report", headers=world.headers("owner_1")).json()
    assert quiet["period"] == "2025-11" and quiet["recommendations"]

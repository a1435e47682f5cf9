"""Issue 18, reports: a site missing a capability its venue type requires gets at best B and is told why; the score
rows read the same in JSON, HTML and PDF ("—" for nothing measured, "0" for no points, never "−0"); the PDF draws the
trend (also for a single day) with the channel in words; the PDF's tables do not overlap (pdftotext's word boxes)."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from litestar.testing import TestClient
from PIL import Image

from server.reports.score import Facts, score
from server.stats.capabilities import installed_capabilities, missing_capabilities

from . import backends
from .conftest import World
from .test_reports import at, month  # noqa: F401  (the November fixture of test_reports)

LONG_TITLE = "配电箱内接线端子严重氧化发热，绝缘层老化开裂，存在短路起火风险，须立即更换端子和线缆并复查整条回路"
PALETTE_BLUE = (0x00, 0x72, 0xB2)  # server/reports/charts.py PALETTE[0]: the first trend line


def _get(client: TestClient[Any], world: World, site: int, **params: str) -> Any:
    r = client.get(f"/api/v1/sites/{site}/report", params={"period": "2025-11", **params},
                   headers=world.headers("admin"))
    assert r.status_code == 200, r.text
    return r


def _pdf(client: TestClient[Any], world: World, site: int, tmp_path: Path, lang: str = "zh-CN") -> Path:
    path = tmp_path / f"report-{lang}.pdf"
    path.write_bytes(_get(client, world, site, format="pdf", lang=lang).content)
    return path


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True,
                          text=True).stdout


def test_the_grade_rule_caps_a_site_that_lacks_a_required_capability() -> None:
    perfect = Facts(alarms_by_cause={}, prealarms=0, devices=1, online_rate=1.0, open_major=0, open_general=0,
                    overdue=0)
    assert (score(perfect).grade, score(perfect).capped) == ("A", False)
    lacking = score(Facts(**{**perfect.__dict__, "missing_capabilities": ["arc_detection"]}))
    assert (lacking.score, lacking.grade, lacking.capped) == (90, "B", True)
    worse = score(Facts(**{**perfect.__dict__, "missing_capabilities": ["arc_detection"], "prealarms": 20}))
    assert (worse.grade, worse.capped) == ("B", False)  # already below the cap: the score decides
    # the rule is the statistics' compliance rule: commissioned capabilities ⊇ required
    breaker_only = installed_capabilities([("breaker", ["residual_ma", "current_a"])])
    assert missing_capabilities(["arc_detection"], breaker_only) == ["arc_detection"]
    with_arc_detector = installed_capabilities([("breaker", ["current_a"]), ("arc", ["arc"])])
    assert missing_capabilities(["arc_detection"], with_arc_detector) == []


def test_a_care_home_without_fault_arc_detection_gets_b_and_the_report_says_why(client: TestClient[Any],
                                                                               world: World) -> None:
    site = world.sites["site_care"]  # elderly care: fault-arc detection required; a breaker without arc channel
    report = _get(client, world, site).json()
    assert report["score"] == 90 and report["grade"] == "B"
    assert report["missing_capabilities"] == ["故障电弧探测"]
    assert report["grade_note"] == "缺少 故障电弧探测，等级最高为 B"
    en = _get(client, world, site, lang="en").json()
    assert en["grade_note"] == "Fault-arc detection missing: the grade is at best B"
    html = _get(client, world, site, format="html").text
    assert "缺少 故障电弧探测，等级最高为 B" in html

    # a commissioned fault-arc detector makes it compliant: nothing is missing, the score decides (A)
    r = client.post(f"/api/v1/sites/{site}/devices", headers=world.headers("admin"), json={
        "serial": "SN-care-arc", "model": "AD-AF1", "kind": "arc", "rated_current_a": 16,
        "channels": [{"key": "current_a"}, {"key": "arc"}]})
    assert r.status_code == 201, r.text
    with backends.connect(client.app.state["andian"].settings) as conn:
        conn.execute("UPDATE devices SET state = 'commissioned' WHERE id = ?", [r.json()["id"]])
    report = _get(client, world, site).json()
    assert (report["grade"], report["missing_capabilities"], report["grade_note"]) == ("A", [], None)
    assert report["score"] == 100


def test_score_rows_follow_one_rule_in_json_html_and_pdf(client: TestClient[Any], world: World,
                                                        tmp_path: Path) -> None:
    site = world.sites["site_care"]  # nothing rectified this month; one factor with points (capabilities)
    report = _get(client, world, site).json()
    rows = {f["key"]: f for f in report["factors"]}
    assert rows["rectification"]["value"] is None and rows["rectification"]["points"] == 0
    assert report["hazards"]["mean_days_to_rectify"] is None
    html = _get(client, world, site, format="html").text
    assert "<td>平均整改用时</td><td>—</td><td>0</td>" in html
    assert "<td>缺少的必配能力</td><td>缺 1 项</td><td>−10</td>" in html
    assert "平均整改用时 —" in html
    text = _text(_pdf(client, world, site, tmp_path)).replace(" ", "")  # pdftotext drops spaces beside CJK
    assert not re.search(r"[-−]0(?![.\d])|(?<![\d.])0天|（天）", text)
    assert "缺1项" in text and "−10" in text and "平均整改用时—" in text


def test_pdf_draws_the_trend_of_a_single_day_with_the_channel_in_words(client: TestClient[Any], world: World,
                                                                      tmp_path: Path) -> None:
    site = world.sites["site_market"]
    channel = world.channels["site_market"]  # residual_ma of "SN-site_market"
    pdf = _pdf(client, world, site, tmp_path)
    blank = _blue_pixels(pdf, tmp_path / "blank")
    with backends.connect(client.app.state["andian"].settings) as conn:
        conn.execute("UPDATE devices SET circuit = '插座回路' WHERE id = ?", [world.devices["site_market"]])
        conn.execute("INSERT INTO readings_hour (channel_id, start, n, vmin, vmax, vsum) VALUES (?, ?, 60, 90, 180, "
                     "6000)", [channel, int(at(22, 9))])  # one day of data: the demo's first day
    pdf = _pdf(client, world, site, tmp_path)
    assert _blue_pixels(pdf, tmp_path / "one-day") > blank + 8, "the single day's mark is not drawn"
    text = _text(pdf)
    assert "插座回路 · 剩余电流 (mA)" in text and "residual_ma" not in text
    assert "Socket" not in text and "插座回路 · Residual current (mA)" in _text(_pdf(client, world, site, tmp_path,
                                                                                     "en"))
    with backends.connect(client.app.state["andian"].settings) as conn:
        conn.executemany("INSERT INTO readings_hour (channel_id, start, n, vmin, vmax, vsum) VALUES (?, ?, 60, 90, ?, "
                         "6000)", [(channel, int(at(d, 9)), 150.0 + 5 * d) for d in range(5, 21)])
    assert _blue_pixels(_pdf(client, world, site, tmp_path), tmp_path / "weeks") > blank + 200, "no trend line"


def _blue_pixels(pdf: Path, prefix: Path) -> int:
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(prefix)], check=True)
    count = 0
    for png in prefix.parent.glob(prefix.name + "*.png"):
        with Image.open(png) as image:
            pixels = np.asarray(image.convert("RGB"), dtype=np.int16)
        count += int((np.abs(pixels - np.array(PALETTE_BLUE)) < 40).all(axis=2).sum())
    return count


@pytest.mark.usefixtures("month")
def test_pdf_tables_wrap_long_titles_without_overlap(client: TestClient[Any], world: World, tmp_path: Path) -> None:
    site = world.sites["site_market"]
    with backends.connect(client.app.state["andian"].settings) as conn:
        conn.execute("INSERT INTO hazards (site_id, title, severity, source, state, due_at, created_at, updated_at) "
                     "VALUES (?, ?, 'major', 'inspection', 'open', ?, ?, ?)", [site, LONG_TITLE, at(28), at(6), at(6)])
    pdf = _pdf(client, world, site, tmp_path)
    layout = subprocess.run(["pdftotext", "-bbox", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True,
                            text=True).stdout
    root = ET.fromstring(layout.replace('xmlns="http://www.w3.org/1999/xhtml"', ""))
    pages = root.findall(".//page")
    words = 0
    for page in pages:
        boxes = [(float(w.get("xMin", 0)), float(w.get("yMin", 0)), float(w.get("xMax", 0)), float(w.get("yMax", 0)),
                  w.text or "") for w in page.findall(".//word")]
        words += len(boxes)
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                overlap_x = min(a[2], b[2]) - max(a[0], b[0])
                overlap_y = min(a[3], b[3]) - max(a[1], b[1])
                assert overlap_x <= 0.5 or overlap_y <= 0.5, f"{a[4]!r} overlaps {b[4]!r}"
    assert words > 100
    text = _text(pdf)
    flat = text.replace("\n", "")
    assert LONG_TITLE in flat, "the long title was cut"  # wrapped over lines, never truncated
    assert "级别" in text and "状态" in text and "整改用时" in text  # every column is headed

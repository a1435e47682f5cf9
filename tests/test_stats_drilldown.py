"""Issue 18, story 5: every number of the regulators' dashboard drills down to its units, scoped exactly as the
coverage figures; the month-over-month trend, the district ranking, the 0/0 rule, and exports to Excel and CSV
(the .xlsx opened with openpyxl, the CSV read back)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
from litestar.testing import TestClient
from openpyxl import load_workbook

from server.storage.connection import Connection

from . import backends
from .conftest import T0, World

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int) -> float:
    return datetime(year, month, day, 12, tzinfo=SHANGHAI).timestamp()


def add_site(conn: Connection, name: str, region: str, venue: str, created: float,
             devices: list[tuple[str, list[str], float | None]]) -> int:
    """A site with commissioned devices (kind, channel keys, when its commissioning completed or None)."""
    site: int = conn.execute("INSERT INTO sites (name, address, region_code, venue_type, created_at) VALUES "
                             "(?, ?, ?, ?, ?) RETURNING id", [name, f"{name}路 1 号", region, venue, created]
                             ).fetchone()[0]
    for n, (kind, keys, completed) in enumerate(devices):
        device = conn.execute("INSERT INTO devices (site_id, serial, model, kind, name, state, created_at) VALUES "
                              "(?, ?, 'AD-SB63', ?, 'x', 'commissioned', ?) RETURNING id",
                              [site, f"{name}-{n}", kind, created]).fetchone()[0]
        conn.executemany("INSERT INTO channels (device_id, key, settings) VALUES (?, ?, '{}')",
                         [(device, k) for k in keys])
        if completed is not None:
            conn.execute("INSERT INTO commissionings (site_id, address, model, device_id, state, steps, created_at, "
                         "completed_at) VALUES (?, 'AA:BB', 'AD-SB63', ?, 'accepted', '[]', ?, ?)",
                         [site, device, completed, completed])
    return site


@pytest.fixture
def city(client: TestClient[Any], world: World) -> dict[str, int]:
    """Besides the world's three sites (devices registered, none commissioned): in 赫山区 a market with an arc
    breaker (arc extinguishing: equipped), a market with a combined detector only (lacks arc extinguishing), a
    mall without devices; in 资阳区 a care home with an arc detector; and hazards, two of them overdue."""
    with backends.connect(client.app.state["andian"].settings) as conn:
        ids = {
            "good_market": add_site(conn, "甲市场", "430903001", "market", at(2025, 8, 1),
                                    [("breaker", ["current_a", "arc"], at(2025, 10, 10))]),
            "half_market": add_site(conn, "乙市场", "430903001001", "market", at(2025, 8, 1),
                                    [("combined", ["residual_ma", "temp_c_1"], None)]),
            "bare_mall": add_site(conn, "丙商场", "430903", "mall", at(2025, 9, 20), []),
            "care_home": add_site(conn, "丁养老院", "430902001", "elderly_care", at(2025, 8, 1),
                                  [("arc", ["arc"], at(2025, 8, 20))]),
        }
        market = world.sites["site_market"]
        for site, state, due_days, created, closed in (
                (ids["half_market"], "assigned", -3, at(2025, 10, 5), None),
                (ids["half_market"], "open", 5, at(2025, 11, 2), None),
                (market, "open", -1, at(2025, 11, 3), None),
                (ids["good_market"], "closed", -30, at(2025, 10, 6), at(2025, 11, 2)),
                (ids["care_home"], "rectified", -2, at(2025, 9, 1), None)):
            conn.execute("INSERT INTO hazards (site_id, title, severity, source, state, due_at, created_at, "
                         "updated_at, closed_at) VALUES (?, 'x', 'general', 'inspection', ?, ?, ?, ?, ?)",
                         [site, state, T0 + due_days * 86400, created, created, closed])
    return {**ids, **world.sites}


def units(client: TestClient[Any], world: World, who: str, **params: Any) -> dict[str, Any]:
    r = client.get("/api/v1/stats/units", params=params, headers=world.headers(who))
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_a_cell_drills_down_to_its_units(client: TestClient[Any], world: World, city: dict[str, int]) -> None:
    coverage = client.get("/api/v1/stats/coverage", headers=world.headers("regulator_fire")).json()
    cell = next(r for r in coverage["rows"] if r["district"] == "430903" and r["sector"] == "commerce")
    got = units(client, world, "regulator_fire", region="430903", sector="commerce")
    assert got["total"] == cell["sites"] == 4
    rows = {r["site_id"]: r for r in got["rows"]}
    assert set(rows) == {city["good_market"], city["half_market"], city["bare_mall"], city["site_market"]}
    assert sum(r["covered"] for r in rows.values()) == cell["covered"] == 2
    assert sum(r["compliant"] for r in rows.values()) == cell["compliant"] == 1
    good, half, bare = rows[city["good_market"]], rows[city["half_market"]], rows[city["bare_mall"]]
    assert (good["compliant"], good["missing"], good["open_hazards"]) == (True, [], 0)
    assert (half["compliant"], half["missing_names"]) == (False, ["灭弧保护"])
    assert (half["open_hazards"], half["overdue_hazards"]) == (2, 1)
    assert (bare["covered"], bare["venue_type_name"], bare["district_name"]) == (False, "商场", "赫山区")
    assert all(r["grade"] in ("A", "B", "C", "D") and 0 <= r["score"] <= 100 for r in rows.values())
    report = client.get(f"/api/v1/sites/{city['half_market']}/report", headers=world.headers("regulator_fire"))
    assert (half["grade"], half["score"]) == (report.json()["grade"], report.json()["score"])
    # The least equipped and the most overdue first.
    assert [r["compliant"] for r in got["rows"]] == [False, False, False, True]
    assert got["rows"][0]["overdue_hazards"] == 1

    # "未按要求配备": the units lacking a capability, as many as the dashboard counts.
    short = units(client, world, "regulator_fire", compliant="false")
    assert short["total"] == coverage["sites"] - coverage["compliant"]
    assert {r["site_id"] for r in short["rows"]} == {city["half_market"], city["bare_mall"], city["site_market"],
                                                    city["site_care"], city["site_hotel"]}
    assert all(r["missing"] and not r["compliant"] for r in short["rows"])
    paged = units(client, world, "regulator_fire", compliant="false", offset=1, limit=2)
    assert [r["site_id"] for r in paged["rows"]] == [r["site_id"] for r in short["rows"][1:3]]
    assert units(client, world, "regulator_fire", venue_type="mall")["total"] == 1


@pytest.mark.parametrize(("who", "params", "expected"), [
    ("regulator_commerce", {}, {"good_market", "half_market", "bare_mall", "site_market"}),
    ("regulator_commerce", {"region": "430902"}, set()),  # beyond the bureau's district: empty
    ("regulator_commerce", {"sector": "civil_affairs"}, set()),  # beyond its sector: empty
    ("regulator_commerce", {"venue_type": "elderly_care"}, set()),
    ("regulator_civil", {}, {"care_home", "site_care"}),
    ("regulator_civil", {"compliant": "true"}, {"care_home"}),
    ("owner_1", {}, {"site_market"}),
    ("regulator_fire", {"region": "430902"}, {"care_home", "site_care"}),
])
def test_units_are_scoped_like_the_coverage(client: TestClient[Any], world: World, city: dict[str, int], who: str,
                                            params: dict[str, str], expected: set[str]) -> None:
    got = units(client, world, who, **params)
    names = {name for name, site in city.items() if site in {r["site_id"] for r in got["rows"]}}
    assert names == expected and got["total"] == len(expected)
    coverage = client.get("/api/v1/stats/coverage", params={k: v for k, v in params.items()
                                                            if k in ("region", "sector")},
                          headers=world.headers(who)).json()
    if "venue_type" not in params and "compliant" not in params:
        assert coverage["sites"] == got["total"]


def test_bad_filters_are_refused_naming_the_field(client: TestClient[Any], world: World) -> None:
    for params, field in (({"venue_type": "castle"}, "venue_type"), ({"region": "999999"}, "region"),
                          ({"sector": "nope"}, "sector"), ({"limit": "0"}, "limit"), ({"compliant": "maybe"},
                                                                                      "compliant")):
        r = client.get("/api/v1/stats/units", params=params, headers=world.headers("regulator_fire"))
        assert r.status_code == 400, (params, r.text)
        assert field in r.text
    r = client.get("/api/v1/stats/districts", params={"by": "luck"}, headers=world.headers("regulator_fire"))
    assert r.status_code == 400 and "by" in r.text
    assert client.get("/api/v1/stats/export/everything", headers=world.headers("admin")).status_code == 404
    r = client.get("/api/v1/stats/export/units", params={"format": "pdf"}, headers=world.headers("admin"))
    assert r.status_code == 400 and "format" in r.text


def test_a_target_without_units_is_not_failing(client: TestClient[Any], world: World, city: dict[str, int]) -> None:
    # The commerce bureau has no high-risk units at all: 0/0 is "无此类单位", neither met nor failing.
    categories = {c["category"]: c for c in client.get(
        "/api/v1/stats/coverage", headers=world.headers("regulator_commerce")).json()["categories"]}
    assert (categories["high_risk"]["sites"], categories["high_risk"]["status"]) == (0, "no_units")
    assert categories["crowded"]["status"] == "met"  # 2 of 4 covered: 50 % meets the 50 % target
    fire = {c["category"]: c for c in client.get(
        "/api/v1/stats/coverage", headers=world.headers("regulator_fire")).json()["categories"]}
    assert fire["all"]["status"] == "not_met" and fire["all"]["sites"] == 7


def test_month_over_month_trend(client: TestClient[Any], world: World, city: dict[str, int]) -> None:
    with backends.connect(client.app.state["andian"].settings) as conn:
        device = conn.execute("SELECT id FROM devices WHERE site_id = ?", [city["half_market"]]).fetchone()[0]
        for when, level, test in ((at(2025, 9, 15), "alarm", 0), (at(2025, 11, 1), "alarm", 0),
                                  (at(2025, 11, 2), "prealarm", 0), (at(2025, 11, 3), "alarm", 1),
                                  (at(2024, 11, 3), "alarm", 0)):  # a self-test and a year ago do not count
            conn.execute("INSERT INTO alarms (site_id, device_id, cause, level, started_at, cleared_at, test) "
                         "VALUES (?, ?, 'leakage', ?, ?, ?, ?)", [city["half_market"], device, level, when, when + 60,
                                                                   test])
    r = client.get("/api/v1/stats/trend", headers=world.headers("regulator_fire"))
    assert r.status_code == 200, r.text
    months = {m["month"]: m for m in r.json()["months"]}
    assert list(months) == ["2024-12", *(f"2025-{m:02d}" for m in range(1, 12))]
    assert (months["2025-09"]["alarms"], months["2025-11"]["alarms"], months["2025-11"]["prealarms"]) == (1, 1, 1)
    assert sum(m["alarms"] for m in months.values()) == 2
    assert [months[m]["hazards_found"] for m in ("2025-09", "2025-10", "2025-11")] == [1, 2, 2]
    assert [months[m]["hazards_closed"] for m in ("2025-10", "2025-11")] == [0, 1]
    # Units registered by each month's end, and those with a device commissioned by then.
    assert [(months[m]["sites"], months[m]["covered"]) for m in ("2025-07", "2025-08", "2025-09", "2025-10",
                                                                  "2025-11")] == [
        (0, 0), (3, 2), (4, 2), (4, 3), (7, 3)]
    assert months["2025-10"]["coverage"] == 0.75
    civil = client.get("/api/v1/stats/trend", params={"months": 3}, headers=world.headers("regulator_civil")).json()
    assert [m["month"] for m in civil["months"]] == ["2025-09", "2025-10", "2025-11"]
    assert all(m["alarms"] == 0 for m in civil["months"]) and civil["months"][0]["hazards_found"] == 1


def test_districts_ranked(client: TestClient[Any], world: World, city: dict[str, int]) -> None:
    r = client.get("/api/v1/stats/districts", headers=world.headers("regulator_fire"))
    assert r.status_code == 200, r.text
    by_coverage = r.json()
    assert [(d["rank"], d["district_name"], d["sites"], d["covered"]) for d in by_coverage] == [
        (1, "沅江市", 1, 0), (2, "赫山区", 4, 2), (3, "资阳区", 2, 1)]
    overdue = client.get("/api/v1/stats/districts", params={"by": "overdue"},
                         headers=world.headers("regulator_fire")).json()
    assert [(d["district"], d["overdue_hazards"], d["open_hazards"]) for d in overdue][:2] == [
        ("430903", 2, 3), ("430902", 0, 1)]  # a rectified hazard waits for verification: not overdue
    commerce = client.get("/api/v1/stats/districts", headers=world.headers("regulator_commerce")).json()
    assert [d["district"] for d in commerce] == ["430903"]


def test_exports_open_in_excel(client: TestClient[Any], world: World, city: dict[str, int]) -> None:
    listed = units(client, world, "regulator_commerce", compliant="false")["rows"]
    r = client.get("/api/v1/stats/export/units", params={"format": "xlsx", "compliant": "false"},
                   headers=world.headers("regulator_commerce"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    disposition = r.headers["content-disposition"]
    assert 'filename="andian-units-2025-11-23.xlsx"' in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "安电_单位清单_2025-11-23.xlsx"
    sheet = load_workbook(io.BytesIO(r.content)).worksheets[0]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert sheet.title == "单位清单" and sheet.freeze_panes == "A2"
    assert values[0][:4] == ["单位名称", "区县", "地址", "场所类型"] and "缺少" in values[0]
    assert [row[0] for row in values[1:]] == [u["name"] for u in listed]
    lacks = values[0].index("缺少")
    assert values[1 + [u["site_id"] for u in listed].index(city["half_market"])][lacks] == "灭弧保护"
    assert {row[values[0].index("按要求配备")] for row in values[1:]} == {"否"}

    coverage = client.get("/api/v1/stats/export/coverage", headers=world.headers("regulator_fire"))
    sheet = load_workbook(io.BytesIO(coverage.content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    rate_col = header.index("接入率") + 1
    rows = client.get("/api/v1/stats/coverage", headers=world.headers("regulator_fire")).json()["rows"]
    assert sheet.max_row == len(rows) + 1
    assert sheet.cell(row=2, column=rate_col).value == rows[0]["coverage"]
    assert sheet.cell(row=2, column=rate_col).number_format == "0.0%"


def test_exports_as_csv_with_a_bom(client: TestClient[Any], world: World, city: dict[str, int]) -> None:
    r = client.get("/api/v1/stats/export/districts", params={"format": "csv", "by": "overdue"},
                   headers=world.headers("regulator_fire"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")  # so Excel reads UTF-8
    assert unquote(r.headers["content-disposition"].split("filename*=UTF-8''")[1]) == "安电_区县排名_2025-11-23.csv"
    table = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    ranked = client.get("/api/v1/stats/districts", params={"by": "overdue"},
                        headers=world.headers("regulator_fire")).json()
    assert table[0][:5] == ["排名", "区县", "单位数", "已接入", "接入率"]
    assert [row[1] for row in table[1:]] == [d["district_name"] for d in ranked]
    assert table[1 + [d["district"] for d in ranked].index("430903")][2:5] == ["4", "2", "50.0%"]

    english = client.get("/api/v1/stats/export/trend", params={"format": "csv", "lang": "en", "months": 2},
                         headers=world.headers("regulator_civil"))
    rows = list(csv.reader(io.StringIO(english.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Month", "Alarms", "Pre-alarms"] and [r[0] for r in rows[1:]] == ["2025-10", "2025-11"]
    assert 'filename="andian-trend-2025-11-23.csv"' in english.headers["content-disposition"]
    # An export is scoped like the table: the civil-affairs bureau's units are care homes only.
    care = client.get("/api/v1/stats/export/units", params={"format": "csv"}, headers=world.headers("regulator_civil"))
    names = [row[0] for row in csv.reader(io.StringIO(care.content.decode("utf-8-sig")))][1:]
    assert sorted(names) == sorted(["丁养老院", "site_care"])

"""Done-when 3 of issue 6: regulator statistics on a generated city of 1,200 sites across every district and
sector equal an independent count made here, for the whole city and within a regulator's scope."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

from litestar.testing import TestClient

from server.settings import Settings

from . import backends
from .conftest import T0, World

ROOT = Path(__file__).parent.parent
SITES = 1200
# Written out here, independently of server/stats/capabilities.py and sectors.toml's lookups.
REQUIRED = {"market": "arc_extinguishing", "mall": "arc_extinguishing", "supermarket": "arc_extinguishing",
            "hotel": "arc_detection", "elderly_care": "arc_detection", "school": "arc_detection",
            "hazardous_chemicals": "combined_detector", "labour_intensive": "combined_detector",
            "rental_housing": "arc_detection", "underground_garage": "combined_detector"}
HIGH_RISK = {"hazardous_chemicals", "labour_intensive", "underground_garage"}
# (kind, channels) → what it gives
DEVICES = [("combined", ["residual_ma", "temp_c_1"], {"combined_detector"}),
           ("arc", ["arc"], {"arc_detection"}),
           ("breaker", ["current_a", "residual_ma", "arc"], {"arc_detection", "arc_extinguishing"}),
           ("breaker", ["current_a", "residual_ma"], set()),
           ("temperature", ["temp_c"], set())]


def _regions() -> dict[str, dict[str, Any]]:
    data = json.loads((ROOT / "server" / "reference" / "regions.json").read_text("utf-8"))["regions"]
    return {r["code"]: r for r in data}


def _district(regions: dict[str, dict[str, Any]], code: str) -> str:
    while regions[code]["level"] != "district":
        code = regions[code]["parent"]
    return code


def _city(db: Settings) -> list[dict[str, Any]]:
    """1,200 sites in random regions below the districts, random venue types; devices, some commissioned."""
    rng = random.Random(6)
    regions = _regions()
    places = [c for c, r in regions.items() if r["level"] in ("district", "street", "grid")]
    city: list[dict[str, Any]] = []
    with backends.connect(db) as conn:
        for n in range(SITES):
            site = {"region": rng.choice(places), "venue": rng.choice(sorted(REQUIRED)), "devices": []}
            site["id"] = conn.execute("INSERT INTO sites (name, address, region_code, venue_type, created_at) "
                                      "VALUES (?, '', ?, ?, ?) RETURNING id",
                                      [f"城市单位{n}", site["region"], site["venue"], T0]).fetchone()[0]
            for d in range(rng.choice([0, 0, 1, 1, 2, 3])):
                kind, channels, gives = rng.choice(DEVICES)
                state = rng.choice(["commissioned", "commissioned", "registered"])
                device = conn.execute("INSERT INTO devices (site_id, serial, model, kind, name, state, created_at) "
                                      "VALUES (?, ?, 'AD-SB63', ?, 'x', ?, ?) RETURNING id",
                                      [site["id"], f"CITY-{n}-{d}", kind, state, T0]).fetchone()[0]
                conn.executemany("INSERT INTO channels (device_id, key, settings) VALUES (?, ?, '{}')",
                                 [(device, k) for k in channels])
                site["devices"].append((state, gives))
            city.append(site)
    return city


def _expected(city: list[dict[str, Any]], regions: dict[str, dict[str, Any]], keep: Any) -> dict[str, Any]:
    rows: dict[tuple[str, str], Counter[str]] = {}
    totals: Counter[str] = Counter()
    for site in (s for s in city if keep(s)):
        covered = any(state == "commissioned" for state, _ in site["devices"])
        compliant = _compliant(site)
        key = (_district(regions, site["region"]), site["venue"])
        rows.setdefault(key, Counter()).update({"sites": 1, "covered": int(covered), "compliant": int(compliant)})
        category = "high_risk" if site["venue"] in HIGH_RISK else "crowded"
        totals.update({"sites": 1, "covered": int(covered), "compliant": int(compliant),
                       f"{category}_sites": 1, f"{category}_covered": int(covered)})
    return {"rows": rows, "totals": totals}


def _compliant(site: dict[str, Any]) -> bool:
    live = [gives for state, gives in site["devices"] if state == "commissioned"]
    return bool(live) and REQUIRED[site["venue"]] in set().union(*live)


def _by_district(rows: dict[tuple[str, str], Counter[str]]) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = {}
    for (district, _), counts in rows.items():
        out.setdefault(district, Counter()).update(counts)
    return out


def test_coverage_and_compliance_equal_an_independent_count(client: TestClient[Any], world: World) -> None:
    city = _city(client.app.state["andian"].settings)
    regions = _regions()

    r = client.get("/api/v1/stats/coverage", headers=world.headers("admin"))
    assert r.status_code == 200, r.text
    got = r.json()
    # The world's three sites (one commissioned-less device each) are in the admin's view too.
    want = _expected(city, regions, lambda s: True)
    assert got["sites"] == SITES + 3
    assert got["covered"] == want["totals"]["covered"]
    assert got["compliant"] == want["totals"]["compliant"]
    districts: dict[str, Counter[str]] = {}
    for row in got["rows"]:
        districts.setdefault(row["district"], Counter()).update(
            {"sites": row["sites"], "covered": row["covered"], "compliant": row["compliant"]})
        assert row["coverage"] == round(row["covered"] / row["sites"], 4)
        assert row["target_met"] == (row["coverage"] >= row["target"])
    world_districts = Counter({"430903": 1, "430902": 1, "430981": 1})  # site_market, site_care, site_hotel
    expected_districts = _by_district(want["rows"])
    assert set(districts) == set(expected_districts) | set(world_districts)
    for district, mine in districts.items():
        counts = expected_districts.get(district, Counter())
        assert mine["sites"] == counts["sites"] + world_districts[district], district
        assert (mine["covered"], mine["compliant"]) == (counts["covered"], counts["compliant"]), district
    categories = {c["category"]: c for c in got["categories"]}
    assert categories["high_risk"]["sites"] == want["totals"]["high_risk_sites"]
    assert categories["high_risk"]["covered"] == want["totals"]["high_risk_covered"]
    assert categories["high_risk"]["target"] == 0.3 and categories["crowded"]["target"] == 0.5
    assert categories["all"]["target"] == 1.0
    short = sorted({s["id"] for s in city} - {s["id"] for s in city if _compliant(s)} | set(world.sites.values()))
    assert got["not_compliant"] == short[:500]

    # The commerce bureau of 赫山区 sees markets, malls and supermarkets in 赫山区 only.
    r = client.get("/api/v1/stats/coverage", headers=world.headers("regulator_commerce"))
    assert r.status_code == 200, r.text
    scoped = r.json()
    want = _expected(city, regions, lambda s: s["venue"] in ("market", "mall", "supermarket")
                     and _district(regions, s["region"]) == "430903")
    assert scoped["sites"] == want["totals"]["sites"] + 1  # + the world's market in 赫山区
    assert scoped["covered"] == want["totals"]["covered"]
    assert {row["sector"] for row in scoped["rows"]} == {"commerce"}
    assert {row["district"] for row in scoped["rows"]} == {"430903"}

    # Filters narrow the admin's view the same way.
    r = client.get("/api/v1/stats/coverage", params={"region": "430902", "sector": "civil_affairs"},
                   headers=world.headers("admin"))
    want = _expected(city, regions,
                     lambda s: s["venue"] == "elderly_care" and _district(regions, s["region"]) == "430902")
    assert r.json()["sites"] == want["totals"]["sites"] + 1  # + the world's care home in 资阳区
    assert r.json()["compliant"] == want["totals"]["compliant"]
    assert client.get("/api/v1/stats/coverage", params={"sector": "nope"},
                      headers=world.headers("admin")).status_code == 400


def test_hazards_hotspots_and_offline_sites(client: TestClient[Any], world: World) -> None:
    db = client.app.state["andian"].settings
    now = T0  # the app's clock: 2025-11-23 08:00 in Shanghai
    market, care = world.sites["site_market"], world.sites["site_care"]
    device = {name: world.devices[name] for name in ("site_market", "site_care")}
    with backends.connect(db) as conn:
        # hazards: (site, state, severity, due in hours) — two overdue
        for site, state, severity, due_h in ((market, "assigned", "major", -5), (market, "open", "general", 24),
                                             (market, "rectified", "general", -1), (care, "assigned", "general", -2),
                                             (care, "closed", "major", -100)):
            conn.execute("INSERT INTO hazards (site_id, title, severity, source, state, due_at, created_at, "
                         "updated_at) VALUES (?, 'x', ?, 'inspection', ?, ?, ?, ?)",
                         [site, severity, state, now + due_h * 3600, now - 86400, now - 86400])
        # alarm-level alarms at local hours 03, 03, 21 in 赫山区 and 03 in 资阳区; a pre-alarm that does not count
        for site, hours_ago, level, cause in ((market, 5, "alarm", "leakage"), (market, 29, "alarm", "arc"),
                                              (market, 11, "alarm", "overtemp"), (care, 5, "alarm", "leakage"),
                                              (care, 6, "prealarm", "leakage")):
            dev = device["site_market" if site == market else "site_care"]
            conn.execute("INSERT INTO alarms (site_id, device_id, cause, level, started_at, cleared_at) "
                         "VALUES (?, ?, ?, ?, ?, ?)", [site, dev, cause, level, now - hours_ago * 3600, now])
        conn.execute("INSERT INTO alarms (site_id, device_id, cause, level, started_at) VALUES (?, ?, 'offline', "
                     "'offline', ?)", [care, device["site_care"], now - 600])

    r = client.get("/api/v1/stats/hazards", headers=world.headers("admin"))
    assert r.status_code == 200, r.text
    assert {h["sector"]: (h["open"], h["overdue"], h["major_open"]) for h in r.json()} == {
        "commerce": (3, 1, 1), "civil_affairs": (1, 1, 0)}
    # The civil-affairs bureau sees care homes only.
    r = client.get("/api/v1/stats/hazards", headers=world.headers("regulator_civil"))
    assert [h["sector"] for h in r.json()] == ["civil_affairs"]

    r = client.get("/api/v1/stats/hotspots", params={"days": 2}, headers=world.headers("regulator_fire"))
    spots = r.json()
    assert spots["district_names"] == ["资阳区", "赫山区"]
    zi, he = spots["counts"]
    assert sum(zi) == 1 and zi[3] == 1
    assert sum(he) == 3 and he[3] == 2 and he[21] == 1

    r = client.get("/api/v1/stats/offline", headers=world.headers("admin"))
    assert [(o["site_id"], o["devices"], o["district_name"]) for o in r.json()] == [(care, 1, "资阳区")]
    assert client.get("/api/v1/stats/offline", headers=world.headers("regulator_commerce")).json() == []

"""The operator's alarm console over HTTP (issue 18, story 4): the alarm list's filters and what each alarm says of
where it is and whom to call, bulk acknowledgement answered per alarm, and the companies' hotlines. The real app on
an injected clock, readings through the real ingest (tests/notify_rig.py).

The world (conftest.World): site_market in 赫山区 and site_hotel in 沅江市 (company A), site_care in 资阳区
(company B)."""

from __future__ import annotations

from typing import Any

from .notify_rig import Rig
from .replay import Site


def alarms(rig: Rig, who: str, **params: Any) -> list[dict[str, Any]]:
    r = rig.client.get("/api/v1/alarms", params=params, headers=rig.world.headers(who))
    assert r.status_code == 200, r.text
    found: list[dict[str, Any]] = r.json()
    return found


def self_test_alarm(rig: Rig, site: Site) -> dict[str, Any]:
    """A leakage alarm raised while the detector injects its test current: a 自检 alarm."""
    now = rig.clock.now
    site.post([{"device": site.serial, "channel": "residual_ma", "ts": now, "value": 100.0}],
              [{"device": site.serial, "kind": "self_test", "ts": now, "count": 1}])
    for i in range(1, 5):
        rig.clock.now = now + 5 * i
        site.post([{"device": site.serial, "channel": "residual_ma", "ts": rig.clock.now, "value": 480.0}])
    found = [a for a in site.alarms(rig.world.headers("admin")) if a["test"]]
    assert len(found) == 1, found
    return found[0]


class City:
    """One leakage alarm at each world site, and a self-test alarm at the market."""

    def __init__(self, rig: Rig) -> None:
        self.devices = {name: rig.device(name) for name in ("site_market", "site_hotel", "site_care")}
        self.alarm = {name: rig.alarm(device)["id"] for name, device in self.devices.items()}
        self.test_alarm = self_test_alarm(rig, rig.device("site_market"))["id"]


def test_the_console_filters_alarms_and_says_where_they_are_and_whom_to_call(rig: Rig) -> None:
    city = City(rig)
    w = rig.world
    # The admin sets company A's hotline; nobody else may, and a bad number is a 400 naming the field.
    path = f"/api/v1/companies/{w.companies['A']}"
    assert rig.client.patch(path, json={"hotline": "0737-110119"}, headers=w.headers("operator_a")).status_code == 403
    bad = rig.client.patch(path, json={"hotline": "call me"}, headers=w.headers("admin"))
    assert bad.status_code == 400 and "hotline" in bad.text
    assert rig.client.patch("/api/v1/companies/999999", json={"hotline": "1"},
                            headers=w.headers("admin")).status_code == 404
    r = rig.client.patch(path, json={"hotline": "0737-110119"}, headers=w.headers("admin"))
    assert r.status_code == 200 and r.json()["hotline"] == "0737-110119", r.text

    # The owner's alarm page reads the site, its district and the hotline with the alarm.
    r = rig.client.get(f"/api/v1/alarms/{city.alarm['site_market']}", headers=w.headers("owner_1"))
    market = r.json()
    assert (market["site_name"], market["district"], market["district_code"]) == ("site_market", "赫山区", "430903")
    assert market["hotline"] == "0737-110119" and market["company_id"] == w.companies["A"]
    assert market["escalations"] == 0 and market["test"] is False

    every = {city.alarm["site_market"], city.alarm["site_hotel"], city.test_alarm}
    assert {a["id"] for a in alarms(rig, "operator_a")} == every  # company A's sites only
    assert {a["id"] for a in alarms(rig, "operator_a", region="430903")} == {city.alarm["site_market"],
                                                                            city.test_alarm}
    assert {a["id"] for a in alarms(rig, "operator_a", test=False, region="430981")} == {city.alarm["site_hotel"]}
    assert {a["id"] for a in alarms(rig, "operator_a", test=True)} == {city.test_alarm}
    assert {a["id"] for a in alarms(rig, "admin", company_id=w.companies["B"])} == {city.alarm["site_care"]}
    # Another company's filter narrows an operator's own sight; it never widens it.
    assert alarms(rig, "operator_a", company_id=w.companies["B"]) == []
    assert {a["id"] for a in alarms(rig, "operator_a", cause=["leakage", "arc"], level="alarm", test=False)} == \
        {city.alarm["site_market"], city.alarm["site_hotel"]}
    assert alarms(rig, "operator_a", cause="overload") == []
    hotel = alarms(rig, "operator_a", region="430981")[0]
    assert hotel["district"] == "沅江市" and hotel["hotline"] == "0737-110119"
    care = alarms(rig, "admin", company_id=w.companies["B"])[0]
    assert care["district"] == "资阳区" and care["hotline"] == ""

    for params, field in (({"region": "湖南"}, "region"), ({"cause": "fire"}, "cause"), ({"level": "red"}, "level"),
                          ({"acknowledged": "maybe"}, "acknowledged"), ({"company_id": 0}, "company_id")):
        r = rig.client.get("/api/v1/alarms", params=params, headers=w.headers("operator_a"))
        assert r.status_code == 400 and field in r.text, (params, r.text)


def test_bulk_acknowledge_answers_per_alarm(rig: Rig) -> None:
    city = City(rig)
    w = rig.world
    market, hotel, care = (city.alarm[s] for s in ("site_market", "site_hotel", "site_care"))
    assert {a["id"] for a in alarms(rig, "operator_a", acknowledged=False)} == {market, hotel, city.test_alarm}
    r = rig.client.post(f"/api/v1/alarms/{hotel}/ack", json={"note": "值班员已电话联系"}, headers=w.headers("admin"))
    assert r.status_code == 200, r.text

    for who in ("regulator_fire", "inspector_heshan"):
        r = rig.client.post("/api/v1/alarms/ack", json={"alarm_ids": [market]}, headers=w.headers(who))
        assert r.status_code == 403, (who, r.text)
    r = rig.client.post("/api/v1/alarms/ack", json={"alarm_ids": []}, headers=w.headers("operator_a"))
    assert r.status_code == 400 and "alarm_ids" in r.text

    r = rig.client.post("/api/v1/alarms/ack", json={"alarm_ids": [market, care, hotel, 999999, market,
                                                                   city.test_alarm],
                                                    "note": "已派电工前往"}, headers=w.headers("operator_a"))
    assert r.status_code == 200, r.text
    answer = r.json()
    assert [(x["alarm_id"], x["result"], x["status_code"]) for x in answer["results"]] == [
        (market, "acknowledged", 200), (care, "not_found", 404), (hotel, "already", 409),
        (999999, "not_found", 404), (city.test_alarm, "acknowledged", 200)]
    assert answer["acknowledged"] == 2
    # The good ones were acknowledged with the note; the other company's alarm was left alone.
    acked = {a["id"]: a for a in alarms(rig, "admin", acknowledged=True)}
    assert set(acked) == {market, hotel, city.test_alarm}
    assert acked[market]["ack_note"] == "已派电工前往" and acked[hotel]["ack_note"] == "值班员已电话联系"
    assert [a["id"] for a in alarms(rig, "admin", acknowledged=False)] == [care]

"""The installer's refusals and evidence (USER_STORIES 2): threshold refusals with their range as data, the site's
circuits as a pick-list, name and circuit required, photos on the checklist items that ask for them, and a drawn
signature that must be an image the signer uploaded — through the real app as a site box, against pymodbus's own
server for the wired device."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from .acceptance_helpers import PHOTO, SIGNATURE, answers, upload
from .conftest import World
from .modbus_rig import Unit, peer

JSON = dict[str, Any]
PDF = b"%PDF-1.4 a scanned form, not a drawn signature"


def test_a_setting_out_of_range_says_its_range_as_data(client: TestClient[Any], world: World) -> None:
    """PATCH /channels: the English detail names the field (API.md); extra carries what the PWA says in zh-CN."""
    admin = world.headers("admin")
    site = world.sites["site_market"]
    r = client.post(f"/api/v1/sites/{site}/devices", headers=admin, json={
        "serial": "BRK-7", "model": "AD-SB63", "kind": "breaker", "rated_current_a": 32, "circuit": "照明回路",
        "channels": [{"key": "current_a"}, {"key": "residual_ma"}]})
    assert r.status_code == 201, r.text
    current, residual = (c["id"] for c in r.json()["channels"])
    r = client.patch(f"/api/v1/channels/{current}", headers=admin, json={"settings": {"alarm": 60}})
    assert r.status_code == 400 and r.json()["detail"].startswith("settings.alarm: 60 is outside"), r.text
    assert r.json()["extra"] == {
        "field": "settings.alarm", "code": "out_of_range", "channel": "current_a", "setting": "alarm", "value": 60,
        "min": 25.6, "max": 46.4, "min_open": False, "max_open": False, "unit": "A", "basis": "rated_multiple",
        "source": "0.8–1.45 × In (GB/T 10963.1 conventional tripping current 1.45 In)"}
    # A pre-alarm must stay below the alarm: an open bound, and the alarm's own value as the top.
    extra = client.patch(f"/api/v1/channels/{residual}", headers=admin,
                         json={"settings": {"prealarm": 300}}).json()["extra"]
    assert (extra["code"], extra["min"], extra["max"], extra["max_open"], extra["basis"]) == (
        "out_of_range", 0, 300, True, "below_alarm")
    for settings, code in (({"alarm": "high"}, "not_number"), ({"rated_a": 20}, "not_applicable")):
        r = client.patch(f"/api/v1/channels/{residual}", headers=admin, json={"settings": settings})
        assert r.status_code == 400 and r.json()["extra"]["code"] == code, r.text
    # Registering with a bad setting: the same extra under the list's path.
    r = client.post(f"/api/v1/sites/{site}/devices", headers=admin, json={
        "serial": "RCD-8", "model": "x", "kind": "residual", "channels": [{"key": "residual_ma",
                                                                           "settings": {"alarm": 2000}}]})
    extra = r.json()["extra"]
    assert r.status_code == 400 and extra["field"] == "channels[0].settings.alarm"
    assert (extra["min"], extra["max"], extra["unit"], extra["basis"]) == (20, 1000, "mA", "residual_standard")


def test_the_sites_circuits_are_a_pick_list(client: TestClient[Any], world: World) -> None:
    admin = world.headers("admin")
    site = world.sites["site_market"]
    for serial, circuit in (("A-1", "插座回路"), ("A-2", " 插座回路 "), ("A-3", "照明回路"), ("A-4", "")):
        r = client.post(f"/api/v1/sites/{site}/devices", headers=admin, json={
            "serial": serial, "model": "x", "kind": "residual", "circuit": circuit,
            "channels": [{"key": "residual_ma"}]})
        assert r.status_code == 201, r.text
    r = client.get(f"/api/v1/sites/{site}/circuits", headers=world.headers("installer_a"))
    assert r.status_code == 200 and r.json() == [{"name": "插座回路", "devices": 2}, {"name": "照明回路", "devices": 1}]
    # Another company's site is not there for this installer.
    r = client.get(f"/api/v1/sites/{world.sites['site_care']}/circuits", headers=world.headers("installer_a"))
    assert r.status_code == 404


def _step(box: TestClient[Any], who: dict[str, str], cid: int, step: str, body: JSON | None = None) -> Any:
    return box.post(f"/api/v1/commissioning/{cid}/steps/{step}", headers=who, json=body or {})


def test_a_wired_acceptance_needs_its_evidence(box: TestClient[Any], box_world: World) -> None:
    world = box_world
    site = world.sites["site_market"]
    installer = world.headers("installer_a")
    with peer(box, [Unit(3, "acrel-asj", {"residual_ma": 42.0})]) as port:
        r = box.post(f"/api/v1/sites/{site}/devices", headers=installer, json={
            "serial": "ASJ-3", "model": "acrel-asj", "name": "一层漏电继电器",
            "link": f"modbus-tcp://127.0.0.1:{port}?unit=3"})
        assert r.status_code == 201, r.text
        device = r.json()
        # The device's own levels: out of the device's range, and out of andian's, each with its range as data.
        for alarm, basis, low, high in ((40000, "device_range", 10, 30000), (2000, "residual_standard", 20, 1000)):
            r = box.post(f"/api/v1/devices/{device['id']}/thresholds", headers=installer,
                         json={"channel": "residual_ma", "alarm": alarm, "confirm": True})
            extra = r.json()["extra"]
            assert r.status_code == 400 and r.json()["detail"].startswith("alarm: "), r.text
            assert (extra["field"], extra["code"], extra["value"], extra["min"], extra["max"], extra["unit"],
                    extra["basis"]) == ("alarm", "out_of_range", alarm, low, high, "mA", basis)

        assert box.get(f"/api/v1/devices/{device['id']}/acceptance", headers=installer).status_code == 404
        r = box.post("/api/v1/commissioning", headers=installer, json={"site_id": site, "device_id": device["id"]})
        assert r.status_code == 201, r.text
        record = r.json()
        cid = record["id"]
        for step in ("pair", "identify", "live_read", "self_test", "thresholds"):
            assert _step(box, installer, cid, step).status_code == 200
        checklist = record["checklist"]
        assert {i["key"] for i in checklist if i["photo"]} == {"location", "photos"}
        bare = [{"key": i["key"], "answer": "pass"} for i in checklist]

        def refused(body: JSON) -> JSON:
            r = _step(box, installer, cid, "accept", {"signed_by": "刘工", **body})
            assert r.status_code == 400, r.text
            return r.json()["extra"]  # type: ignore[no-any-return]

        # Registered without its circuit: named first.
        assert refused({"answers": answers(box, installer, checklist)})["code"] == "required"
        r = box.patch(f"/api/v1/devices/{device['id']}", headers=installer, json={"circuit": "1F 照明插座回路"})
        assert r.status_code == 200, r.text
        assert refused({"answers": bare}) == {"field": "answers", "code": "photo_required",
                                              "items": ["location", "photos"]}
        # A photo not uploaded, and a "signature" that is a PDF: each named.
        ghost = [{**a, "attachments": ["0" * 64]} if a["key"] == "photos" else a
                 for a in answers(box, installer, checklist)]
        extra = refused({"answers": ghost})
        assert (extra["code"], extra["field"]) == ("attachment_missing",
                                                    f"answers[{len(checklist) - 1}].attachments[0]")
        pdf = upload(box, installer, PDF, "application/pdf")
        assert refused({"answers": answers(box, installer, checklist), "signature": pdf})["code"] == "not_image"
        # Someone else's signature cannot be cited.
        theirs = upload(box, world.headers("operator_b"), SIGNATURE + b" theirs", "image/png")
        r = _step(box, world.headers("operator_a"), cid, "accept", {
            "signed_by": "王工", "signature": theirs, "answers": answers(box, world.headers("operator_a"), checklist)})
        assert r.status_code == 400 and r.json()["extra"]["field"] == "signature"

        signature = upload(box, installer, SIGNATURE, "image/png")
        r = _step(box, installer, cid, "accept", {"signed_by": "刘工", "signature": signature,
                                                  "answers": answers(box, installer, checklist)})
        assert r.status_code == 200, r.text
        done = r.json()
    assert done["state"] == "commissioned" and done["signature"] == signature and done["signed_by"] == "刘工"
    assert done["checklist_version"] == 2
    photo = next(a for a in done["answers"] if a["key"] == "location")["attachments"]
    assert len(photo) == 1
    # The device's page finds its signed acceptance again.
    for who, status in (("owner_1", 200), ("operator_b", 404)):
        r = box.get(f"/api/v1/devices/{device['id']}/acceptance", headers=world.headers(who))
        assert r.status_code == status and (status == 404 or r.json()["signature"] == signature), (who, r.text)
    # The signed record's evidence is readable by those who see the site, not by another company.
    for who, status in (("operator_a", 200), ("owner_1", 200), ("operator_b", 404)):
        for sha in (signature, photo[0]):
            r = box.get(f"/api/v1/attachments/{sha}", headers=world.headers(who))
            assert r.status_code == status, (who, r.text)
    assert box.get(f"/api/v1/attachments/{photo[0]}", headers=world.headers("owner_1")).content == PHOTO

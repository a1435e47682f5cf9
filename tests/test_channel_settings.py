"""Channel settings over the API: defaults from the standards, ranges refused with the setting named."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from .conftest import World
from .test_api_validation import assert_error, channel_ids, new_device


@pytest.fixture
def shared(shared_world: tuple[TestClient[Any], World]) -> tuple[TestClient[Any], World]:
    return shared_world

# --- channel settings: ranges from the standards -------------------------------------------------------------------


@pytest.fixture(scope="module")
def probe_channels(shared_world: tuple[TestClient[Any], World]) -> dict[str, int]:
    """One device with a channel of every kind whose settings are refused below (so it never changes)."""
    client, world = shared_world
    channels = [{"key": k} for k in ("residual_ma", "temp_c", "arc", "current_a", "voltage_v", "power_w")]
    return channel_ids(new_device(client, world, channels, rated_current_a=63))


SETTING_CASES: list[tuple[str, str, dict[str, Any], str, str]] = [
    # (id, channel, settings, field named, text the detail must show)
    ("residual-alarm-1500", "residual_ma", {"alarm": 1500}, "settings.alarm", "20, 1000"),
    ("residual-alarm-10", "residual_ma", {"alarm": 10}, "settings.alarm", "20, 1000"),
    ("residual-prealarm-equals-alarm", "residual_ma", {"prealarm": 300}, "settings.prealarm", "300"),
    ("residual-prealarm-above-alarm", "residual_ma", {"alarm": 400, "prealarm": 450}, "settings.prealarm", "400"),
    ("residual-hysteresis-over-20pct", "residual_ma", {"hysteresis": 61}, "settings.hysteresis", "60"),
    ("temp-alarm-50", "temp_c", {"alarm": 50}, "settings.alarm", "55, 140"),
    ("temp-alarm-141", "temp_c", {"alarm": 141}, "settings.alarm", "55, 140"),
    ("temp-ambient-61", "temp_c", {"ambient_c": 61}, "settings.ambient_c", "-40, 60"),
    # GB 31252-2014 §4.3: 9 arc half-cycles in 1 s must never alarm.
    ("arc-alarm-9", "arc", {"alarm": 9}, "settings.alarm", "10, 30"),
    ("arc-alarm-31", "arc", {"alarm": 31}, "settings.alarm", "10, 30"),
    ("arc-prealarm", "arc", {"prealarm": 10}, "settings.prealarm", "does not apply"),
    ("arc-delay", "arc", {"delay_s": 1}, "settings.delay_s", "does not apply"),
    ("power-alarm", "power_w", {"alarm": 1000}, "settings.alarm", "does not apply"),
    ("residual-rated-a", "residual_ma", {"rated_a": 32}, "settings.rated_a", "does not apply"),
    ("delay-61", "residual_ma", {"delay_s": 61}, "settings.delay_s", "0, 60"),
    ("delay-negative", "temp_c", {"delay_s": -1}, "settings.delay_s", "0, 60"),
    ("rated-700", "current_a", {"rated_a": 700}, "settings.rated_a", "1, 630"),
    ("rated-0", "current_a", {"rated_a": 0}, "settings.rated_a", "1, 630"),
    # 63 A breaker: overload alarm within 0.8–1.45 In.
    ("current-alarm-above-1.45-in", "current_a", {"alarm": 100}, "settings.alarm", "50.4, 91.35"),
    ("current-alarm-for-smaller-rating", "current_a", {"rated_a": 16, "alarm": 63}, "settings.alarm", "12.8, 23.2"),
    ("voltage-alarm-low", "voltage_v", {"alarm": 200}, "settings.alarm", "230, 300"),
    ("unknown-setting", "residual_ma", {"threshold": 300}, "settings.threshold", "known settings"),
    ("bool-for-number", "residual_ma", {"alarm": True}, "settings.alarm", "number"),
    ("string-for-number", "residual_ma", {"alarm": "300"}, "settings.alarm", "number"),
    ("null-for-number", "temp_c", {"alarm": None}, "settings.alarm", "number"),
    ("list-for-number", "arc", {"alarm": [14]}, "settings.alarm", "number"),
    ("string-for-enabled", "residual_ma", {"enabled": "yes"}, "settings.enabled", "true or false"),
    ("number-for-enabled", "arc", {"enabled": 1}, "settings.enabled", "true or false"),
]


@pytest.mark.parametrize(
    ("key", "given", "field", "shows"), [pytest.param(*case[1:], id=case[0]) for case in SETTING_CASES]
)
def test_setting_out_of_range_is_400_naming_it(
    shared: tuple[TestClient[Any], World], probe_channels: dict[str, int], key: str, given: dict[str, Any],
    field: str, shows: str,
) -> None:
    client, world = shared
    path = f"/api/v1/channels/{probe_channels[key]}"
    before = client.get(path, headers=world.headers("admin")).json()["settings"]
    detail = assert_error(client.patch(path, json={"settings": given}, headers=world.headers("admin")), 400)
    assert detail.startswith(f"{field}:"), detail
    assert shows in detail, detail
    # A refused change leaves the channel as it was.
    assert client.get(path, headers=world.headers("admin")).json()["settings"] == before


@pytest.mark.parametrize(
    ("channels", "field", "shows"),
    [
        ([{"key": "residual_ma", "settings": {"alarm": 1500}}], "channels[0].settings.alarm", "20, 1000"),
        ([{"key": "temp_c"}, {"key": "arc", "settings": {"alarm": 9}}], "channels[1].settings.alarm", "10, 30"),
        ([{"key": "arc", "settings": {"prealarm": 5}}], "channels[0].settings.prealarm", "does not apply"),
        ([{"key": "current_a", "settings": {"rated_a": 700}}], "channels[0].settings.rated_a", "1, 630"),
        ([{"key": "residual_ma", "settings": {"delay_s": "5"}}], "channels[0].settings.delay_s", "number"),
    ],
    ids=["residual-alarm", "second-channel-arc", "arc-prealarm", "rated-700", "string-delay"],
)
def test_setting_errors_at_device_creation_name_the_channel(
    shared: tuple[TestClient[Any], World], channels: list[dict[str, Any]], field: str, shows: str
) -> None:
    client, world = shared
    response = new_device(client, world, channels)
    detail = assert_error(response, 400)
    assert detail.startswith(f"{field}:"), detail
    assert shows in detail
    assert response.json()["extra"]["field"] == field  # with the refusal as data (tests/test_installer.py)


def test_settings_default_to_the_standards(shared: tuple[TestClient[Any], World]) -> None:
    client, world = shared
    keys = ("residual_ma", "temp_c_2", "arc", "current_a_l1", "voltage_v")
    created = new_device(client, world, [{"key": k} for k in keys], rated_current_a=40)
    assert created.status_code == 201, created.text
    settings = {c["key"]: c["settings"] for c in created.json()["channels"]}
    residual, temp, arc = settings["residual_ma"], settings["temp_c_2"], settings["arc"]
    current = settings["current_a_l1"]
    assert (residual["alarm"], residual["prealarm"], residual["delay_s"]) == (300, 240, 5)
    assert (temp["alarm"], temp["prealarm"]) == (70, 60)
    assert arc["alarm"] == 14
    assert "prealarm" not in arc
    assert current["rated_a"] == 40  # from the device's rated_current_a
    assert current["prealarm"] == pytest.approx(0.9 * 40)
    assert settings["voltage_v"]["alarm"] == 242
    assert all(s["enabled"] is True for s in settings.values())
    assert not any(name.startswith("_") for s in settings.values() for name in s)


def test_a_device_without_a_rating_assumes_a_32_a_breaker(shared: tuple[TestClient[Any], World]) -> None:
    client, world = shared
    current = new_device(client, world, [{"key": "current_a"}]).json()["channels"][0]["settings"]
    assert (current["rated_a"], current["prealarm"]) == (32, pytest.approx(28.8))


@pytest.mark.parametrize(("key", "alarm"), [("arc", 14), ("arc", 10), ("residual_ma", 20), ("temp_c", 140)])
def test_boundary_values_are_accepted(shared: tuple[TestClient[Any], World], key: str, alarm: float) -> None:
    client, world = shared
    channel = channel_ids(new_device(client, world, [{"key": key}]))[key]
    response = client.patch(f"/api/v1/channels/{channel}", json={"settings": {"alarm": alarm}},
                            headers=world.headers("admin"))
    assert response.status_code == 200, response.text
    assert response.json()["settings"]["alarm"] == alarm


def test_patch_keeps_explicit_settings_and_moves_dependent_defaults(shared: tuple[TestClient[Any], World]) -> None:
    client, world = shared
    admin = world.headers("admin")
    path = f"/api/v1/channels/{channel_ids(new_device(client, world, [{'key': 'residual_ma'}]))['residual_ma']}"

    def patch(settings: dict[str, Any]) -> dict[str, Any]:
        response = client.patch(path, json={"settings": settings}, headers=admin)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()["settings"]
        assert client.get(path, headers=admin).json()["settings"] == result  # stored, not only echoed
        return result

    assert patch({"delay_s": 10})["delay_s"] == 10
    after = patch({"alarm": 400})
    assert (after["alarm"], after["prealarm"], after["delay_s"]) == (400, 320, 10)  # pre-alarm follows at 80 %
    assert patch({"prealarm": 350})["prealarm"] == 350
    after = patch({"alarm": 500})
    assert (after["alarm"], after["prealarm"], after["delay_s"]) == (500, 350, 10)  # explicit pre-alarm stays
    assert patch({"enabled": False})["enabled"] is False
    assert patch({"alarm": 450})["enabled"] is False
    # Lowering the alarm under the explicit pre-alarm is refused, naming the pre-alarm.
    detail = assert_error(client.patch(path, json={"settings": {"alarm": 300}}, headers=admin), 400)
    assert detail.startswith("settings.prealarm:"), detail

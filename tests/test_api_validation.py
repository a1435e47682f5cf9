"""Bad input gets a clear error naming the field, never a 500.

Error bodies are ``{"status_code", "detail", "extra"}`` (API.md "Conventions"); the field a client must fix is
named in ``detail``. Channel settings are checked against the table in ``server/detection/settings.py``.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as run_with
from hypothesis import strategies as st
from litestar.testing import TestClient

from .conftest import PASSWORD, World, bearer

JSON = {"content-type": "application/json"}


def assert_error(response: Any, status: int) -> str:
    """The response is the JSON error shape with this status; returns its detail."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"status_code", "detail", "extra"}, body
    assert body["status_code"] == status
    assert isinstance(body["detail"], str) and body["detail"]
    detail: str = body["detail"]
    return detail


@pytest.fixture
def shared(shared_world: tuple[TestClient[Any], World]) -> tuple[TestClient[Any], World]:
    """One world for the module. Tests here are refused before anything is stored, or store objects (devices
    with their own serials) that no other test looks at."""
    return shared_world


SERIALS = iter(range(1, 1_000_000))


def new_device(client: TestClient[Any], world: World, channels: list[dict[str, Any]], **fields: Any) -> Any:
    """Register a device on site_market with a fresh serial; returns the response."""
    body = {"serial": f"VAL-{next(SERIALS)}", "model": "AD-CD4", "kind": "combined", "channels": channels, **fields}
    return client.post(f"/api/v1/sites/{world.sites['site_market']}/devices", json=body, headers=world.headers("admin"))


def channel_ids(response: Any) -> dict[str, int]:
    assert response.status_code == 201, response.text
    return {c["key"]: c["id"] for c in response.json()["channels"]}


# --- bad bodies, table-driven ------------------------------------------------------------------------------------

SITE = {"name": "新店", "address": "赫山区 1 号", "region_code": "430903", "venue_type": "mall"}
DEVICE = {"serial": "BAD-1", "model": "AD-SB63", "kind": "breaker", "channels": [{"key": "residual_ma"}]}
USER = {"username": "new_user", "password": PASSWORD, "role": "owner"}


def without(body: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != key}


SITE_CASES: list[tuple[str, Any, str]] = [
    ("name-wrong-type", {**SITE, "name": 5}, "name"),
    ("name-empty", {**SITE, "name": ""}, "name"),
    ("address-missing", without(SITE, "address"), "address"),
    ("region-missing", without(SITE, "region_code"), "region_code"),
    ("venue-missing", without(SITE, "venue_type"), "venue_type"),
    ("unknown-field", {**SITE, "colour": "red"}, "colour"),
    ("unknown-venue-type", {**SITE, "venue_type": "spaceport"}, "venue_type"),
    ("unknown-region", {**SITE, "region_code": "999999"}, "region_code"),
    ("region-not-digits", {**SITE, "region_code": "赫山区"}, "region_code"),
    ("region-wrong-type", {**SITE, "region_code": 430903}, "region_code"),
    ("lat-too-high", {**SITE, "lat": 90.5}, "lat"),
    ("lat-too-low", {**SITE, "lat": -91}, "lat"),
    ("lon-out-of-range", {**SITE, "lon": 181}, "lon"),
    ("lat-text", {**SITE, "lat": "28.5N"}, "lat"),
    ("key-unit-text", {**SITE, "key_unit": "yes"}, "key_unit"),
    ("owner-wrong-type", {**SITE, "owner_id": "owner_1"}, "owner_id"),
    ("owner-not-an-owner", {**SITE, "owner_id": 1}, "owner_id"),
    ("owner-unknown", {**SITE, "owner_id": 999_999}, "owner_id"),
]

DEVICE_CASES: list[tuple[str, Any, str]] = [
    ("serial-missing", without(DEVICE, "serial"), "serial"),
    ("serial-space", {**DEVICE, "serial": "SN 1"}, "serial"),
    ("serial-chinese", {**DEVICE, "serial": "序列号1"}, "serial"),
    ("serial-slash", {**DEVICE, "serial": "SN/1"}, "serial"),
    ("serial-empty", {**DEVICE, "serial": ""}, "serial"),
    ("serial-too-long", {**DEVICE, "serial": "S" * 65}, "serial"),
    ("serial-number", {**DEVICE, "serial": 12345}, "serial"),
    ("model-missing", without(DEVICE, "model"), "model"),
    ("kind-unknown", {**DEVICE, "kind": "toaster"}, "kind"),
    # A known model brings its channels (API.md "Device links and models"); a model andian has no map of needs them.
    ("channels-missing", {**without(DEVICE, "channels"), "model": "no-such-model"}, "channels"),
    ("channels-empty", {**DEVICE, "model": "no-such-model", "channels": []}, "channels"),
    ("channels-not-a-list", {**DEVICE, "channels": "residual_ma"}, "channels"),
    ("channel-key-unknown", {**DEVICE, "channels": [{"key": "current_b"}]}, "channels[0].key"),
    ("channel-key-temp-5", {**DEVICE, "channels": [{"key": "arc"}, {"key": "temp_c_5"}]}, "channels[1].key"),
    ("channel-key-missing", {**DEVICE, "channels": [{"settings": {}}]}, "key"),
    ("channel-key-twice", {**DEVICE, "channels": [{"key": "arc"}, {"key": "temp_c"}, {"key": "arc"}]},
     "channels[2].key"),
    ("channel-unknown-field", {**DEVICE, "channels": [{"key": "arc", "threshold": 14}]}, "threshold"),
    ("channel-settings-list", {**DEVICE, "channels": [{"key": "arc", "settings": [14]}]}, "channels[0].settings"),
    ("rated-current-zero", {**DEVICE, "rated_current_a": 0}, "rated_current_a"),
    ("rated-current-1000", {**DEVICE, "rated_current_a": 1000}, "rated_current_a"),
    ("rated-current-text", {**DEVICE, "rated_current_a": "32A"}, "rated_current_a"),
    ("ble-address-bad", {**DEVICE, "ble_address": "AA:BB:CC"}, "ble_address"),
    ("unknown-field", {**DEVICE, "firmware": "1.0"}, "firmware"),
]

CHANNEL_PATCH_CASES: list[tuple[str, Any, str]] = [
    ("settings-missing", {}, "settings"),
    ("settings-number", {"settings": 300}, "settings"),
    ("settings-list", {"settings": [300]}, "settings"),
    ("unknown-field", {"settings": {}, "note": "x"}, "note"),
]

USER_CASES: list[tuple[str, Any, str]] = [
    ("username-missing", without(USER, "username"), "username"),
    ("username-too-short", {**USER, "username": "ab"}, "username"),
    ("username-space", {**USER, "username": "new user"}, "username"),
    ("password-missing", without(USER, "password"), "password"),
    ("password-number", {**USER, "password": 12345678}, "password"),
    ("password-short", {**USER, "password": "1234567"}, "password"),
    ("role-missing", without(USER, "role"), "role"),
    ("role-unknown", {**USER, "role": "superuser"}, "role"),
    ("regions-not-a-list", {**USER, "role": "inspector", "regions": "430903"}, "regions"),
    ("region-not-digits", {**USER, "role": "inspector", "regions": ["赫山区"]}, "regions[0]"),
    ("department-unknown", {**USER, "role": "regulator", "regions": ["430900"], "department": "police"},
     "department"),
    ("phone-letters", {**USER, "phone": "call me"}, "phone"),
    ("company-text", {**USER, "company_id": "A"}, "company_id"),
    ("unknown-field", {**USER, "is_admin": True}, "is_admin"),
]


def target(world: World, endpoint: str) -> tuple[str, str]:
    match endpoint:
        case "site":
            return "POST", "/api/v1/sites"
        case "device":
            return "POST", f"/api/v1/sites/{world.sites['site_market']}/devices"
        case "channel":
            return "PATCH", f"/api/v1/channels/{world.channels['site_market']}"
        case "user":
            return "POST", "/api/v1/users"
        case "login":
            return "POST", "/api/v1/auth/login"
    raise AssertionError(endpoint)


@pytest.mark.parametrize(
    ("endpoint", "body", "field"),
    [pytest.param("site", body, field, id=f"site-{name}") for name, body, field in SITE_CASES]
    + [pytest.param("device", body, field, id=f"device-{name}") for name, body, field in DEVICE_CASES]
    + [pytest.param("channel", body, field, id=f"channel-{name}") for name, body, field in CHANNEL_PATCH_CASES]
    + [pytest.param("user", body, field, id=f"user-{name}") for name, body, field in USER_CASES],
)
def test_bad_body_is_400_naming_the_field(
    shared: tuple[TestClient[Any], World], endpoint: str, body: Any, field: str
) -> None:
    client, world = shared
    method, path = target(world, endpoint)
    response = client.request(method, path, json=body, headers=world.headers("admin"))
    detail = assert_error(response, 400)
    assert field in detail, detail


# --- conflicts, malformed JSON, size limit ---------------------------------------------------------------------------


def test_duplicate_serial_is_409(shared: tuple[TestClient[Any], World]) -> None:
    client, world = shared
    body = {"serial": "SN-site_market", "model": "AD-SB63", "kind": "breaker", "channels": [{"key": "arc"}]}
    for site in ("site_market", "site_hotel"):  # serials are unique across sites, too
        response = client.post(f"/api/v1/sites/{world.sites[site]}/devices", json=body, headers=world.headers("admin"))
        assert "SN-site_market" in assert_error(response, 409)


@pytest.mark.parametrize("endpoint", ["site", "device", "channel", "user", "login"])
@pytest.mark.parametrize(
    "raw",
    [b"{bad", b'{"name": "x",}', b"\xff\xfe", b'{"lat": NaN}', b"[1, 2"],
    ids=["brace", "trailing-comma", "not-utf8", "nan", "open-list"],
)
def test_malformed_json_is_400(shared: tuple[TestClient[Any], World], endpoint: str, raw: bytes) -> None:
    client, world = shared
    method, path = target(world, endpoint)
    assert_error(client.request(method, path, content=raw, headers={**world.headers("admin"), **JSON}), 400)


def test_a_body_over_the_limit_is_413(shared: tuple[TestClient[Any], World]) -> None:
    client, world = shared
    huge = json.dumps({**SITE, "address": "x" * (5 * 1024 * 1024)}).encode()
    assert_error(client.post("/api/v1/sites", content=huge, headers={**world.headers("admin"), **JSON}), 413)
    # A large body under the limit reaches validation and is named there.
    large = json.dumps({**SITE, "address": "x" * (3 * 1024 * 1024)}).encode()
    detail = assert_error(client.post("/api/v1/sites", content=large, headers={**world.headers("admin"), **JSON}), 400)
    assert "address" in detail


# --- known server bugs: each test states the behaviour a client should get ----------------------------------------

BIG = 2**63  # one past SQLite's largest INTEGER


def test_admin_site_with_unknown_company_is_400(shared: tuple[TestClient[Any], World]) -> None:
    client, world = shared
    response = client.post("/api/v1/sites", json={**SITE, "company_id": 999_999}, headers=world.headers("admin"))
    assert "company_id" in assert_error(response, 400)


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("POST", "/api/v1/sites", {**SITE, "owner_id": BIG}, 400),
        ("POST", "/api/v1/users", {**USER, "role": "operator", "company_id": BIG}, 400),
        ("GET", f"/api/v1/sites/{BIG}", None, 404),
        ("GET", f"/api/v1/devices/{BIG}", None, 404),
        ("PATCH", f"/api/v1/channels/{BIG}", {"settings": {}}, 404),
        ("DELETE", f"/api/v1/gateways/{BIG}", None, 404),
    ],
    ids=["site-owner-id", "user-company-id", "site-path", "device-path", "channel-path", "gateway-path"],
)
def test_ids_beyond_64_bits_are_refused_not_500(
    shared: tuple[TestClient[Any], World], method: str, path: str, body: Any, status: int
) -> None:
    client, world = shared
    assert_error(client.request(method, path, json=body, headers=world.headers("admin")), status)


def test_a_setting_beyond_float_range_is_400(shared: tuple[TestClient[Any], World]) -> None:
    client, world = shared
    raw = b'{"settings": {"alarm": ' + b"9" * 400 + b"}}"
    response = client.patch(f"/api/v1/channels/{world.channels['site_market']}", content=raw,
                            headers={**world.headers("admin"), **JSON})
    assert "settings.alarm" in assert_error(response, 400)


@pytest.mark.parametrize(
    ("endpoint", "body", "field"),
    [
        ("device", {**DEVICE, "serial": "SN-NEWLINE\n"}, "serial"),
        ("user", {**USER, "username": "owner_1\n"}, "username"),  # a look-alike of an existing user
    ],
    ids=["serial", "username"],
)
def test_a_trailing_newline_is_not_a_valid_identifier(
    shared: tuple[TestClient[Any], World], endpoint: str, body: Any, field: str
) -> None:
    client, world = shared
    method, path = target(world, endpoint)
    assert field in assert_error(client.request(method, path, json=body, headers=world.headers("admin")), 400)


@pytest.mark.parametrize("endpoint", ["site", "device", "channel", "user", "login"])
def test_an_empty_body_says_to_send_a_json_object(shared: tuple[TestClient[Any], World], endpoint: str) -> None:
    client, world = shared
    method, path = target(world, endpoint)
    detail = assert_error(client.request(method, path, content=b"", headers={**world.headers("admin"), **JSON}), 400)
    assert "object" in detail.lower() or "body" in detail.lower(), detail


# --- property: random JSON never makes a 500 -------------------------------------------------------------------------

scalars = (
    st.none() | st.booleans() | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=20)
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


def mostly(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Nine times in ten a good value, else random JSON, so that bodies also reach the services' own checks."""
    return st.integers(0, 9).flatmap(lambda i: json_values if i == 9 else good)


def fields(
    required: dict[str, st.SearchStrategy[Any]], optional: dict[str, st.SearchStrategy[Any]]
) -> st.SearchStrategy[Any]:
    """A body with the real field names (mostly good values), sometimes random extra keys, sometimes any JSON."""
    real = st.fixed_dictionaries(
        {name: mostly(value) for name, value in required.items()},
        optional={name: mostly(value) for name, value in optional.items()},
    )
    extra = st.dictionaries(st.text(max_size=8), json_values, max_size=2)
    mixed = st.tuples(real, extra, st.integers(0, 3)).map(lambda t: {**t[0], **t[1]} if t[2] == 0 else t[0])
    return mostly(mixed)


SETTING_VALUES = mostly(st.floats(min_value=-10, max_value=2000, allow_nan=False) | st.integers(-10, 2000))
SETTINGS = mostly(st.fixed_dictionaries(
    {}, optional={name: SETTING_VALUES for name in ("enabled", "alarm", "prealarm", "delay_s", "hysteresis",
                                                    "rated_a", "ambient_c")},
))
CHANNEL_KEYS = st.sampled_from(["current_a", "current_a_l2", "residual_ma", "temp_c", "temp_c_4", "voltage_v",
                                "power_w", "energy_kwh", "arc"])


def body_strategy(endpoint: str, world: World) -> st.SearchStrategy[Any]:
    match endpoint:
        case "site":
            return fields({
                "name": st.just("店"), "address": st.just("路 1 号"),
                "region_code": st.sampled_from(["430903", "430903001001", "430981001"]),
                "venue_type": st.sampled_from(["market", "mall", "hotel", "other"]),
            }, {
                "owner_id": st.sampled_from([world.user_ids["owner_1"], world.user_ids["operator_a"]]),
                "company_id": st.sampled_from(list(world.companies.values())),
                "lat": st.floats(-100, 100), "lon": st.floats(-200, 200), "key_unit": st.booleans(),
            })
        case "device":
            channel = st.fixed_dictionaries({"key": mostly(CHANNEL_KEYS)}, optional={"settings": SETTINGS})
            return fields({
                "serial": st.from_regex(r"\A[A-Z0-9-]{1,12}\Z"), "model": st.just("AD-CD4"),
                "kind": st.sampled_from(["breaker", "combined", "residual", "temperature", "arc"]),
                "channels": st.lists(mostly(channel), min_size=1, max_size=4),
            }, {"rated_current_a": st.floats(-5, 700), "name": st.text(max_size=5), "circuit": st.text(max_size=5)})
        case "channel":
            return fields({"settings": SETTINGS}, {})
        case "login":
            return fields({"username": st.sampled_from(["root", "installer_a", "nobody"]), "password": st.text()}, {})
    raise AssertionError(endpoint)


@pytest.mark.parametrize("endpoint", ["site", "device", "channel", "login"])
def test_random_json_never_causes_a_server_error(shared: tuple[TestClient[Any], World], endpoint: str) -> None:
    client, world = shared
    method, path = target(world, endpoint)
    # An installer of company A: it may create sites and devices and change settings at site_market.
    headers = {**world.headers("installer_a"), **JSON}

    @run_with(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(body=body_strategy(endpoint, world), ascii_only=st.booleans())
    def check(body: Any, ascii_only: bool) -> None:
        raw = json.dumps(body, ensure_ascii=ascii_only, allow_nan=True).encode()
        response = client.request(method, path, content=raw, headers=headers)
        assert response.status_code < 500, (raw[:300], response.text)
        if response.status_code >= 400:
            assert_error(response, response.status_code)
        if _has_non_finite(body):
            assert response.status_code == 400, (raw[:300], response.text)  # NaN and Infinity are not JSON

    check()


def _has_non_finite(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, list):
        return any(_has_non_finite(v) for v in value)
    if isinstance(value, dict):
        return any(_has_non_finite(v) for v in value.values())
    return False


def test_a_caller_without_a_token_is_told_before_the_body_is_judged(shared: tuple[TestClient[Any], World]) -> None:
    client = shared[0]
    detail = assert_error(client.post("/api/v1/sites", json={"name": 5}), 401)
    assert "Bearer" in detail
    assert_error(client.post("/api/v1/sites", json={"name": 5}, headers=bearer("adt_nonsense")), 401)

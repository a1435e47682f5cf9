"""Malformed ingest batches through the real app: each bad item is named with its index and field, a bad body is
one 400 (or 413), never a 500, and the good items of a mixed batch are stored (read back through the API)."""

from __future__ import annotations

import itertools
import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from .conftest import T0, World

DEVICE = "SN-site_market"  # build_world's breaker on site_market: channels residual_ma and current_a
OTHER_SITE_DEVICE = "SN-site_care"
MAX_BODY = 4 * 1024 * 1024

JSON = dict[str, Any]


class Feed:
    """Posts to /api/v1/ingest as site_market's gateway and reads the breaker's readings back.

    Every sample it makes has a timestamp of its own, so the tests of a module can share one database.
    """

    def __init__(self, client: TestClient[Any], world: World) -> None:
        self.client = client
        self.world = world
        self.now = T0  # the app's clock stands still
        self.db_path: Path = client.app.state["andian"].settings.db_path
        self.headers = {"Authorization": f"Bearer {world.gateway_keys['site_market']}"}
        device = client.get(f"/api/v1/devices/{world.devices['site_market']}", headers=world.headers("admin")).json()
        self.channel_ids = {c["key"]: c["id"] for c in device["channels"]}
        self._ts = itertools.count(1)
        self._batch = itertools.count(1)

    def ts(self) -> float:
        """A timestamp no other sample of the module has: 10 ms after the previous one, a day ago."""
        return T0 - 24 * 3600 + next(self._ts) * 0.01

    def batch_id(self) -> str:
        return f"malformed-{next(self._batch)}"

    def sample(self, **fields: Any) -> JSON:
        return {"device": DEVICE, "channel": "residual_ma", "ts": self.ts(), "value": 12.5, **fields}

    def post(self, body: JSON | bytes | str, headers: dict[str, str] | None = None) -> Any:
        """JSON bodies go through json=; bytes and str are sent as they are (NaN literals, broken JSON)."""
        headers = self.headers if headers is None else headers
        if isinstance(body, dict):
            return self.client.post("/api/v1/ingest", json=body, headers=headers)
        return self.client.post("/api/v1/ingest", content=body, headers={**headers,
                                                                        "Content-Type": "application/json"})

    def readings(self, start: float, end: float, channel: str = "residual_ma",
                 channel_id: int | None = None) -> list[tuple[float, float]]:
        url = f"/api/v1/channels/{channel_id or self.channel_ids[channel]}/readings"
        r = self.client.get(url, params={"from": start, "to": end}, headers=self.world.headers("admin"))
        assert r.status_code == 200, r.text
        return list(zip(r.json()["ts"], r.json()["value"], strict=True))

    def assert_stored(self, samples: list[JSON]) -> None:
        """Every sample given is stored with its value, read back per channel over the samples' time range."""
        for channel in {s["channel"] for s in samples}:
            mine = [(s["ts"], float(s["value"])) for s in samples if s["channel"] == channel]
            stored = set(self.readings(min(t for t, _ in mine), max(t for t, _ in mine), channel))
            missing = [m for m in mine if m not in stored]
            assert not missing, f"good {channel} samples not stored: {missing}"


@pytest.fixture(scope="module")
def feed(shared_world: tuple[TestClient[Any], World]) -> Feed:
    return Feed(*shared_world)


def _ok(response: Any) -> JSON:
    assert response.status_code == 200, response.text
    body: JSON = response.json()
    return body


def _names(error: str, word: str) -> bool:
    """The error names ``word`` as a word of its own (``ts`` in "`$.ts`", not in "contains")."""
    return re.search(rf"\b{re.escape(word)}\b", error) is not None


def _rejected_by_index(result: JSON, kind: str = "sample") -> dict[int, str]:
    return {r["index"]: r["error"] for r in result["rejected"] if r["kind"] == kind}


def _events_at(feed: Feed, ts: list[float]) -> list[tuple[str, float, int]]:
    """The stored device events at these times, straight from the database file (no API lists them)."""
    conn = sqlite3.connect(f"file:{feed.db_path}?mode=ro", uri=True)
    try:
        marks = ", ".join("?" * len(ts))
        rows = conn.execute(f"SELECT kind, ts, count FROM events WHERE ts IN ({marks}) ORDER BY ts", ts).fetchall()
    finally:
        conn.close()
    return [(str(k), float(t), int(c)) for k, t, c in rows]


# ---- bad items in a batch -------------------------------------------------------------------------------------

def _without(item: JSON, key: str) -> JSON:
    return {k: v for k, v in item.items() if k != key}


# (what is wrong, how to break a good sample, a word the error must contain)
BAD_SAMPLES: list[tuple[str, Callable[[JSON], Any], str]] = [
    ("value as a string", lambda s: {**s, "value": "12.5"}, "value"),
    ("value the string NaN", lambda s: {**s, "value": "NaN"}, "value"),
    ("value the string Infinity", lambda s: {**s, "value": "Infinity"}, "value"),
    ("value null", lambda s: {**s, "value": None}, "value"),
    ("value a list", lambda s: {**s, "value": [1.0]}, "value"),
    ("ts as a string", lambda s: {**s, "ts": str(s["ts"])}, "ts"),
    ("ts negative", lambda s: {**s, "ts": -1.0}, "ts"),
    ("ts zero", lambda s: {**s, "ts": 0}, "ts"),
    ("ts in 1970", lambda s: {**s, "ts": 86_400.0}, "ts"),
    ("ts a day ahead", lambda s: {**s, "ts": T0 + 86_400}, "ts"),
    ("ts far in the future", lambda s: {**s, "ts": 1e30}, "ts"),
    ("device as a number", lambda s: {**s, "device": 12345}, "device"),
    ("device with a space", lambda s: {**s, "device": "SN site"}, "device"),
    ("device empty", lambda s: {**s, "device": ""}, "device"),
    ("no value", lambda s: _without(s, "value"), "value"),
    ("no channel", lambda s: _without(s, "channel"), "channel"),
    ("no device", lambda s: _without(s, "device"), "device"),
    ("no ts", lambda s: _without(s, "ts"), "ts"),
    ("an unknown field", lambda s: {**s, "unit": "mA"}, "unit"),
    ("a channel key outside the list", lambda s: {**s, "channel": "residual_mA"}, "channel"),
    ("a channel the device doesn't have", lambda s: {**s, "channel": "temp_c"}, "channel"),
    ("an unknown device serial", lambda s: {**s, "device": "SN-NOWHERE"}, "device"),
    ("a number instead of an object", lambda s: 42, "object"),
    ("null instead of an object", lambda s: None, "object"),
    ("a list instead of an object", lambda s: [s], "object"),
    ("a string instead of an object", lambda s: json.dumps(s), "object"),
]


def test_bad_samples_are_named_by_index_and_field_and_the_good_ones_stored(feed: Feed) -> None:
    samples: list[Any] = []
    good: list[JSON] = []
    expected: dict[int, tuple[str, str]] = {}
    for what, breaks, word in BAD_SAMPLES:
        good.append(feed.sample(value=float(len(samples))))
        samples.append(good[-1])
        expected[len(samples)] = (what, word)
        samples.append(breaks(feed.sample()))
    samples.append(feed.sample(channel="current_a", value=7.25))
    good.append(samples[-1])

    result = _ok(feed.post({"batch_id": feed.batch_id(), "samples": samples}))

    rejected = _rejected_by_index(result)
    assert sorted(rejected) == sorted(expected), result["rejected"]
    for index, (what, word) in expected.items():
        error = rejected[index]
        assert error.startswith(f"samples[{index}]"), (what, error)
        assert _names(error, word), f"{what}: the error should name {word!r}: {error}"
    assert result["accepted"] == len(good) and result["duplicate"] is False
    feed.assert_stored(good)


def test_nan_and_infinity_literals_are_rejected_per_item(feed: Feed) -> None:
    """Python's json.dumps writes bare NaN/Infinity; the body is not strict JSON, but its good items still count."""
    good = [feed.sample(value=1.0), feed.sample(value=-2.5), feed.sample(channel="current_a", value=3.0)]
    bad = [
        ("value NaN", feed.sample(value=float("nan")), "value"),
        ("value Infinity", feed.sample(value=float("inf")), "value"),
        ("value -Infinity", feed.sample(value=float("-inf")), "value"),
        ("ts NaN", feed.sample(ts=float("nan")), "ts"),
        ("ts Infinity", feed.sample(ts=float("inf")), "ts"),
        ("ts -Infinity", feed.sample(ts=float("-inf")), "ts"),
    ]
    samples = [good[0], *(b[1] for b in bad[:3]), good[1], *(b[1] for b in bad[3:]), good[2]]
    events = [{"device": DEVICE, "kind": "trip", "ts": feed.ts(), "count": float("nan")},
              {"device": DEVICE, "kind": "close", "ts": float("inf")}]
    body = json.dumps({"batch_id": feed.batch_id(), "samples": samples, "events": events})
    assert "NaN" in body and "Infinity" in body  # bare literals, as a Python gateway would send them

    result = _ok(feed.post(body))

    rejected = _rejected_by_index(result)
    assert sorted(rejected) == [1, 2, 3, 5, 6, 7], result["rejected"]
    for index, (what, _, word) in zip([1, 2, 3, 5, 6, 7], bad, strict=True):
        error = rejected[index]
        assert error.startswith(f"samples[{index}]") and _names(error, word), (what, error)
    assert sorted(_rejected_by_index(result, "event")) == [0, 1]
    assert _names(_rejected_by_index(result, "event")[0], "count")
    assert result["accepted"] == 3
    feed.assert_stored(good)


def test_a_batch_of_only_nan_values_stores_nothing(feed: Feed) -> None:
    sample = feed.sample(value=float("nan"))
    result = _ok(feed.post(json.dumps({"batch_id": feed.batch_id(), "samples": [sample]})))
    assert result["accepted"] == 0 and [r["index"] for r in result["rejected"]] == [0]
    assert feed.readings(sample["ts"], sample["ts"]) == []


def test_bad_events_are_named_and_the_good_ones_stored(feed: Feed) -> None:
    def event(**fields: Any) -> JSON:
        return {"device": DEVICE, "kind": "self_test", "ts": feed.ts(), **fields}

    events: list[Any] = [
        event(),                                  # 0 good
        event(kind="explosion"),                  # 1 kind not in the list
        event(kind="ARC"),                        # 2 kinds are lower case
        event(kind="trip", count=-1),             # 3 count negative
        event(kind="trip", count=2),              # 4 good
        event(kind="trip", count="2"),            # 5 count a string
        event(kind="trip", count=1.5),            # 6 count not whole
        event(kind="trip", count=10**9),          # 7 count beyond the limit
        _without(event(), "kind"),                # 8 no kind
        event(ts=0),                              # 9 1970
        event(ts=T0 + 3600),                      # 10 an hour ahead
        event(device="SN-NOWHERE"),               # 11 unknown device
        event(kind="power_loss", note="x"),       # 12 unknown field
        event(kind="tamper"),                     # 13 good
        "trip",                                   # 14 not an object
    ]
    words = {1: "kind", 2: "kind", 3: "count", 5: "count", 6: "count", 7: "count", 8: "kind", 9: "ts", 10: "ts",
             11: "device", 12: "note", 14: "object"}
    good_sample = feed.sample()

    result = _ok(feed.post({"batch_id": feed.batch_id(), "samples": [good_sample], "events": events}))

    rejected = _rejected_by_index(result, "event")
    assert sorted(rejected) == sorted(words), result["rejected"]
    for index, word in words.items():
        assert rejected[index].startswith(f"events[{index}]") and _names(rejected[index], word), rejected[index]
    assert _rejected_by_index(result, "sample") == {}
    assert result["accepted"] == 1 + 3
    feed.assert_stored([good_sample])
    kept = [events[0], events[4], events[13]]
    assert _events_at(feed, [e["ts"] for e in kept]) == [(e["kind"], e["ts"], e.get("count", 1)) for e in kept]


def test_clock_skew_limit_is_five_minutes(feed: Feed) -> None:
    now = feed.now
    just_inside, just_outside = feed.sample(ts=now + 299), feed.sample(ts=now + 301)
    result = _ok(feed.post({"batch_id": feed.batch_id(), "samples": [just_inside, just_outside]}))
    assert result["accepted"] == 1
    [rejected] = result["rejected"]
    assert rejected["index"] == 1 and "future" in rejected["error"] and _names(rejected["error"], "ts")
    assert feed.readings(now, now + 400) == [(now + 299, 12.5)]


# ---- devices the caller may not feed look exactly like unknown ones -------------------------------------------

def _normalised(error: str, index: int, serial: str) -> str:
    return error.replace(f"samples[{index}]", "samples[*]").replace(repr(serial), "'<serial>'")


def test_a_device_of_another_site_looks_like_an_unknown_device(feed: Feed) -> None:
    world = feed.world
    foreign = feed.sample(device=OTHER_SITE_DEVICE)
    unknown = feed.sample(device="SN-NO-SUCH-DEVICE")
    result = _ok(feed.post({"batch_id": feed.batch_id(), "samples": [foreign, unknown, feed.sample()]}))
    errors = _rejected_by_index(result)
    assert sorted(errors) == [0, 1] and result["accepted"] == 1
    assert _normalised(errors[0], 0, OTHER_SITE_DEVICE) == _normalised(errors[1], 1, "SN-NO-SUCH-DEVICE")

    # The same for a user token: company B's operator may not feed company A's breaker, and is told nothing more.
    as_operator_b = feed.post({"batch_id": feed.batch_id(), "samples": [feed.sample(), unknown]},
                              world.headers("operator_b"))
    errors_b = _rejected_by_index(_ok(as_operator_b))
    assert sorted(errors_b) == [0, 1]
    assert _normalised(errors_b[0], 0, DEVICE) == _normalised(errors_b[1], 1, "SN-NO-SUCH-DEVICE")

    # Nothing reached the other site's breaker.
    care_channel = world.channels["site_care"]
    assert feed.readings(foreign["ts"], foreign["ts"], channel_id=care_channel) == []


def test_own_company_users_may_feed_their_sites(feed: Feed) -> None:
    samples = [feed.sample(value=1.0), feed.sample(value=2.0)]
    for who, sample in zip(("installer_a", "operator_a"), samples, strict=True):
        result = _ok(feed.post({"batch_id": feed.batch_id(), "samples": [sample]}, feed.world.headers(who)))
        assert result["accepted"] == 1 and result["rejected"] == []
    feed.assert_stored(samples)


# ---- whole bodies that are wrong --------------------------------------------------------------------------------

# (what is wrong, the body or a function of a good sample to make it, a word the error must contain)
BAD_BODIES: list[tuple[str, bytes | Callable[[JSON], Any], str]] = [
    ("not JSON at all", b"samples: [1, 2, 3]", "JSON"),
    ("half a JSON object", b'{"batch_id": "x1", "samples": [', "JSON"),
    ("an empty body", b"", "body"),
    ("only white space", b"  \n ", "body"),
    ("a JSON array", lambda g: json.dumps([g]), "object"),
    ("JSON null", b"null", "object"),
    ("a JSON string", b'"batch"', "object"),
    ("a JSON number", b"42", "object"),
    ("no batch_id", lambda g: {"samples": [g]}, "batch_id"),
    ("batch_id null", lambda g: {"batch_id": None, "samples": [g]}, "batch_id"),
    ("batch_id a number", lambda g: {"batch_id": 17, "samples": [g]}, "batch_id"),
    ("batch_id empty", lambda g: {"batch_id": "", "samples": [g]}, "batch_id"),
    ("batch_id with a space", lambda g: {"batch_id": "batch 1", "samples": [g]}, "batch_id"),
    ("batch_id with a slash", lambda g: {"batch_id": "../batch", "samples": [g]}, "batch_id"),
    ("batch_id with a quote", lambda g: {"batch_id": "b'1", "samples": [g]}, "batch_id"),
    ("batch_id with a newline", lambda g: {"batch_id": "b1\n", "samples": [g]}, "batch_id"),
    ("batch_id not ASCII", lambda g: {"batch_id": "批次1", "samples": [g]}, "batch_id"),
    ("batch_id too long", lambda g: {"batch_id": "b" * 65, "samples": [g]}, "batch_id"),
    ("samples an object", lambda g: {"batch_id": "b-obj", "samples": g}, "samples"),
    ("samples a string", lambda g: {"batch_id": "b-str", "samples": "residual_ma=99"}, "samples"),
    ("samples a number", lambda g: {"batch_id": "b-num", "samples": 1}, "samples"),
    ("samples null", lambda g: {"batch_id": "b-null", "samples": None}, "samples"),
    ("events an object", lambda g: {"batch_id": "b-ev", "samples": [g], "events": {"kind": "trip"}}, "events"),
    ("nested ten thousand deep", b'{"batch_id": "deep", "samples": [' + b"[" * 10_000 + b"]" * 10_000 + b"]}",
     "JSON"),
]


@pytest.mark.parametrize(("what", "body", "word"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_a_bad_body_is_one_400_naming_the_field(feed: Feed, what: str, body: bytes | Callable[[JSON], Any],
                                                word: str) -> None:
    good = feed.sample()
    r = feed.post(body if isinstance(body, bytes) else body(good))
    assert r.status_code == 400, f"{what}: {r.status_code} {r.text}"
    error = r.json()
    assert error["status_code"] == 400
    named = error["detail"] + json.dumps(error.get("extra"))
    assert _names(named, word), f"{what}: the error should name {word!r}: {error}"
    # Nothing of a refused body is stored.
    assert feed.readings(good["ts"], good["ts"]) == []


def test_unknown_top_level_fields_never_cost_the_good_items(feed: Feed) -> None:
    sample = feed.sample()
    r = feed.post({"batch_id": feed.batch_id(), "samples": [sample], "gateway_firmware": "1.2.3"})
    assert r.status_code in (200, 400), r.text
    if r.status_code == 200:  # ignored (today's answer) — then the sample must be kept
        assert r.json()["accepted"] == 1
        feed.assert_stored([sample])
    else:
        assert "gateway_firmware" in r.json()["detail"]


def _body_of_size(feed: Feed, size: int) -> tuple[bytes, list[JSON]]:
    """A valid batch of distinct samples whose encoding is just over ``size`` bytes."""
    batch_id = feed.batch_id()
    samples: list[JSON] = []
    length = len(json.dumps({"batch_id": batch_id, "samples": []}))
    while length <= size:
        samples.append(feed.sample(value=float(len(samples))))
        length += len(json.dumps(samples[-1])) + 2  # ", " between items
    body = json.dumps({"batch_id": batch_id, "samples": samples}).encode()
    return body, samples


def test_a_body_over_4_mib_is_413_and_nothing_is_stored(feed: Feed) -> None:
    body, samples = _body_of_size(feed, MAX_BODY)
    assert len(body) > MAX_BODY
    r = feed.post(body)
    assert r.status_code == 413, r.text[:300]
    assert r.json()["status_code"] == 413
    assert feed.readings(samples[0]["ts"], samples[-1]["ts"]) == []


def test_a_chunked_body_over_4_mib_is_413(feed: Feed) -> None:
    """Without a Content-Length the limit is counted as the body streams in."""
    body, samples = _body_of_size(feed, MAX_BODY)

    def chunks() -> Iterator[bytes]:
        for i in range(0, len(body), 64 * 1024):
            yield body[i:i + 64 * 1024]

    r = feed.client.post("/api/v1/ingest", content=chunks(),
                         headers={**feed.headers, "Content-Type": "application/json"})
    assert r.status_code == 413, r.text[:300]
    assert feed.readings(samples[0]["ts"], samples[-1]["ts"]) == []


def test_a_body_just_under_4_mib_is_taken(feed: Feed) -> None:
    body, samples = _body_of_size(feed, MAX_BODY - 64 * 1024)
    assert len(body) < MAX_BODY
    result = _ok(feed.post(body))
    assert result["accepted"] == len(samples) and result["rejected"] == []
    stored = feed.readings(samples[0]["ts"], samples[-1]["ts"])
    assert len(stored) == len(samples)


# ---- a repeated batch ------------------------------------------------------------------------------------------

def test_a_repeated_batch_id_is_acknowledged_again_and_stored_once(feed: Feed) -> None:
    batch_id = feed.batch_id()
    samples = [feed.sample(value=float(i)) for i in range(5)] + [feed.sample(channel="temp_c")]
    event: JSON = {"device": DEVICE, "kind": "trip", "ts": feed.ts()}
    body = {"batch_id": batch_id, "samples": samples, "events": [event]}
    span = (samples[0]["ts"], samples[-1]["ts"])

    first = _ok(feed.post(body))
    assert first["duplicate"] is False and first["accepted"] == 6 and len(first["rejected"]) == 1
    before = feed.readings(*span)
    assert len(before) == 5

    again = _ok(feed.post(body))
    assert again == {**first, "duplicate": True}
    # The same id with other content is still the batch already stored: acknowledged, nothing new kept.
    later = feed.sample(value=1e3)
    third = _ok(feed.post({"batch_id": batch_id, "samples": [later]}))
    assert third["duplicate"] is True and third["accepted"] == first["accepted"]
    assert feed.readings(*span) == before
    assert feed.readings(later["ts"], later["ts"]) == []
    assert _events_at(feed, [event["ts"]]) == [("trip", event["ts"], 1)]


# ---- who may send -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["owner_1", "inspector_heshan", "regulator_fire", "regulator_commerce"])
def test_roles_that_may_not_send_readings_get_403(feed: Feed, who: str) -> None:
    sample = feed.sample()
    r = feed.post({"batch_id": feed.batch_id(), "samples": [sample]}, feed.world.headers(who))
    assert r.status_code == 403, r.text
    assert feed.readings(sample["ts"], sample["ts"]) == []


@pytest.mark.parametrize("authorization", [None, "", "Bearer", "Bearer not-a-token", "Basic cm9vdDpwdw==",
                                           "Bearer adg_not-a-real-gateway-key"])
def test_no_or_invalid_credentials_get_401(feed: Feed, authorization: str | None) -> None:
    sample = feed.sample()
    headers = {} if authorization is None else {"Authorization": authorization}
    r = feed.post({"batch_id": feed.batch_id(), "samples": [sample]}, headers)
    assert r.status_code == 401, r.text
    assert feed.readings(sample["ts"], sample["ts"]) == []


def test_a_revoked_gateway_key_gets_401(client: TestClient[Any], world: World) -> None:
    feed = Feed(client, world)  # a world of its own: the key stays revoked
    before = feed.sample()
    assert _ok(feed.post({"batch_id": feed.batch_id(), "samples": [before]}))["accepted"] == 1
    r = feed.client.delete(f"/api/v1/gateways/{world.gateways['site_market']}", headers=world.headers("admin"))
    assert r.status_code == 204, r.text
    after = feed.sample()
    r = feed.post({"batch_id": feed.batch_id(), "samples": [after]})
    assert r.status_code == 401, r.text
    assert feed.readings(before["ts"], after["ts"]) == [(before["ts"], 12.5)]


# ---- text that is not text ---------------------------------------------------------------------------------------

# json.dumps writes a lone surrogate as the escape "\ud800", which Python's json.loads reads back into a str that
# cannot be encoded as UTF-8. Where the sample is a good one the answer must still name the bad item, not fail.
SURROGATE_ITEMS: list[tuple[str, str, JSON]] = [
    ("a sample field named by a lone surrogate", "samples",
     {"device": DEVICE, "channel": "residual_ma", "ts": T0 - 60, "value": 1.0, "\ud800": 1}),
    ("an event kind that is a lone surrogate", "events", {"device": DEVICE, "kind": "\udfff", "ts": T0 - 60}),
    ("a device serial that is a lone surrogate", "samples",
     {"device": "\ud800", "channel": "residual_ma", "ts": T0 - 60, "value": 1.0}),
]


@pytest.mark.parametrize(("what", "where", "bad"), SURROGATE_ITEMS, ids=[s[0] for s in SURROGATE_ITEMS])
def test_a_lone_surrogate_in_an_item_is_rejected_per_item(feed: Feed, what: str, where: str, bad: JSON) -> None:
    good = feed.sample()
    items: JSON = {"samples": [good], "events": []}
    items[where].append(bad)
    index = len(items[where]) - 1
    body = json.dumps({"batch_id": feed.batch_id(), **items})
    assert "\\ud" in body  # the escape, as json.dumps writes it
    r = feed.post(body)
    assert r.status_code == 200, f"{what}: {r.status_code} {r.text}"
    [rejected] = r.json()["rejected"]
    assert rejected["index"] == index and rejected["error"].startswith(f"{where}[{index}]"), rejected
    assert r.json()["accepted"] == 1
    feed.assert_stored([good])


def test_a_lone_surrogate_as_a_top_level_field_name_is_not_a_500(feed: Feed) -> None:
    good = feed.sample()
    r = feed.post(json.dumps({"batch_id": feed.batch_id(), "samples": [good], "\ud800": 1}))
    assert r.status_code in (200, 400), r.text


INVALID_UTF8: list[tuple[str, bytes]] = [
    ("in a string value", b'{"batch_id": "u1", "samples": [{"device": "\xff\xfe", "channel": "residual_ma", '
                          b'"ts": 1763850000, "value": 1}]}'),
    ("in a field name", b'{"batch_id": "u2", "samples": [], "\xc3": 1}'),
    ("a truncated character", b'{"batch_id": "u3", "samples": [{"device": "SN-\xe5\xae"}]}'),
]


@pytest.mark.parametrize(("what", "body"), INVALID_UTF8, ids=[u[0] for u in INVALID_UTF8])
def test_a_body_that_is_not_utf8_is_one_400(feed: Feed, what: str, body: bytes) -> None:
    """JSON is UTF-8 (RFC 8259 §8.1); bytes that are not are a bad body, not a server error."""
    r = feed.post(body)
    assert r.status_code == 400, f"{what}: {r.status_code} {r.text}"
    assert "body" in r.json()["detail"]


# ---- random items ------------------------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
SAMPLE_FIELDS = ("device", "channel", "ts", "value")
EVENT_FIELDS = ("device", "kind", "ts", "count")


@st.composite
def mangled(draw: st.DrawFn, template: JSON, fields: tuple[str, ...]) -> Any:
    """A good item with some fields dropped, retyped or added — or something that is not an item at all."""
    if draw(st.integers(0, 5)) == 0:
        return draw(json_values)
    item = dict(template)
    for name in draw(st.lists(st.sampled_from(fields), max_size=3, unique=True)):
        if draw(st.booleans()):
            del item[name]
        else:
            item[name] = draw(json_values)
    item.update(draw(st.dictionaries(st.text(max_size=10), json_values, max_size=2)))
    return item


# A good item is marked by None in the drawn list and filled in with a fresh timestamp when the test runs.
SAMPLE_TEMPLATE = {"device": DEVICE, "channel": "residual_ma", "ts": T0 - 2 * 3600, "value": 5.0}
EVENT_TEMPLATE = {"device": DEVICE, "kind": "trip", "ts": T0 - 2 * 3600, "count": 1}
mixed_samples = st.lists(st.none() | mangled(SAMPLE_TEMPLATE, SAMPLE_FIELDS), max_size=12)
mixed_events = st.lists(st.none() | mangled(EVENT_TEMPLATE, EVENT_FIELDS), max_size=6)


@hypothesis_settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(samples=mixed_samples, events=mixed_events, values=st.lists(st.floats(-1e6, 1e6), min_size=12, max_size=12))
def test_random_items_never_cost_the_good_ones(feed: Feed, samples: list[Any],
                                               events: list[Any], values: list[float]) -> None:
    good_samples: dict[int, JSON] = {}
    good_events: dict[int, JSON] = {}
    for i, item in enumerate(samples):
        if item is None:
            samples[i] = good_samples[i] = feed.sample(value=values[i], channel=("residual_ma", "current_a")[i % 2])
    for i, item in enumerate(events):
        if item is None:
            events[i] = good_events[i] = {"device": DEVICE, "kind": "close", "ts": feed.ts(), "count": i}

    r = feed.post(json.dumps({"batch_id": feed.batch_id(), "samples": samples, "events": events}))

    assert r.status_code == 200, r.text
    result = r.json()
    assert result["duplicate"] is False
    assert result["accepted"] + len(result["rejected"]) == len(samples) + len(events), result
    assert not set(_rejected_by_index(result)) & set(good_samples), result["rejected"]
    assert not set(_rejected_by_index(result, "event")) & set(good_events), result["rejected"]
    for kind, errors in (("sample", _rejected_by_index(result)), ("event", _rejected_by_index(result, "event"))):
        for index, error in errors.items():
            assert error.startswith(f"{kind}s[{index}]"), error
    if good_samples:
        feed.assert_stored(list(good_samples.values()))
    if good_events:
        stored = _events_at(feed, [e["ts"] for e in good_events.values()])
        assert stored == [("close", e["ts"], e["count"]) for e in good_events.values()]


@hypothesis_settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=json_values | st.dictionaries(st.sampled_from(["batch_id", "samples", "events", "extra"]), json_values))
def test_any_json_body_is_answered_without_a_500(feed: Feed, body: Any) -> None:
    r = feed.post(json.dumps(body))
    assert r.status_code in (200, 400), r.text
    if r.status_code == 400:
        assert r.json()["detail"]

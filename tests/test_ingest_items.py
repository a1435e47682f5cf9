"""Bad items in an ingest batch, through the real app: each bad sample or event is named with its index and field,
and the good items of the batch are stored (read back through the API)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from .conftest import T0, World
from .ingest_helpers import DEVICE, JSON, Feed, events_at, json_values, names, ok

OTHER_SITE_DEVICE = "SN-site_care"


@pytest.fixture(scope="module")
def feed(shared_world: tuple[TestClient[Any], World]) -> Feed:
    return Feed(*shared_world)


def _rejected_by_index(result: JSON, kind: str = "sample") -> dict[int, str]:
    return {r["index"]: r["error"] for r in result["rejected"] if r["kind"] == kind}


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

    result = ok(feed.post({"batch_id": feed.batch_id(), "samples": samples}))

    rejected = _rejected_by_index(result)
    assert sorted(rejected) == sorted(expected), result["rejected"]
    for index, (what, word) in expected.items():
        error = rejected[index]
        assert error.startswith(f"samples[{index}]"), (what, error)
        assert names(error, word), f"{what}: the error should name {word!r}: {error}"
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

    result = ok(feed.post(body))

    rejected = _rejected_by_index(result)
    assert sorted(rejected) == [1, 2, 3, 5, 6, 7], result["rejected"]
    for index, (what, _, word) in zip([1, 2, 3, 5, 6, 7], bad, strict=True):
        error = rejected[index]
        assert error.startswith(f"samples[{index}]") and names(error, word), (what, error)
    assert sorted(_rejected_by_index(result, "event")) == [0, 1]
    assert names(_rejected_by_index(result, "event")[0], "count")
    assert result["accepted"] == 3
    feed.assert_stored(good)


def test_a_batch_of_only_nan_values_stores_nothing(feed: Feed) -> None:
    sample = feed.sample(value=float("nan"))
    result = ok(feed.post(json.dumps({"batch_id": feed.batch_id(), "samples": [sample]})))
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

    result = ok(feed.post({"batch_id": feed.batch_id(), "samples": [good_sample], "events": events}))

    rejected = _rejected_by_index(result, "event")
    assert sorted(rejected) == sorted(words), result["rejected"]
    for index, word in words.items():
        assert rejected[index].startswith(f"events[{index}]") and names(rejected[index], word), rejected[index]
    assert _rejected_by_index(result, "sample") == {}
    assert result["accepted"] == 1 + 3
    feed.assert_stored([good_sample])
    kept = [events[0], events[4], events[13]]
    assert events_at(feed, [e["ts"] for e in kept]) == [(e["kind"], e["ts"], e.get("count", 1)) for e in kept]


def test_clock_skew_limit_is_five_minutes(feed: Feed) -> None:
    now = feed.now
    just_inside, just_outside = feed.sample(ts=now + 299), feed.sample(ts=now + 301)
    result = ok(feed.post({"batch_id": feed.batch_id(), "samples": [just_inside, just_outside]}))
    assert result["accepted"] == 1
    [rejected] = result["rejected"]
    assert rejected["index"] == 1 and "future" in rejected["error"] and names(rejected["error"], "ts")
    assert feed.readings(now, now + 400) == [(now + 299, 12.5)]


def test_readings_sent_again_in_another_batch_are_stored_once(feed: Feed) -> None:
    """A gateway re-sends readings under a new batch id: the first values stay, none doubles — also readings the
    detector does not take as its channel's newest: history (a day old) and a clock ahead of the server (judged as
    of now). Readings are stored in chunks and only those that may be stored already are looked up (issue 21)."""
    old = [feed.sample(value=1.0) for _ in range(3)]
    ahead = [feed.sample(channel="current_a", ts=feed.now + 250 + i, value=2.0) for i in range(3)]
    assert ok(feed.post({"batch_id": feed.batch_id(), "samples": old + ahead}))["accepted"] == 6
    again = [{**s, "value": 9.0} for s in old + ahead]
    assert ok(feed.post({"batch_id": feed.batch_id(), "samples": again}))["accepted"] == 6
    assert feed.readings(old[0]["ts"], old[-1]["ts"]) == [(s["ts"], 1.0) for s in old]
    assert feed.readings(feed.now + 250, feed.now + 252, "current_a") == [(s["ts"], 2.0) for s in ahead]

# ---- devices the caller may not feed look exactly like unknown ones -------------------------------------------

def _normalised(error: str, index: int, serial: str) -> str:
    return error.replace(f"samples[{index}]", "samples[*]").replace(repr(serial), "'<serial>'")


def test_a_device_of_another_site_looks_like_an_unknown_device(feed: Feed) -> None:
    world = feed.world
    foreign = feed.sample(device=OTHER_SITE_DEVICE)
    unknown = feed.sample(device="SN-NO-SUCH-DEVICE")
    result = ok(feed.post({"batch_id": feed.batch_id(), "samples": [foreign, unknown, feed.sample()]}))
    errors = _rejected_by_index(result)
    assert sorted(errors) == [0, 1] and result["accepted"] == 1
    assert _normalised(errors[0], 0, OTHER_SITE_DEVICE) == _normalised(errors[1], 1, "SN-NO-SUCH-DEVICE")

    # The same for a user token: company B's operator may not feed company A's breaker, and is told nothing more.
    as_operator_b = feed.post({"batch_id": feed.batch_id(), "samples": [feed.sample(), unknown]},
                              world.headers("operator_b"))
    errors_b = _rejected_by_index(ok(as_operator_b))
    assert sorted(errors_b) == [0, 1]
    assert _normalised(errors_b[0], 0, DEVICE) == _normalised(errors_b[1], 1, "SN-NO-SUCH-DEVICE")

    # Nothing reached the other site's breaker.
    care_channel = world.channels["site_care"]
    assert feed.readings(foreign["ts"], foreign["ts"], channel_id=care_channel) == []


def test_own_company_users_may_feed_their_sites(feed: Feed) -> None:
    samples = [feed.sample(value=1.0), feed.sample(value=2.0)]
    for who, sample in zip(("installer_a", "operator_a"), samples, strict=True):
        result = ok(feed.post({"batch_id": feed.batch_id(), "samples": [sample]}, feed.world.headers(who)))
        assert result["accepted"] == 1 and result["rejected"] == []
    feed.assert_stored(samples)


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


# ---- random items ------------------------------------------------------------------------------------------------
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
        stored = events_at(feed, [e["ts"] for e in good_events.values()])
        assert stored == [("close", e["ts"], e["count"]) for e in good_events.values()]

"""Whole ingest bodies that are wrong, through the real app: a bad body is one 400 (or 413), never a 500, and
nothing of it is stored; a repeated batch is stored once; only who may send readings is heard."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from .conftest import World
from .ingest_helpers import DEVICE, JSON, Feed, events_at, json_values, names, ok

MAX_BODY = 4 * 1024 * 1024


@pytest.fixture(scope="module")
def feed(shared_world: tuple[TestClient[Any], World]) -> Feed:
    return Feed(*shared_world)


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
    assert names(named, word), f"{what}: the error should name {word!r}: {error}"
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
    result = ok(feed.post(body))
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

    first = ok(feed.post(body))
    assert first["duplicate"] is False and first["accepted"] == 6 and len(first["rejected"]) == 1
    before = feed.readings(*span)
    assert len(before) == 5

    again = ok(feed.post(body))
    assert again == {**first, "duplicate": True}
    # The same id with other content is still the batch already stored: acknowledged, nothing new kept.
    later = feed.sample(value=1e3)
    third = ok(feed.post({"batch_id": batch_id, "samples": [later]}))
    assert third["duplicate"] is True and third["accepted"] == first["accepted"]
    assert feed.readings(*span) == before
    assert feed.readings(later["ts"], later["ts"]) == []
    assert events_at(feed, [event["ts"]]) == [("trip", event["ts"], 1)]


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
    assert ok(feed.post({"batch_id": feed.batch_id(), "samples": [before]}))["accepted"] == 1
    r = feed.client.delete(f"/api/v1/gateways/{world.gateways['site_market']}", headers=world.headers("admin"))
    assert r.status_code == 204, r.text
    after = feed.sample()
    r = feed.post({"batch_id": feed.batch_id(), "samples": [after]})
    assert r.status_code == 401, r.text
    assert feed.readings(before["ts"], after["ts"]) == [(before["ts"], 12.5)]

# ---- text that is not text ---------------------------------------------------------------------------------------

# A lone surrogate in an item is that item's fault (test_ingest_items); as a top-level field name it is the body's.


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


# ---- random bodies -----------------------------------------------------------------------------------------------

@hypothesis_settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=json_values | st.dictionaries(st.sampled_from(["batch_id", "samples", "events", "extra"]), json_values))
def test_any_json_body_is_answered_without_a_500(feed: Feed, body: Any) -> None:
    r = feed.post(json.dumps(body))
    assert r.status_code in (200, 400), r.text
    if r.status_code == 400:
        assert r.json()["detail"]

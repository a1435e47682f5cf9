"""What the malformed-ingest tests share: a gateway that posts to /api/v1/ingest and reads the readings back,
checks on its answers, and the strategy of arbitrary JSON values."""

from __future__ import annotations

import itertools
import re
from typing import Any

from hypothesis import strategies as st
from litestar.testing import TestClient

from server.settings import Settings

from . import backends
from .conftest import T0, World

DEVICE = "SN-site_market"  # build_world's breaker on site_market: channels residual_ma and current_a

JSON = dict[str, Any]


class Feed:
    """Posts to /api/v1/ingest as site_market's gateway and reads the breaker's readings back.

    Every sample it makes has a timestamp of its own, so the tests of a module can share one database.
    """

    def __init__(self, client: TestClient[Any], world: World) -> None:
        self.client = client
        self.world = world
        self.now = T0  # the app's clock stands still
        self.settings: Settings = client.app.state["andian"].settings
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
        """Raw readings, asked for 50 s at a time (this module's samples are 10 ms apart: 5,000 a window, under the
        bound on one answer)."""
        url = f"/api/v1/channels/{channel_id or self.channel_ids[channel]}/readings"
        out: list[tuple[float, float]] = []
        while True:
            upto = min(start + 50, end)
            r = self.client.get(url, params={"from": start, "to": upto}, headers=self.world.headers("admin"))
            assert r.status_code == 200, r.text
            out += [(t, v) for t, v in zip(r.json()["ts"], r.json()["value"], strict=True) if t < upto or upto == end]
            if upto == end:
                return out
            start = upto

    def assert_stored(self, samples: list[JSON]) -> None:
        """Every sample given is stored with its value, read back per channel over the samples' time range."""
        for channel in {s["channel"] for s in samples}:
            mine = [(s["ts"], float(s["value"])) for s in samples if s["channel"] == channel]
            stored = set(self.readings(min(t for t, _ in mine), max(t for t, _ in mine), channel))
            missing = [m for m in mine if m not in stored]
            assert not missing, f"good {channel} samples not stored: {missing}"


def ok(response: Any) -> JSON:
    assert response.status_code == 200, response.text
    body: JSON = response.json()
    return body


def names(error: str, word: str) -> bool:
    """The error names ``word`` as a word of its own (``ts`` in "`$.ts`", not in "contains")."""
    return re.search(rf"\b{re.escape(word)}\b", error) is not None


def events_at(feed: Feed, ts: list[float]) -> list[tuple[str, float, int]]:
    """The stored device events at these times, straight from the database (no API lists them)."""
    marks = ", ".join("?" * len(ts))
    rows = backends.rows(feed.settings, f"SELECT kind, ts, count FROM events WHERE ts IN ({marks}) ORDER BY ts", ts)
    return [(str(k), float(t), int(c)) for k, t, c in rows]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)

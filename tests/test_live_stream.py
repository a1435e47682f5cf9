"""GET /api/v1/live against a real `andian serve`: the Server-Sent Events of one site, and of no other.

The stream is parsed as the EventSource spec reads it: `field: value` lines, an event ends at a blank line,
lines starting with ':' are comments (the server opens with one and keeps the stream alive with more).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import httpx
import pytest

from . import backends
from .conftest import PASSWORD, add_admin
from .server_process import start_server

QUIET_S = 0.5  # how long a stream that should stay silent is watched after the other one has spoken
WAIT_S = 10.0


@dataclass
class Live:
    url: str
    tokens: dict[str, str] = field(default_factory=dict)
    sites: dict[str, int] = field(default_factory=dict)
    devices: dict[str, int] = field(default_factory=dict)  # serial → id
    gateway_keys: dict[str, str] = field(default_factory=dict)  # site → key
    next_ts: dict[str, float] = field(default_factory=dict)  # serial → the time of its next sample

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


def _seed(url: str) -> Live:
    """Two sites of company A (one owned by owner_1, one by owner_2) with a breaker and a gateway each, and
    company B's operator, who sees neither."""
    live = Live(url)
    with httpx.Client(base_url=url, timeout=10) as http:
        def login(username: str) -> None:
            r = http.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
            assert r.status_code == 200, r.text
            live.tokens[username] = r.json()["token"]

        def created(r: httpx.Response) -> dict[str, Any]:
            assert r.status_code == 201, r.text
            body: dict[str, Any] = r.json()
            return body

        login("root")
        admin = live.headers("root")
        companies = {name: created(http.post("/api/v1/companies", headers=admin, json={"name": f"公司{name}"}))["id"]
                     for name in ("A", "B")}
        users = {"owner_1": {"role": "owner"}, "owner_2": {"role": "owner"},
                 "operator_b": {"role": "operator", "company_id": companies["B"]}}
        user_ids = {}
        for username, spec in users.items():
            user_ids[username] = created(http.post("/api/v1/users", headers=admin, json={
                "username": username, "password": PASSWORD, **spec}))["id"]
            login(username)
        for site, owner, serial in (("market", "owner_1", "LIVE-1"), ("care", "owner_2", "LIVE-2")):
            live.sites[site] = created(http.post("/api/v1/sites", headers=admin, json={
                "name": f"{site} 站点", "address": f"{site} 地址", "region_code": "430903001001",
                "venue_type": "market", "company_id": companies["A"], "owner_id": user_ids[owner]}))["id"]
            live.devices[serial] = created(http.post(f"/api/v1/sites/{live.sites[site]}/devices", headers=admin, json={
                "serial": serial, "model": "AD-SB63", "kind": "breaker", "rated_current_a": 32,
                "channels": [{"key": "residual_ma"}, {"key": "current_a"}]}))["id"]
            live.gateway_keys[site] = created(http.post(f"/api/v1/sites/{live.sites[site]}/gateways", headers=admin,
                                                        json={"name": f"box {site}"}))["api_key"]
    return live


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    tmp = tmp_path_factory.mktemp("live")
    add_admin(backends.settings(tmp / "andian.db"))
    with (tmp / "server.log").open("w") as log:
        process, url = start_server(tmp / "andian.db", log)
        try:
            yield _seed(url)
        finally:
            process.terminate()
            process.wait(timeout=15)


@dataclass
class Message:
    event: str
    data: Any  # the decoded JSON of the data lines


class Stream:
    """An open GET /api/v1/live?site_id=…: parsed messages land in a queue; entered once the server's opening
    comment has arrived, which the server sends only after it has registered the subscriber."""

    def __init__(self, live: Live, who: str, site: str) -> None:
        self.client = httpx.AsyncClient(base_url=live.url, timeout=httpx.Timeout(WAIT_S, read=None))
        self.request = self.client.stream("GET", "/api/v1/live", params={"site_id": live.sites[site]},
                                          headers=live.headers(who))
        self.messages: asyncio.Queue[Message] = asyncio.Queue()
        self.comments: list[str] = []
        # Events of the default type with empty data: what an EventSource makes of a frame with an empty data line.
        self.empty_messages = 0
        self.opened = asyncio.Event()
        self.reader: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Stream:
        response = await self.request.__aenter__()
        assert response.status_code == 200, (await response.aread()).decode()
        assert response.headers["content-type"].startswith("text/event-stream")
        self.reader = asyncio.create_task(self._read(response))
        await asyncio.wait_for(self.opened.wait(), WAIT_S)
        return self

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        assert self.reader is not None
        self.reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.reader
        await self.request.__aexit__(kind, exc, tb)
        await self.client.aclose()

    async def _read(self, response: httpx.Response) -> None:
        event = ""
        data: list[str] = []
        async for line in response.aiter_lines():
            if line == "":
                if data:  # a frame without data lines dispatches nothing
                    self._dispatch(event or "message", "\n".join(data))
                event, data = "", []
            elif line.startswith(":"):
                self.comments.append(line[1:].strip())
                self.opened.set()
            else:
                name, _, value = line.partition(":")
                value = value.removeprefix(" ")
                if name == "event":
                    event = value
                elif name == "data":
                    data.append(value)

    def _dispatch(self, event: str, data: str) -> None:
        if event == "message" and data == "":
            self.empty_messages += 1
        else:
            self.messages.put_nowait(Message(event, json.loads(data)))

    async def until(self, *events: str, wait: float = WAIT_S) -> list[Message]:
        """Messages until one of each kind in ``events`` has come (fails after ``wait`` seconds)."""
        assert self.reader is not None
        got: list[Message] = []
        async with asyncio.timeout(wait):
            while not set(events) <= {m.event for m in got}:
                message = asyncio.ensure_future(self.messages.get())
                try:
                    await asyncio.wait({message, self.reader}, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    message.cancel()
                if not message.done() or message.cancelled():  # the stream ended or its reader failed
                    self.reader.result()
                    raise AssertionError(f"the stream ended after {got}")
                got.append(message.result())
        return got

    async def quiet(self, wait: float = QUIET_S) -> list[Message]:
        """Whatever arrives within ``wait`` seconds (expected: nothing)."""
        await asyncio.sleep(wait)
        got = []
        while not self.messages.empty():
            got.append(self.messages.get_nowait())
        return got


async def _ingest(live: Live, site: str, serial: str, values: list[float]) -> dict[str, Any]:
    """Samples 6 s apart, each device's stream going on where its last batch ended, through the site's gateway."""
    samples = []
    for value in values:
        ts = live.next_ts.get(serial, time.time() - 1800)
        live.next_ts[serial] = ts + 6
        samples.append({"device": serial, "channel": "residual_ma", "ts": ts, "value": value})
    now = time.time()
    async with httpx.AsyncClient(base_url=live.url, timeout=WAIT_S) as http:
        r = await http.post("/api/v1/ingest", headers={"Authorization": f"Bearer {live.gateway_keys[site]}"},
                            json={"batch_id": f"live-{serial}-{now}", "samples": samples})
    assert r.status_code == 200, r.text
    result: dict[str, Any] = r.json()
    assert result["accepted"] == len(values) and result["rejected"] == [], result
    return result


async def test_an_alarm_batch_streams_a_reading_and_a_raised_alarm_to_its_site_only(live: Live) -> None:
    async with Stream(live, "owner_1", "market") as market, Stream(live, "owner_2", "care") as care:
        assert market.comments[0] == "andian live"
        # Over the default 300 mA leakage level for longer than its 5 s delay.
        await _ingest(live, "market", "LIVE-1", [420.0, 430.0, 440.0])

        got = await market.until("reading", "alarm")
        readings = [m.data for m in got if m.event == "reading"]
        alarms = [m.data for m in got if m.event == "alarm"]
        assert {m.event for m in got} <= {"reading", "alarm"}, got
        [alarm] = alarms
        assert alarm["transition"] == "raised"
        assert (alarm["site_id"], alarm["device_id"], alarm["channel"]) == (
            live.sites["market"], live.devices["LIVE-1"], "residual_ma")
        assert (alarm["cause"], alarm["level"], alarm["cleared_at"]) == ("leakage", "alarm", None)
        assert alarm["peak"] == 440.0
        [reading] = readings
        assert (reading["device_id"], reading["channel"], reading["value"]) == (live.devices["LIVE-1"],
                                                                                "residual_ma", 440.0)
        assert await care.quiet() == [], "the other site's subscriber heard of the market's alarm"

        # And the other way round: the care home's reading reaches its owner and not the market's.
        await _ingest(live, "care", "LIVE-2", [12.0])
        [message] = await care.until("reading")
        assert message.data["device_id"] == live.devices["LIVE-2"] and message.data["value"] == 12.0
        assert await market.quiet() == []


async def test_the_stream_follows_the_alarm_until_it_clears(live: Live) -> None:
    async with Stream(live, "root", "market") as market:
        await _ingest(live, "market", "LIVE-1", [450.0, 450.0, 450.0])  # raised here unless still active
        await market.until("reading")
        await _ingest(live, "market", "LIVE-1", [10.0, 10.0, 10.0, 10.0, 10.0, 10.0])
        got = await market.until("alarm")
        transitions = [(m.data["cause"], m.data["transition"]) for m in got if m.event == "alarm"]
        assert ("leakage", "cleared") in transitions, got


@pytest.mark.parametrize(("who", "site"), [("operator_b", "market"), ("owner_2", "market"), ("owner_1", "care")])
def test_a_user_who_may_not_see_the_site_gets_404(live: Live, who: str, site: str) -> None:
    r = httpx.get(f"{live.url}/api/v1/live", params={"site_id": live.sites[site]}, headers=live.headers(who),
                  timeout=WAIT_S)
    assert r.status_code == 404, r.text
    # Exactly the answer for a site that does not exist: nothing tells the two apart.
    unknown = httpx.get(f"{live.url}/api/v1/live", params={"site_id": 999_999}, headers=live.headers(who),
                        timeout=WAIT_S)
    assert unknown.status_code == 404
    assert r.json()["detail"].replace(str(live.sites[site]), "<id>") == unknown.json()["detail"].replace(
        "999999", "<id>")


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Bearer adg_revoked-or-never-issued"])
def test_no_or_a_bad_token_gets_401(live: Live, authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    r = httpx.get(f"{live.url}/api/v1/live", params={"site_id": live.sites["market"]}, headers=headers,
                  timeout=WAIT_S)
    assert r.status_code == 401, r.text


async def test_comments_dispatch_no_events(live: Live) -> None:
    """The opening and keep-alive comments must be comments only: a frame that also has a `data:` line (even an
    empty one) makes every EventSource dispatch a `message` event with empty data (WHATWG HTML §9.2.6)."""
    async with Stream(live, "owner_1", "market") as market:
        await asyncio.sleep(0.2)  # the rest of the opening frame
        assert market.comments == ["andian live"]
        assert market.empty_messages == 0, "the opening comment frame carries an empty data line"


async def test_a_hazard_change_streams_to_its_site(live: Live) -> None:
    async with Stream(live, "owner_1", "market") as market, Stream(live, "owner_2", "care") as care:
        async with httpx.AsyncClient(base_url=live.url, timeout=WAIT_S) as http:
            r = await http.post("/api/v1/hazards", headers=live.headers("root"), json={
                "site_id": live.sites["market"], "title": "配电箱门损坏"})
            assert r.status_code == 201, r.text
            r = await http.post(f"/api/v1/hazards/{r.json()['id']}/comments", headers=live.headers("owner_1"),
                                json={"text": "明天换新门"})
            assert r.status_code == 201, r.text
        got = [m for m in await market.until("hazard") if m.event == "hazard"]
        got += [m for m in await market.quiet() if m.event == "hazard"]
        assert [(m.data["event"], m.data["title"], m.data["state"]) for m in got] == [
            ("created", "配电箱门损坏", "open"), ("comment", "配电箱门损坏", "open")]
        assert [m for m in await care.quiet() if m.event == "hazard"] == []


async def test_a_breaker_that_trips_and_closes_streams_device_events_to_its_site(live: Live) -> None:
    async def event(kind: str, ts: float) -> None:
        async with httpx.AsyncClient(base_url=live.url, timeout=WAIT_S) as http:
            await event_of(http, live, kind, ts)

    async with Stream(live, "owner_1", "market") as market, Stream(live, "owner_2", "care") as care:
        now = time.time()
        await event("trip", now - 2)
        [tripped] = [m.data for m in await market.until("device") if m.event == "device"]
        assert (tripped["device_id"], tripped["switch"], tripped["switch_by"]) == (live.devices["LIVE-1"], "open",
                                                                                   None)
        assert tripped["switch_at"] == pytest.approx(now - 2)
        await event("trip", now - 1)  # already open: nothing moved, nothing streamed
        assert [m for m in await market.quiet() if m.event == "device"] == []
        await event("close", now)
        [closed] = [m.data for m in await market.until("device") if m.event == "device"]
        assert closed["switch"] == "closed"
        assert [m for m in await care.quiet() if m.event == "device"] == []


async def test_a_hazard_the_watchdog_makes_from_a_tripped_alarm_streams_to_its_site(live: Live) -> None:
    """An alarm a trip ended becomes a hazard within a watchdog round; the open site page hears of it."""
    async with Stream(live, "owner_1", "market") as market:
        await _ingest(live, "market", "LIVE-1", [430.0, 430.0, 430.0])  # a leakage alarm (6 s apart, 5 s delay)
        await market.until("alarm")
        ts = live.next_ts["LIVE-1"]
        async with httpx.AsyncClient(base_url=live.url, timeout=WAIT_S) as http:
            r = await http.post("/api/v1/ingest", headers={"Authorization": f"Bearer {live.gateway_keys['market']}"},
                                json={"batch_id": f"live-trip-{ts}",
                                      "samples": [{"device": "LIVE-1", "channel": "residual_ma", "ts": ts,
                                                   "value": 0.0}],
                                      "events": [{"device": "LIVE-1", "kind": "trip", "ts": ts, "count": 1}]})
            assert r.status_code == 200 and r.json()["rejected"] == [], r.text
        live.next_ts["LIVE-1"] = ts + 6
        got = [m.data for m in await market.until("hazard", wait=3 * WAIT_S) if m.event == "hazard"]
        assert got[0]["event"] == "created" and got[0]["source"] == "alarm" and got[0]["state"] == "assigned"
        async with httpx.AsyncClient(base_url=live.url, timeout=WAIT_S) as http:
            await event_of(http, live, "close")


async def event_of(http: httpx.AsyncClient, live: Live, kind: str, ts: float | None = None) -> None:
    """A device event of the market's breaker LIVE-1 (trip, close), through its gateway."""
    ts = time.time() if ts is None else ts
    r = await http.post("/api/v1/ingest", headers={"Authorization": f"Bearer {live.gateway_keys['market']}"},
                        json={"batch_id": f"live-{kind}-{ts}",
                              "events": [{"device": "LIVE-1", "kind": kind, "ts": ts, "count": 1}]})
    assert r.status_code == 200 and r.json()["rejected"] == [], r.text


def test_one_account_holds_a_bounded_number_of_streams(tmp_path: Any) -> None:
    """Each open stream holds a queue on the server: one account's phones and tabs, not a flood (429 past it)."""
    add_admin(backends.settings(tmp_path / "andian.db"))

    async def open_streams(live: Live) -> None:
        async with Stream(live, "owner_1", "market"), Stream(live, "owner_1", "market"):
            async with httpx.AsyncClient(base_url=live.url, timeout=WAIT_S) as http:
                third = await http.get("/api/v1/live", params={"site_id": live.sites["market"]},
                                       headers=live.headers("owner_1"))
                assert third.status_code == 429, third.text
                assert "2 live streams are open" in third.json()["detail"] and "Retry-After" in third.headers
            # Another account is not held back by this one's streams.
            async with Stream(live, "owner_2", "care"):
                pass

    with (tmp_path / "server.log").open("w") as log:
        process, url = start_server(tmp_path / "andian.db", log, env={"ANDIAN_LIVE_STREAMS_PER_CALLER": "2"})
        try:
            asyncio.run(open_streams(_seed(url)))
        finally:
            process.terminate()
            process.wait(timeout=15)

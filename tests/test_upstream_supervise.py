"""The box's upstream parts under one supervisor (server/upstream/supervise.py): a round that fails in a way nobody
foresaw is logged with its traceback, and that part goes on after a wait, as do the others."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .conftest import wait_for
from .mirror_rig import Box, CuttableLink, box_app, cloud_server

COMMANDS = "/api/v1/upstream/commands"
MIRROR = "/api/v1/upstream/mirror"


class OddLink(CuttableLink):
    """Real HTTP to the cloud, except that the first request to each of ``odd`` raises an error of a type the
    upstream code does not expect (not an httpx error, as httpx.InvalidURL is not)."""

    def __init__(self) -> None:
        super().__init__()
        self.odd: set[str] = set()
        self.started: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.started.append(path)
        if path in self.odd:
            self.odd.discard(path)
            raise RuntimeError(f"an error nobody foresaw (test), at {path}")
        return await super().handle_async_request(request)


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[tuple[OddLink, Box]]:
    """A cloud and a box paired with it whose link the test can make misbehave (the app's start sets up logging:
    in a fixture, before caplog's handler is put in place for the test)."""
    link = OddLink()
    with cloud_server(tmp_path) as cloud, box_app(tmp_path, cloud, link=link, upstream_heartbeat_s=4.0) as box:
        yield link, box


def test_a_round_failing_unexpectedly_is_logged_and_every_part_goes_on(
        rig: tuple[OddLink, Box], caplog: pytest.LogCaptureFixture) -> None:
    link, _ = rig
    caplog.set_level(logging.INFO, logger="andian.upstream")
    assert wait_for(lambda: MIRROR in link.started and COMMANDS in link.started), link.started
    link.odd = {COMMANDS, MIRROR}
    link.started.clear()
    # The commands part polls again after its failure, and the mirror goes on round after round.
    assert wait_for(lambda: link.started.count(COMMANDS) >= 2), link.started
    assert wait_for(lambda: link.started[link.started.index(COMMANDS) + 1:].count(MIRROR) >= 3), link.started
    failed = [r for r in caplog.records if "round failed" in r.getMessage()]
    assert {r.getMessage().split(" ")[0] for r in failed} == {"commands", "mirror"}
    assert all(r.exc_info and isinstance(r.exc_info[1], RuntimeError) for r in failed)
    assert not link.odd

"""A queued frame the centre never answers does not hold back the queue for ever: after 3 connections on which it
was sent and not answered (12 sends) it is given up, recorded and logged, and the frames behind it go. A centre that
cannot be reached at all counts nothing against a frame."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from gb26875 import CONFIRM, Frame
from server.gb26875.uplink import Uplink
from server.gb26875.uplink_api import STATE_KEY
from server.settings import Settings
from server.storage import gb26875_uplink as sql

from . import backends
from .conftest import Clock, wait_for
from .gb26875_centre import Centre, unit_type
from .uplink_rig import Site, leakage_state, open_app, uplink_settings

WAIT_S = 30.0
QUICK_S = 0.1  # the confirmation wait for these tests (the standard's 10 s would make 12 sends take 2 minutes)


def silent_on_the_first_alarm(first: list[int]) -> Callable[[Frame], int | None]:
    """Confirm everything but the first part state andian sends (and that frame again, by its serial)."""
    def policy(frame: Frame) -> int | None:
        if unit_type(frame) == 2 and not first:
            first.append(frame.serial)
        return None if unit_type(frame) == 2 and frame.serial in first else CONFIRM
    return policy


@contextlib.contextmanager
def open_site(settings: Settings, clock: Clock, centre: Centre, caplog: pytest.LogCaptureFixture) -> Iterator[Site]:
    """The app with a quick confirmation wait; the uplink's log records (DEBUG up) in ``caplog`` (the app's logging
    set-up replaces the root logger's handlers, caplog's among them)."""
    client, world = open_app(uplink_settings(settings, centre), clock)
    logger = logging.getLogger("andian.gb26875")
    caplog.set_level(logging.DEBUG, logger=logger.name)
    logger.addHandler(caplog.handler)
    try:
        uplink = client.app.state[STATE_KEY]
        assert isinstance(uplink, Uplink)
        uplink.confirm_wait_s = QUICK_S
        yield Site(client, clock, world)
    finally:
        client.__exit__(None, None, None)
        logger.removeHandler(caplog.handler)


def given_up(site: Site, settings: Settings, first: list[int], centre: Centre, caplog: Any) -> None:
    centre.wait(lambda f: unit_type(f) == 2)  # the alarm is sent (and not answered)
    site.until(lambda s: s["queued"]["alarms"] == 0)
    assert centre.count(lambda f: unit_type(f) == 2 and f.serial == first[0]) == 12
    assert centre.connections >= 3
    with backends.connect(settings) as conn:
        denied = sql.denied(conn)
    assert [(d["kind"], d["serial"], d["reason"]) for d in denied] == [
        (sql.ALARM, first[0], "no confirmation after 12 sends")]
    # The uplink logs the give-up once its write has committed: the log line may come a moment after the row.
    said = f"serial {first[0]}, alarm, transition {denied[0]['transition_id']}"

    def logged() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR and said in r.getMessage()]

    assert wait_for(logged, seconds=WAIT_S), [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    # The queue goes on: the alarm's clear reaches the centre and is confirmed.
    site.leak(40.0, 60)
    centre.wait(leakage_state(0))
    site.until(lambda s: s["queued"]["alarms"] == 0)


def test_a_frame_never_answered_is_given_up_and_the_queue_goes_on(settings: Settings, clock: Clock,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    first: list[int] = []
    with Centre() as centre, open_site(settings, clock, centre, caplog) as site:
        centre.wait(lambda f: unit_type(f) == 21)
        centre.policy = silent_on_the_first_alarm(first)
        site.leak(450.0, 20)
        given_up(site, settings, first, centre, caplog)


def test_a_centre_that_cannot_be_reached_counts_nothing_against_a_frame(settings: Settings, clock: Clock,
                                                                          caplog: pytest.LogCaptureFixture) -> None:
    first: list[int] = []
    centre = Centre()  # not listening: every connection attempt is refused
    with open_site(settings, clock, centre, caplog) as site:
        site.leak(450.0, 20)
        site.until(lambda s: s["queued"]["alarms"] >= 1)
        deadline = time.monotonic() + WAIT_S
        while sum("cannot reach" in r.getMessage() for r in caplog.records) < 6:
            assert time.monotonic() < deadline, "andian did not try to connect"
            time.sleep(0.05)
        with backends.connect(settings) as conn:
            row = sql.next_frame(conn)
        assert row is not None and (row["rounds"], row["sends"]) == (0, 0)
        # Reachable now, but silent on the alarm: it still gets its full 12 sends before it is given up.
        centre.policy = silent_on_the_first_alarm(first)
        with centre:
            given_up(site, settings, first, centre, caplog)


def test_a_centre_that_answers_nothing_at_all_is_an_outage_not_a_bad_frame(settings: Settings, clock: Clock,
                                                                           caplog: pytest.LogCaptureFixture) -> None:
    """A hung centre (it accepts connections, answers no frame, not even the running state) costs no alarm its
    place: once it answers again, the alarm arrives."""
    centre = Centre()  # it starts listening once the quick confirmation wait is set
    centre.policy = lambda frame: None
    with open_site(settings, clock, centre, caplog) as site:
        site.leak(450.0, 20)
        site.until(lambda s: s["queued"]["alarms"] >= 1)
        with centre:
            centre.wait_connected(5)  # five connections with nothing answered: more than the rounds a frame gets
            with backends.connect(settings) as conn:
                assert sql.denied(conn) == []
                row = sql.next_frame(conn)
            assert row is not None and row["kind"] == sql.ALARM and row["rounds"] == 0
            centre.policy = lambda frame: CONFIRM
            centre.wait(leakage_state(0b11))
            site.until(lambda s: s["queued"]["alarms"] == 0)

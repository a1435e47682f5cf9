"""The cloud's stamps of its own edits (server/upstream/stamps.py) when one pass holds more of them than a
millisecond's counter: an import of thousands of sites at once (bench/city.py seeds 20,000) made every watchdog
round fail with "more than 65 535 events in one millisecond" and left those sites unstamped for good."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from offline_sync.hlc import MAX_COUNTER, parse
from server.settings import Settings
from server.upstream import stamps

from . import backends
from .conftest import World

NOW_MS = 1_900_000_000_000  # after every stamp the test's world was given


def test_a_pass_past_a_milliseconds_counter_goes_on_in_the_next_milliseconds_in_order(
        client: TestClient[Any], world: World, settings: Settings) -> None:
    with backends.connect(settings) as conn:
        conn.execute("DELETE FROM field_stamps")
        conn.execute("DELETE FROM mirror_dirty")
        conn.execute("INSERT INTO mirror_dirty (site_id) SELECT id FROM sites")
        # The clock has three stamps left in this millisecond; the world has many more fields than that.
        stamps.save_clock(conn, stamps.Clock(stamps.CLOUD, stamps.HLC(NOW_MS, MAX_COUNTER - 3, stamps.CLOUD)))
        count = stamps.stamp_dirty(conn, NOW_MS / 1000)
        made = [parse(str(row[0])) for row in conn.execute("SELECT hlc FROM field_stamps")]
        dirty = conn.execute("SELECT COUNT(*) FROM mirror_dirty").fetchone()[0]
    assert count == len(made) > 3
    assert dirty == 0
    assert len(set(made)) == len(made)  # every field its own stamp, after the clock's last one
    assert min(made) > stamps.HLC(NOW_MS, MAX_COUNTER - 3, stamps.CLOUD)
    assert [h for h in made if h.wall_ms == NOW_MS] and max(made).wall_ms == NOW_MS + 1


def test_many_dirty_sites_are_stamped_a_few_at_a_time_and_all_of_them(
        client: TestClient[Any], world: World, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """One write holds the writer that ingest needs: 20,000 sites imported at once kept it for minutes, and every
    reading and login waited behind it (bench/city.py). A pass stamps STAMP_SITES sites per write until none is
    left dirty."""
    with backends.connect(settings) as conn:
        conn.execute("DELETE FROM field_stamps")
        conn.execute("DELETE FROM mirror_dirty")
        conn.execute("INSERT INTO mirror_dirty (site_id) SELECT id FROM sites")
        sites = conn.execute("SELECT COUNT(*) FROM sites").fetchone()[0]
        assert sites >= 3
        assert stamps.stamp_dirty(conn, NOW_MS / 1000, limit=1) > 0
        assert conn.execute("SELECT COUNT(*) FROM mirror_dirty").fetchone()[0] == sites - 1
    monkeypatch.setattr(stamps, "STAMP_SITES", 1)
    ctx = client.app.state["andian"]
    assert client.blocking_portal.call(stamps.stamp_dirty_sites, ctx) > 0
    with backends.connect(settings) as conn:
        assert conn.execute("SELECT COUNT(*) FROM mirror_dirty").fetchone()[0] == 0
        stamped = conn.execute("SELECT COUNT(DISTINCT key) FROM field_stamps WHERE entity = 'device'").fetchone()[0]
        devices = conn.execute("SELECT COUNT(*) FROM devices").fetchone()[0]
    assert stamped == devices

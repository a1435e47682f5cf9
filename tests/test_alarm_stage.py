"""The alarm stage on its own (server/alarms/stage.py): changes of the wanted level become one alarm per episode,
stored with the book kept in step; a rolled-back write takes its transitions out of the book too. And what wakes
the notification sender (server/notify/doorbell.py), and how migrations cut their scripts into statements."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from litestar.testing import TestClient

from server.alarms.stage import Wanted
from server.context import Context
from server.live.events import LiveEvent
from server.notify.doorbell import Doorbell
from server.storage import Connection
from server.storage.migrations import statements

from .conftest import T0, World


def _write(client: TestClient[Any], fn: Any) -> Any:
    ctx: Context = client.app.state["andian"]
    return client.blocking_portal.call(ctx.db.write, fn)


def _wanted(world: World, level: int, ts: float, value: float | None = None) -> Wanted:
    key = (world.devices["site_market"], world.channels["site_market"], "leakage")
    return Wanted(key, world.sites["site_market"], level, ts, value, 300.0 if level == 2 else 240.0)


def test_one_alarm_per_episode_raised_escalated_cleared(client: TestClient[Any], world: World) -> None:
    ctx: Context = client.app.state["andian"]
    steps = [(1, 250.0, ["raised"]), (1, 260.0, []), (2, 320.0, ["escalated"]), (1, 280.0, []), (0, 50.0, ["cleared"])]
    ids = set()
    for i, (level, value, transitions) in enumerate(steps):
        touched = _write(client, lambda conn, lv=level, v=value, t=T0 + i: ctx.pipeline.alarms.apply(
            conn, [_wanted(world, lv, t, v)]))
        assert [kind for _, kind in touched] == transitions
        ids.update(alarm_id for alarm_id, _ in touched)
    assert len(ids) == 1
    [alarm] = client.get("/api/v1/alarms", headers=world.headers("admin")).json()
    assert (alarm["cause"], alarm["level"], alarm["threshold"]) == ("leakage", "alarm", 300.0)
    assert alarm["cleared_at"] == T0 + 4
    assert ctx.pipeline.alarms.book.active == {}


def test_a_rolled_back_write_leaves_no_alarm_in_the_book(client: TestClient[Any], world: World) -> None:
    ctx: Context = client.app.state["andian"]

    def raise_then_fail(conn: Connection) -> None:
        assert ctx.pipeline.alarms.apply(conn, [_wanted(world, 2, T0, 400.0)])
        raise RuntimeError("the disk is full")

    with pytest.raises(RuntimeError):
        _write(client, raise_then_fail)
    assert ctx.pipeline.alarms.book.active == {}
    assert client.get("/api/v1/alarms", headers=world.headers("admin")).json() == []
    # And the next reading over the level raises the alarm, as if the failed write had never been.
    touched = _write(client, lambda conn: ctx.pipeline.alarms.apply(conn, [_wanted(world, 2, T0 + 1, 400.0)]))
    assert [kind for _, kind in touched] == ["raised"]


async def test_the_doorbell_wakes_the_sender_for_alarms_only() -> None:
    bell = Doorbell()
    bell.ring_for([LiveEvent(1, "reading", {}), LiveEvent(1, "device", {})])
    start = asyncio.get_running_loop().time()
    await bell.wait(0.2)
    assert asyncio.get_running_loop().time() - start >= 0.19  # nobody rang: waited the whole tick
    bell.ring_for([LiveEvent(1, "reading", {}), LiveEvent(1, "alarm", {"transition": "raised"})])
    await asyncio.wait_for(bell.wait(60), 1)  # rang before the wait: answers at once
    bell.answer()
    waiter = asyncio.create_task(bell.wait(60))
    await asyncio.sleep(0.05)
    assert not waiter.done()
    bell.ring()
    await asyncio.wait_for(waiter, 1)


def test_migration_scripts_are_cut_where_sqlite_says() -> None:
    script = ("-- a comment; with a semicolon\nCREATE TABLE t (a TEXT DEFAULT 'x;\ny');\n"
              "CREATE TRIGGER g AFTER INSERT ON t BEGIN\n  UPDATE t SET a = 'z';\nEND;\nINSERT INTO t VALUES ('w')")
    got = statements(script)
    assert len(got) == 3
    assert got[0].endswith("DEFAULT 'x;\ny');")
    assert "UPDATE t SET a = 'z';\nEND;" in got[1]
    assert got[2] == "INSERT INTO t VALUES ('w')"

"""The uplink's serial numbers and its queue across restarts and power cuts: every serial comes from the persisted
counter (a heartbeat's too), and what tells the centre's view apart from a repeat — a serial taken, a confirmed
frame removed — commits durably."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar.testing import TestClient

from server.settings import Settings
from server.storage import gb26875_uplink as sql
from server.storage import open_backend
from server.storage.database import commits_durably
from server.web.app import create_app

from . import backends
from .conftest import Clock
from .gb26875_centre import Centre, unit_type
from .uplink_rig import open_app, uplink_settings


def test_a_restart_never_reuses_a_serial_the_centre_saw(settings: Settings, clock: Clock) -> None:
    with Centre() as centre:
        client, _ = open_app(uplink_settings(settings, centre, gb26875_heartbeat_s=0.2), clock)
        try:
            centre.wait(lambda f: unit_type(f) == 21 and f.serial >= 2)  # heartbeats only: serials 0, 1, 2
        finally:
            client.__exit__(None, None, None)
        seen = {f.serial for f in centre.frames if f.command == 2}
        after = centre.mark()
        with TestClient(create_app(settings, clock=clock)):  # the same database, a new server
            beat = centre.wait(lambda f: unit_type(f) == 21, after=after)
        assert beat.serial > max(seen), (beat.serial, sorted(seen))


async def test_serials_and_a_confirmed_frame_s_removal_survive_a_power_cut(tmp_path: Path) -> None:
    db, _ = open_backend(backends.database(tmp_path / "andian.db"))
    db.start()
    try:
        def queue(conn: Any) -> int:
            sql.ensure_state(conn)
            sql.replace_analogue(conn, [b"\x03\x00"], 1.0)
            row = sql.next_frame(conn)
            assert row is not None
            return int(row["id"])

        def durably(fn: Any) -> Any:
            def job(conn: Any) -> tuple[Any, bool]:
                return fn(conn), commits_durably(conn)
            return db.write(job)

        row_id = await db.write(queue)
        assert await durably(lambda conn: sql.remove(conn, row_id)) == (None, True)  # confirmed: out for good
        assert await db.read(sql.next_frame) is None
        row_id = await db.write(queue)
        assert await durably(lambda conn: sql.mark_sent(conn, row_id, 2.0)) == (0, True)
        assert await durably(sql.take_serial) == (1, True)  # a heartbeat's serial
        assert (await db.read(sql.get_state))["next_serial"] == 2
    finally:
        db.close()

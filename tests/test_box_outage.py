"""After an outage the cloud has everything the box recorded, once: a day with the cable cut on an injected clock,
and a box killed (SIGKILL) while it forwards its backlog.

The cloud is a real `andian demo --no-devices` in a subprocess; the box is the real app (in-process on an injected
clock, or `andian serve` in a subprocess) on its own database, paired with the cloud's gateway key. Both
databases are compared row by row at the end.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from litestar.testing import TestClient

from server.demo.city import DEMO_PASSWORD
from server.settings import Settings
from server.storage import readings as readings_sql
from server.web.app import create_app

from . import backends
from .box_rig import BREAKER, CHANNELS, count, demo_cloud, recorded_day, rows
from .conftest import Clock, wait_for
from .mirror_rig import CuttableLink
from .server_process import free_port, start_server

DAY = 86400.0


def _box_settings(tmp_path: Path, url: str, key: str) -> Settings:
    return backends.settings(tmp_path / "box.db", static_dir=tmp_path / "static", upstream_url=url, upstream_key=key,
                    upstream_mirror_s=1.0, upstream_heartbeat_s=2.0, upstream_retry_base_s=0.05,
                    upstream_retry_cap_s=0.5,
                    # the watchdog would see the breaker silent between two of the test's batches (the clock jumps
                    # ten minutes at a time): not what this test is about
                    watchdog_interval_s=3600.0)


def _login(client: Any, username: str) -> dict[str, str] | None:
    response = client.post("/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD})
    return {"Authorization": f"Bearer {response.json()['token']}"} if response.status_code == 200 else None


def _box_alarms(db: Path) -> dict[int, int]:
    """Each box alarm of the breaker and its number of transitions."""
    return dict(rows(db, "SELECT a.id, COUNT(t.id) FROM alarms a JOIN devices d ON d.id = a.device_id "
                         "JOIN alarm_transitions t ON t.alarm_id = a.id WHERE d.serial = ? GROUP BY a.id", (BREAKER,)))


def _cloud_alarms(db: Path, gateway_id: int) -> dict[str, int]:
    """Each cloud alarm that came from the box (by origin) and its number of transitions."""
    return dict(rows(db, "SELECT a.origin, COUNT(t.id) FROM alarms a JOIN alarm_transitions t ON t.alarm_id = a.id "
                         "WHERE a.origin LIKE ? GROUP BY a.id", (f"gateway:{gateway_id}/%",)))


def _readings(db: Path, start: float, end: float) -> int:
    with backends.connect(db) as conn:
        ids = [int(r[0]) for r in conn.execute("SELECT c.id FROM channels c JOIN devices d ON d.id = c.device_id "
                                                "WHERE d.serial = ?", [BREAKER])]
        return sum(int(np.count_nonzero(readings_sql.range_raw(conn, i, start, end)[0] < end)) for i in ids)


def test_a_day_without_the_cloud_arrives_whole_and_once(tmp_path: Path) -> None:
    with demo_cloud(tmp_path) as cloud:
        # A recent day: readings older than the raw retention (90 days) the cloud would prune as they arrive.
        day = time.time() - DAY - 3600
        clock = Clock(day)
        cable = CuttableLink()
        box_settings = _box_settings(tmp_path, cloud.url, cloud.key)
        with TestClient(create_app(box_settings, clock=clock, notify=False, upstream_transport=cable)) as box:
            installer = wait_for(lambda: _login(box, "installer"), seconds=60)
            assert installer, "the mirror brought the installer's cloud login to the box"
            cable.up = False
            for sent_at, body in recorded_day(day):
                clock.now = sent_at
                answer = box.post("/api/v1/ingest", json=body, headers=installer)
                assert answer.status_code == 200 and not answer.json()["rejected"], answer.text
            box_alarms = _box_alarms(box_settings.db_path)
            assert len(box_alarms) >= len(("3h", "9h", "15h", "21h")), "the box judged its own readings offline"
            recorded = _readings(box_settings.db_path, day, day + DAY)
            assert recorded == len(CHANNELS) * DAY / 10
            assert _readings(cloud.db, day, day + DAY) == 0, "nothing went up while the cable was cut"

            clock.now += 60  # time goes on (the box forwards readings once they are 15 s old)
            cable.up = True
            mended = time.monotonic()
            assert wait_for(lambda: _readings(cloud.db, day, day + DAY) == recorded, seconds=120)
            drained_s = time.monotonic() - mended
            expected = {f"gateway:{cloud.gateway_id}/{alarm_id}": n for alarm_id, n in box_alarms.items()}
            assert wait_for(lambda: _cloud_alarms(cloud.db, cloud.gateway_id) == expected, seconds=30), (
                _cloud_alarms(cloud.db, cloud.gateway_id), expected)
            operator = _login(httpx.Client(base_url=cloud.url), "operator")
            gateway = httpx.get(f"{cloud.url}/api/v1/gateways/{cloud.gateway_id}", headers=operator).json()
            assert gateway["backlog"] is not None and sum(gateway["backlog"].values()) == 0
    # A day drained in seconds; bench/upstream.py measures the rate (docs/performance.md).
    print(f"a day of {recorded} readings and {len(box_alarms)} alarms drained in {drained_s:.1f} s")


def test_a_box_killed_while_it_forwards_resends_nothing_twice_and_loses_nothing(tmp_path: Path) -> None:
    port = free_port()
    with demo_cloud(tmp_path, port) as cloud:
        key, gateway_id, cloud_db = cloud.key, cloud.gateway_id, cloud.db
    # The cloud is away while the box records: its backlog builds up.
    env = {"ANDIAN_UPSTREAM_URL": f"http://127.0.0.1:{port}", "ANDIAN_UPSTREAM_KEY": key,
           "ANDIAN_UPSTREAM_MIRROR_S": "1", "ANDIAN_UPSTREAM_HEARTBEAT_S": "2", "ANDIAN_UPSTREAM_RETRY_BASE_S": "0.05",
           "ANDIAN_UPSTREAM_RETRY_CAP_S": "0.5", "ANDIAN_UPSTREAM_BATCH_READINGS": "2000"}
    box_db = tmp_path / "box.db"
    with (tmp_path / "box.log").open("a") as log:
        with demo_cloud(tmp_path, port):
            box, box_url = start_server(box_db, log, env=env)
            installer = wait_for(lambda: _login(httpx.Client(base_url=box_url), "installer"), seconds=60)
            assert installer
            # stop forwarding by making the cloud go away
        start = time.time() - 2 * DAY
        with httpx.Client(base_url=box_url, timeout=60) as http:
            for _, body in recorded_day(start, every_s=5.0, batch_s=3600.0):
                assert http.post("/api/v1/ingest", json=body, headers=installer).status_code == 200
        recorded = _readings(box_db, start, start + DAY)
        with demo_cloud(tmp_path, port):
            # Killed mid-forward: some of the backlog is in the cloud, not all.
            assert wait_for(lambda: 0 < _readings(cloud_db, start, start + DAY) < recorded, seconds=60, every_s=0.01)
            os.kill(box.pid, signal.SIGKILL)
            box.wait(timeout=10)
            box, box_url = start_server(box_db, log, env=env)
            try:
                assert wait_for(lambda: _readings(cloud_db, start, start + DAY) == recorded, seconds=120)
                expected = {f"gateway:{gateway_id}/{a}": n for a, n in _box_alarms(box_db).items()}
                assert expected
                assert wait_for(lambda: _cloud_alarms(cloud_db, gateway_id) == expected, seconds=30), (
                    _cloud_alarms(cloud_db, gateway_id), expected)
                # Nothing doubled: each forwarded transition once, and the readings count exactly (above).
                assert count(cloud_db, "SELECT COUNT(*) FROM alarms WHERE origin LIKE ?",
                             (f"gateway:{gateway_id}/%",)) == len(expected)
            finally:
                box.terminate()
                box.wait(timeout=15)

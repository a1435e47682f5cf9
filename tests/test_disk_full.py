"""A full disk (ISSUE 15): readings are refused with 507 naming the cause, health says so, alarm transitions are
still stored from the reserve, and once space is freed everything is stored again.

On a real tmpfs of a few MiB mounted for the test (root is needed for that, as in CI), with the real app.
"""

from __future__ import annotations

import errno
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from server.settings import Settings
from server.web.app import create_app

from .conftest import Clock, World, add_admin, bearer, build_world, login
from .replay import Site

# andian's full mode and reserve file are SQLite's: a PostgreSQL server minds its own disk (docs/operations.md).
pytestmark = pytest.mark.sqlite_only("a SQLite file on a full disk: andian's reserve file and full mode")

DISK_BYTES = 16 * 1024 * 1024
RESERVE_BYTES = 256 * 1024
HIGH_MA, LOW_MA = 450.0, 12.0  # over and well under the default 300 mA leakage alarm level


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """A small tmpfs, unmounted afterwards."""
    where = tmp_path / "disk"
    where.mkdir()
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_BYTES}", "tmpfs", str(where)],
                              capture_output=True, text=True, check=False)
        error = done.stderr.strip() if done.returncode else ""
    except OSError as exc:
        error = str(exc)
    if error:
        pytest.fail(f"this test needs root to mount a small tmpfs for a full disk (mount said: {error}); run it as "
                    "root, as CI does")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


@pytest.fixture
def app(disk: Path, tmp_path: Path, clock: Clock) -> Iterator[tuple[TestClient[Any], World]]:
    settings = Settings(db_path=disk / "andian.db", static_dir=tmp_path / "static", disk_reserve_bytes=RESERVE_BYTES)
    add_admin(settings)
    with TestClient(create_app(settings, clock=clock)) as client:
        yield client, build_world(client, bearer(login(client, "root")))


def free_bytes(where: Path) -> int:
    st = os.statvfs(where)
    return st.f_bavail * st.f_frsize


def fill(where: Path, leave: int = 0) -> Path:
    """A filler file that takes all the free space but ``leave`` bytes (another program filling the disk)."""
    filler = where / "filler"
    size = free_bytes(where) - leave
    with open(filler, "ab") as out:
        while size > 0:
            try:
                os.posix_fallocate(out.fileno(), os.fstat(out.fileno()).st_size, size)
                break
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                size -= 4096
    assert free_bytes(where) <= leave + 4096
    return filler


def samples(site: Site, value: float, count: int, every: float = 1.0) -> list[dict[str, Any]]:
    """``count`` residual-current samples from the clock's time on, and the clock moved past them."""
    start = site.clock.now
    site.clock.advance(count * every)
    return [{"device": site.serial, "channel": "residual_ma", "ts": start + i * every, "value": value}
            for i in range(count)]


def post(site: Site, body_samples: list[dict[str, Any]]) -> Any:
    body = {"batch_id": str(uuid.uuid4()), "samples": body_samples, "events": []}
    return site.client.post("/api/v1/ingest", json=body, headers=site.headers)


def health(client: TestClient[Any]) -> dict[str, Any]:
    r = client.get("/api/v1/health")
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def leakage_alarms(site: Site, world: World) -> list[dict[str, Any]]:
    return [a for a in site.alarms(world.headers("admin")) if a["cause"] == "leakage"]


def assert_disk_full(r: Any) -> None:
    assert r.status_code == 507, r.text
    assert "disk is full" in r.json()["detail"] and "free space" in r.json()["detail"]
    assert int(r.headers["Retry-After"]) > 0


def test_a_full_disk_refuses_readings_keeps_alarms_and_recovers(app: tuple[TestClient[Any], World], disk: Path,
                                                                clock: Clock) -> None:
    client, world = app
    site = Site(client, clock, world.headers("admin"), world.sites["site_market"], "FULL-1", ["residual_ma"])
    before = health(client)
    assert before["status"] == "ok" and before["disk"]["full"] is False and before["disk"]["reserve"] == "held"
    assert (disk / "andian.db.reserve").stat().st_size == RESERVE_BYTES
    assert post(site, samples(site, LOW_MA, 10)).status_code == 200

    filler = fill(disk)
    refused = samples(site, LOW_MA, 10)
    assert_disk_full(post(site, refused))
    assert site.alarms(world.headers("admin")) == []
    now = health(client)
    assert now["status"] == "degraded" and now["disk"]["full"] is True and now["disk"]["cause"]
    assert now["disk"]["reserve"] == "held"  # nothing important has needed it yet

    # Leakage over the alarm level for a minute: the alarm is stored, from the reserve, with its batch.
    r = post(site, samples(site, HIGH_MA, 60))
    assert r.status_code == 200, r.text
    [alarm] = leakage_alarms(site, world)
    assert alarm["level"] == "alarm" and alarm["cleared_at"] is None and alarm["peak"] == HIGH_MA
    assert health(client)["disk"]["reserve"] == "in use"
    # The owner can still log in to see it, and acknowledging it is something a person did: stored too.
    owner = bearer(login(client, "owner_1"))
    r = client.post(f"/api/v1/alarms/{alarm['id']}/ack", headers=owner, json={"note": "on my way"})
    assert r.status_code == 200, r.text
    # Still over the level: readings only, refused; the alarm stays one alarm.
    assert_disk_full(post(site, samples(site, HIGH_MA, 10)))
    assert [a["id"] for a in leakage_alarms(site, world)] == [alarm["id"]]

    filler.unlink()
    back = samples(site, LOW_MA, 30)
    assert post(site, back).status_code == 200
    [alarm] = leakage_alarms(site, world)
    assert alarm["cleared_at"] is not None  # the readings after the disk came back clear it: detection went on
    after = health(client)
    assert after["status"] == "ok" and after["disk"]["full"] is False and after["disk"]["reserve"] == "held"
    assert (disk / "andian.db.reserve").stat().st_size == RESERVE_BYTES
    channel = site.client.get(f"/api/v1/devices/{site.device_id}", headers=world.headers("admin")).json()
    url = f"/api/v1/channels/{channel['channels'][0]['id']}/readings"
    stored = client.get(url, params={"from": refused[0]["ts"], "to": back[-1]["ts"]},
                        headers=world.headers("admin")).json()["ts"]
    assert refused[0]["ts"] not in stored and back[-1]["ts"] in stored


# A little over the reserve is free: not yet full mode. BIG samples make about 380 kB of new pages: more than that,
# less than that and the reserve together.
MARGIN = RESERVE_BYTES + 16 * 1024
BIG = 14000
# Readings alone take 16 bytes each as packed chunks: more of them to outgrow the margin at the commit.
BIGGER = 40000


def test_readings_that_find_the_disk_full_are_undone_and_refused(app: tuple[TestClient[Any], World], disk: Path,
                                                                 clock: Clock) -> None:
    """Another program fills the disk between two looks: the write itself finds no space (SQLite's SQLITE_FULL at
    the commit), and the batch is undone and refused like any other while the disk is full."""
    client, world = app
    site = Site(client, clock, world.headers("admin"), world.sites["site_market"], "FULL-2", ["residual_ma"])
    filler = fill(disk, leave=MARGIN)
    assert health(client)["disk"]["full"] is False
    refused = samples(site, LOW_MA, BIGGER, every=0.00175)
    assert_disk_full(post(site, refused))
    state = health(client)
    assert state["status"] == "degraded" and "no space left" in state["disk"]["cause"]
    filler.unlink()
    assert post(site, samples(site, LOW_MA, 10)).status_code == 200
    assert health(client)["status"] == "ok"
    r = post(site, refused)  # sent again once there is room: stored whole
    assert r.status_code == 200 and r.json()["accepted"] == BIGGER and r.json()["duplicate"] is False


def test_an_alarm_that_finds_the_disk_full_runs_again_on_the_reserve_and_is_raised_once(
        app: tuple[TestClient[Any], World], disk: Path, clock: Clock) -> None:
    """The batch carries an alarm transition when its commit finds no space: it is undone, the alarm book goes back
    to what the database holds, the reserve is freed, and the batch runs again and is stored whole — one alarm."""
    client, world = app
    site = Site(client, clock, world.headers("admin"), world.sites["site_market"], "FULL-3", ["residual_ma"])
    assert post(site, samples(site, LOW_MA, 10)).status_code == 200
    filler = fill(disk, leave=MARGIN)
    r = post(site, samples(site, HIGH_MA, BIG, every=0.005))  # 70 s over the alarm level
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == BIG
    [alarm] = leakage_alarms(site, world)
    assert alarm["level"] == "alarm" and alarm["cleared_at"] is None
    state = health(client)
    assert state["disk"]["reserve"] == "in use" and "no space left" in state["disk"]["cause"]
    filler.unlink()
    assert post(site, samples(site, HIGH_MA, 30)).status_code == 200
    assert [a["id"] for a in leakage_alarms(site, world)] == [alarm["id"]]  # not raised a second time
    assert post(site, samples(site, LOW_MA, 30)).status_code == 200
    [alarm] = leakage_alarms(site, world)
    assert alarm["cleared_at"] is not None

"""The uplink's queue survives a crash: a real `andian serve` killed with SIGKILL while its alarm frame waits for the
centre's confirmation sends that frame (same serial, same bytes) once it is started again."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx

from gb26875 import CONFIRM, encode

from . import backends
from .conftest import add_admin
from .crash_rig import seed_site
from .gb26875_centre import ADDRESS, Centre, unit_type
from .server_process import start_server

WAIT_S = 30.0


def uplink(url: str, admin: dict[str, str]) -> dict[str, Any]:
    r = httpx.get(f"{url}/api/v1/gb26875/uplink", headers=admin, timeout=10)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_unconfirmed_frames_are_sent_after_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "andian.db"
    add_admin(backends.settings(db))
    centre = Centre()
    env = {"ANDIAN_GB26875_UPLINK": f"127.0.0.1:{centre.port}", "ANDIAN_GB26875_ADDRESS": ADDRESS,
           "ANDIAN_UPSTREAM_RETRY_BASE_S": "0.05", "ANDIAN_UPSTREAM_RETRY_CAP_S": "0.5"}
    centre.policy = lambda f: CONFIRM if unit_type(f) != 2 else None  # alarms stay unconfirmed
    with centre, (tmp_path / "server.log").open("a") as log:
        process, url = start_server(db, log, env)
        try:
            gateway, admin, _ = seed_site(url, ["SB-1"])
            now = time.time()
            samples = [{"device": "SB-1", "channel": "residual_ma", "ts": now - 20 + i, "value": 450.0}
                       for i in range(21)]
            r = httpx.post(f"{url}/api/v1/ingest", headers=gateway, json={"batch_id": "b1", "samples": samples})
            assert r.status_code == 200, r.text
            first = centre.wait(lambda f: unit_type(f) == 2)
            os.kill(process.pid, signal.SIGKILL)
            assert process.wait(timeout=10) == -signal.SIGKILL
        finally:
            _stop(process)
        centre.policy = lambda f: CONFIRM
        after = centre.mark()
        process, url = start_server(db, log, env)
        try:
            again = centre.wait(lambda f: unit_type(f) == 2, after=after)
            assert encode(again) == encode(first)  # the same frame: serial, time label, part state
            deadline = time.monotonic() + WAIT_S
            while uplink(url, admin)["queued"]["alarms"]:
                assert time.monotonic() < deadline, uplink(url, admin)
                time.sleep(0.05)
        finally:
            _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=15)

"""A real `andian serve` in a subprocess, for the tests that need a server of their own (kills, live streams)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

import httpx
import pytest

from . import backends

ROOT = Path(__file__).parent.parent
START_S = 30.0  # how long the server has to answer /api/v1/health


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(db: Path | str, log: IO[Any], env: dict[str, str] | None = None, *, command: str = "serve",
                 args: tuple[str, ...] = (), port: int | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """`python -m server.cli serve` (or ``command``, e.g. demo) on ``db`` (a test's SQLite path standing for the
    suite's engine, or a database URL as it is) and a free port, with ``args``, its output
    to ``log``; answers (process, base URL) once /api/v1/health says 200. Fails the test if the server exits or
    does not answer in time (and kills it). Notification targets on 127.0.0.1 (the tests' receivers) are allowed
    unless ``env`` says otherwise. ``port``: a given one (a server started again where its clients look)."""
    port = port or free_port()
    target, files = (db, {}) if isinstance(db, str) else (backends.database(db), backends.server_env(db))
    process = subprocess.Popen(
        [sys.executable, "-m", "server.cli", command, "--db", target, "--port", str(port), *args],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "ANDIAN_NOTIFY_ALLOW_PRIVATE": "1", **files, **(env or {})},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_S
    while True:
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}; see {log.name}")
        if time.monotonic() > deadline:
            process.kill()
            process.wait(timeout=10)
            pytest.fail(f"the server did not answer /api/v1/health; see {log.name}")
        time.sleep(0.05)

"""SIGKILL during ingest: a real `andian serve` on the suite's database is killed over and over while gateways post
and an operator acknowledges alarms (tests/crash_rig.py; bench/crash_safety.py is the same with ≥ 200 kills).

Done when: no acknowledged batch is lost, a batch the server died on is stored whole or not at all (and a re-send
says `duplicate` exactly when it was stored), every re-sent batch is stored once, no acknowledged alarm loses its
acknowledgement, `PRAGMA integrity_check` says ok (on SQLite) and no (device, channel, cause) has two active
alarms. Leakage over 300 mA for longer than 5 s comes and goes in the stream, so durable (alarm) commits are in the
mix with the plain ones.
"""

from __future__ import annotations

from pathlib import Path

from .crash_run import crash_run

KILLS = 24
SEED = 20251123  # the kill moments; change it to try other ones


def test_sigkill_during_ingest_loses_no_acknowledged_batch(tmp_path: Path) -> None:
    report = crash_run(tmp_path, KILLS, SEED)
    print(report.summary())
    violations = report.violations()
    assert not violations, "\n".join(violations[:20])

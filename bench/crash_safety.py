"""Crash safety, the long run (issue 15): a real `andian serve` on a SQLite file is SIGKILLed ≥ 200 times while two
gateways post leakage streams (alarms raised and cleared: durable commits among the plain ones) and an operator
acknowledges the alarms (durable too). After every kill a copy of the database and its WAL is recovered and
checked; after the last start, the whole database. The rig is tests/crash_rig.py and tests/crash_run.py, the same
as tests/test_crash_safety.py's 24 kills in `make test`.

    .venv/bin/python -m bench.crash_safety                 # 200 kills: about 8 minutes on 2 cores
    .venv/bin/python -m bench.crash_safety --kills 30 --seed 7

Exits 1 when any promise was broken (a lost or torn batch, a lost acknowledgement, two active alarms for one
cause, a failed integrity check, a traceback in the server's log) or the run did not test what it claims.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.crash_run import crash_run

KILLS = 200
SEED = 20251123


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=KILLS, help=f"SIGKILLs (default {KILLS})")
    parser.add_argument("--seed", type=int, default=SEED, help="draws the kill moments")
    parser.add_argument("--keep", type=Path, help="run in this (new) folder and keep the database and server log")
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True)
        report = crash_run(args.keep, args.kills, args.seed)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            report = crash_run(Path(tmp), args.kills, args.seed)
    print(f"machine: {len(os.sched_getaffinity(0))} cores, Python {sys.version.split()[0]}, "
          f"sqlite {sqlite3.sqlite_version}")
    print(report.summary())
    violations = report.violations()
    for violation in violations[:20]:
        print(f"VIOLATION: {violation}")
    print("crash safety: " + ("held" if not violations else f"{len(violations)} violations"))
    sys.exit(1 if violations else 0)


if __name__ == "__main__":
    main()

"""The database engine the suite runs on: SQLite files (the default) or PostgreSQL (``ANDIAN_TEST_DB=postgresql``).

For PostgreSQL the tests start their own throwaway cluster (Debian's server binaries, ``initdb`` and ``pg_ctl`` as
the unprivileged ``postgres`` user when run as root, in a temporary directory; no system service), migrate one
template database, and give every test that wants a database a fresh copy of it (``CREATE DATABASE … TEMPLATE``).
Each pytest process (each xdist worker) has its own cluster, stopped and deleted when the process ends.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import psycopg

from server.settings import Settings
from server.storage.backend import transaction
from server.storage.connection import Connection

ENGINE = os.environ.get("ANDIAN_TEST_DB", "sqlite")
POSTGRES = ENGINE == "postgresql"
assert ENGINE in {"sqlite", "postgresql"}, f"ANDIAN_TEST_DB must be sqlite or postgresql, not {ENGINE!r}"
BIN = Path(os.environ.get("ANDIAN_PG_BIN", "/usr/lib/postgresql/15/bin"))
TEMPLATE = "andian_template"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    """A throwaway PostgreSQL cluster with a migrated template database: the test process's (started on first use,
    deleted at exit), or a benchmark's.

    ``durable=False`` (the tests'): nothing here must survive a crash of the machine, so no fsync. ``durable=True``
    (bench/): the settings a production server has — fsync and full-page writes on, ``synchronous_commit`` left on
    so that andian sets it per transaction as it does in production (``postgres.database``).
    """

    def __init__(self, *, durable: bool = False) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="andian-pg-"))
        self.port = _free_port()
        self.user: str | None = "postgres" if os.geteuid() == 0 else None
        self._names = itertools.count(1)
        self.per_test: list[str] | None = None  # databases of the running test, dropped after it
        if self.user:
            owner = pwd.getpwnam(self.user)
            os.chown(self.dir, owner.pw_uid, owner.pw_gid)
        self._run(BIN / "initdb", "-D", self.dir / "data", "-U", "postgres", "--auth=trust", "--locale=C.UTF-8")
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=300"
        if not durable:
            options += " -c fsync=off -c full_page_writes=off -c synchronous_commit=off"
        self._run(BIN / "pg_ctl", "-D", self.dir / "data", "-o", options, "-l", self.dir / "log", "-w", "start")
        self.base = f"postgresql://postgres@127.0.0.1:{self.port}"
        self.admin(f"CREATE DATABASE {TEMPLATE}")
        from server.storage.postgres.migrations import upgrade

        upgrade(f"{self.base}/{TEMPLATE}")

    def _run(self, *argv: object) -> None:
        command = [str(a) for a in argv]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(command, check=True, capture_output=True, cwd=self.dir)

    def admin(self, sql: str) -> None:
        with psycopg.connect(f"{self.base}/postgres", autocommit=True) as conn:
            conn.execute(sql.encode())

    def new_database(self) -> str:
        name = f"t{os.getpid()}_{next(self._names)}"
        self.admin(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
        if self.per_test is not None:
            self.per_test.append(name)
        return f"{self.base}/{name}"

    def drop(self, names: Sequence[str]) -> None:
        for name in names:
            self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(BIN / "pg_ctl", "-D", self.dir / "data", "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


_cluster: Cluster | None = None


def cluster() -> Cluster:
    global _cluster
    if _cluster is None:
        _cluster = Cluster()
        atexit.register(_cluster.stop)
    return _cluster


@contextlib.contextmanager
def databases_of_one_test() -> Iterator[None]:
    """Databases made while a test runs are dropped after it (module-scoped fixtures' live on)."""
    if _cluster is None and not POSTGRES:
        yield
        return
    target = cluster()
    target.per_test = []
    try:
        yield
    finally:
        made, target.per_test = target.per_test, None
        for path in [p for p, url in _databases.items() if url.rsplit("/", 1)[1] in made]:
            del _databases[path]
        target.drop(made)


_databases: dict[Path, str] = {}


def database(path: Path) -> str:
    """What ``--db`` / ``ANDIAN_DB`` names for a test whose SQLite file would be ``path``: that file, or the
    PostgreSQL database that stands for it (made on first use; the same one for the same path)."""
    if not POSTGRES:
        return str(path)
    path = path.resolve()
    if path not in _databases:
        _databases[path] = cluster().new_database()
    return _databases[path]


def server_env(path: Path) -> dict[str, str]:
    """Environment for an ``andian`` process on ``database(path)``: its files (attachments, key) in ``path``'s
    folder, as they would be beside the SQLite file."""
    return {"ANDIAN_DATA_DIR": str(path.resolve().parent)} if POSTGRES else {}


def settings(path: Path, **fields: Any) -> Settings:
    """Settings with the suite's engine: the SQLite file ``path``, or the PostgreSQL database standing for it,
    with its files (attachments, key) in ``path``'s folder."""
    if POSTGRES:
        return Settings(db_path=path, db_url=database(path), data_dir=path.resolve().parent, **fields)
    return Settings(db_path=path, **fields)


@contextlib.contextmanager
def connect(target: Settings | Path) -> Iterator[Connection]:
    """A connection of the suite's engine to a test's database (its settings, or the SQLite path standing for it),
    for the test's own look into it: SQL with ``?`` marks, rows by name; committed when the block ends."""
    settings = target if isinstance(target, Settings) else Settings(db_path=target, db_url=database(target)
                                                                    if POSTGRES else "")
    with transaction(settings.database()) as conn:
        yield conn


def rows(target: Settings | Path, sql: str, params: Sequence[Any] = ()) -> list[Any]:
    with connect(target) as conn:
        return conn.execute(sql, params).fetchall()

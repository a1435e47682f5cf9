"""The schema, changed only through sqlite-utils ``Migrations``. Append new migrations; never edit old ones.

DDL is plain SQL so that a PostgreSQL backend can follow with the same shapes.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from .database import connect

__all__ = ["migrations", "upgrade"]

migrations = Migrations("andian")
SCHEMA = Path(__file__).parent / "schema"


def _sql(name: str) -> str:
    """A migration's DDL, kept as a file in schema/ (SQL, so a PostgreSQL backend can follow the same shapes)."""
    return (SCHEMA / f"{name}.sql").read_text("utf-8")


def _run(db: sqlite_utils.Database, script: str) -> None:
    """Statements separated by ``;`` at line ends, run one by one inside the migration's transaction."""
    for statement in script.split(";\n"):
        if statement.strip():
            db.execute(statement)


@migrations(name="0001_foundation")
def _foundation(db: sqlite_utils.Database) -> None:
    _run(db, _sql("0001_foundation"))


@migrations(name="0002_readings_alarms")
def _readings_alarms(db: sqlite_utils.Database) -> None:
    # Minute and hour aggregates share one shape (schema/aggregate.sql).
    aggregates = "".join(_sql("aggregate").format(table=t) for t in ("readings_minute", "readings_hour"))
    _run(db, _sql("0002_readings_alarms").replace("{AGGREGATES}", aggregates))


@migrations(name="0003_bluetooth")
def _bluetooth(db: sqlite_utils.Database) -> None:
    _run(db, _sql("0003_bluetooth"))


@migrations(name="0004_notifications")
def _notifications(db: sqlite_utils.Database) -> None:
    _run(db, _sql("0004_notifications"))


@migrations(name="0005_hazards")
def _hazards(db: sqlite_utils.Database) -> None:
    _run(db, _sql("0005_hazards"))


@migrations(name="0006_inspections")
def _inspections(db: sqlite_utils.Database) -> None:
    _run(db, _sql("0006_inspections"))


@migrations(name="0007_sync")
def _sync(db: sqlite_utils.Database) -> None:
    _run(db, _sql("0007_sync"))


@migrations(name="0008_hazard_inspection_index")
def _hazard_inspection_index(db: sqlite_utils.Database) -> None:
    _run(db, _sql("0008_hazard_inspection_index"))


@migrations(name="0009_trustworthy_alarms")
def _trustworthy_alarms(db: sqlite_utils.Database) -> None:
    _run(db, _sql("0009_trustworthy_alarms"))


@migrations(name="0010_security")
def _security(db: sqlite_utils.Database) -> None:
    _run(db, _sql("0010_security"))


def upgrade(path: Path) -> list[str]:
    """Apply pending migrations to the database at ``path``; return the names applied."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn: sqlite3.Connection = connect(path)
    try:
        db = sqlite_utils.Database(conn)
        pending = [m.name for m in migrations.pending(db)]
        migrations.apply(db)
        return pending
    finally:
        conn.close()

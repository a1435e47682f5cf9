"""A seeded database for the benchmarks: one site, DEVICES breakers with two channels each, one gateway key."""

from __future__ import annotations

import json
from pathlib import Path

from server.accounts.tokens import GATEWAY_PREFIX, new_secret, secret_hash
from server.detection.settings import resolve_settings
from server.storage.backend import transaction, upgrade
from server.storage.connection import Connection

T0 = 1_763_856_000.0
DEVICES = 1000
KEYS = ("residual_ma", "current_a")


def seed(target: Path | str) -> str:
    """Create the database (an SQLite file, or a ``postgresql://`` URL of an empty database); return the gateway's
    API key."""
    upgrade(target)
    key = new_secret(GATEWAY_PREFIX)
    with transaction(target) as conn:
        _fill(conn, key)
    return key


def _fill(conn: Connection, key: str) -> None:
    conn.execute("INSERT INTO regions (code, name, parent, level, path) VALUES ('430900', '益阳市', NULL, 'city', "
                 "'/430900/')")
    conn.execute("INSERT INTO sites (id, name, address, region_code, venue_type, created_at) VALUES "
                 "(1, 'bench', 'bench', '430900', 'market', 0)")
    conn.execute("INSERT INTO gateways (site_id, name, key_hash, key_prefix, created_at) VALUES (1, 'bench', ?, ?, 0)",
                 (secret_hash(key), key[:10]))
    for d in range(1, DEVICES + 1):
        conn.execute("INSERT INTO devices (id, site_id, serial, model, kind, name, rated_current_a, created_at) "
                     "VALUES (?, 1, ?, 'AD-SB63', 'breaker', ?, 32, 0)", (d, serial(d), serial(d)))
        for k in KEYS:
            conn.execute("INSERT INTO channels (device_id, key, settings) VALUES (?, ?, ?)",
                         (d, k, json.dumps(resolve_settings(k, {}, device_rated_a=32))))


def serial(d: int) -> str:
    return f"B{d:05d}"


def pairs() -> list[tuple[str, str]]:
    """(device serial, channel key) of every channel, in channel-id order."""
    return [(serial(d), k) for d in range(1, DEVICES + 1) for k in KEYS]

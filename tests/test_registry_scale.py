"""A city's devices load into the ingest registry: 66,000 devices are more than one statement may bind as
parameters on PostgreSQL (65,535; SQLite's limit depends on its build, 32,766 by default), and `andian serve` on
bench/city.py's 10⁵ sites stopped at its start with "number of parameters must be between 0 and 65535"."""

from __future__ import annotations

from server.settings import Settings
from server.storage import devices as device_sql
from server.storage.backend import upgrade

from . import backends

DEVICES = 66_000


def test_every_device_of_a_city_loads_with_its_channels(settings: Settings) -> None:
    upgrade(settings.database())
    with backends.connect(settings) as conn:
        conn.execute("INSERT INTO regions (code, name, parent, level, path) VALUES ('430900', '益阳市', NULL, 'city', "
                     "'/430900/')")
        site = conn.execute("INSERT INTO sites (name, address, region_code, venue_type, created_at) VALUES "
                            "('城', '益阳市', '430900', 'market', 0) RETURNING id").fetchone()[0]
        conn.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
                     "INSERT INTO devices (site_id, serial, model, kind, name, created_at) "
                     "SELECT ?, 'C' || i, 'AD-SB63', 'breaker', '断路器', 0 FROM n", [DEVICES, site])
        conn.execute("INSERT INTO channels (device_id, key, settings) SELECT id, 'residual_ma', '{}' FROM devices")
    with backends.connect(settings) as conn:
        devices = device_sql.devices_with_channels(conn)
    assert len(devices) == DEVICES
    assert all(len(d["channels"]) == 1 and d["channels"][0]["device_id"] == d["id"] for d in devices)
    assert devices[-1]["serial"] == f"C{DEVICES}"

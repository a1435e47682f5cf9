"""The field stamper, on both sides: each mirrored field of a site's devices and channels carries the hybrid
logical clock stamp of the moment it was first seen with its value, so box and cloud merge by the sync protocol's
rule (the newer stamp wins per field, offline_sync/hlc.py).

A field is stamped when a pass finds its value different from the one stored with its stamp (or new). Passes run
for the sites that ``mirror_dirty`` names (triggers of migration 0021 fill it on every device or channel change):
in the cloud after every watchdog round and before each mirror request, at a box in its mirror loop each round and
after every watchdog round too. Stamps are made on the writer thread; each node's clock is restored from
``mirror_clocks`` and saved back, so stamps only go forward, across restarts too.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from offline_sync.hlc import HLC, MAX_COUNTER, Clock, ClockError, parse
from server.context import Context
from server.storage import Connection
from server.storage import mirror as sql
from server.storage import mirror_people as people_sql

__all__ = [
    "CLOUD", "canonical", "current_fields", "load_clock", "node_for", "node_of", "save_clock", "site_stamps", "stamp",
    "stamp_dirty", "stamp_dirty_sites",
]

CLOUD = "cloud"

Key = tuple[str, str]  # (entity, key): ("device", serial) or ("channel", "serial/channel key")


def canonical(value: Any) -> str:
    """A field's value as the JSON text it is stored and compared as: numbers as floats (a REAL column gives back
    30.0 for 30), keys sorted."""
    return json.dumps(_floats(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _floats(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, list | tuple):
        return [_floats(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _floats(v) for k, v in value.items()}
    return str(value)


def current_fields(conn: Connection, site_id: int) -> dict[Key, dict[str, Any]]:
    """The site's records as they stand: each device's fields, each channel's label and ``settings.<name>``."""
    devices, channels = sql.site_records(conn, site_id)
    records: dict[Key, dict[str, Any]] = {}
    for device in devices:
        records["device", device["serial"]] = {name: device[name] for name in sql.DEVICE_FIELDS}
    for channel in channels:
        fields: dict[str, Any] = {"label": channel["label"]}
        fields.update({f"settings.{name}": value for name, value in channel["settings"].items()})
        records["channel", f"{channel['serial']}/{channel['key']}"] = fields
    return records


def site_stamps(conn: Connection, site_id: int) -> dict[Key, dict[str, tuple[str, str]]]:
    """The stored stamps of the site's records: (entity, key) → field → (value JSON, hlc)."""
    stored: dict[Key, dict[str, tuple[str, str]]] = {}
    for row in sql.site_stamps(conn, site_id):
        stored.setdefault((row["entity"], row["key"]), {})[row["field"]] = (row["value"], row["hlc"])
    return stored


def node_of(gateway_id: int | None) -> str:
    return f"box{gateway_id}" if gateway_id else "box"


def node_for(conn: Connection) -> str:
    """Who stamps in this database: a box (it has a pairing row) or the cloud."""
    state = people_sql.box_state(conn)
    return CLOUD if state is None else node_of(state["gateway_id"])


def load_clock(conn: Connection, node: str) -> Clock:
    """The node's clock, after every stamp made or merged here (whichever node made it)."""
    last: HLC | None = None
    for text in sql.clock_stamps(conn):
        try:
            seen = parse(text)
        except ClockError:
            continue
        if last is None or (seen.wall_ms, seen.counter) > (last.wall_ms, last.counter):
            last = seen
    return Clock(node, HLC(last.wall_ms, last.counter, node) if last else None)


def save_clock(conn: Connection, clock: Clock) -> None:
    sql.save_clock(conn, clock.node, str(clock.last))


def stamp(conn: Connection, site_id: int, clock: Clock, now_ms: int) -> int:
    """Stamp every field of the site whose value differs from its stored one (a field gone is stamped null);
    answers how many. The site is no longer dirty afterwards."""
    stored = site_stamps(conn, site_id)
    rows: list[tuple[str, str, str, str, str]] = []
    for (entity, key), fields in current_fields(conn, site_id).items():
        known: Mapping[str, tuple[str, str]] = stored.get((entity, key), {})
        for name, value in fields.items():
            text = canonical(value)
            old = known.get(name)
            if old is None or old[0] != text:
                rows.append((entity, key, name, text, str(_tick(clock, now_ms))))
        for name, (text, _) in known.items():
            if name not in fields and text != "null":
                rows.append((entity, key, name, "null", str(_tick(clock, now_ms))))
    sql.put_stamps(conn, rows)
    sql.clear_dirty(conn, site_id)
    return len(rows)


def _tick(clock: Clock, now_ms: int) -> HLC:
    """The next stamp of this node's own edits. A pass stamps every dirty site at one ``now_ms``; when it holds
    more than a millisecond's counter (65 536 fields: an import of thousands of sites), its stamps go on in the
    next milliseconds, ahead of the wall clock by as many — still after everything before, in order."""
    if clock.last.wall_ms >= now_ms and clock.last.counter == MAX_COUNTER:
        return clock.tick(clock.last.wall_ms + 1)
    return clock.tick(now_ms)


# Dirty sites stamped in one write: each takes a few milliseconds, and the writer is everyone's. A city's sites
# imported at once (10⁵ of them) are stamped over many writes, with ingest's jobs taking their turns between them.
STAMP_SITES = 100


def stamp_dirty(conn: Connection, now: float, limit: int | None = None) -> int:
    """One pass over the dirty sites (the first ``limit`` of them), with this database's node; answers the fields
    stamped."""
    sites = sql.dirty_sites(conn, limit)
    if not sites:
        return 0
    clock = load_clock(conn, node_for(conn))
    count = sum(stamp(conn, site_id, clock, int(now * 1000)) for site_id in sites)
    save_clock(conn, clock)
    return count


async def stamp_dirty_sites(ctx: Context) -> int:
    """The watchdog's cheap pass: looks on a reader, writes only when a site changed. It makes a cloud edit's stamp
    the time it was made within one watchdog interval (5 s), whatever wrote it — the API, commissioning, a sync
    push, the demo — because the triggers see every write; hooking each service's write instead would miss the
    ones added later."""
    dirty = await ctx.db.read(sql.count_dirty)
    count = 0
    for _ in range(0, dirty, STAMP_SITES):
        count += await ctx.db.write(lambda conn: stamp_dirty(conn, ctx.clock(), STAMP_SITES))
    return count

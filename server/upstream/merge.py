"""Merging the other side's records into this one: per field, the newer stamp wins (last writer wins, as in the sync
protocol). A field taken is written into devices or channels with its stamp; a device or channel this side does not
know is created under this side's site. In the cloud (``check``) what a box sends goes through the API's rules
first; a refused field keeps the cloud's value, stamped anew so the box takes it back, and is named in
``Merged.rejected``; the rest of the batch is applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from offline_sync.hlc import HLC, Clock, ClockError, parse
from server.storage import Connection
from server.storage import mirror as sql
from server.upstream import checks
from server.upstream.stamps import canonical, stamp
from server.upstream.wire import Record

__all__ = ["MAX_AHEAD_S", "Merged", "merge"]

# A box's stamp this far ahead of the cloud's own clock is refused: a box whose clock runs ahead (no NTP behind a
# 4G router) would otherwise win every later edit and drag the cloud's clock along. Five minutes is far beyond
# what NTP-kept clocks drift and what a mirror round takes.
MAX_AHEAD_S = 300.0

Stamped = dict[str, tuple[Any, str]]  # field → (value, hlc)


@dataclass
class Merged:
    rejected: list[str] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)  # serials whose device or channels changed here
    applied: int = 0  # fields taken


@dataclass
class _Merge:
    conn: Connection
    site_id: int
    clock: Clock
    now: float
    check: bool
    devices: dict[str, dict[str, Any]]
    out: Merged = field(default_factory=Merged)
    stamps: list[tuple[str, str, str, str, str]] = field(default_factory=list)

    def newer(self, entity: str, key: str, fields: Stamped, where: str) -> Stamped:
        """The fields whose stamp is newer than the stored one (the ones with a bad stamp refused)."""
        stored = sql.record_stamps(self.conn, entity, key)
        limit_ms = int((self.now + MAX_AHEAD_S) * 1000)
        taken: Stamped = {}
        for name, (value, hlc) in fields.items():
            try:
                seen = parse(hlc)
            except ClockError as exc:
                self.out.rejected.append(f"{where}, field {name}: {exc}")
                continue
            if self.check and seen.wall_ms > limit_ms:
                ahead = (seen.wall_ms - self.now * 1000) / 1000
                self.out.rejected.append(f"{where}, field {name}: stamped {ahead:.0f} s ahead of the cloud's clock; "
                                         "set the box's time (NTP) and change it again")
                continue
            old = stored.get(name)
            if old is None or hlc > old[1]:
                taken[name] = (value, hlc)
        return taken

    def took(self, entity: str, key: str, fields: dict[str, Any], stamps: Stamped) -> None:
        for name, value in fields.items():
            hlc = stamps[name][1]
            self.stamps.append((entity, key, name, canonical(value), hlc))
            self.clock.receive(parse(hlc), int(self.now * 1000))
        self.out.applied += len(fields)

    def refuse(self, entity: str, key: str, name: str, message: str, current: Any, hlc: str) -> None:
        """A refused field: the cloud's own value goes back to the box with a stamp newer than the box's."""
        self.out.rejected.append(message)
        if current is not _ABSENT:
            again: HLC = self.clock.receive(parse(hlc), int(self.now * 1000))
            self.stamps.append((entity, key, name, canonical(current), str(again)))

    def device(self, record: Record) -> None:
        serial = record.key
        where = f"device {serial}"
        if self.check and not checks.serial_ok(serial):
            self.out.rejected.append(f"device {serial!r}: not a serial (letters, digits and _.:- up to 64)")
            return
        known = self.devices.get(serial)
        if known is not None and known["site_id"] != self.site_id:
            self.out.rejected.append(f"{where}: registered at another site here, not taken")
            return
        if (known or {}).get("kind") == "gateway" or serial.startswith("gateway:"):
            return  # a site box as a device of its site is the cloud's own record
        taken = self.newer("device", serial, record.fields, where)
        values: dict[str, Any] = {}
        for name, (value, hlc) in taken.items():
            if name not in sql.DEVICE_FIELDS:
                self.out.rejected.append(f"{where}: {name} is not a device field ({', '.join(sql.DEVICE_FIELDS)})")
                continue
            if not self.check:
                values[name] = value
                continue
            model = taken["model"][0] if "model" in taken else (known or {}).get("model")
            try:
                values[name] = checks.check_device_field(serial, name, value, model if isinstance(model, str) else None)
            except checks.Refused as exc:
                self.refuse("device", serial, name, str(exc), (known or {}).get(name, _ABSENT), hlc)
        if not values:
            return
        if known is None:
            if "model" not in values or "kind" not in values:
                self.out.rejected.append(f"{where}: not known here; send all its fields (model and kind at least)")
                return
            device_id = sql.insert_device(self.conn, self.site_id, serial, values, self.now)
            known = self.devices[serial] = {"id": device_id, "site_id": self.site_id, "channels": {},
                                            "rated_current_a": None, **values}
        else:
            sql.update_device(self.conn, known["id"], values)
            known.update(values)
        self.took("device", serial, values, taken)
        self.out.touched.add(serial)

    def channel(self, record: Record) -> None:
        serial, _, key = record.key.partition("/")
        where = f"device {serial}, channel {key}"
        known = self.devices.get(serial)
        if known is None or known["site_id"] != self.site_id or known.get("kind") == "gateway":
            self.out.rejected.append(f"{where}: the device is not one of this site's")
            return
        if self.check and not checks.channel_key_ok(key):
            self.out.rejected.append(f"{where}: not a channel key (current_a, residual_ma, temp_c, voltage_v, arc, …)")
            return
        taken = self.newer("channel", record.key, record.fields, where)
        channel = known["channels"].get(key)
        if not taken:
            return
        current: dict[str, Any] = dict(channel["settings"]) if channel else {}
        label: str = channel["label"] if channel else ""
        given: dict[str, Any] = {}
        values: dict[str, Any] = {}
        for name, (value, hlc) in taken.items():
            if name == "label":
                try:
                    label = checks.check_label(where, value) if self.check else str(value)
                    values[name] = label
                except checks.Refused as exc:
                    self.refuse("channel", record.key, name, str(exc), label if channel else _ABSENT, hlc)
            elif name.startswith("settings.") and len(name) > len("settings."):
                given[name.removeprefix("settings.")] = value
            else:
                self.out.rejected.append(f"{where}: {name} is not a channel field (label, settings.<name>)")
        settings = current
        if self.check and (given or channel is None):  # a new channel gets the defaults of what is not given
            settings, refused = checks.check_settings(where, key, dict(given), current if channel else None,
                                                      known.get("rated_current_a"))
            for name, message in refused.items():
                old = current.get(name, _ABSENT) if channel else _ABSENT
                self.refuse("channel", record.key, f"settings.{name}", message, old, taken[f"settings.{name}"][1])
                del given[name]
        elif given:
            settings = {**current, **given}
            settings = {name: value for name, value in settings.items() if value is not None}
        values.update({f"settings.{name}": settings.get(name) for name in given})
        if not values and channel is not None:
            return
        if channel is None:
            known["channels"][key] = {"id": sql.insert_channel(self.conn, known["id"], key, label, settings),
                                      "label": label, "settings": settings}
        else:
            sql.update_channel(self.conn, channel["id"], label, settings)
            channel.update(label=label, settings=settings)
        self.took("channel", record.key, values, taken)
        self.out.touched.add(serial)


_ABSENT = object()  # a field the receiving side does not have: nothing to send back in its place


def merge(conn: Connection, site_id: int, records: list[Record], clock: Clock, now: float, *,
          check: bool) -> Merged:
    """Take what is newer in ``records`` into the site (devices first, then channels), then stamp what the merge
    changed besides (a pre-alarm that follows its alarm) so it goes back too; the site is not left dirty."""
    serials = sorted({r.key if r.entity == "device" else r.key.partition("/")[0] for r in records})
    work = _Merge(conn, site_id, clock, now, check, sql.devices_by_serial(conn, serials))
    for record in sorted(records, key=lambda r: r.entity != "device"):
        if record.entity == "device":
            work.device(record)
        else:
            work.channel(record)
    sql.put_stamps(conn, work.stamps)
    stamp(conn, site_id, clock, int(now * 1000))
    return work.out

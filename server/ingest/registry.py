"""Devices and channels as ingest sees them: serial → device, channel key → detector slot.

Lives on the writer thread with the detector (one owner), loaded at start, refreshed when a device is
registered or a channel's settings change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import msgspec

from server.detection.engine import Detector
from server.storage import Connection
from server.storage import alarms as alarm_sql
from server.storage import devices as device_sql

__all__ = ["DeviceEntry", "Registry"]


@dataclass
class DeviceEntry:
    id: int
    site_id: int
    serial: str
    name: str
    slots: dict[str, int] = field(default_factory=dict)        # channel key → slot
    channel_ids: dict[str, int] = field(default_factory=dict)  # channel key → channel id


class Registry:
    def __init__(self, detector: Detector, changed: Callable[[Connection, str], None] | None = None) -> None:
        self.detector = detector
        self.by_serial: dict[str, DeviceEntry] = {}
        self.by_id: dict[int, DeviceEntry] = {}
        self.changed = changed

    def load(self, conn: Connection) -> None:
        for device in device_sql.devices_with_channels(conn):
            self._put(device)
        self.detector.restore({channel_id: msgspec.msgpack.decode(blob, type=list[float])
                               for channel_id, blob in alarm_sql.load_checkpoints(conn).items()})

    def lookup(self, conn: Connection, serial: str) -> DeviceEntry | None:
        entry = self.by_serial.get(serial)
        if entry is None and "\x00" not in serial:  # a NUL names no device (and PostgreSQL text cannot hold it)
            try:
                devices = device_sql.devices_with_channels(conn, serial)
            except UnicodeEncodeError:  # a lone surrogate names no device
                return None
            for device in devices:
                entry = self._put(device)
        return entry

    def refresh(self, conn: Connection, serial: str) -> None:
        """Re-read a device after its registration or a settings change (called inside that transaction)."""
        self.by_serial.pop(serial, None)
        self.lookup(conn, serial)
        if self.changed is not None:  # the other workers re-read it too, once this commits (server/cluster)
            self.changed(conn, serial)

    def reread(self, conn: Connection, serial: str) -> None:
        """Re-read a device another worker changed."""
        self.by_serial.pop(serial, None)
        self.lookup(conn, serial)

    def _put(self, device: dict[str, Any]) -> DeviceEntry:
        entry = DeviceEntry(device["id"], device["site_id"], device["serial"], device["name"])
        entry.slots = self.detector.add_device(device["id"], device["site_id"], [
            (channel["id"], channel["key"], channel["settings"]) for channel in device["channels"]])
        entry.channel_ids = {channel["key"]: channel["id"] for channel in device["channels"]}
        self.by_serial[entry.serial] = entry
        self.by_id[entry.id] = entry
        return entry

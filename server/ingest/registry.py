"""Devices and channels as ingest sees them: serial → device, channel key → detector slot.

Lives on the writer thread with the detector (one owner), loaded at start, refreshed when a device is
registered or a channel's settings change.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

import msgspec

from server.detection.engine import Detector
from server.detection.settings import quantity_of
from server.detection.table import ChannelInfo
from server.storage import alarms as alarm_sql
from server.storage import sites as site_sql

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
    def __init__(self, detector: Detector) -> None:
        self.detector = detector
        self.by_serial: dict[str, DeviceEntry] = {}
        self.by_id: dict[int, DeviceEntry] = {}

    def load(self, conn: sqlite3.Connection) -> None:
        for device in site_sql.devices_with_channels(conn):
            self._put(device)
        table = self.detector.table
        for channel_id, blob in alarm_sql.load_checkpoints(conn).items():
            slot = table.slot_of.get(channel_id)
            if slot is not None:
                table.restore(slot, msgspec.msgpack.decode(blob, type=list[float]))

    def lookup(self, conn: sqlite3.Connection, serial: str) -> DeviceEntry | None:
        entry = self.by_serial.get(serial)
        if entry is None:
            try:
                devices = site_sql.devices_with_channels(conn, serial)
            except UnicodeEncodeError:  # a lone surrogate names no device
                return None
            for device in devices:
                entry = self._put(device)
        return entry

    def refresh(self, conn: sqlite3.Connection, serial: str) -> None:
        """Re-read a device after its registration or a settings change (called inside that transaction)."""
        self.by_serial.pop(serial, None)
        self.lookup(conn, serial)

    def _put(self, device: dict[str, Any]) -> DeviceEntry:
        table = self.detector.table
        entry = DeviceEntry(device["id"], device["site_id"], device["serial"], device["name"])
        for channel in device["channels"]:
            info = ChannelInfo(channel["id"], device["id"], device["site_id"], channel["key"])
            slot = table.add(info, channel["settings"])
            entry.slots[channel["key"]] = slot
            entry.channel_ids[channel["key"]] = channel["id"]
        # A terminal temperature is judged against the load of the same device (hot joint).
        current = next((entry.slots[k] for k in sorted(entry.slots) if quantity_of(k) == "current_a"), -1)
        # Several terminals of one device (L and N, or the phases) are compared with each other, each with the next.
        terminals = [entry.slots[k] for k in sorted(entry.slots) if quantity_of(k) == "temp_c"]
        for key, slot in entry.slots.items():
            table.partner[slot] = current if quantity_of(key) in ("temp_c", "residual_ma") else -1
            table.peer[slot] = -1
        if len(terminals) > 1:
            for i, slot in enumerate(terminals):
                table.peer[slot] = terminals[(i + 1) % len(terminals)]
        self.by_serial[entry.serial] = entry
        self.by_id[entry.id] = entry
        return entry

"""What a session keeps of a SEND frame: the parts as devices (made the first time they report), the events, the
gateway's presence, and the readings and alarm states through the same ingest as every other input."""

from __future__ import annotations

import logging
from datetime import tzinfo
from typing import TYPE_CHECKING

from gb26875 import SEND, Frame
from server.alarms.service import present
from server.detection.settings import resolve_settings
from server.gb26875.translate import Gateway, Translation, batch_id, event_row, translate
from server.ingest.admit import Access
from server.live.events import LiveEvent
from server.storage import Connection
from server.storage import gb26875_receive as sql
from server.storage import upstream_gateways as presence_sql

if TYPE_CHECKING:
    from server.context import Context
    from server.gb26875.listen import Receiver

__all__ = ["TOUCH_S", "Store"]

log = logging.getLogger("andian.gb26875")

# A gateway's last_seen_at (the offline watchdog's view of it) is written at most this often per connection.
TOUCH_S = 10.0


class Store:
    def __init__(self, ctx: Context, receiver: Receiver) -> None:
        self.ctx = ctx
        self.receiver = receiver
        self.known: dict[str, frozenset[str]] = {}  # part serial → its channels, as this connection made sure
        self.touched_at: dict[int, float] = {}

    async def take(self, gateway: Gateway, frame: Frame, raw: bytes, tz: tzinfo, now: float) -> bool:
        """Keep what the frame says; False (and why, in the log) when it could not be kept. Only a SEND frame's
        units become readings and alarm states: a control, request or user-defined command is kept as an event."""
        try:
            if frame.command != SEND:
                translation = Translation(events=[event_row(frame, raw, now)])
            else:
                translation = translate(frame, raw, gateway, self.known, tz, now)
            need = [p for p in translation.parts.values()
                    if p.serial not in self.known or not p.channels <= self.known[p.serial]]
            last = self.touched_at.get(gateway.id)
            touch = last is None or not 0 <= now - last < TOUCH_S
            if need or translation.events or touch:
                await self._prepare(gateway, translation, touch, now)
                if need:  # the parts' channels are known now (a type-16 unit's alarm cause depends on them)
                    translation = translate(frame, raw, gateway, self.known, tz, now)
            batch = translation.batch(batch_id(raw))
            if batch is not None:
                access = Access(sender=f"gateway:{gateway.id}", site_id=gateway.site_id)
                result = await self.receiver.group.ingest(access, batch)
                if result.rejected:  # the box's values that andian refused: someone must look (a clock, a mapping)
                    log.warning("GB/T 26875.3: gateway %d frame %d: %d item(s) not stored: %s", gateway.id,
                                frame.serial, len(result.rejected), "; ".join(r.error for r in result.rejected[:3]))
        except Exception as exc:  # a frame that cannot be taken is denied; the box sends it again
            log.warning("GB/T 26875.3: gateway %d frame %d (command %d) not stored, denied: %s", gateway.id,
                        frame.serial, frame.command, exc, exc_info=not isinstance(exc, OSError))
            return False
        return True

    async def _prepare(self, gateway: Gateway, translation: Translation, touch: bool, now: float) -> None:
        ctx = self.ctx
        parts = list(translation.parts.values())
        idle_s = ctx.settings.gb26875_idle_s

        def write(conn: Connection) -> tuple[dict[str, frozenset[str]], int, list[LiveEvent]]:
            known = {}
            for part in parts:
                record = {"serial": part.serial, "site_id": gateway.site_id, "gateway_id": gateway.id,
                          "kind": part.kind, "name": part.name}
                channels = [(key, resolve_settings(key, {})) for key in sorted(part.channels)]
                changed, keys = sql.ensure_part(conn, record, channels, now)
                if changed:
                    ctx.pipeline.registry.refresh(conn, part.serial)
                known[part.serial] = keys
            added = sql.insert_events(conn, gateway.id, translation.events) if translation.events else 0
            events: list[LiveEvent] = []
            if touch:  # the box itself is a device of its site: its silence is the watchdog's offline alarm
                box = presence_sql.gateway_device(conn, gateway.id, idle_s, now)
                presence_sql.touch_gateway(conn, gateway.id, box["device_id"], now)
                events = ctx.pipeline.alarms.events(
                    conn, ctx.pipeline.alarms.device_back(conn, box["device_id"], now, box["site_id"]))
            return known, added, events

        # Durable when it keeps events (the frame is confirmed after it). Otherwise the frame's readings and states
        # follow in a durable group commit, whose sync of the write-ahead log also covers this earlier commit.
        known, added, events = await ctx.db.write(write, durable=bool(translation.events))
        self.known.update(known)
        if added:
            self.receiver.count(gateway.id, "events", added)
        if touch:
            self.touched_at[gateway.id] = now
        if events:
            ctx.hub.publish(present(events))
            ctx.doorbell.ring_for(events)



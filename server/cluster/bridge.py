"""What crosses between workers of one database, through PostgreSQL's LISTEN/NOTIFY: live events for the pages
open on other workers, devices re-read, the notification sender's doorbell, and handed-over calls (put, done).

A notification carries the sending worker's id; a worker ignores its own. Live events of a site this worker
judges that another worker made (a box back online, a breaker moved) also make its alarm book re-read the site.
On SQLite (one process) the bridge is closed: publishing reaches this process's pages only.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from typing import TYPE_CHECKING, Any

from server.cluster.node import Node
from server.live.events import LiveEvent
from server.storage import Connection
from server.storage import cluster as cluster_sql

if TYPE_CHECKING:
    from server.context import Context

__all__ = ["Bridge"]

log = logging.getLogger("andian.cluster")

CHANNELS = ("andian_live", "andian_registry", "andian_ring", "andian_call", "andian_done")
# PostgreSQL's limit on a notification's payload is 8000 bytes; live events go in pieces below it, and an event
# larger than that alone (never seen: an alarm row is about 1 kB) is left to the page's next reload.
PAYLOAD_MAX = 7800


class Bridge:
    def __init__(self, node: Node) -> None:
        self.node = node
        self.calls = asyncio.Event()  # a call was handed to a partition (maybe ours)
        self._done: dict[int, asyncio.Event] = {}
        self._outbox: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        self._stop = threading.Event()
        self._tasks: list[asyncio.Future[Any]] = []
        self._thread: threading.Thread | None = None

    # ---- this worker → the others ------------------------------------------------------------------------------

    def _send(self, channel: str, payload: Any) -> None:
        if self.node.shared:
            self._outbox.put_nowait((channel, json.dumps({"w": self.node.id, "p": payload}, ensure_ascii=False)))

    def relay_live(self, events: list[LiveEvent]) -> None:
        piece: list[dict[str, Any]] = []
        size = 0
        for event in events:
            item = {"s": event.site_id, "e": event.event, "d": event.data}
            length = len(json.dumps(item, ensure_ascii=False, default=str).encode())
            if length > PAYLOAD_MAX:
                continue
            if size + length > PAYLOAD_MAX and piece:
                self._send("andian_live", piece)
                piece, size = [], 0
            piece.append(item)
            size += length
        if piece:
            self._send("andian_live", piece)

    def call_put(self, part: int) -> None:
        self._send("andian_call", part)

    def call_done(self, call_id: int) -> asyncio.Event:
        return self._done.setdefault(call_id, asyncio.Event())

    def forget_call(self, call_id: int) -> None:
        self._done.pop(call_id, None)

    def answered(self, call_ids: list[int]) -> None:
        for call_id in call_ids:
            self._send("andian_done", call_id)

    # ---- wiring -----------------------------------------------------------------------------------------------------

    def start(self, ctx: Context) -> None:
        """Hook the hub, the doorbell and the registry up, and start listening (shared databases only)."""
        if not self.node.shared:
            return
        loop = asyncio.get_running_loop()
        ctx.hub.relay = self.relay_live
        ctx.doorbell.relay = lambda: self._send("andian_ring", 0)

        def registry_changed(conn: Connection, serial: str) -> None:  # on the writer, in the change's transaction
            cluster_sql.notify(conn, "andian_registry", json.dumps({"w": self.node.id, "p": serial}))

        ctx.pipeline.registry_changed = ctx.pipeline.registry.changed = registry_changed
        url = ctx.settings.db_url
        self._tasks.append(asyncio.create_task(self._sender(url)))
        self._thread = threading.Thread(target=self._listen, args=(url, loop, ctx), name="andian-listen",
                                        daemon=True)
        self._thread.start()

    async def stop(self) -> None:
        self._stop.set()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join, 5)

    async def _sender(self, url: str) -> None:
        from server.storage.postgres.session import Session

        session: Session | None = None
        try:
            while True:
                channel, payload = await self._outbox.get()
                try:
                    if session is None or session.conn.broken:
                        session = await asyncio.to_thread(Session, url)
                    await asyncio.to_thread(session.notify, channel, payload)
                except Exception:  # a lost notification costs latency only: pages reload, senders tick, calls poll
                    log.exception("notifying the other workers failed (%s)", channel)
                    session = None
        finally:
            if session is not None:
                session.close()

    def _listen(self, url: str, loop: asyncio.AbstractEventLoop, ctx: Context) -> None:
        from server.storage.postgres.session import Listener

        listener: Listener | None = None
        while not self._stop.is_set():
            try:
                if listener is None:
                    listener = Listener(url, list(CHANNELS))
                for channel, raw in listener.events(1.0):
                    note = json.loads(raw)
                    if note["w"] != self.node.id:
                        loop.call_soon_threadsafe(self._receive, ctx, channel, note["p"])
            except Exception:
                log.exception("listening to the other workers failed; listening again")
                if listener is not None:
                    with contextlib.suppress(Exception):
                        listener.close()
                listener = None
                self._stop.wait(1.0)
        if listener is not None:
            listener.close()

    def _receive(self, ctx: Context, channel: str, payload: Any) -> None:
        """On the event loop: what another worker said."""
        if channel == "andian_live":
            events = [LiveEvent(int(e["s"]), str(e["e"]), e["d"]) for e in payload]
            ctx.hub.deliver(events)
            mine = sorted({e.site_id for e in events if e.event == "alarm" and self.node.owns(e.site_id)})
            if mine:
                def resync(conn: Connection) -> None:
                    for site_id in mine:
                        ctx.pipeline.alarms.resync_site(conn, site_id)

                self._spawn(ctx.db.write(resync))
        elif channel == "andian_registry":
            self._spawn(ctx.db.write(lambda conn: ctx.pipeline.registry.reread(conn, str(payload))))
        elif channel == "andian_ring":
            ctx.doorbell.answer_remote()
        elif channel == "andian_call":
            if int(payload) in self.node.parts:
                self.calls.set()
        elif channel == "andian_done":
            event = self._done.get(int(payload))
            if event is not None:
                event.set()

    def _spawn(self, job: Any) -> None:
        task = asyncio.ensure_future(job)
        self._tasks.append(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Future[Any]) -> None:
        if task in self._tasks:
            self._tasks.remove(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("applying another worker's change failed: %s", task.exception())

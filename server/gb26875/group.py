"""Group commit for the receiver: the frames of every connection that arrive while one write runs go into the next
write together (``service.ingest_many``), so a hundred boxes cost a few transactions a second, not a hundred.

No frame waits for a timer: the first frame goes at once, and those that come while it is written wait only for
that write. Each frame is still confirmed only after the write that holds it committed durably. A group that fails is
written again frame by frame, so one frame that cannot be taken is the only one denied.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from server.ingest import service
from server.ingest.admit import Access
from server.ingest.wire import IngestResult, ParsedBatch

if TYPE_CHECKING:
    from server.context import Context

__all__ = ["MAX_GROUP", "Group"]

log = logging.getLogger("andian.gb26875")

# Frames in one write at most: a write holds the writer, and readings of other inputs (HTTP, MQTT, the poller)
# queue behind it; a few hundred frames of up to 63 values each keep one write in the tens of milliseconds.
MAX_GROUP = 256

Item = tuple[Access, ParsedBatch, "asyncio.Future[IngestResult]"]


class Group:
    def __init__(self) -> None:
        self._queue: list[Item] = []
        self._wake = asyncio.Event()

    async def ingest(self, access: Access, batch: ParsedBatch) -> IngestResult:
        """``batch`` stored with the others of its group; its result once that write committed."""
        future: asyncio.Future[IngestResult] = asyncio.get_running_loop().create_future()
        self._queue.append((access, batch, future))
        self._wake.set()
        return await future

    async def run(self, ctx: Context) -> None:
        """Write groups until cancelled; frames still waiting then are cancelled (their boxes send them again)."""
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                items, self._queue = self._queue[:MAX_GROUP], self._queue[MAX_GROUP:]
                if self._queue:
                    self._wake.set()
                items = [item for item in items if not item[2].done()]  # its session was closed meanwhile
                if items:
                    await self._write(ctx, items)
        finally:
            for _, _, future in self._queue:
                future.cancel()
            self._queue = []

    @staticmethod
    async def _write(ctx: Context, items: list[Item]) -> None:
        try:
            # Durable: a box deletes a frame once it is confirmed, so its confirmation must outlast a power cut
            # (one fsync for the whole group).
            results = await service.ingest_many(ctx, [(access, batch) for access, batch, _ in items], durable=True)
        except Exception as exc:
            if len(items) == 1:
                _settle(items[0][2], exc=exc)
                return
            log.warning("GB/T 26875.3: a group of %d frames was not stored (%s); storing them one by one",
                        len(items), exc)
            for item in items:
                await Group._write(ctx, [item])
            return
        for (_, _, future), result in zip(items, results, strict=True):
            _settle(future, result)


def _settle(future: asyncio.Future[IngestResult], result: IngestResult | None = None,
            exc: BaseException | None = None) -> None:
    if future.done():
        return
    if exc is not None:
        future.set_exception(exc)
    elif result is not None:
        future.set_result(result)

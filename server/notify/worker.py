"""The sender: one loop in one process (the app's lifespan) that plans, then sends due messages through
apprise, a few at a time, and records every attempt.

At-least-once: a message is leased ('sending') before it goes out and marked 'sent' only after apprise
reports success; a crash in between sends it again after the restart, under the same key
(``targets.DELIVERY_HEADER``), so a receiver can tell the repeat. Planning never makes two deliveries of one
transition to one subscription, and a sent message is never leased again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import msgspec

from server.context import Context
from server.notify import calls, policy, targets
from server.notify.plan import Config, Planner
from server.notify.secrets import Secrets, SecretUnreadable
from server.storage import Connection
from server.storage import notify as sql

__all__ = ["Notifier", "run"]

log = logging.getLogger("andian.notify")


class Notifier:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        settings = ctx.settings
        assert ctx.secrets is not None
        self.secrets: Secrets = ctx.secrets
        self.planner = Planner(ctx.reference, Config(
            timezone=settings.timezone, link_base=settings.link_base(), rate_max=settings.notify_rate_max,
            rate_window_s=settings.notify_rate_window_s, calls=self._voice_service(settings.notify_voice_url)))
        self._sending: set[asyncio.Task[None]] = set()

    @staticmethod
    def _voice_service(voice_url: str) -> bool:
        """Whether owners are called; a voice URL apprise cannot use is said in the log, and nobody is called."""
        try:
            calls.check_voice_url(voice_url)
        except ValueError as exc:
            log.error("phone calls are off: %s", exc)
            return False
        return bool(voice_url.strip())

    async def start(self) -> None:
        released = await self.ctx.db.write(sql.release_leases)
        if released:
            log.info("%d message(s) were being sent when the server stopped; sending them again", released)

    async def round(self) -> int:
        """Plan and compose, then start sending what is due; answers how many sends were started."""
        now = self.ctx.clock()
        if not await self.ctx.db.read(lambda conn: sql.has_work(conn, now)):
            return 0
        free = self.ctx.settings.notify_concurrency - len(self._sending)

        def plan_and_lease(conn: Connection) -> list[dict[str, Any]]:
            self.planner.step(conn, now)
            return sql.lease_due(conn, now, free) if free > 0 else []

        # One urgent writer job: it goes ahead of queued ingest batches (bench/alarm_latency.py).
        due = await self.ctx.db.write(plan_and_lease, urgent=True)
        for message in due:
            task = asyncio.create_task(self._send(message))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)
        return len(due)

    async def drain(self) -> None:
        """Wait for the sends under way (tests, shutdown)."""
        while self._sending:
            await asyncio.gather(*self._sending, return_exceptions=True)

    async def stop(self) -> None:
        for task in list(self._sending):
            task.cancel()
        await self.drain()

    async def _send(self, message: dict[str, Any]) -> None:
        settings = self.ctx.settings
        started = time.monotonic()
        try:
            if message["kind"] == "call":
                url = calls.call_url(settings.notify_voice_url, message["phone"])
            else:
                url = self.secrets.open(message["url_secret"])
            result = await targets.send(url, masked=message["url_masked"], title=message["title"],
                                        body=message["body"], key=message["key"],
                                        tone=message["level"], timeout_s=settings.notify_send_timeout_s,
                                        allow_private=settings.notify_allow_private, params=message["params"])
            results = [msgspec.to_builtins(r) for r in result.results]
            ok = result.ok
        except (SecretUnreadable, calls.CallImpossible) as exc:
            ok, results = False, [{"service": "?", "target": "", "ok": False, "status": "FAILURE",
                                   "error": str(exc), "elapsed_s": 0.0}]
        except Exception as exc:  # apprise or a plugin failed in an unforeseen way: retry, and say what
            log.exception("sending message %s failed", message["id"])
            ok, results = False, [{"service": "?", "target": "", "ok": False, "status": "FAILURE",
                                   "error": f"{type(exc).__name__}: {exc}", "elapsed_s": 0.0}]
        now = self.ctx.clock()
        attempts = int(message["attempts"]) + 1
        next_at = None if ok else now + policy.backoff(attempts, settings.notify_retry_base_s,
                                                       settings.notify_retry_cap_s, int(message["id"]))
        elapsed = round(time.monotonic() - started, 3)
        await self.ctx.db.write(
            lambda conn: sql.record_attempt(conn, message["id"], now, elapsed, ok, results, next_at), durable=True,
            urgent=True)
        if not ok:
            log.warning("message %s (%s) failed, try %d; next in %.1f s: %s", message["id"], message["key"],
                        attempts, (next_at or now) - now, "; ".join(str(r["error"]) for r in results))
        self.ctx.doorbell.ring()  # a slot is free and retries may be due


async def run(ctx: Context) -> None:
    """Woken by the doorbell (an alarm changed, messages were written) and at least every ``notify_tick_s`` for
    retries, digests and escalations."""
    notifier = Notifier(ctx)
    await notifier.start()
    try:
        while True:
            ctx.doorbell.answer()
            try:
                await notifier.round()
            except Exception:  # the loop must outlive one bad round; the log says what happened
                log.exception("notification round failed")
            await ctx.doorbell.wait(ctx.settings.notify_tick_s)
    finally:
        await notifier.stop()

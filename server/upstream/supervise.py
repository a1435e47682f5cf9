"""The one retry loop of the box's upstream parts (mirror, forward, commands): rounds, one after another, forever.

A round answers how long to wait before the next (0: at once), so each part keeps its own cadence. A round that
fails never ends the loop: the cloud unreachable → the backoff's jittered wait; the cloud refusing → its detail
logged and the cap waited (a person has to fix the key or the version); the disk full → the cap; anything else → the
traceback logged and the cap waited. The box keeps its data through all of these and works on alone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from server.errors import StorageFull
from server.upstream.link import Backoff, Refused, Unreachable

__all__ = ["Round", "supervise"]

Round = Callable[[], Awaitable[float]]


async def supervise(name: str, round_fn: Round, backoff: Backoff, *, log: logging.Logger,
                    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
    """Run ``round_fn`` again and again; ``sleep`` waits between rounds (the mirror stamps edits meanwhile)."""
    cap = backoff.cap_s
    while True:
        try:
            wait = await round_fn()
        except Unreachable as exc:
            wait = backoff.next_delay()
            log.info("%s: the cloud is not reachable (%s); the box keeps its data and tries again in %.1f s",
                     name, exc, wait)
        except Refused as exc:
            wait = cap
            log.warning("%s: the cloud refused the box (%d: %s); a revoked or wrong key is paired again with "
                        "`andian box pair URL KEY` (or ANDIAN_UPSTREAM_KEY), another version by upgrading; trying "
                        "again in %.1f s", name, exc.status, exc.detail, wait)
        except StorageFull as exc:
            wait = cap
            log.warning("%s: not stored (%s); trying again in %.1f s", name, exc.detail, wait)
        except Exception:  # the loop must outlive any one bad round; the traceback says what happened
            wait = cap
            log.exception("%s round failed; trying again in %.1f s", name, wait)
        else:
            backoff.reset()
        await sleep(wait)

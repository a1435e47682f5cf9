"""The box's side of the connection to its cloud: the pairing, one HTTP session, and the backoff between attempts.

The box always opens the connection (no inbound port at the site: it works behind NAT and a 4G router). A request
that fails for the network's sake, or that the cloud answers 5xx or 429, is ``Unreachable``: the caller keeps its
data and tries again after ``Backoff``; a 4xx is ``Refused`` and says what to fix (a revoked key, a bad body).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TypeVar

import httpx
import msgspec

from server import __version__
from server.context import Context
from server.storage import upstream_link as sql

__all__ = ["Backoff", "Pairing", "Refused", "Unreachable", "Upstream", "load_pairing", "store_pairing"]

T = TypeVar("T")

# A request's own limits: connecting through a 4G router can take seconds; a body of 20 k readings is ~0.5 MB.
CONNECT_TIMEOUT_S = 10.0
REQUEST_TIMEOUT_S = 30.0


class Unreachable(Exception):
    """The cloud could not be reached or could not answer now (network, 5xx, 429): try again later."""


class Refused(Exception):
    """The cloud answered 4xx: trying again will not help until someone fixes what ``detail`` says."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class Pairing:
    url: str
    key: str
    site_id: int | None  # the box's own site that mirrors the cloud's; None until the first mirror makes it


async def load_pairing(ctx: Context) -> Pairing | None:
    """ANDIAN_UPSTREAM_URL and ANDIAN_UPSTREAM_KEY when set; else what ``andian box pair`` stored; else None."""
    stored = await ctx.db.read(sql.get_link)
    site_id = stored["site_id"] if stored else None
    settings = ctx.settings
    if settings.upstream_url and settings.upstream_key:
        return Pairing(settings.upstream_url.rstrip("/"), settings.upstream_key, site_id)
    if stored is None or not stored["key_sealed"]:
        return None
    return Pairing(stored["url"], ctx.secrets.open(stored["key_sealed"]), site_id)


async def store_pairing(ctx: Context, url: str, key: str) -> None:
    """Keep the cloud's URL and the gateway key (sealed at rest); the site mapping of an earlier pairing stays."""
    sealed = ctx.secrets.seal(key)
    now = ctx.clock()
    await ctx.db.write(lambda conn: sql.save_link(conn, url.rstrip("/"), sealed, now), durable=True)


class Backoff:
    """Waits between failed attempts: doubling from ``base`` to ``cap``, each drawn uniformly below its ceiling
    ("full jitter"), so a thousand boxes that lost the same cloud do not come back in the same second."""

    def __init__(self, base_s: float, cap_s: float, rng: random.Random | None = None) -> None:
        self.base_s = base_s
        self.cap_s = cap_s
        self.failures = 0
        self._rng = rng or random.Random()

    def next_delay(self) -> float:
        ceiling = min(self.cap_s, self.base_s * 2 ** min(self.failures, 30))
        self.failures += 1
        return self._rng.uniform(0.0, ceiling)

    def reset(self) -> None:
        self.failures = 0


class Upstream:
    """One HTTP session to the cloud, with the gateway key. ``transport`` lets tests route it in-process."""

    def __init__(self, pairing: Pairing, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.pairing = pairing
        self._client = httpx.AsyncClient(
            base_url=pairing.url, transport=transport,
            headers={"Authorization": f"Bearer {pairing.key}", "User-Agent": f"andian-box/{__version__}"},
            timeout=httpx.Timeout(REQUEST_TIMEOUT_S, connect=CONNECT_TIMEOUT_S),
        )

    async def __aenter__(self) -> Upstream:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.close()

    async def close(self) -> None:
        await self._client.aclose()

    async def call(self, method: str, path: str, answer: type[T], body: Any = None, *,
                   params: dict[str, Any] | None = None, timeout_s: float | None = None) -> T:
        """One request; its JSON answer decoded as ``answer``. Raises Unreachable or Refused."""
        content = msgspec.json.encode(body) if body is not None else None
        timeout = httpx.Timeout(timeout_s, connect=CONNECT_TIMEOUT_S) if timeout_s else httpx.USE_CLIENT_DEFAULT
        try:
            response = await self._client.request(
                method, path, content=content, params=params, timeout=timeout,
                headers={"Content-Type": "application/json"} if content is not None else None)
        except httpx.HTTPError as exc:
            raise Unreachable(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise Unreachable(f"{method} {path}: the cloud answered {response.status_code}")
        if response.status_code >= 400:
            raise Refused(response.status_code, _detail(response))
        if answer is type(None):
            return None
        try:
            return msgspec.json.decode(response.content, type=answer)
        except msgspec.DecodeError as exc:  # a proxy's page, a cloud of another version: not ours to retry blindly
            raise Refused(response.status_code, f"unexpected answer to {method} {path}: {exc}") from exc


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    return str(body.get("detail", body)) if isinstance(body, dict) else str(body)

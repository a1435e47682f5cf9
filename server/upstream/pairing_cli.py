"""``andian box pair URL KEY``: store a site box's pairing with its cloud, then try it once."""

from __future__ import annotations

import sys

from server.context import open_context
from server.settings import Settings
from server.upstream import mirror_box
from server.upstream.link import Pairing, Refused, Unreachable, store_pairing

__all__ = ["pair"]


async def pair(settings: Settings, url: str, key: str) -> int:
    """0 when stored (whether or not the cloud answered now); 2 when the URL is no URL or the cloud refused the
    key."""
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        print(f"andian: {url!r} is not the cloud's URL; give it as https://cloud.example", file=sys.stderr)
        return 2
    async with open_context(settings) as ctx:
        await store_pairing(ctx, url, key.strip())
    try:
        answer = await mirror_box.check(Pairing(url, key.strip(), None))
    except Unreachable as exc:
        print(f"stored; the cloud is not reachable now: {exc}; the box will keep trying")
        return 0
    except Refused as exc:
        what = "refused the key" if exc.status in (401, 403) else "refused the request"
        print(f"andian: {url} {what} ({exc.status}: {exc.detail}). The pairing is stored but will not work: ask the "
              "cloud's admin for a gateway key of this box's site (POST /api/v1/sites/{id}/gateways) and pair again",
              file=sys.stderr)
        return 2
    print(f"paired with {url} (site {answer.site.name}, gateway {answer.gateway_id})")
    return 0

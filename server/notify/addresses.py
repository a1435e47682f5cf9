"""Where a notification may go: public addresses only, unless the administrator allows private ones.

A subscription is a URL that any user may type, and andian connects to its host: without a check, a user could
make the server probe its own loopback ports, the cloud's metadata address (169.254.169.254) or the LAN
(server-side request forgery, OWASP API7). ``refusal`` is the pure classifier (an address in, why it is refused
out); ``check`` resolves host names without blocking the event loop, within a time limit, and refuses the host
when any of its addresses is not public.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Callable, Iterable

__all__ = ["RESOLVE_TIMEOUT_S", "TargetRefused", "check", "is_local_name", "refusal"]

# How long a name may take to resolve. A resolver that has not answered in 5 s (glibc's own per-try timeout) will
# not answer in time for an alarm either; the subscriber is told to check the name.
RESOLVE_TIMEOUT_S = 5.0

IP = ipaddress.IPv4Address | ipaddress.IPv6Address

# RFC 6598: carrier-grade NAT, the operator's side of a 4G router; Python's is_private leaves it out.
_SHARED = ipaddress.IPv4Network("100.64.0.0/10")
# RFC 6052: NAT64 translates 64:ff9b::a.b.c.d to a.b.c.d, so the IPv4 address inside is where it goes.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")

# Why an address is refused, in the order they are told; the first that applies names it.
_KINDS: tuple[tuple[str, Callable[[IP], bool]], ...] = (
    ("unspecified", lambda ip: ip.is_unspecified),
    ("loopback", lambda ip: ip.is_loopback),
    ("link-local", lambda ip: ip.is_link_local),
    ("multicast", lambda ip: ip.is_multicast),
    ("carrier-grade NAT", lambda ip: ip in _SHARED),
    ("reserved", lambda ip: ip.is_reserved),
    ("private network", lambda ip: ip.is_private or (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local)),
    ("not globally routable", lambda ip: not ip.is_global),
)


class TargetRefused(Exception):
    """A notification target that andian will not connect to; ``detail`` says why and what to do."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def refusal(address: str) -> str | None:
    """Why andian refuses to connect to this IP address (e.g. 'loopback'), or None for a public one. IPv6
    addresses that carry an IPv4 address (mapped ::ffff:a.b.c.d, 6to4, NAT64) are judged by that address."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        inner = ip.ipv4_mapped or ip.sixtofour or (
            ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in _NAT64 else None)
        if inner is not None:
            return refusal(str(inner))
    return next((kind for kind, applies in _KINDS if applies(ip)), None)


def is_local_name(host: str) -> bool:
    """'localhost' and every name under it (RFC 6761: they are the machine itself, whatever DNS says)."""
    name = host.strip().rstrip(".").lower()
    return name == "localhost" or name.endswith(".localhost")


def _refused(host: str, what: str) -> TargetRefused:
    return TargetRefused(f"{host} points to a private or loopback address ({what}); andian refuses those unless "
                         "the administrator sets ANDIAN_NOTIFY_ALLOW_PRIVATE=1")


async def check(hosts: Iterable[str], *, timeout_s: float = RESOLVE_TIMEOUT_S) -> None:
    """Resolve every host (in the default executor, never blocking the loop) and raise TargetRefused when one is a
    localhost name, does not resolve within ``timeout_s``, or has any address that ``refusal`` refuses."""
    loop = asyncio.get_running_loop()
    for host in hosts:
        if is_local_name(host):
            raise _refused(host, "a localhost name, loopback")
        try:
            async with asyncio.timeout(timeout_s):
                found = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except TimeoutError as exc:
            raise TargetRefused(f"the host {host} did not resolve within {timeout_s:g} s; check the name, or try "
                                "again when DNS answers") from exc
        except (OSError, UnicodeError) as exc:
            raise TargetRefused(f"the host {host} does not resolve ({exc}); check the name") from exc
        for *_, sockaddr in found:
            address = str(sockaddr[0])
            if (kind := refusal(address)) is not None:
                raise _refused(host, f"{address}, {kind}")

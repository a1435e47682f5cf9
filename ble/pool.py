"""The site box's links: exactly one ``DeviceLink`` per device address, shared by the poller, commissioning
and remote control, so two callers never open two connections to one device."""

from __future__ import annotations

from .link import Backends, DeviceLink

__all__ = ["LinkPool"]


class LinkPool:
    def __init__(self, backends: Backends) -> None:
        self.backends = backends
        self._links: dict[str, DeviceLink] = {}

    def get(self, address: str) -> DeviceLink:
        key = address.upper()
        link = self._links.get(key)
        if link is None:
            link = self._links[key] = DeviceLink(key, self.backends)
        return link

    async def close(self) -> None:
        for link in self._links.values():
            await link.disconnect()
        self._links.clear()

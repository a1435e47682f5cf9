"""The site box's Bluetooth side in the server: the poller feeding ingest, commissioning, remote control."""

from .runtime import SiteBox

__all__ = ["SiteBox"]

"""Failures a caller handles differently, each with a code (for the PWA's texts) and advice for the installer."""

from __future__ import annotations

__all__ = [
    "DeviceNotFound",
    "DeviceRefused",
    "EncryptionRequired",
    "LinkError",
    "LinkLost",
    "LinkTimeout",
    "NoReply",
    "PairingFailed",
    "Unsupported",
]


class LinkError(Exception):
    code = "link_error"
    advice = "retry; if it keeps failing, power-cycle the device"

    def __init__(self, message: str, *, advice: str | None = None) -> None:
        if advice is not None:  # a wired bus's advice instead of the radio's
            self.advice = advice
        super().__init__(f"{message} — {self.advice}")
        self.message = message


class DeviceNotFound(LinkError):
    code = "not_found"
    advice = "move closer to the device (within about 10 m) and check that it has power"


class LinkTimeout(LinkError):
    """An operation got no answer in time. Never retried by the link: the caller decides."""

    code = "timeout"
    advice = "move closer and retry; walls and metal cabinets weaken the signal"


class PairingFailed(LinkError):
    code = "pairing_failed"
    advice = "hold the device's pairing button for 3 s until the LED flashes, then retry"


class EncryptionRequired(LinkError):
    code = "encryption_required"
    advice = "pair with the device first"


class LinkLost(LinkError):
    code = "link_lost"
    advice = "the connection dropped; retry, and keep the phone or site box near the device"


class NoReply(LinkError):
    """The device answered with something that is not a valid answer to the request."""

    code = "no_reply"
    advice = "check that the chosen model matches the device"


class DeviceRefused(LinkError):
    """A Modbus exception: the device understood and refused."""

    code = "refused"
    advice = "check that the chosen model matches the device's firmware"


class Unsupported(LinkError):
    code = "unsupported"
    advice = "this device model does not have that function"

"""The application's errors. A class exists only where a caller handles it differently.

``server.web.errors`` maps them to HTTP in one place; messages say what to fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "INTERNAL", "TOO_DEEP", "AndianError", "Conflict", "Forbidden", "InvalidInput", "NotFound", "RateLimited",
    "StorageFull", "Unauthorized", "Unavailable", "disk_full", "error_extra",
]


class AndianError(Exception):
    status_code = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidInput(AndianError):
    """Bad input; ``field`` is the dotted path of the offending field, e.g. ``channels[1].settings.alarm``.

    ``extra``: what a client needs to say it in the user's language without parsing ``detail`` — a ``code``
    (``out_of_range``, ``required``, ``photo_required``…) and its values (setting, value, min, max, unit, basis)."""

    status_code = 400

    def __init__(self, field: str, message: str, extra: Mapping[str, Any] | None = None) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.extra: dict[str, Any] = dict(extra or {})

    def moved(self, field: str) -> InvalidInput:
        """The same refusal named by another path (a nested check answered at the caller's field)."""
        return InvalidInput(field, self.message, self.extra)


class Unauthorized(AndianError):
    status_code = 401


class Forbidden(AndianError):
    status_code = 403


class NotFound(AndianError):
    """Unknown, or not visible to the caller: the two are never told apart (no existence leak)."""

    status_code = 404

    def __init__(self, what: str, object_id: object) -> None:
        super().__init__(f"{what} {object_id} not found")


class Conflict(AndianError):
    status_code = 409


class RateLimited(AndianError):
    status_code = 429

    def __init__(self, detail: str, retry_after_s: int) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s


class Unavailable(AndianError):
    """This server cannot do it (e.g. it has no Bluetooth radio); the detail says where it can be done."""

    status_code = 503


class StorageFull(AndianError):
    """The server's disk is full: nothing of this request was stored; send it again once space is freed.

    ``retry``: the write found the disk full while it carried something a person must hear of (an alarm
    transition), it was undone, and the reserve was freed for it: running it once more now stores it.
    """

    status_code = 507
    # Freeing space takes a person; a gateway that tries again every minute loses nothing it keeps queued.
    retry_after_s = 60

    def __init__(self, detail: str, *, retry: bool = False) -> None:
        super().__init__(detail)
        self.retry = retry


# What every edge (HTTP, MQTT) answers alike, so a gateway reads the same words whichever way it sends.
TOO_DEEP = "body: JSON nested too deeply (more than about 1000 levels); send a flat document"
INTERNAL = "internal error; the server log has the details"


def disk_full(then: str) -> StorageFull:
    """A write outside the writer (a temporary or key file) found the disk full; ``then``: what to do after."""
    return StorageFull(f"the server's disk is full — free space on the disk that holds the database (ANDIAN_DB){then}")


def error_extra(exc: AndianError) -> dict[str, Any] | None:
    """The ``extra`` of an error answer: the field to fix, for bad input, with the refusal's code and values."""
    return {"field": exc.field, **exc.extra} if isinstance(exc, InvalidInput) else None

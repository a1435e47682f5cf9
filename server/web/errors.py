"""The one place where exceptions become HTTP answers: ``{"status_code", "detail", "extra"}``."""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException

from server.errors import INTERNAL, TOO_DEEP, AndianError, RateLimited, StorageFull, disk_full, error_extra
from server.fields import LINE, TEXT
from server.storage.space import out_of_space

__all__ = ["exception_handlers"]

log = logging.getLogger("andian.api")

_FIELD_IN_MESSAGE = re.compile(r"field `([^`]+)`")
# msgspec's words for a broken text pattern, in words that say what to fix.
_PATTERN_WORDS = {
    f"Expected `str` matching regex {LINE.pattern!r}": "must be one line without control characters "
                                                       "(NUL, escape codes, line breaks); remove them",
    f"Expected `str` matching regex {TEXT.pattern!r}": "must not contain control characters (NUL, escape "
                                                       "codes); line breaks and tabs are fine",
}


def _body(status_code: int, detail: str, extra: Any = None) -> Response[dict[str, Any]]:
    return Response({"status_code": status_code, "detail": detail, "extra": extra}, status_code=status_code,
                    media_type=MediaType.JSON)


def app_error(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    assert isinstance(exc, AndianError)
    response = _body(exc.status_code, exc.detail, error_extra(exc))
    if isinstance(exc, RateLimited | StorageFull):  # 429, and 507 (the disk is full): when to try again
        response.headers["Retry-After"] = str(exc.retry_after_s)
    return response


def validation_error(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """Litestar's decode errors, with the first offending field named in ``detail`` as well as ``extra``."""
    assert isinstance(exc, ValidationException)
    extra = exc.extra if isinstance(exc.extra, list) else []
    detail = exc.detail
    if extra and isinstance(extra[0], dict):
        first = extra[0]
        key = first.get("key")
        if first.get("source") == "path":
            # An id outside the id range names no object: the same answer as any unknown id.
            return _body(404, f"{str(key).removesuffix('_id')} not found")
        message = str(first.get("message", "invalid value"))
        for words, plain in _PATTERN_WORDS.items():
            message = message.replace(words, plain)
        if first.get("source") == "body" and key == "data":
            if message == "'data'":  # Litestar's words for "there was no body at all"
                return _body(400, "request body is missing; send a JSON object (Content-Type: application/json)")
            # msgspec names an unknown or missing field only in its message: "Object missing required field `name`"
            named = _FIELD_IN_MESSAGE.search(message)
            key = named.group(1) if named else "body"
        detail = f"{key}: {message}"
    return _body(400, detail, extra or None)


def http_error(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    assert isinstance(exc, HTTPException)
    response = _body(exc.status_code, exc.detail, exc.extra)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def nesting_error(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """JSON nested deeper than the decoder's recursion limit (about 1,000 levels): bad input, not a crash."""
    if "deserializing" in str(exc) or "decoding" in str(exc):
        return _body(400, TOO_DEEP)
    return internal_error(request, exc)


def internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    if out_of_space(exc):  # a write outside the writer (a temporary or key file) found the disk full: not a bug
        log.warning("disk full on %s %s: %s", request.method, request.url.path, exc)
        return app_error(request, disk_full(", then try again"))
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _body(500, INTERNAL)


exception_handlers: dict[type[Exception] | int, Any] = {
    AndianError: app_error,
    ValidationException: validation_error,
    HTTPException: http_error,
    RecursionError: nesting_error,
    500: internal_error,
}

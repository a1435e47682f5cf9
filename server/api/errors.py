"""The one place where exceptions become HTTP answers: ``{"status_code", "detail", "extra"}``."""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException

from ..errors import AndianError, InvalidInput, RateLimited

__all__ = ["exception_handlers"]

log = logging.getLogger("andian.api")

_FIELD_IN_MESSAGE = re.compile(r"field `([^`]+)`")


def _body(status_code: int, detail: str, extra: Any = None) -> Response[dict[str, Any]]:
    return Response({"status_code": status_code, "detail": detail, "extra": extra}, status_code=status_code,
                    media_type=MediaType.JSON)


def app_error(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    assert isinstance(exc, AndianError)
    extra: Any = {"field": exc.field} if isinstance(exc, InvalidInput) else None
    response = _body(exc.status_code, exc.detail, extra)
    if isinstance(exc, RateLimited):
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


def internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _body(500, "internal error; the server log has the details")


exception_handlers: dict[type[Exception] | int, Any] = {
    AndianError: app_error,
    ValidationException: validation_error,
    HTTPException: http_error,
    500: internal_error,
}

"""JSON bodies are decoded strictly: a JSON body means what its JSON types say.

Litestar converts handler arguments in msgspec's lax mode, which suits query strings (``?limit=5`` is text) but
also lets a JSON body through with ``0`` for ``false`` or ``"5"`` for ``5`` — bodies the OpenAPI document calls
invalid. This hook checks a handler's ``data`` against its type in strict mode before
Litestar's own conversion and refuses a mismatch with the same 400 Litestar gives for any other body error.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import SerializationException, ValidationException

__all__ = ["strict_json_body"]

_AT = re.compile(r"^(?P<message>.*) - at `\$\.?(?P<path>[^`]*)`$", re.DOTALL)


def _integral(value: Any) -> Any:
    """``5.0`` as ``5``: JSON (and its schema's ``integer``) makes no difference between the two."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_integral(item) for item in value]
    if isinstance(value, dict):
        return {key: _integral(item) for key, item in value.items()}
    return value


@functools.cache
def _decoder(annotation: Any) -> msgspec.json.Decoder[Any]:
    """One strict decoder per body type, built once (msgspec's JSON decoding is strict by default)."""
    return msgspec.json.Decoder(annotation)


async def strict_json_body(request: Request[Any, Any, Any]) -> None:
    """A ``before_request`` hook: 400 when the body's JSON types do not match the handler's ``data`` type."""
    handler = request.route_handler
    field = handler.parsed_data_field
    if field is None or handler.resolve_data_dto() is not None:  # no body, or a DTO that decodes it itself
        return
    # Who may not call has heard 401 already: the app's guard (api.deps.authenticated_first) runs first.
    body = await request.body()
    if not body:
        return  # Litestar answers a missing body itself (web/errors.py: "request body is missing")
    try:
        _decoder(field.annotation).decode(body)
        return  # the common case, at msgspec's speed: the body is valid as it stands
    except (msgspec.DecodeError, RecursionError):
        pass  # invalid, or only an integral float such as 30.0 for an int: judged below, as Python values
    try:
        value = await request.json()
    except SerializationException:
        return  # not JSON: Litestar answers it itself, as for any handler
    try:
        msgspec.convert(_integral(value), field.annotation, strict=True, str_keys=True)
    except RecursionError:
        return  # nested deeper than any body of this API: Litestar's own decoding refuses it (web/errors.py)
    except msgspec.ValidationError as exc:
        found = _AT.match(str(exc))
        message, key = (found["message"], found["path"] or "data") if found else (str(exc), "data")
        raise ValidationException(detail=f"Validation failed for {request.method} {request.url.path}",
                                  extra=[{"message": message, "key": key, "source": "body"}]) from exc

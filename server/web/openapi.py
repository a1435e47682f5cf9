"""The OpenAPI document, made true in one place.

Litestar writes the document from the handlers: paths, parameters, request bodies and the success answer. What it
cannot know is added here, to every operation by rule and to a few by name:

- the error answers each operation really gives, all with the one error body of ``server.web.errors``
  (``{"status_code", "detail", "extra"}``): 400 for bad input, 401 and 403 where a token is needed, 404 where an
  object is named, 413 where a body is taken, 507 on every write (a full disk), and 409, 429, 503 where the
  operation can answer them;
- answers that are not JSON: the live stream (``text/event-stream``), reports as HTML or PDF, attachments as
  images or PDF, statistics tables as Excel or CSV, and the raw bytes an attachment upload takes;
- body schemas as msgspec writes them (Litestar's lose constraints on list items and inside optional fields,
  bounds of 0, and ``additionalProperties: false``), and the zero bounds of parameters.

``tests/test_openapi_fuzz.py`` holds the document to the server's behaviour (schemathesis over every operation).
The completion runs on the served dictionary (``render_plugins``), so building an app costs nothing more.
"""

from __future__ import annotations

import copy
from typing import Any

import msgspec
from litestar import Litestar, Request, Router
from litestar.openapi.plugins import (
    JsonRenderPlugin,
    OpenAPIRenderPlugin,
    RapidocRenderPlugin,
    RedocRenderPlugin,
    StoplightRenderPlugin,
    SwaggerRenderPlugin,
    YamlRenderPlugin,
)
from litestar.params import ParameterKwarg
from litestar.routes import HTTPRoute

from server.attachments.service import CONTENT_TYPES
from server.fields import MAX_ID
from server.ingest.wire import IngestBatch
from server.inspections.schemas import Notice
from server.reports.schemas import Report
from server.stats.export import MEDIA_TYPES as EXPORT_MEDIA_TYPES

__all__ = ["ERROR_SCHEMA", "complete", "document", "render_plugins"]

REF_PREFIX = "#/components/schemas/"
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every error answer: the status again, what to fix, and the offending field (or more) in extra.",
    "properties": {
        "status_code": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "extra": {"description": "e.g. {\"field\": \"channels[1].settings.alarm\"} — with the refusal as data where "
                                 "there is one: {\"code\": \"out_of_range\", \"setting\", \"value\", \"min\", \"max\", "
                                 "\"unit\", \"basis\", …} (docs/detection.md) — a list of errors, or null"},
    },
    "required": ["status_code", "detail", "extra"],
}
ERROR_REF = {"$ref": f"{REF_PREFIX}Error"}

# What each error status means in this API (../shared/API.md, "Conventions").
MEANING = {
    400: "Bad input: the field is named in detail and extra",
    401: "No token, or an invalid, expired or revoked one",
    403: "The object is visible, but the caller's role may not do this",
    404: "Unknown, or not visible to the caller (the two are never told apart)",
    409: "Conflict with the object's state (an illegal workflow step, a duplicate)",
    413: "The body is larger than the server takes",
    429: "Too many requests: wait for Retry-After seconds",
    503: "This server cannot do it now (no Bluetooth radio, not a site box, a device that does not answer, no font "
         "for PDFs); detail says what is missing",
    507: "The server's disk is full: nothing was stored; send it again after Retry-After seconds",
}

# Operations that answer more than the rules give them: (method, path) → statuses.
EXTRA_STATUSES: dict[tuple[str, str], tuple[int, ...]] = {
    ("post", "/api/v1/auth/login"): (401, 429),
    ("post", "/api/v1/users"): (409,),
    ("post", "/api/v1/upstream/forward"): (409,),  # another box database under the same gateway key
    ("post", "/api/v1/companies"): (409,),
    ("post", "/api/v1/sites/{site_id}/devices"): (409,),
    ("post", "/api/v1/hazards"): (404, 409),
    ("post", "/api/v1/hazards/{hazard_id}/transition"): (409,),
    ("post", "/api/v1/hazards/{hazard_id}/comments"): (409,),
    ("post", "/api/v1/inspections"): (404,),
    ("post", "/api/v1/inspections/{inspection_id}/answers"): (409,),
    ("post", "/api/v1/inspections/{inspection_id}/complete"): (409,),
    ("post", "/api/v1/inspections/{inspection_id}/acknowledge"): (409,),
    ("get", "/api/v1/inspections/{inspection_id}/notice"): (409, 503),
    ("post", "/api/v1/me/subscriptions/{subscription_id}/test"): (429,),
    ("get", "/api/v1/sites/{site_id}/ble/scan"): (503,),
    ("post", "/api/v1/commissioning"): (404, 409, 503),
    ("post", "/api/v1/commissioning/{commissioning_id}/steps/{step}"): (409, 503),
    ("post", "/api/v1/devices/{device_id}/control"): (409, 503),
    ("post", "/api/v1/sites/{site_id}/bus-scans"): (409, 503),
    ("get", "/api/v1/bus-scans/{scan_id}"): (503,),
    ("delete", "/api/v1/bus-scans/{scan_id}"): (503,),
    ("post", "/api/v1/devices/{device_id}/read"): (503,),
    ("post", "/api/v1/devices/{device_id}/thresholds"): (409, 503),
    ("get", "/api/v1/sites/{site_id}/report"): (503,),
    ("get", "/api/v1/alarms"): (404,),
    ("get", "/api/v1/hazards"): (404,),
    ("get", "/api/v1/live"): (404, 429),
    ("get", "/api/v1/checklists"): (404,),
    ("get", "/api/v1/inspections"): (404,),
    ("post", "/api/v1/alarms/{alarm_id}/dispatch"): (409,),
    ("post", "/api/v1/alarms/{alarm_id}/power-off-requests"): (409,),
    ("post", "/api/v1/power-off-requests/{request_id}/confirm"): (409, 503),
    ("post", "/api/v1/power-off-requests/{request_id}/decline"): (409,),
}

# Parameters whose format the handler checks itself, written into the document: (method, path, name) → schema.
PARAMETER_SCHEMAS: dict[tuple[str, str, str], dict[str, Any]] = {
    ("get", "/api/v1/sites/{site_id}/report", "period"): {"pattern": r"^\d{4}-(0[1-9]|1[0-2])(?![\s\S])"},
}

_BINARY = {"type": "string", "format": "binary"}
_ATTACHMENT_TYPES = sorted(CONTENT_TYPES)


def _success_content(path: str, method: str) -> dict[str, Any] | None:
    """The success answer's content where it is not one JSON body; None leaves Litestar's."""
    if (method, path) == ("get", "/api/v1/live"):
        # Before OpenAPI 3.2 (itemSchema) the schema of an event stream describes each of its events.
        return {"text/event-stream": {"schema": {
            "type": "object", "description": "one event: `reading`, `alarm`, `device` or `hazard`, its data one JSON "
                                            "object; comments as keep-alive",
            "properties": {"event": {"type": "string", "enum": ["reading", "alarm", "device", "hazard"]},
                           "data": {"type": "string", "contentMediaType": "application/json"}},
            "required": ["event", "data"]}}}
    if (method, path) == ("get", "/api/v1/sites/{site_id}/report"):
        return {"application/json": {"schema": {"$ref": f"{REF_PREFIX}Report"}},
                "text/html": {"schema": {"type": "string"}},
                "application/pdf": {"schema": _BINARY}}
    if (method, path) == ("get", "/api/v1/stats/export/{table}"):
        return {media.split(";")[0]: {"schema": _BINARY} for media in EXPORT_MEDIA_TYPES.values()}
    if (method, path) == ("get", "/api/v1/inspections/{inspection_id}/notice"):
        return {"application/json": {"schema": {"$ref": f"{REF_PREFIX}Notice"}},
                "text/html": {"schema": {"type": "string"}},
                "application/pdf": {"schema": _BINARY}}
    if (method, path) == ("get", "/api/v1/attachments/{sha256}"):
        # What the bytes are (attachments/service.sniff); octet-stream for bytes stored before uploads were sniffed.
        return {kind: {"schema": _BINARY} for kind in [*_ATTACHMENT_TYPES, "application/octet-stream"]}
    return None


_UPLOADED = {"type": "object", "properties": {"sha256": {"type": "string"}, "size": {"type": "integer"}},
             "required": ["sha256", "size"]}


def _special(path: str, method: str, operation: dict[str, Any]) -> None:
    """Operations whose bodies Litestar cannot describe (raw bytes in, several content types out)."""
    responses = operation.setdefault("responses", {})
    content = _success_content(path, method)
    if content is not None:
        success = next(code for code in responses if code.startswith("2"))
        responses[success]["content"] = content
    if (method, path) == ("put", "/api/v1/attachments/{sha256}"):
        operation["requestBody"] = {
            "required": True, "description": "the file's bytes; its sha256 must be the one in the path",
            "content": {kind: {"schema": _BINARY} for kind in _ATTACHMENT_TYPES},
        }
        for code, what in (("201", "Stored"), ("200", "Already there (idempotent)")):
            responses[code] = {"description": what, "content": {"application/json": {"schema": _UPLOADED}}}


def _ingest_body(schemas: dict[str, Any]) -> dict[str, Any]:
    """POST /api/v1/ingest answers per item: a bad sample or event is rejected by itself (``rejected[]``) and the
    rest is stored, so an item of any shape is accepted in the body; the item schemas say what is stored."""
    _, components = msgspec.json.schema_components([IngestBatch], ref_template=REF_PREFIX + "{name}")
    for name in ("Sample", "Event"):
        schemas.setdefault(name, components[name])
    body: dict[str, Any] = copy.deepcopy(components["IngestBatch"])
    for key, item in (("samples", "Sample"), ("events", "Event")):
        body["properties"][key]["items"] = {
            "anyOf": [{"$ref": REF_PREFIX + item}, {}],
            "description": f"a {item}; an item that is not one is rejected alone (rejected[].index), the rest stored",
        }
    return body


def _statuses(path: str, method: str, operation: dict[str, Any]) -> set[int]:
    parameters = operation.get("parameters", [])
    statuses: set[int] = set()
    if parameters or "requestBody" in operation or "400" in operation.get("responses", {}):
        statuses.add(400)
    if operation.get("security"):
        statuses.update((401, 403))
    if any(p.get("in") == "path" for p in parameters):
        statuses.add(404)
    if "requestBody" in operation:
        statuses.add(413)
    if method != "get":
        statuses.add(507)  # every write goes through the database writer, which refuses when the disk is full
    statuses.update(EXTRA_STATUSES.get((method, path), ()))
    return statuses


def _accepts_no_body(body: dict[str, Any]) -> bool:
    """A handler whose body may be null (``JSONBody[X | None] = None``) also takes a request without one."""
    schema = body.get("content", {}).get("application/json", {}).get("schema", {})
    return any(option.get("type") == "null" for option in schema.get("oneOf", schema.get("anyOf", [])))


def _fix_id_bounds(node: Any) -> None:
    """Litestar writes 2**63 - 1 as a float (9.223372036854776e18, which is 2**63): write the integer."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "maximum" and isinstance(value, float) and value >= float(MAX_ID):
                node[key] = MAX_ID
            else:
                _fix_id_bounds(value)
    elif isinstance(node, list):
        for item in node:
            _fix_id_bounds(item)


_METHODS = ("get", "put", "post", "patch", "delete")
_BOUNDS = (("ge", "minimum"), ("gt", "exclusiveMinimum"), ("le", "maximum"), ("lt", "exclusiveMaximum"))


def _handlers(app: Litestar) -> list[tuple[str, str, Any]]:
    """(method, path, handler) of every documented operation."""
    found: list[tuple[str, str, Any]] = []
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                if handler.include_in_schema is not False:
                    found.extend((method.lower(), route.path_format, handler) for method in handler.http_methods
                                 if method.lower() in _METHODS)
    return found


def _struct_schemas(app: Litestar, schemas: dict[str, Any]) -> None:
    """Body schemas as msgspec writes them, which Litestar's generator loses in parts: constraints on list items
    and inside optional fields, bounds of 0, and ``additionalProperties: false`` of ``forbid_unknown_fields``
    (such bodies refuse unknown fields with 400)."""
    types: list[Any] = []
    for _, _, handler in _handlers(app):
        fields = [handler.parsed_return_field]
        if handler.resolve_data_dto() is None and handler.parsed_data_field is not None:
            fields.append(handler.parsed_data_field)
        for field in fields:
            try:
                msgspec.json.schema(field.annotation)
            except (TypeError, ValueError):
                continue  # not a wire type (Response, a stream, None)
            types.append(field.annotation)
    _, components = msgspec.json.schema_components(types, ref_template=REF_PREFIX + "{name}")
    for name, schema in components.items():
        if name in schemas:  # same class, same name: msgspec's schema is the exact one
            schemas[name] = schema


def _zero_bounds(app: Litestar, paths: dict[str, Any]) -> None:
    """Litestar leaves out a parameter's bound when it is 0 (``ge=0``): put it back."""
    for method, path, handler in _handlers(app):
        parameters = paths.get(path, {}).get(method, {}).get("parameters", [])
        for name, field in handler.parsed_fn_signature.parameters.items():
            kwarg = field.kwarg_definition
            if not isinstance(kwarg, ParameterKwarg):
                continue
            wire_name = kwarg.query or kwarg.header or kwarg.cookie or name
            for parameter in parameters:
                if parameter["name"] == wire_name:
                    for attribute, keyword in _BOUNDS:
                        if getattr(kwarg, attribute) == 0:
                            parameter["schema"][keyword] = 0


def complete(doc: dict[str, Any], app: Litestar) -> dict[str, Any]:
    """Complete Litestar's document of ``app`` in place and answer it. Litestar keeps one document per app and
    hands the same one to every page, so it is completed once (its ``Error`` schema says it has been)."""
    if doc.get("components", {}).get("schemas", {}).get("Error") is ERROR_SCHEMA:
        return doc
    paths: dict[str, Any] = doc.get("paths", {})
    known = {(method, path) for path, item in paths.items() for method in item if method in _METHODS}
    stale = (set(EXTRA_STATUSES) | {(m, p) for m, p, _ in PARAMETER_SCHEMAS}) - known
    if stale:
        raise RuntimeError(f"server/web/openapi.py names operations that do not exist: {sorted(stale)}")
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    _struct_schemas(app, schemas)
    _zero_bounds(app, paths)
    _, report_components = msgspec.json.schema_components([Report, Notice], ref_template=REF_PREFIX + "{name}")
    for name, schema in report_components.items():
        schemas.setdefault(name, schema)
    ingest = paths.get("/api/v1/ingest", {}).get("post")
    if ingest is not None:
        ingest["requestBody"]["content"] = {"application/json": {"schema": _ingest_body(schemas)}}
        for name in [name for name in schemas if name.startswith("IngestIngestBatch")]:
            del schemas[name]  # Litestar's DTO schemas, replaced by the one above
    for path, item in paths.items():
        for method, operation in item.items():
            if method not in _METHODS:
                continue
            _special(path, method, operation)
            body = operation.get("requestBody")
            if body is not None and _accepts_no_body(body):
                body["required"] = False
            responses = operation.setdefault("responses", {})
            for code in _statuses(path, method, operation):
                responses[str(code)] = {"description": MEANING[code],
                                        "content": {"application/json": {"schema": ERROR_REF}}}
                if code in (429, 507):
                    responses[str(code)]["headers"] = {
                        "Retry-After": {"schema": {"type": "integer"}, "description": "seconds to wait"}}
    for (method, path, name), extra in PARAMETER_SCHEMAS.items():
        for parameter in paths[path][method].get("parameters", []):
            if parameter["name"] == name:
                parameter["schema"].update(extra)
    _fix_id_bounds(paths)
    return doc


def document(app: Litestar) -> dict[str, Any]:
    """The completed document of ``app``, as /schema/openapi.json serves it (for tests and tools)."""
    return complete(copy.deepcopy(app.openapi_schema.to_schema()), app)


class _Completed(OpenAPIRenderPlugin):
    """One of Litestar's pages or formats, rendering the completed document whichever is asked for first."""

    def __init__(self, inner: OpenAPIRenderPlugin) -> None:
        super().__init__(path=inner.paths, media_type=inner.media_type, favicon=inner.favicon, style=inner.style)
        self.inner = inner

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return self.inner.render(request, complete(openapi_schema, request.app))

    def receive_router(self, router: Router) -> None:
        self.inner.receive_router(router)


def render_plugins() -> list[OpenAPIRenderPlugin]:
    """The pages Litestar serves by default under /schema (Redoc at the root), each with the completed document."""
    plugins = [RedocRenderPlugin(path=["/redoc", "/"]), JsonRenderPlugin(), YamlRenderPlugin(), SwaggerRenderPlugin(),
               StoplightRenderPlugin(), RapidocRenderPlugin()]
    return [_Completed(plugin) for plugin in plugins]

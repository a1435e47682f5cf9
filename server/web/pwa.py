"""Serving the built PWA: ETag with 304, Cache-Control per path, and index.html for deep links; and the security
headers of every answer.

Litestar's static router sends ETags but never answers 304 and has one Cache-Control for every file, so
this small handler does it. The build is small (~100 kB); it is read once at start-up and held in memory.
"""

from __future__ import annotations

import hashlib
import mimetypes
from pathlib import Path
from typing import Any

from litestar import MediaType, Request, Response, get
from litestar.enums import ScopeType
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["APP_POLICY", "PwaFiles", "pwa_file", "pwa_root", "security_headers"]

# The PWA's Content-Security-Policy: its own scripts, styles, API and service worker only; photos may be blob: or
# data: URLs made on the phone; never framed (clickjacking). No inline script or style, no eval (styles the app
# sets from script go through the CSSOM, which the policy allows).
APP_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
              "connect-src 'self'; worker-src 'self'; manifest-src 'self'; font-src 'self' data:; object-src 'none'; "
              "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
# Every other answer (JSON, photos, reports) loads nothing and is framed by nobody; an answer that needs more
# (the report page's inline style) sets its own policy.
_DEFAULT_HEADERS = (
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)
# The interactive API documentation loads its own scripts: only framing is forbidden there.
_DOCS_HEADERS = ((b"content-security-policy", b"frame-ancestors 'none'"), *_DEFAULT_HEADERS[1:])


def security_headers(app: ASGIApp) -> ASGIApp:
    """ASGI middleware: the headers above on every HTTP answer that does not set its own."""

    async def with_headers(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        defaults = _DOCS_HEADERS if scope["path"].startswith("/schema") else _DEFAULT_HEADERS

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {bytes(name).lower() for name, _ in headers}
                headers += [(name, value) for name, value in defaults if name not in present]
                message["headers"] = headers
            await send(message)

        await app(scope, receive, sending)

    return with_headers

# Hashed build assets never change under the same name; everything else must be revalidated, or an
# installed app would keep an old shell forever.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

_TYPES = {".webmanifest": "application/manifest+json", ".js": "text/javascript", ".mjs": "text/javascript"}


class _File:
    __slots__ = ("body", "cache_control", "content_type", "etag")

    def __init__(self, rel: str, body: bytes) -> None:
        self.body = body
        self.etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        suffix = Path(rel).suffix
        guessed = _TYPES.get(suffix) or mimetypes.guess_type(rel)[0] or "application/octet-stream"
        self.content_type = guessed  # Litestar adds "; charset=utf-8" to text types itself
        self.cache_control = IMMUTABLE if rel.startswith("assets/") else REVALIDATE


class PwaFiles:
    """The files of one PWA build, by path relative to the build folder."""

    def __init__(self, root: Path) -> None:
        self.files: dict[str, _File] = {}
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    rel = path.relative_to(root).as_posix()
                    self.files[rel] = _File(rel, path.read_bytes())

    def lookup(self, path: str) -> _File | None:
        rel = path.lstrip("/") or "index.html"
        found = self.files.get(rel)
        if found is None and "." not in rel.rsplit("/", 1)[-1]:
            found = self.files.get("index.html")  # a deep link such as /sites/12: the app routes it
        return found


_NOT_BUILT = (
    "<!doctype html><meta charset=utf-8><title>andian</title><h1>安电 andian</h1>"
    "<p>The PWA has not been built. Run <code>make demo</code>, or <code>cd pwa &amp;&amp; npm ci &amp;&amp; "
    "npm run build</code>, then restart the server. The API is at <a href=/schema>/schema</a>.</p>"
)


@get("/", include_in_schema=False, sync_to_thread=False, name="pwa-root")
def pwa_root(request: Request[Any, Any, Any]) -> Response[bytes]:
    return _serve(request, "/")


@get("/{path:path}", include_in_schema=False, sync_to_thread=False, name="pwa-file")
def pwa_file(request: Request[Any, Any, Any], path: FromPath[str]) -> Response[bytes]:
    return _serve(request, path)


def _serve(request: Request[Any, Any, Any], path: str) -> Response[bytes]:
    if path.startswith(("/api/", "/schema")):
        raise NotFoundException(f"no such endpoint: {request.method} {path}")
    files: PwaFiles = request.app.state["pwa"]
    if not files.files:
        return Response(_NOT_BUILT.encode(), status_code=503, media_type=MediaType.HTML)
    found = files.lookup(path)
    if found is None:
        raise NotFoundException(f"no such file: {path}")
    headers = {"ETag": found.etag, "Cache-Control": found.cache_control, "Content-Security-Policy": APP_POLICY}
    if found.etag in _etags(request.headers.get("if-none-match", "")):
        return Response(b"", status_code=304, headers=headers)
    return Response(found.body, media_type=found.content_type, headers=headers)


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}

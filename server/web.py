"""Serving the built PWA: ETag with 304, Cache-Control per path, and index.html for deep links.

Litestar's static router sends ETags but never answers 304 and has one Cache-Control for every file, so
this small handler does it. The build is small (~100 kB); it is read once at start-up and held in memory.
"""

from __future__ import annotations

import hashlib
import mimetypes
from pathlib import Path
from typing import Any

from litestar import MediaType, Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

__all__ = ["PwaFiles", "pwa_file", "pwa_root"]

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
    headers = {"ETag": found.etag, "Cache-Control": found.cache_control}
    if found.etag in _etags(request.headers.get("if-none-match", "")):
        return Response(b"", status_code=304, headers=headers)
    return Response(found.body, media_type=found.content_type, headers=headers)


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}

"""Serving the built PWA: 304 on a matching ETag, Cache-Control per path, deep links fall back to index.html."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from server.web.app import create_app

from . import backends

INDEX = b"<!doctype html><title>andian</title><div id=app></div>" + b" " * 600


@pytest.fixture
def web(tmp_path: Path) -> Iterator[TestClient[Any]]:
    static = tmp_path / "static"
    (static / "assets").mkdir(parents=True)
    (static / "index.html").write_bytes(INDEX)
    (static / "sw.js").write_text("self.addEventListener('install', () => {});")
    (static / "manifest.webmanifest").write_text('{"name": "安电"}')
    (static / "assets" / "index-Ab12Cd34.js").write_text("console.log('app');" * 100)
    with TestClient(create_app(backends.settings(tmp_path / "a.db", static_dir=static))) as client:
        yield client


@pytest.mark.parametrize(("path", "cache_control"), [
    ("/", "no-cache"),
    ("/index.html", "no-cache"),
    ("/sw.js", "no-cache"),
    ("/manifest.webmanifest", "no-cache"),
    ("/assets/index-Ab12Cd34.js", "public, max-age=31536000, immutable"),
])
def test_cache_control_and_304(web: TestClient[Any], path: str, cache_control: str) -> None:
    first = web.get(path)
    assert first.status_code == 200
    assert first.headers["cache-control"] == cache_control
    etag = first.headers["etag"]
    again = web.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert web.get(path, headers={"If-None-Match": '"other"'}).status_code == 200


def test_content_types(web: TestClient[Any]) -> None:
    assert web.get("/manifest.webmanifest").headers["content-type"].startswith("application/manifest+json")
    assert web.get("/sw.js").headers["content-type"].startswith("text/javascript")
    assert web.get("/").headers["content-type"].startswith("text/html")


def test_deep_links_fall_back_to_the_app(web: TestClient[Any]) -> None:
    for path in ("/sites/12", "/login", "/sites/12/devices"):
        response = web.get(path)
        assert response.status_code == 200
        assert response.content == INDEX
        assert response.headers["cache-control"] == "no-cache"


def test_missing_files_and_api_paths_are_404_not_the_app(web: TestClient[Any]) -> None:
    assert web.get("/assets/missing-123.js").status_code == 404
    api = web.get("/api/v1/no-such-thing")
    assert api.status_code == 404
    assert api.headers["content-type"].startswith("application/json")


def test_large_files_are_gzipped(web: TestClient[Any]) -> None:
    response = web.get("/assets/index-Ab12Cd34.js", headers={"Accept-Encoding": "gzip"})
    assert response.headers.get("content-encoding") == "gzip"


def test_unbuilt_pwa_says_how_to_build_it(tmp_path: Path) -> None:
    with TestClient(create_app(backends.settings(tmp_path / "a.db", static_dir=tmp_path / "none"))) as client:
        response = client.get("/")
    assert response.status_code == 503
    assert "npm run build" in response.text


def test_html_is_utf8_once(web: TestClient[Any]) -> None:
    assert web.get("/").headers["content-type"] == "text/html; charset=utf-8"

"""Every answer carries the security headers: a Content-Security-Policy fitting what it is (the PWA, an API answer,
the report page), nosniff, no referrer, and no framing."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from server.settings import Settings
from server.web.app import create_app
from server.web.pwa import APP_POLICY

from .conftest import Clock, World, add_admin


def _common(headers: Any) -> None:
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


def test_api_answers_and_errors_load_nothing_and_are_never_framed(client: TestClient[Any], world: World) -> None:
    for r in (client.get("/api/v1/sites", headers=world.headers("owner_1")), client.get("/api/v1/sites"),
              client.get("/api/v1/health")):
        _common(r.headers)
        assert r.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
        assert r.headers["x-frame-options"] == "DENY"


def test_the_report_page_may_style_itself_and_nothing_more(client: TestClient[Any], world: World) -> None:
    r = client.get(f"/api/v1/sites/{world.sites['site_market']}/report", params={"format": "html"},
                   headers=world.headers("owner_1"))
    assert r.status_code == 200
    _common(r.headers)
    policy = r.headers["content-security-policy"]
    assert "style-src 'unsafe-inline'" in policy and "script-src" not in policy and "default-src 'none'" in policy


def test_the_pwa_runs_its_own_scripts_only(settings: Settings, clock: Clock) -> None:
    settings.static_dir.mkdir(parents=True)
    (settings.static_dir / "index.html").write_text("<!doctype html><title>andian</title>", "utf-8")
    add_admin(settings)
    with TestClient(create_app(settings, clock=clock)) as client:
        for path in ("/", "/sites/12"):
            r = client.get(path)
            assert r.status_code == 200
            _common(r.headers)
            assert r.headers["content-security-policy"] == APP_POLICY
            assert "script-src 'self';" in APP_POLICY and "unsafe-eval" not in APP_POLICY

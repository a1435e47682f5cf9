"""The OpenAPI document is true: schemathesis drives every operation of a real server and checks each answer.

A real `andian serve` on 127.0.0.1 (tests/server_process.py) with a seeded database — a company, users, a site
with a device and its channels, a gateway, an alarm, a hazard, an inspection, a subscription — so that the ids
in paths exist. Three callers: an admin, a site owner (low privilege) and the site's gateway key.

Each answer must be documented (status, content type, body schema), never a 5xx, and within 10 s; invalid input
must be refused (`negative_data_rejection`) and valid input not answered 400 where the schema says all the server
checks (`positive_data_acceptance`); a secured operation must refuse a missing or wrong token (`ignored_auth`).
Derandomised with a fixed seed and bounded per operation, so a run is the same every time and takes a few minutes
at most on two cores (docs/security.md, "What the fuzzer checks").
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from schemathesis import Case

from server.accounts.schemas import UserCreate
from server.accounts.service import create_user
from server.context import open_context
from server.fields import MAX_ID
from server.settings import Settings
from server.web.app import create_app
from server.web.openapi import document

from . import backends
from .conftest import PASSWORD
from .server_process import start_server

# Examples per operation and phase; the coverage phase adds its own boundary cases (positive and negative).
MAX_EXAMPLES = {"gateway": 8, "owner": 8, "admin": 25}
SEED = 20251123
# An SSE stream never ends: the client reads it this long, then the answer is judged on what came.
STREAM_TIMEOUT_S = 1.0
REQUEST_TIMEOUT_S = 30.0
SLOW_S = 10.0
# The only notification targets the fuzzer may create: loopback, a port nothing listens on (discard), or
# strings apprise cannot parse. Never a host outside this machine, whatever the fuzzer generates.
SAFE_URLS = ("json://127.0.0.1:9/fuzz", "mailto://127.0.0.1:9?from=a@example.com&to=b@example.com",
             "not an apprise url", "json://[::1]:9/")
# A request the document calls valid gets one of these (not 400): the body's shape is all the server checks,
# besides who may do what (401/403), which objects exist (404) and their state (409).
ACCEPTED = ["2xx", "401", "403", "404", "409", "429"]
# Operations that also check what a schema cannot say, each answered 400 naming the field — so a body the
# document calls valid may still be refused there.
CHECKED_BEYOND_THE_SCHEMA = {
    ("post", "/api/v1/users"): "a password on the list of common ones",
    ("post", "/api/v1/sites"): "a region code or venue type not in the reference data",
    ("post", "/api/v1/sites/{site_id}/devices"): "channel settings outside the range for the channel's quantity",
    ("patch", "/api/v1/channels/{channel_id}"): "settings outside the range for the channel's quantity",
    ("get", "/api/v1/channels/{channel_id}/readings"): "more points than one answer holds (range / step)",
    ("post", "/api/v1/me/subscriptions"): "a URL apprise cannot use",
    ("put", "/api/v1/sites/{site_id}/notify-policy"): "escalation times out of order",
    ("post", "/api/v1/hazards"): "a due date in the past, attachments not uploaded",
    ("post", "/api/v1/hazards/{hazard_id}/transition"): "a due date in the past, attachments not uploaded",
    ("post", "/api/v1/hazards/{hazard_id}/comments"): "attachments not uploaded",
    ("put", "/api/v1/attachments/{sha256}"): "bytes whose sha256 is not the one in the path",
    ("put", "/api/v1/upstream/attachments/{sha256}"): "data that is not a photo or PDF, or whose sha256 is not the "
                                                      "one in the path",
    ("post", "/api/v1/inspections"): "a checklist that does not exist",
    ("post", "/api/v1/inspections/{inspection_id}/answers"): "items not on the checklist, attachments not uploaded",
    ("post", "/api/v1/inspections/{inspection_id}/complete"): "items not answered yet",
    ("get", "/api/v1/stats/coverage"): "a region not in the reference data",
    ("get", "/api/v1/stats/hazards"): "a region not in the reference data",
    ("get", "/api/v1/stats/hotspots"): "a region not in the reference data",
    ("get", "/api/v1/stats/offline"): "a region not in the reference data",
    ("get", "/api/v1/stats/units"): "a region or venue type not in the reference data",
    ("get", "/api/v1/stats/trend"): "a region not in the reference data",
    ("get", "/api/v1/stats/districts"): "a region not in the reference data",
    ("get", "/api/v1/stats/export/{table}"): "a region or venue type not in the reference data",
    ("get", "/api/v1/sites/{site_id}/report"): "a month outside the site's life",
    ("get", "/api/v1/sync/pull"): "a cursor this server did not make",
    ("post", "/api/v1/sync/push"): "another sync protocol version, an unknown entity",
    ("post", "/api/v1/sites/{site_id}/bus-scans"): "a link that is not a wired bus, last below first",
    ("post", "/api/v1/devices/{device_id}/read"): "a device without a wired link",
    ("post", "/api/v1/devices/{device_id}/thresholds"): "levels outside the device's or the channel's range, "
                                                        "no confirm",
}
NO_RADIO = (("get", "/api/v1/sites/{site_id}/ble/scan"), ("post", "/api/v1/commissioning"),
            ("post", "/api/v1/commissioning/{commissioning_id}/steps/{step}"),
            ("post", "/api/v1/devices/{device_id}/control"),
            # Not a site box: wired buses are scanned and read by the box they are wired to.
            ("post", "/api/v1/sites/{site_id}/bus-scans"), ("get", "/api/v1/bus-scans/{scan_id}"),
            ("delete", "/api/v1/bus-scans/{scan_id}"), ("post", "/api/v1/devices/{device_id}/read"),
            ("post", "/api/v1/devices/{device_id}/thresholds"))


@schemathesis.serializer("application/pdf", "image/heic", "image/heif")
def _raw_bytes(ctx: schemathesis.SerializationContext, value: Any) -> bytes:
    """Attachments go up as raw bytes; schemathesis knows JPEG, PNG and WebP samples but not these types."""
    return value if isinstance(value, bytes) else str(value).encode()


@dataclass
class Seeded:
    url: str
    admin: str
    owner: str
    ids: dict[str, list[int]] = field(default_factory=dict)
    gateway_key: str = ""
    photo: str = ""


def _add_admin(db: Path) -> None:
    async def run() -> None:
        async with open_context(backends.settings(db, static_dir=db.parent / "static")) as ctx:
            await create_user(ctx, None, UserCreate(username="root", password=PASSWORD, role="admin"))

    asyncio.run(run())


def _login(url: str, username: str) -> str:
    r = httpx.post(f"{url}/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    token: str = r.json()["token"]
    return token


def _seed(url: str) -> Seeded:
    admin = _login(url, "root")
    h = {"Authorization": f"Bearer {admin}"}

    def post(path: str, body: Any, status: int = 201) -> Any:
        r = httpx.post(f"{url}{path}", json=body, headers=h)
        assert r.status_code == status, (path, r.text)
        return r.json()

    company = post("/api/v1/companies", {"name": "运维公司"})["id"]
    owner_id = post("/api/v1/users", {"username": "owner_1", "password": PASSWORD, "role": "owner"})["id"]
    operator_id = post("/api/v1/users", {"username": "operator_1", "password": PASSWORD, "role": "operator",
                                         "company_id": company})["id"]
    site = post("/api/v1/sites", {"name": "fuzz market", "address": "赫山路 1 号", "region_code": "430903001001",
                                  "venue_type": "market", "company_id": company, "owner_id": owner_id})["id"]
    other = post("/api/v1/sites", {"name": "other hotel", "address": "琼湖路 2 号", "region_code": "430981001",
                                   "venue_type": "hotel", "company_id": company})["id"]
    device = post(f"/api/v1/sites/{site}/devices", {
        "serial": "SN-FUZZ-1", "model": "AD-SB63", "kind": "breaker", "rated_current_a": 32,
        "channels": [{"key": "residual_ma"}, {"key": "current_a"}, {"key": "temp_c"}]})
    gateway = post(f"/api/v1/sites/{site}/gateways", {"name": "fuzz box"})
    now = time.time()
    samples = [{"device": "SN-FUZZ-1", "channel": "residual_ma", "ts": now - 60 + i, "value": 500.0} for i in range(30)]
    r = httpx.post(f"{url}/api/v1/ingest", json={"batch_id": "seed-1", "samples": samples},
                   headers={"Authorization": f"Bearer {gateway['api_key']}"})
    assert r.status_code == 200, r.text
    alarms = httpx.get(f"{url}/api/v1/alarms", headers=h).json()
    photo = b"\xff\xd8\xff\xe0fuzz photo"
    sha = hashlib.sha256(photo).hexdigest()
    r = httpx.put(f"{url}/api/v1/attachments/{sha}", content=photo, headers={**h, "Content-Type": "image/jpeg"})
    assert r.status_code in (200, 201), r.text
    hazard = post("/api/v1/hazards", {"site_id": site, "title": "loose wire", "attachments": [sha]})["id"]
    inspection = post("/api/v1/inspections", {"site_id": site})["id"]
    subscription = post("/api/v1/me/subscriptions", {"url": SAFE_URLS[0]})["id"]
    return Seeded(
        url=url, admin=admin, owner=_login(url, "owner_1"), gateway_key=gateway["api_key"], photo=sha,
        ids={
            "site_id": [site, other], "device_id": [device["id"]],
            "channel_id": [c["id"] for c in device["channels"]], "gateway_id": [gateway["id"]],
            "alarm_id": [a["id"] for a in alarms] or [1], "hazard_id": [hazard], "inspection_id": [inspection],
            "user_id": [owner_id, operator_id], "subscription_id": [subscription], "commissioning_id": [1],
        },
    )


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    folder = tmp_path_factory.mktemp("fuzz")
    db = folder / "andian.db"
    _add_admin(db)
    with (folder / "server.log").open("w") as log:
        # A site box's long-poll (GET /api/v1/upstream/commands) waits up to the heartbeat by design: kept short.
        process, url = start_server(db, log, env={"ANDIAN_NOTIFY_ALLOW_PRIVATE": "1",
                                                  "ANDIAN_UPSTREAM_HEARTBEAT_S": "2"})
        try:
            yield _seed(url)
        finally:
            process.terminate()
            process.wait(timeout=20)
    errors = [line for line in (folder / "server.log").read_text("utf-8").splitlines() if "Traceback" in line]
    assert not errors, f"the server logged {len(errors)} tracebacks; see {folder / 'server.log'}"


def _config(max_examples: int) -> schemathesis.Config:
    return schemathesis.Config.from_dict({
        "seed": SEED,
        "generation": {"max-examples": max_examples, "deterministic": True, "database": "none", "mode": "all",
                       # The token comes from the caller, not from the generator; ignored_auth probes without it.
                       "with-security-parameters": False},
        "phases": {"examples": {"enabled": False}, "coverage": {"enabled": True}, "fuzzing": {"enabled": True},
                   "stateful": {"enabled": False}},
        "checks": {
            "enabled": False,
            "not_a_server_error": {"enabled": True},
            "status_code_conformance": {"enabled": True},
            "content_type_conformance": {"enabled": True},
            "response_schema_conformance": {"enabled": True},
            "negative_data_rejection": {"enabled": True},
            "ignored_auth": {"enabled": True},
            # Every answer is bounded (issue 15: an unbounded readings query took 13.6 s); generous for a busy CI.
            "max_response_time": SLOW_S,
            "positive_data_acceptance": {"enabled": True, "expected-statuses": ACCEPTED},
        },
        "request-timeout": REQUEST_TIMEOUT_S,
        "operations": [
            {"include-path": "/api/v1/live", "request-timeout": STREAM_TIMEOUT_S},
            # A server without a Bluetooth radio answers these 503 by design (documented): not a server error.
            *({"include-method": method.upper(), "include-path": path,
               "checks": {"not_a_server_error": {"expected-statuses": ["2xx", "3xx", "4xx", "503"]},
                          "positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "503"]}}}
              for method, path in NO_RADIO),
            *({"include-method": method.upper(), "include-path": path,
               "checks": {"positive_data_acceptance": {"enabled": False}}}
              for method, path in CHECKED_BEYOND_THE_SCHEMA),
        ],
    })


def _document() -> dict[str, Any]:
    """The document the server serves, made from the app itself (no server is needed to collect the tests)."""
    never_opened = Path(tempfile.gettempdir()) / "andian-openapi-fuzz-never-opened.db"
    app = create_app(Settings(db_path=never_opened, static_dir=never_opened.parent / "static"))
    return document(app)


DOCUMENT = _document()
SCHEMAS = {who: schemathesis.openapi.from_dict(DOCUMENT, config=_config(n)) for who, n in MAX_EXAMPLES.items()}


def _seeded_id(ids: list[int] | None, value: Any) -> Any:
    """Most valid ids become seeded ones (one in five stays as generated: unknown, 404); invalid ones stay."""
    if ids and type(value) is int and 1 <= value <= MAX_ID and value % 5:
        return ids[value % len(ids)]
    return value


def _existing(case: Case, seeded: Seeded) -> None:
    """Point generated ids at seeded objects and keep notification targets on this machine."""
    for container in (case.path_parameters, case.query):
        for name, value in (container or {}).items():
            container[name] = _seeded_id(seeded.ids.get(name), value)
    sha = case.path_parameters.get("sha256") if case.path_parameters else None
    if case.method == "GET" and isinstance(sha, str) and len(sha) == 64 and ord(sha[0]) % 2:
        case.path_parameters["sha256"] = seeded.photo
    body = case.body
    if isinstance(body, dict):
        for name, value in body.items():
            body[name] = _seeded_id(seeded.ids.get(name), value)
        if case.operation.path == "/api/v1/me/subscriptions" and isinstance(body.get("url"), str):
            body["url"] = SAFE_URLS[len(body["url"]) % len(SAFE_URLS)]
    case.meta  # noqa: B018 — re-validates the case after the edits (a negative case may have become positive)


def _run(case: Case, seeded: Seeded, session: requests.Session, token: str) -> None:
    _existing(case, seeded)
    if case.operation.path == "/api/v1/auth/logout":
        # Logging out revokes the token: log out a token of its own, never the one the run uses.
        token = _login(seeded.url, "operator_1")
    case.call_and_validate(base_url=seeded.url, session=session, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture(scope="module")
def session() -> Iterator[requests.Session]:
    with requests.Session() as s:
        yield s


def test_the_server_serves_this_document(seeded: Seeded) -> None:
    assert httpx.get(f"{seeded.url}/schema/openapi.json").json() == json.loads(json.dumps(DOCUMENT))


@SCHEMAS["gateway"].parametrize()
def test_as_gateway(case: Case, seeded: Seeded, session: requests.Session) -> None:
    _run(case, seeded, session, seeded.gateway_key)


@SCHEMAS["owner"].parametrize()
def test_as_owner(case: Case, seeded: Seeded, session: requests.Session) -> None:
    _run(case, seeded, session, seeded.owner)


@SCHEMAS["admin"].parametrize()
def test_as_admin(case: Case, seeded: Seeded, session: requests.Session) -> None:
    _run(case, seeded, session, seeded.admin)


def test_every_operation_documents_its_errors() -> None:
    """The rules of server/web/openapi.py, as a reader of the document sees them."""
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            where = f"{method.upper()} {path}"
            if operation.get("security"):
                assert {"401", "403"} <= codes, where
            if "{" in path:
                assert "404" in codes, where
            if "requestBody" in operation:
                assert {"400", "413"} <= codes, where
            error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
            for code, response in operation["responses"].items():
                if code.startswith(("4", "5")):
                    assert response["content"] == error, (where, code)
    assert DOCUMENT["components"]["schemas"]["Error"]["required"] == ["status_code", "detail", "extra"]


def test_json_bodies_mean_their_json_types(seeded: Seeded) -> None:
    """0 is not false and "5" is not 5 in a JSON body (api/bodies.py); 30.0 is an integer, as JSON says."""
    site = seeded.ids["site_id"][0]
    rules = f"{seeded.url}/api/v1/sites/{site}/hazard-rules"
    h = {"Authorization": f"Bearer {seeded.admin}"}
    r = httpx.put(rules, json={"trip_always": 0}, headers=h)
    assert r.status_code == 400 and r.json()["detail"].startswith("trip_always: Expected `bool`"), r.text
    r = httpx.put(rules, json={"alarm_uncleared_min": "30"}, headers=h)
    assert r.status_code == 400 and r.json()["detail"].startswith("alarm_uncleared_min:"), r.text
    r = httpx.put(rules, json={"alarm_uncleared_min": 30.0}, headers=h)
    assert r.status_code == 200 and r.json()["alarm_uncleared_min"] == 30, r.text
    # Who may not call hears 401 before anything about the body.
    assert httpx.put(rules, json={"trip_always": 0}).status_code == 401

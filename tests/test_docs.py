"""Docs are tested: every command and setting is documented, every fixed API path is in the OpenAPI document."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from litestar.testing import TestClient

from server.cli import _parser

ROOT = Path(__file__).parent.parent
OPERATIONS = (ROOT / "docs" / "operations.md").read_text("utf-8")


def _commands(parser: argparse.ArgumentParser, prefix: str = "andian") -> list[str]:
    found: list[str] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                subs = _commands(sub, f"{prefix} {name}")
                found.extend(subs or [f"{prefix} {name}"])
    return found


def test_every_command_is_documented() -> None:
    commands = _commands(_parser())
    assert "andian user add" in commands
    for command in commands:
        assert f"`{command}" in OPERATIONS, f"{command} is missing from docs/operations.md"


def test_every_setting_is_documented() -> None:
    settings_source = (ROOT / "server" / "settings.py").read_text("utf-8")
    variables = set(re.findall(r'"(ANDIAN_[A-Z_]+)"', settings_source))
    assert "ANDIAN_DB" in variables
    for variable in variables:
        assert f"`{variable}`" in OPERATIONS, f"{variable} is missing from docs/operations.md"


def test_readme_has_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "make demo" in readme and "make test" in readme


FIXED_PATHS = {
    ("post", "/api/v1/auth/login"), ("get", "/api/v1/me"), ("post", "/api/v1/users"),
    ("post", "/api/v1/sites"), ("get", "/api/v1/sites"), ("get", "/api/v1/sites/{site_id}"),
    ("post", "/api/v1/sites/{site_id}/devices"), ("patch", "/api/v1/channels/{channel_id}"),
    ("post", "/api/v1/sites/{site_id}/gateways"), ("get", "/api/v1/health"),
    ("post", "/api/v1/ingest"), ("get", "/api/v1/alarms"), ("post", "/api/v1/alarms/{alarm_id}/ack"),
    ("get", "/api/v1/channels/{channel_id}/readings"), ("get", "/api/v1/live"),
}


def test_openapi_lists_the_fixed_paths(client: TestClient[Any]) -> None:
    spec = client.get("/schema/openapi.json").json()
    present = {(method, path) for path, item in spec["paths"].items() for method in item}
    assert present >= FIXED_PATHS, FIXED_PATHS - present
    assert "BearerToken" in spec["components"]["securitySchemes"]

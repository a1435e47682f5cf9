"""Settings from the environment (``ANDIAN_*``), overridden by CLI flags."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import msgspec

__all__ = ["Settings"]

_PACKAGE_STATIC = Path(__file__).parent / "static"


class Settings(msgspec.Struct, kw_only=True):
    db_path: Path = Path("data/andian.db")
    host: str = "127.0.0.1"
    port: int = 8000
    # A site box: a complete andian with the BLE poller switched on.
    site: bool = False
    static_dir: Path = _PACKAGE_STATIC
    token_ttl_s: float = 30 * 24 * 3600.0
    # Login rate limit: this many failures for one username within the window answer 429.
    login_max_failures: int = 5
    login_window_s: float = 15 * 60.0
    # Largest request body accepted (413 above it).
    max_body_bytes: int = 4 * 1024 * 1024
    # Raw readings are kept this many days; minute aggregates longer; hour aggregates for good.
    raw_retention_days: float = 90.0
    minute_retention_days: float = 400.0
    # How often the watchdog looks for silent devices and quiet arcs, and checkpoints detector state.
    watchdog_interval_s: float = 5.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        if "ANDIAN_DB" in env:
            values["db_path"] = Path(env["ANDIAN_DB"])
        if "ANDIAN_HOST" in env:
            values["host"] = env["ANDIAN_HOST"]
        if "ANDIAN_PORT" in env:
            values["port"] = int(env["ANDIAN_PORT"])
        if "ANDIAN_SITE" in env:
            values["site"] = env["ANDIAN_SITE"].lower() in {"1", "true", "yes"}
        if "ANDIAN_STATIC_DIR" in env:
            values["static_dir"] = Path(env["ANDIAN_STATIC_DIR"])
        if "ANDIAN_TOKEN_TTL_S" in env:
            values["token_ttl_s"] = float(env["ANDIAN_TOKEN_TTL_S"])
        if "ANDIAN_RAW_RETENTION_DAYS" in env:
            values["raw_retention_days"] = float(env["ANDIAN_RAW_RETENTION_DAYS"])
        if "ANDIAN_MINUTE_RETENTION_DAYS" in env:
            values["minute_retention_days"] = float(env["ANDIAN_MINUTE_RETENTION_DAYS"])
        values.update({k: v for k, v in overrides.items() if v is not None})
        return msgspec.convert(values, cls, strict=False)

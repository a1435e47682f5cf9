"""Settings from the environment (``ANDIAN_*``), overridden by CLI flags."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import msgspec

__all__ = ["Settings"]

_PACKAGE_STATIC = Path(__file__).parent / "static"


class Settings(msgspec.Struct, kw_only=True):
    # The database: an SQLite file (the embedded default), or PostgreSQL when ``db_url`` is set (ANDIAN_DB takes
    # either: a path, or postgresql://USER:PASSWORD@HOST:PORT/DB).
    db_path: Path = Path("data/andian.db")
    db_url: str = ""
    # Files beside the database (attachments, the secrets key file): default the SQLite file's folder. Several
    # workers on one PostgreSQL database share one such folder (docs/operations.md, "PostgreSQL").
    data_dir: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    # A site box: a complete andian with the BLE poller switched on.
    site: bool = False
    static_dir: Path = _PACKAGE_STATIC
    token_ttl_s: float = 30 * 24 * 3600.0
    # Login rate limit: this many failures for one username from one client within the window answer 429 to that
    # client (docs/security.md, "Credentials").
    login_max_failures: int = 5
    login_window_s: float = 15 * 60.0
    # Largest request body accepted (413 above it).
    max_body_bytes: int = 4 * 1024 * 1024
    # Raw readings are kept this many days; minute aggregates longer; hour aggregates for good.
    raw_retention_days: float = 90.0
    minute_retention_days: float = 400.0
    # How often the watchdog looks for silent devices and quiet arcs, and checkpoints detector state.
    watchdog_interval_s: float = 5.0
    # Where people open the PWA; links in notifications point here (default: http://host:port).
    public_url: str = ""
    # The key that encrypts secrets at rest (notification URLs): ANDIAN_SECRET_KEY, else a key file created
    # beside the database on first use.
    secret_key: str = ""
    # Local time for quiet hours and the wording of times in messages.
    timezone: str = "Asia/Shanghai"
    # Notifications (server/notify): how often the sender looks for due work besides being woken by alarms,
    # how long one send may take, how many run at once, and the retry backoff (doubling from base up to cap).
    notify_tick_s: float = 1.0
    notify_send_timeout_s: float = 10.0
    notify_concurrency: int = 8
    notify_retry_base_s: float = 2.0
    notify_retry_cap_s: float = 30.0
    # Per-recipient rate limit: at most this many messages in the window; more are folded into one summary.
    notify_rate_max: int = 6
    notify_rate_window_s: float = 600.0
    # Notification targets on loopback, link-local or private networks are refused (server-side request forgery)
    # unless the administrator allows them: the demo's local mailbox and the tests' receivers do.
    notify_allow_private: bool = False
    # The voice service that calls owners who gave a phone number, when an alarm is still unacknowledged after
    # the first escalation rung (server/notify/calls.py): an aliyunvoice:// or tencentvoice:// URL without the
    # number called; empty: no calls.
    notify_voice_url: str = ""
    # Bytes kept in a reserve file beside the database; a full disk frees it so alarm transitions still commit.
    disk_reserve_bytes: int = 8 * 1024 * 1024
    # Login ceiling per username: once this many failures from all clients fall in the window, a client with any
    # failure of its own for that username waits (429); a client without one may still try (docs/security.md).
    login_account_max_failures: int = 20
    # Peer addresses of reverse proxies whose X-Forwarded-For names the client for the login limit; the peer
    # address itself counts otherwise (a header anyone can send is not trusted).
    trusted_proxies: tuple[str, ...] = ()
    # An open live stream re-checks its token (or gateway key) this often and ends once it is revoked or expired.
    live_recheck_s: float = 5.0
    # Open live streams one account (or gateway key) may hold at once: its phones and tabs, not a flood.
    live_streams_per_caller: int = 20
    # MQTT ingress for cellular devices and DTUs (server/ingest/mqtt.py): mqtt://[USER:PASSWORD@]HOST:PORT of the
    # broker to subscribe to (mqtts:// for TLS); empty: no MQTT.
    mqtt_url: str = ""
    # Site box and cloud (server/upstream, docs/operations.md "Site box and cloud"). A box with an upstream URL and
    # gateway key (or a pairing stored by `andian box pair`) mirrors its site from that cloud, forwards what it
    # records and takes the cloud's commands, over connections it opens itself.
    upstream_url: str = ""
    upstream_key: str = ""
    # How often the box asks for the site's mirror (a change in the cloud reaches the box within this, ≤ 30 s).
    upstream_mirror_s: float = 10.0
    # The longest a command long-poll stays open; the box talks at least this often, and the cloud raises the
    # box's ``offline`` alarm after 3 of these without a word (the watchdog's OFFLINE_INTERVALS).
    upstream_heartbeat_s: float = 30.0
    # Raw readings in one forward batch; after an outage batches follow each other without pause.
    upstream_batch_readings: int = 20_000
    # Raw readings the box keeps for the cloud beyond what it acknowledged; past this the oldest are dropped (their
    # minute rollups still go up). Alarms, events and commissioning records are never dropped.
    upstream_backlog_max_readings: int = 20_000_000
    # Reconnecting after a failure: waits double from base to cap, with full jitter (docs/operations.md).
    upstream_retry_base_s: float = 1.0
    upstream_retry_cap_s: float = 60.0
    # Cloud side: how long the console waits for a box to carry out a command before saying it could not.
    upstream_command_timeout_s: float = 30.0
    # GB/T 26875.3 (server/gb26875, docs/gb26875.md). Receiving as a monitoring centre: HOST:PORT to accept
    # transmission devices on; empty: no receiver.
    gb26875_listen: str = ""
    # A connection with no frame for this long is closed (devices report their own state, type 21, well within it).
    gb26875_idle_s: float = 300.0
    # Frames one connection may send per second, on average; a flood beyond it is read no faster than this (the
    # box's frames wait in its TCP buffer and get their confirmations late, so it resends less, not more).
    gb26875_frames_per_s: float = 50.0
    # Sending as a transmission device to a city monitoring centre: HOST:PORT of the centre, and andian's own
    # 6-byte address (12 hex digits) that the centre registered; both empty: no uplink.
    gb26875_uplink: str = ""
    gb26875_address: str = ""
    # Seconds between two rounds of analogue values sent up (temperature, voltage, current, residual current).
    gb26875_analogue_s: float = 300.0
    # Seconds between two reports of andian's own running state (type 21), the uplink's heartbeat.
    gb26875_heartbeat_s: float = 60.0

    def database(self) -> str | Path:
        """What ``storage.open_backend`` opens: the PostgreSQL URL, else the SQLite file."""
        return self.db_url or self.db_path

    def files_dir(self) -> Path:
        return self.data_dir if self.data_dir is not None else self.db_path.parent

    def link_base(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        env = os.environ if env is None else env
        values: dict[str, object] = {field: env[name] for name, field in _ENV.items() if name in env}
        for flag in ("site", "notify_allow_private"):
            if flag in values:
                values[flag] = str(values[flag]).lower() in {"1", "true", "yes"}
        if "trusted_proxies" in values:
            values["trusted_proxies"] = tuple(p.strip() for p in str(values["trusted_proxies"]).split(",") if p.strip())
        values.update({k: v for k, v in overrides.items() if v is not None})
        # ANDIAN_DB (or --db) names an SQLite file or a PostgreSQL URL.
        if str(values.get("db_path", "")).startswith(("postgresql://", "postgres://")):
            values["db_url"] = str(values.pop("db_path"))
        for field in ("db_path", "static_dir", "data_dir"):
            if field in values:
                values[field] = Path(str(values[field]))
        return msgspec.convert(values, cls, strict=False)


# Environment variables and the settings they set (documented in docs/operations.md).
_ENV = {
    "ANDIAN_DB": "db_path",
    "ANDIAN_DATA_DIR": "data_dir",
    "ANDIAN_HOST": "host",
    "ANDIAN_PORT": "port",
    "ANDIAN_SITE": "site",
    "ANDIAN_STATIC_DIR": "static_dir",
    "ANDIAN_TOKEN_TTL_S": "token_ttl_s",
    "ANDIAN_RAW_RETENTION_DAYS": "raw_retention_days",
    "ANDIAN_MINUTE_RETENTION_DAYS": "minute_retention_days",
    "ANDIAN_PUBLIC_URL": "public_url",
    "ANDIAN_SECRET_KEY": "secret_key",
    "ANDIAN_TZ": "timezone",
    "ANDIAN_NOTIFY_SEND_TIMEOUT_S": "notify_send_timeout_s",
    "ANDIAN_NOTIFY_CONCURRENCY": "notify_concurrency",
    "ANDIAN_NOTIFY_RETRY_BASE_S": "notify_retry_base_s",
    "ANDIAN_NOTIFY_RETRY_CAP_S": "notify_retry_cap_s",
    "ANDIAN_NOTIFY_RATE_MAX": "notify_rate_max",
    "ANDIAN_NOTIFY_RATE_WINDOW_S": "notify_rate_window_s",
    "ANDIAN_NOTIFY_ALLOW_PRIVATE": "notify_allow_private",
    "ANDIAN_NOTIFY_VOICE_URL": "notify_voice_url",
    "ANDIAN_DISK_RESERVE_BYTES": "disk_reserve_bytes",
    "ANDIAN_LOGIN_MAX_FAILURES": "login_max_failures",
    "ANDIAN_LOGIN_ACCOUNT_MAX_FAILURES": "login_account_max_failures",
    "ANDIAN_LOGIN_WINDOW_S": "login_window_s",
    "ANDIAN_TRUSTED_PROXIES": "trusted_proxies",
    "ANDIAN_LIVE_RECHECK_S": "live_recheck_s",
    "ANDIAN_LIVE_STREAMS_PER_CALLER": "live_streams_per_caller",
    "ANDIAN_MQTT_URL": "mqtt_url",
    "ANDIAN_UPSTREAM_URL": "upstream_url",
    "ANDIAN_UPSTREAM_KEY": "upstream_key",
    "ANDIAN_UPSTREAM_MIRROR_S": "upstream_mirror_s",
    "ANDIAN_UPSTREAM_HEARTBEAT_S": "upstream_heartbeat_s",
    "ANDIAN_UPSTREAM_BATCH_READINGS": "upstream_batch_readings",
    "ANDIAN_UPSTREAM_BACKLOG_MAX_READINGS": "upstream_backlog_max_readings",
    "ANDIAN_UPSTREAM_RETRY_BASE_S": "upstream_retry_base_s",
    "ANDIAN_UPSTREAM_RETRY_CAP_S": "upstream_retry_cap_s",
    "ANDIAN_UPSTREAM_COMMAND_TIMEOUT_S": "upstream_command_timeout_s",
    "ANDIAN_GB26875_LISTEN": "gb26875_listen",
    "ANDIAN_GB26875_IDLE_S": "gb26875_idle_s",
    "ANDIAN_GB26875_FRAMES_PER_S": "gb26875_frames_per_s",
    "ANDIAN_GB26875_UPLINK": "gb26875_uplink",
    "ANDIAN_GB26875_ADDRESS": "gb26875_address",
    "ANDIAN_GB26875_ANALOGUE_S": "gb26875_analogue_s",
    "ANDIAN_GB26875_HEARTBEAT_S": "gb26875_heartbeat_s",
}

"""MQTT ingress for cellular devices and DTUs: the broker's messages through the same ingest function as HTTP.

With ``ANDIAN_MQTT_URL`` set, ``run`` subscribes to

- ``andian/{gateway_id}/ingest``: an ingest body exactly as ``POST /api/v1/ingest`` takes it, for that gateway;
- ``andian/{gateway_id}/vendor/{vendor}``: a vendor's own JSON, turned into an ingest body by the vendor's
  mapping (``server/ingest/vendor.py``, ``server/ingest/vendors/*.toml``),

and publishes each message's answer on ``andian/{gateway_id}/ack``: the HTTP answer (``IngestResult``) or the HTTP
error body ``{"status_code", "detail", "extra"}``. The topic names the gateway; who may publish on it is the
broker's ACL (docs/operations.md, "MQTT ingress"). A bad message costs only itself: it gets an error answer and
the next one is read. A lost broker is reconnected with backoff, forever, until the server stops.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import aiomqtt
import msgspec

from server.errors import INTERNAL, TOO_DEEP, AndianError, InvalidInput, StorageFull, disk_full, error_extra
from server.ingest import service
from server.ingest.vendor import VendorMap, load_vendors, name_fields, to_body
from server.ingest.wire import IngestResult, parse_batch
from server.settings import Settings
from server.storage import users as user_sql
from server.storage.space import out_of_space

if TYPE_CHECKING:  # not at run time: server.context imports this module's importers
    from server.context import Context

__all__ = ["ACK", "INGEST", "RECONNECT_S", "VENDOR", "Broker", "broker_of", "handle", "prepare"]

log = logging.getLogger("andian.mqtt")

INGEST = "andian/+/ingest"
VENDOR = "andian/+/vendor/+"
ACK = "andian/{gateway_id}/ack"

# Seconds before the next connection attempt, by consecutive failures. The first steps are short because the usual
# cause is a broker restart, over in seconds; then slower, so a broker that is down (or a connect that times out)
# is not hammered; capped at 60 s, about the report period of cellular detectors, so an outage delays their data
# by at most one period once the broker is back. Devices resend what got no answer, so nothing is lost meanwhile.
RECONNECT_S = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
# How long a connect, subscribe or answer may take before the connection counts as lost (aiomqtt's timeout).
BROKER_TIMEOUT_S = 10.0
# Messages read but not yet handled; more are dropped by the client (their devices get no answer and resend).
MAX_QUEUED = 1000
# Gateway ids are SQLite integers (64-bit): longer digit strings name no gateway.
_MAX_ID_DIGITS = 18


@dataclass(frozen=True)
class Broker:
    hostname: str
    port: int
    username: str | None = None
    password: str | None = None
    tls: bool = False

    def __str__(self) -> str:  # for the log: never the password
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.hostname}:{self.port}"


def broker_of(url: str) -> Broker:
    """``mqtt://[USER:PASSWORD@]HOST[:PORT]`` (1883) or ``mqtts://…`` (TLS, 8883); ValueError says what to fix."""
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname or parts.path not in ("", "/"):
        raise ValueError(f"ANDIAN_MQTT_URL={url!r}: expected mqtt://HOST:PORT (or mqtts://, "
                         "mqtt://USER:PASSWORD@HOST:PORT)")
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"ANDIAN_MQTT_URL={url!r}: the port must be a number 1–65535") from exc
    tls = parts.scheme == "mqtts"
    return Broker(parts.hostname, port or (8883 if tls else 1883),
                  unquote(parts.username) if parts.username is not None else None,
                  unquote(parts.password) if parts.password is not None else None, tls)


def prepare(settings: Settings) -> Callable[[Context], Coroutine[Any, Any, None]]:
    """The subscriber loop for ``ANDIAN_MQTT_URL``, its broker and vendor mappings read once; raises if either is
    bad, so a mistake stops the server as it starts instead of leaving it up without its subscriber."""
    broker = broker_of(settings.mqtt_url)
    vendors = load_vendors()

    async def run(ctx: Context) -> None:
        await _subscribe(ctx, broker, vendors)

    return run


async def _subscribe(ctx: Context, broker: Broker, vendors: dict[str, VendorMap]) -> None:
    """The subscriber loop: connect, subscribe, answer every message; reconnect after a loss, until cancelled."""
    failures = 0
    while True:
        try:
            async with _client(broker) as client:
                await client.subscribe(INGEST, qos=1)
                await client.subscribe(VENDOR, qos=1)
                if failures:
                    log.info("MQTT: connected to %s again; subscribed to %s and %s", broker, INGEST, VENDOR)
                else:
                    log.info("MQTT: connected to %s; subscribed to %s and %s", broker, INGEST, VENDOR)
                failures = 0
                async for message in client.messages:
                    topic = message.topic.value
                    payload = bytes(message.payload) if isinstance(message.payload, bytes | bytearray) else b""
                    answer = await handle(ctx, vendors, topic, payload)
                    if answer is not None:
                        await client.publish(answer[0], answer[1], qos=1)
        except aiomqtt.MqttError as exc:
            if failures == 0:  # once per outage; the attempts that follow are at debug level
                log.warning("MQTT: no connection to %s (%s); reconnecting with backoff up to %g s", broker, exc,
                            RECONNECT_S[-1])
            else:
                log.debug("MQTT: attempt %d to reach %s failed (%s)", failures, broker, exc)
            delay = RECONNECT_S[min(failures, len(RECONNECT_S) - 1)]
            failures += 1
            await asyncio.sleep(delay)


def _client(broker: Broker) -> aiomqtt.Client:
    return aiomqtt.Client(
        broker.hostname, broker.port, username=broker.username, password=broker.password,
        tls_context=ssl.create_default_context() if broker.tls else None, timeout=BROKER_TIMEOUT_S,
        max_queued_incoming_messages=MAX_QUEUED,
    )


async def handle(ctx: Context, vendors: dict[str, VendorMap], topic: str, payload: bytes) -> tuple[str, bytes] | None:
    """The answer to one message: (ack topic, JSON). None for a topic that names no gateway's ack topic."""
    levels = topic.split("/")
    if len(levels) < 3 or levels[0] != "andian" or not levels[1]:
        return None
    ack = ACK.format(gateway_id=levels[1])
    try:
        result = await _ingest(ctx, vendors, levels, payload)
    except AndianError as exc:  # a full disk too (507): the writer has logged when full mode began
        return ack, _error_body(exc)
    except RecursionError:  # as server/web/errors.py answers it: bad input, not a crash
        return ack, _encode(400, TOO_DEEP, {"field": "body"})
    except Exception as exc:  # a bad message must never stop the subscriber
        if out_of_space(exc):
            log.warning("disk full on MQTT message on %s: %s", topic, exc)
            return ack, _error_body(disk_full("; send the message again later"))
        log.exception("MQTT: unhandled error on a message on %s", topic)
        return ack, _encode(500, INTERNAL)
    return ack, msgspec.json.encode(result)


async def _ingest(ctx: Context, vendors: dict[str, VendorMap], levels: list[str], payload: bytes) -> IngestResult:
    if len(payload) > ctx.settings.max_body_bytes:
        raise _TooLarge(f"the message is {len(payload)} bytes, more than the {ctx.settings.max_body_bytes} a body "
                        "may have; send smaller batches")
    match levels[2:]:
        case ["ingest"]:
            vendor = None
        case ["vendor", name] if name in vendors:
            vendor = name
        case ["vendor", name]:
            raise InvalidInput("topic", f"no mapping for vendor {name!r}; the server has "
                                        f"{', '.join(sorted(vendors)) or 'none'} (server/ingest/vendors/)")
        case _:
            raise InvalidInput("topic", "publish on andian/{gateway_id}/ingest or andian/{gateway_id}/vendor/{vendor}")
    gateway = levels[1]
    principal = None
    if gateway.isdigit() and len(gateway) <= _MAX_ID_DIGITS:
        gateway_id = int(gateway)
        principal = await ctx.db.read(lambda c: user_sql.principal_for_gateway(c, gateway_id))
    if principal is None:
        raise _UnknownGateway(f"gateway {gateway} does not exist or was revoked; create one with POST "
                              "/api/v1/sites/{site_id}/gateways and publish on andian/{its id}/ingest")
    access = service.access_for(ctx, principal)
    if vendor is None:
        return await service.ingest(ctx, access, parse_batch(payload))
    body, fields = to_body(vendor, vendors[vendor], payload)
    return name_fields(await service.ingest(ctx, access, parse_batch(body)), fields)


class _TooLarge(InvalidInput):
    status_code = 413

    def __init__(self, message: str) -> None:
        super().__init__("body", message)


class _UnknownGateway(InvalidInput):
    """As HTTP answers an unknown or revoked key (401), with the topic named as what to fix."""

    status_code = 401

    def __init__(self, message: str) -> None:
        super().__init__("topic", message)


def _error_body(exc: AndianError) -> bytes:
    """The HTTP error body (server/web/errors.py); MQTT has no headers, so a retry hint goes into ``extra``."""
    extra: dict[str, Any] | None = error_extra(exc)
    if isinstance(exc, StorageFull):
        extra = {"retry_after_s": exc.retry_after_s}
    return _encode(exc.status_code, exc.detail, extra)


def _encode(status_code: int, detail: str, extra: dict[str, Any] | None = None) -> bytes:
    return msgspec.json.encode({"status_code": status_code, "detail": detail, "extra": extra})

"""A device's ``link``: one URL that says how the site box reaches it (API.md "Device links and models").

| link | meaning |
| --- | --- |
| ``ble://AA:BB:CC:DD:EE:FF`` | Bluetooth LE |
| ``modbus-rtu:///dev/ttyUSB0?baud=9600&parity=N&stop=1&unit=3`` | Modbus RTU on an RS-485 bus through a serial port |
| ``modbus-tcp://192.168.1.20:502?unit=3`` | Modbus TCP (Ethernet devices, Modbus gateways) |
| ``modbus-rtu-tcp://192.168.1.21:4001?unit=3`` | RTU frames through a TCP socket (serial servers, DTUs: 透传) |

Pure: text in, a typed link out; a mistake raises ``BadLink`` with what to write instead. Query values left out come
from the device model's defaults (``Serial`` and ``unit_id`` in its register map).
"""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import parse_qsl, urlsplit

import msgspec

__all__ = ["SCHEMES", "BadLink", "BleLink", "Link", "ModbusLink", "SerialLine", "parse_link"]

Scheme = Literal["ble", "modbus-rtu", "modbus-tcp", "modbus-rtu-tcp"]
SCHEMES: tuple[Scheme, ...] = ("ble", "modbus-rtu", "modbus-tcp", "modbus-rtu-tcp")
# What RS-485 devices ship with and installers set: the standard rates from 1200 (some meters) to 115200.
BAUDS = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)
_ADDRESS = re.compile(r"^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$")
_HOST = re.compile(r"^[A-Za-z0-9.-]{1,253}$")


class BadLink(ValueError):
    """A link that cannot be used; the message says what a correct one looks like."""


class SerialLine(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """How bytes go on an RS-485 line: every device of a bus must agree on these (a model's ``[line]`` too)."""

    baud: int = 9600
    parity: Literal["N", "E", "O"] = "N"
    stop: Literal[1, 2] = 1


class BleLink(msgspec.Struct, frozen=True):
    address: str  # upper case, as the scanner reports it

    @property
    def scheme(self) -> Scheme:
        return "ble"

    def __str__(self) -> str:
        return f"ble://{self.address}"


class ModbusLink(msgspec.Struct, frozen=True):
    scheme: Scheme
    # The serial port (modbus-rtu) or host (the TCP schemes).
    where: str
    port: int | None = None  # TCP port
    unit: int | None = None  # the device's Modbus address on its bus (1–247); None: the model's default
    line: SerialLine | None = None  # modbus-rtu only; fields left out of the URL are the model's defaults
    given: frozenset[str] = frozenset()  # which line settings the URL gave

    @property
    def bus(self) -> str:
        """What devices that take turns share: one serial port, or one TCP socket."""
        return self.where if self.scheme == "modbus-rtu" else f"{self.scheme}://{self.where}:{self.port}"

    def __str__(self) -> str:
        query = [f"unit={self.unit}"] if self.unit is not None else []
        if self.scheme == "modbus-rtu":
            line = self.line or SerialLine()
            query = [f"{k}={getattr(line, k)}" for k in ("baud", "parity", "stop") if k in self.given] + query
            base = f"modbus-rtu://{self.where}"
        else:
            base = f"{self.scheme}://{self.where}:{self.port}"
        return base + (f"?{'&'.join(query)}" if query else "")


Link = BleLink | ModbusLink


def _int(name: str, text: str, low: int, high: int, example: str) -> int:
    if not text.isdigit() or not low <= int(text) <= high:
        raise BadLink(f"{name} must be a whole number from {low} to {high}, e.g. {example}; got {text!r}")
    return int(text)


def _query(query: str, allowed: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True, strict_parsing=False):
        if key not in allowed:
            raise BadLink(f"unknown setting {key!r}: a link takes {', '.join(allowed)}")
        if key in out:
            raise BadLink(f"{key} is given twice")
        out[key] = value
    return out


def parse_link(text: str) -> Link:
    """The link ``text`` names; ``BadLink`` says what is wrong with it."""
    if len(text) > 300 or not text.isprintable():
        raise BadLink("a link is one line of at most 300 characters")
    scheme, _, rest = text.partition("://")
    if not rest or scheme not in SCHEMES:
        raise BadLink(f"a link starts with one of {', '.join(s + '://' for s in SCHEMES)}; "
                      "e.g. modbus-rtu:///dev/ttyUSB0?unit=3 or modbus-tcp://192.168.1.20:502?unit=3")
    if scheme == "ble":
        if not _ADDRESS.match(rest):
            raise BadLink("a Bluetooth link is ble://AA:BB:CC:DD:EE:FF (the device's address)")
        return BleLink(rest.upper())
    parts = urlsplit(text)
    if parts.fragment:
        raise BadLink("a link has no #fragment")
    if scheme == "modbus-rtu":
        query = _query(parts.query, ("baud", "parity", "stop", "unit"))
        port = parts.path
        if parts.netloc or not port.startswith("/") or len(port) < 2:
            raise BadLink("an RS-485 link names the serial port after three slashes: modbus-rtu:///dev/ttyUSB0")
        line = SerialLine()
        if "baud" in query:
            baud = _int("baud", query["baud"], 1, 10**7, "9600")
            if baud not in BAUDS:
                raise BadLink(f"baud must be one of {', '.join(map(str, BAUDS))}; got {baud}")
            line = msgspec.structs.replace(line, baud=baud)
        if "parity" in query:
            if query["parity"] not in ("N", "E", "O"):
                raise BadLink("parity is N (none), E (even) or O (odd)")
            line = msgspec.structs.replace(line, parity=query["parity"])
        if "stop" in query:
            if query["stop"] not in ("1", "2"):
                raise BadLink("stop is 1 or 2 (stop bits)")
            line = msgspec.structs.replace(line, stop=1 if query["stop"] == "1" else 2)
        unit = _int("unit", query["unit"], 1, 247, "3") if "unit" in query else None
        return ModbusLink("modbus-rtu", port, None, unit, line, frozenset(query) - {"unit"})
    query = _query(parts.query, ("unit",))
    try:
        host, port_number = parts.hostname, parts.port
    except ValueError as exc:  # a port that is not a number or out of range
        raise BadLink(f"the TCP port must be a number from 1 to 65535: {exc}") from exc
    if not host or not _HOST.match(host) or parts.path not in ("", "/") or parts.username:
        raise BadLink(f"a TCP link is {scheme}://HOST:PORT?unit=N, e.g. {scheme}://192.168.1.20:502?unit=3")
    default_port = 502 if scheme == "modbus-tcp" else None
    if port_number is None and default_port is None:
        raise BadLink(f"{scheme}:// needs the serial server's TCP port, e.g. {scheme}://{host}:4001")
    unit = _int("unit", query["unit"], 1, 247, "3") if "unit" in query else None
    return ModbusLink("modbus-tcp" if scheme == "modbus-tcp" else "modbus-rtu-tcp", host,
                      port_number or default_port, unit)

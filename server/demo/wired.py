"""The demo's wired and cellular devices: a market's RS-485 bus of Acrel devices and one 4G detector over MQTT.

The RS-485 bus is pymodbus's own serial server on one end of a socat pty pair; the box's link is the other end
(``modbus-rtu://<data dir>/demo-rs485?unit=N``). Without socat the same devices answer RTU frames on a TCP port
(``modbus-rtu-tcp://``), as behind a transparent serial server. The 4G detector publishes its vendor's JSON to a
local mosquitto (``andian/{gateway_id}/vendor/leak4g``) when Debian's mosquitto is installed. Their values follow
small stories so the demo shows a leakage pre-alarm and alarm on a loop of the 12-loop monitor and a CT-open
sensor fault, beside the Bluetooth devices.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import shutil
import socket
import subprocess
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pymodbus.framer import FramerType
from pymodbus.server import ModbusSerialServer, ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from ble.profiles import profiles, register_table

if TYPE_CHECKING:
    from server.context import Context

__all__ = ["FOUR_G_IMEI", "WIRED_DEVICES", "DemoWired"]

log = logging.getLogger("andian.demo")

# (serial, model, unit, name, circuit) on the market's RS-485 bus (9600 8N1, the Acrel factory setting).
WIRED_DEVICES: list[tuple[str, str, int, str, str]] = [
    ("ASJ-20250101", "acrel-asj", 1, "剩余电流继电器（照明）", "市场照明总回路"),
    ("AIM-20250102", "acrel-aim-r100", 2, "12 回路剩余电流监测仪", "一楼摊位 1–12 号"),
    ("ADW-20250103", "acrel-adw300", 3, "进线电能表", "市场进线"),
]
FOUR_G_IMEI = "866123045678901"
MOSQUITTO = Path("/usr/sbin/mosquitto")
TICK_S = 2.0  # how often the stories move the registers


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _values(model: str, t: float) -> tuple[dict[str, float], dict[int, int]]:
    """Channel values and raw registers (sentinels) of a demo device ``t`` seconds into the demo."""
    wave = math.sin(t / 90.0)
    match model:
        case "acrel-asj":
            return {"residual_ma": 70.0 + 12.0 * wave}, {}
        case "acrel-aim-r100":
            values = {f"residual_ma_{i}": 20.0 + 3.0 * i + 5.0 * wave for i in range(1, 13)}
            # Stall 5's wiring leaks more and more: 150 mA rising to 380 mA over ten minutes (pre-alarm, then alarm).
            values["residual_ma_5"] = min(380.0, 150.0 + 230.0 * t / 600.0)
            # Loop 9's current transformer is open (a sensor fault); 0x000B's top bits say "residual-current monitor".
            return values, {0x004A + 8: 0xFAFA, 0x000B: 0x1000}
        case _:
            return {"voltage_v_l1": 228.0 + 2.0 * wave, "voltage_v_l2": 229.5, "voltage_v_l3": 227.1,
                    "current_a_l1": 38.0 + 6.0 * wave, "current_a_l2": 31.2, "current_a_l3": 27.5,
                    "power_w": 22000.0 + 3000.0 * wave, "energy_kwh": 10234.5 + t / 360.0}, {}


def _registers(model: str, t: float) -> list[int]:
    return register_table(profiles()[model], *_values(model, t))


@dataclass
class DemoWired:
    """Where the demo's wired devices are reached; ``run`` serves them for the app's lifetime."""

    directory: Path
    port: int = field(default_factory=_free_port)  # the RTU-over-TCP fallback without socat
    mqtt_port: int | None = None  # a local mosquitto for the 4G device, when Debian's is installed
    _started: float = field(default_factory=time.time)

    @property
    def pty(self) -> Path:
        return self.directory / "demo-rs485"

    @property
    def device_side(self) -> Path:
        return self.directory / "demo-rs485-device"

    @property
    def serial_port(self) -> bool:
        return shutil.which("socat") is not None

    def link(self, unit: int) -> str:
        if self.serial_port:
            return f"modbus-rtu://{self.pty}?unit={unit}"
        return f"modbus-rtu-tcp://127.0.0.1:{self.port}?unit={unit}"

    def start(self) -> str | None:
        """Start the bus's pty pair (socat) and, where Debian's mosquitto is installed, a local broker for the 4G
        device; answers the broker's URL (None: no MQTT in this demo). Call before serving; ``stop`` ends both."""
        self.directory.mkdir(parents=True, exist_ok=True)
        if self.serial_port:
            self._socat = subprocess.Popen(
                ["socat", f"pty,raw,echo=0,link={self.device_side}", f"pty,raw,echo=0,link={self.pty}"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 10
            while not (self.device_side.exists() and self.pty.exists()) and time.monotonic() < deadline:
                time.sleep(0.05)
        if not MOSQUITTO.exists():
            return None
        self.mqtt_port = _free_port()
        config = self.directory / "demo-mosquitto.conf"
        config.write_text(f"listener {self.mqtt_port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
                          "user root\n", "utf-8")
        self._mosquitto = subprocess.Popen([str(MOSQUITTO), "-c", str(config)], stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL)
        return f"mqtt://127.0.0.1:{self.mqtt_port}"

    def stop(self) -> None:
        for name in ("_mosquitto", "_socat"):
            proc: subprocess.Popen[bytes] | None = getattr(self, name, None)
            if proc is not None:
                proc.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(5)

    async def run(self, ctx: Context) -> None:
        """Serve the bus and publish the 4G device's messages until cancelled."""
        devices = [SimDevice(unit, [SimData(0, values=_registers(model, 0.0), datatype=DataType.REGISTERS)])
                   for _, model, unit, _, _ in WIRED_DEVICES]
        units = {unit for _, _, unit, _, _ in WIRED_DEVICES}

        def only_wired_units(sending: bool, packet: bytes) -> bytes:
            """Nothing answers for an address nobody has on a real bus; pymodbus's server would (exception 4)."""
            return b"" if sending and packet and packet[0] not in units else packet

        server: ModbusSerialServer | ModbusTcpServer
        if self.serial_port:
            server = ModbusSerialServer(devices, framer=FramerType.RTU, port=str(self.device_side), baudrate=9600,
                                        trace_packet=only_wired_units)
        else:
            server = ModbusTcpServer(devices, framer=FramerType.RTU, address=("127.0.0.1", self.port),
                                     trace_packet=only_wired_units)
        serving = asyncio.create_task(server.serve_forever())
        publish = await self._publisher(ctx)
        try:
            while True:
                await asyncio.sleep(TICK_S)
                t = time.time() - self._started
                for _, model, unit, _, _ in WIRED_DEVICES:
                    await server.context.async_setValues(unit, 3, 0, _registers(model, t))
                if publish is not None:
                    await publish(t)
        finally:
            await server.shutdown()  # type: ignore[no-untyped-call]  # pymodbus leaves it untyped
            serving.cancel()
            await asyncio.gather(serving, return_exceptions=True)

    async def _publisher(self, ctx: Context) -> Callable[[float], Awaitable[None]] | None:
        """Every 10 s the 4G detector's message, in its vendor's JSON (server/ingest/vendors/leak4g.toml)."""
        port = self.mqtt_port
        if port is None:
            return None
        import aiomqtt

        from server.demo.city import four_g_gateway

        last = [0.0]
        gateway: list[int | None] = [None]

        async def publish(t: float) -> None:
            if t - last[0] < 10.0:
                return
            last[0] = t
            if gateway[0] is None:  # seeded with the demo city; looked for until it is there
                gateway[0] = await ctx.db.read(four_g_gateway)
                if gateway[0] is None:
                    return
            body: dict[str, Any] = {"imei": FOUR_G_IMEI, "time": int(time.time() * 1000),
                                    "data": {"leak": round(45 + 8 * math.sin(t / 60)), "t1": round(31 + t / 600, 1)}}
            try:
                async with aiomqtt.Client("127.0.0.1", port) as client:
                    await client.publish(f"andian/{gateway[0]}/vendor/leak4g", json.dumps(body).encode())
            except aiomqtt.MqttError as exc:
                log.debug("demo 4G device: %s", exc)

        return publish

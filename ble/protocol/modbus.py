"""Modbus RTU over a byte stream (a BLE UART service), framed by pymodbus' RTU framer.

No CRC or framing is written here: pymodbus builds and checks every frame. A response may arrive split
across several notifications (each at most ATT_MTU − 3 bytes); ``FrameReader`` keeps the bytes until
the framer has a whole frame (``exchange.ModbusExchange`` feeds it what the link notifies).
"""

from __future__ import annotations

from pymodbus.framer import FramerRTU
from pymodbus.pdu import DecodePDU, ExceptionResponse, ModbusPDU
from pymodbus.pdu.bit_message import WriteSingleCoilRequest, WriteSingleCoilResponse
from pymodbus.pdu.register_message import ReadHoldingRegistersRequest, ReadHoldingRegistersResponse

__all__ = [
    "MAX_REGISTERS",
    "FrameReader",
    "ModbusError",
    "coil_written",
    "exception_frame",
    "read_holding",
    "read_response",
    "registers_of",
    "write_coil",
    "write_coil_response",
]

# Modbus application protocol v1.1b3 §6.3: at most 125 registers in one read.
MAX_REGISTERS = 125

# Modbus exception codes (§7) with what an installer can do about them.
_EXCEPTIONS = {
    1: "illegal function: the device does not support this request; check the device model",
    2: "illegal data address: the register map does not match this device; check the device model",
    3: "illegal data value: the device refused the value",
    4: "device failure: the device reported an internal error; power-cycle it",
    6: "device busy: retry in a few seconds",
}


class ModbusError(Exception):
    """The device answered with a Modbus exception."""

    def __init__(self, function_code: int, exception_code: int) -> None:
        self.function_code = function_code
        self.exception_code = exception_code
        advice = _EXCEPTIONS.get(exception_code, "unknown exception")
        super().__init__(f"Modbus exception {exception_code} to function {function_code}: {advice}")


def _client() -> FramerRTU:
    return FramerRTU(DecodePDU(is_server=False))


def _server() -> FramerRTU:
    return FramerRTU(DecodePDU(is_server=True))


def read_holding(unit: int, address: int, count: int) -> bytes:
    """Function 0x03: read ``count`` holding registers from ``address``."""
    if not 1 <= count <= MAX_REGISTERS:
        raise ValueError(f"count must be 1..{MAX_REGISTERS}, not {count}")
    return _client().buildFrame(ReadHoldingRegistersRequest(address=address, count=count, dev_id=unit))


def write_coil(unit: int, address: int, on: bool) -> bytes:
    """Function 0x05: switch one coil (a command such as trip, close or self-test)."""
    return _client().buildFrame(WriteSingleCoilRequest(address=address, bits=[on], dev_id=unit))


class FrameReader:
    """Collects chunks of a byte stream and hands out whole Modbus frames as PDUs.

    ``server`` decodes requests (the simulated device's side); otherwise responses (the site box's side).
    """

    def __init__(self, *, server: bool = False) -> None:
        self._framer = _server() if server else _client()
        self._buffer = b""

    def feed(self, chunk: bytes) -> list[ModbusPDU]:
        self._buffer += chunk
        frames: list[ModbusPDU] = []
        while self._buffer:
            used, pdu = self._framer.handleFrame(self._buffer, 0, 0)
            if used == 0:
                break  # a partial frame: wait for the next chunk
            self._buffer = self._buffer[used:]
            if pdu is not None:  # None: a frame with a bad CRC or noise, dropped by the framer
                frames.append(pdu)
        return frames

    def clear(self) -> None:
        self._buffer = b""


def registers_of(pdu: ModbusPDU, unit: int, count: int) -> list[int]:
    """The registers of a read response; a Modbus exception or a short answer raises."""
    _check(pdu, unit)
    if not isinstance(pdu, ReadHoldingRegistersResponse):
        raise ValueError(f"expected a read-registers response, got function {pdu.function_code}")
    if len(pdu.registers) != count:
        raise ValueError(f"asked for {count} registers, got {len(pdu.registers)}")
    return list(pdu.registers)


def coil_written(pdu: ModbusPDU, unit: int, address: int) -> bool:
    """The coil state echoed by a write-coil response."""
    _check(pdu, unit)
    if not isinstance(pdu, WriteSingleCoilResponse) or pdu.address != address:
        raise ValueError(f"expected the echo of a write to coil {address}")
    return bool(pdu.bits[0])


def _check(pdu: ModbusPDU, unit: int) -> None:
    if isinstance(pdu, ExceptionResponse):
        raise ModbusError(pdu.function_code & 0x7F, pdu.exception_code)
    if pdu.dev_id != unit:
        raise ValueError(f"answer from unit {pdu.dev_id}, expected unit {unit}")


# The device's side, used by the simulator: frames it answers with.

def read_response(unit: int, registers: list[int]) -> bytes:
    return _server().buildFrame(ReadHoldingRegistersResponse(registers=registers, dev_id=unit))


def write_coil_response(unit: int, address: int, on: bool) -> bytes:
    return _server().buildFrame(WriteSingleCoilResponse(address=address, bits=[on], dev_id=unit))


def exception_frame(unit: int, function_code: int, exception_code: int) -> bytes:
    return _server().buildFrame(ExceptionResponse(function_code, exception_code, device_id=unit))

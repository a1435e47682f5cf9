"""A simulated GB/T 26875.3 user information transmission device (用户信息传输装置) over real TCP: every byte made and
read through the codec (``gb26875``). Blocking sockets, so a test (or a bench thread) drives it step by step."""

from __future__ import annotations

import socket
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import gb26875
from gb26875 import CONFIRM, SEND, Frame, PartAnalogue, PartState, Rejected, Splitter, TimeLabel, Unit

__all__ = ["CENTRE", "Box", "analogue", "label", "part_state"]

CENTRE = bytes(6)  # the centre's address as boxes in the tests know it
TZ = ZoneInfo("Asia/Shanghai")


def label(ts: float) -> TimeLabel:
    """A box's clock: local time (ANDIAN_TZ's default)."""
    return TimeLabel.of(datetime.fromtimestamp(ts, TZ))


def part_state(part_type: int, part_addr: int, status: int, ts: float, desc: str = "", sys_addr: int = 1,
               sys_type: int = 0) -> Unit:
    return Unit(2, (PartState(sys_type, sys_addr, part_type, part_addr, status, desc, label(ts)),))


def analogue(values: list[tuple[int, int, int, int]], ts: float, sys_addr: int = 1, sys_type: int = 0) -> Unit:
    """``values``: (part type, part address, analogue type, raw value)."""
    return Unit(3, tuple(PartAnalogue(sys_type, sys_addr, pt, pa, at, v, label(ts)) for pt, pa, at, v in values))


class Box:
    def __init__(self, port: int, address: str, host: str = "127.0.0.1") -> None:
        self.address = bytes.fromhex(address)
        self.sock = socket.create_connection((host, port), timeout=10)
        self.splitter = Splitter()
        self.inbox: list[Frame] = []  # frames the centre started (commands), in arrival order
        self.answers: dict[int, Frame] = {}  # serial → the centre's answer to a frame of ours
        self.rejected: list[Rejected] = []
        self.serial = 0

    def close(self) -> None:
        self.sock.close()

    def frame(self, unit: Unit | None, command: int = SEND, ts: float | None = None) -> Frame:
        serial = self.serial
        self.serial = (self.serial + 1) & 0xFFFF
        return Frame(serial=serial, version=(1, 0), time=label(time.time() if ts is None else ts),
                     source=self.address, destination=CENTRE, command=command, unit=unit)

    def send(self, frame: Frame) -> int:
        self.sock.sendall(gb26875.encode(frame))
        return frame.serial

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def report(self, unit: Unit | None, ts: float | None = None, timeout: float = 15.0) -> Frame:
        """Send a unit (command 2) and wait for the centre's answer to it."""
        serial = self.send(self.frame(unit, ts=ts))
        answer = self.answer(serial, timeout)
        assert answer is not None, f"no answer to serial {serial}"
        return answer

    def answer(self, serial: int, timeout: float = 15.0) -> Frame | None:
        deadline = time.monotonic() + timeout
        while serial not in self.answers:
            if not self.pump(deadline - time.monotonic()):
                return None
        return self.answers.pop(serial)

    def command(self, timeout: float = 15.0) -> Frame | None:
        """The next frame the centre started (a command), or None by the timeout."""
        deadline = time.monotonic() + timeout
        while not self.inbox:
            if not self.pump(deadline - time.monotonic()):
                return None
        return self.inbox.pop(0)

    def reply(self, command: Frame, answer: int = CONFIRM, unit: Unit | None = None) -> None:
        self.send(command.answer(answer, label(time.time()), unit))

    def pump(self, timeout: float) -> bool:
        """Read once (up to ``timeout``); False on timeout or when the centre closed the connection."""
        if timeout <= 0:
            return False
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(4096)
        except TimeoutError:
            return False
        if not data:
            return False
        for item in self.splitter.feed(data):
            if isinstance(item, Rejected):
                self.rejected.append(item)
            elif item.command in (gb26875.CONFIRM, gb26875.DENY, gb26875.RESPONSE) and item.destination == self.address:
                self.answers[item.serial] = item
            else:
                self.inbox.append(item)
        return True

    def closed_by_centre(self, timeout: float = 15.0) -> bool:
        """Whether the centre closes the connection within ``timeout`` (frames arriving meanwhile are kept)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(deadline - time.monotonic(), 0.01))
            try:
                data = self.sock.recv(4096)
            except TimeoutError:
                return False
            except ConnectionResetError:
                return True
            if not data:
                return True
            self.splitter.feed(data)
        return False

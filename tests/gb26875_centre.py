"""A simulated city monitoring centre (监控中心) for the uplink tests: a TCP server on 127.0.0.1 in a thread of its
own that speaks GB/T 26875.3 through the codec, records every frame andian sends it, and confirms (or not, or
denies) as the test says. Tests wait on it with deadlines, never on timings."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime
from types import TracebackType

from gb26875 import CONFIRM, Frame, Rejected, Splitter, TimeLabel, Unit, encode

from .server_process import free_port

__all__ = ["ADDRESS", "Centre", "centre_frame", "unit_type"]

ADDRESS = "1527082020fe"  # the address the tests give andian (ANDIAN_GB26875_ADDRESS)
WAIT_S = 30.0


def unit_type(frame: Frame) -> int | None:
    return frame.unit.type if isinstance(frame.unit, Unit) else None


class Centre:
    """``policy(frame)`` decides the answer to each frame sent with command 2: CONFIRM (the default), DENY, or None
    for no answer. ``frames`` holds what andian sent, in order (answers to the centre's requests included)."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.policy: Callable[[Frame], int | None] = lambda frame: CONFIRM
        self.frames: list[Frame] = []
        self.rejected: list[Rejected] = []
        self.connections = 0
        self._cond = threading.Condition()
        self._server: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> Centre:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def start(self) -> None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen()
        self._server = server
        self._spawn(self._accept, server)

    def stop(self) -> None:
        """Close the listening socket and every connection (andian sees the centre go away)."""
        if self._server is not None:
            with contextlib.suppress(OSError):
                self._server.shutdown(socket.SHUT_RDWR)
            self._server.close()
            self._server = None
        for conn in self._conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()
        self._conns.clear()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()

    def _spawn(self, target: Callable[[socket.socket], None], sock: socket.socket) -> None:
        thread = threading.Thread(target=target, args=(sock,), daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with self._cond:
                self._conns.append(conn)
                self.connections += 1
                self._cond.notify_all()
            self._spawn(self._serve, conn)

    def _serve(self, conn: socket.socket) -> None:
        splitter = Splitter()
        while True:
            try:
                data = conn.recv(4096)
            except OSError:
                return
            if not data:
                return
            for item in splitter.feed(data):
                with self._cond:
                    if isinstance(item, Rejected):
                        self.rejected.append(item)
                    else:
                        self.frames.append(item)
                    self._cond.notify_all()
                if isinstance(item, Frame) and item.command == 2:
                    answer = self.policy(item)
                    if answer is not None:
                        self._send(conn, self.answer(item, answer))

    @staticmethod
    def answer(frame: Frame, command: int) -> Frame:
        return frame.answer(command, TimeLabel.of(datetime.now()))

    def _send(self, conn: socket.socket, frame: Frame | bytes) -> None:
        with contextlib.suppress(OSError):
            conn.sendall(frame if isinstance(frame, bytes) else encode(frame))

    def send(self, frame: Frame | bytes) -> None:
        """To andian, on the newest connection."""
        with self._cond:
            assert self._conns, "andian is not connected"
            conn = self._conns[-1]
        self._send(conn, frame)

    def wait(self, predicate: Callable[[Frame], bool], after: int = 0, timeout_s: float = WAIT_S) -> Frame:
        """The first frame from index ``after`` on that ``predicate`` accepts, waiting for it up to ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while True:
                for frame in self.frames[after:]:
                    if predicate(frame):
                        return frame
                left = deadline - time.monotonic()
                assert left > 0, f"the centre did not get the frame in {timeout_s:g} s; it got {self.frames}"
                self._cond.wait(left)

    def wait_connected(self, count: int = 1, timeout_s: float = WAIT_S) -> None:
        with self._cond:
            assert self._cond.wait_for(lambda: self.connections >= count, timeout_s), "andian did not connect"

    def count(self, predicate: Callable[[Frame], bool]) -> int:
        with self._cond:
            return sum(1 for frame in self.frames if predicate(frame))

    def mark(self) -> int:
        """The index of the next frame to arrive (for ``wait(after=…)``)."""
        with self._cond:
            return len(self.frames)


def centre_frame(serial: int, command: int, unit: Unit, address: str = ADDRESS) -> Frame:
    """A frame from the centre (address 0) to andian."""
    return Frame(serial=serial, version=(1, 0), time=TimeLabel.of(datetime.now()), source=bytes(6),
                 destination=bytes.fromhex(address), command=command, unit=unit)


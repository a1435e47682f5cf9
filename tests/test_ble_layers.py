"""The BLE layers, checked on the source: the link only moves bytes (no Modbus, no protocol module), and bleak is
imported only by the link and by the simulator's bleak backend. And the protocol layer's Modbus exchange over a
link that only moves bytes (a fake one here; the real one is in test_ble_link)."""

from __future__ import annotations

import ast
import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from ble.errors import LinkLost, LinkTimeout
from ble.protocol import modbus
from ble.protocol.exchange import ModbusExchange

BLE = Path(__file__).resolve().parent.parent / "ble"
BLEAK_ALLOWED = {"simulator/backend.py"}


def _modules() -> list[Path]:
    return sorted(BLE.rglob("*.py"))


def _name(path: Path) -> str:
    return path.relative_to(BLE).as_posix()


def _is_link(path: Path) -> bool:
    return path.parent == BLE and path.name.startswith("link")


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports: top-level names for absolute imports, ``.name`` for relative ones."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            found.add("." * node.level + (node.module or ""))
    return found


def _top(module: str) -> str:
    return module.split(".")[0]


def test_the_source_is_where_the_checks_look() -> None:
    assert any(_is_link(p) for p in _modules())
    assert (BLE / "simulator" / "backend.py").is_file()


def test_the_link_does_not_speak_modbus() -> None:
    for path in filter(_is_link, _modules()):
        imported = _imports(path)
        assert not {m for m in imported if _top(m) == "pymodbus"}, f"{_name(path)} imports pymodbus"
        assert not {m for m in imported if m.lstrip(".").split(".")[0] == "protocol" or m.startswith("ble.protocol")}, \
            f"{_name(path)} imports the protocol layer"


def test_bleak_is_imported_only_by_the_link_and_the_simulator_backend() -> None:
    offenders = [_name(p) for p in _modules()
                 if not _is_link(p) and _name(p) not in BLEAK_ALLOWED
                 and any(_top(m).startswith("bleak") for m in _imports(p))]
    assert offenders == []


def test_modules_stay_small() -> None:
    long = {_name(p): n for p in _modules() if (n := len(p.read_text(encoding="utf-8").splitlines())) >= 400}
    assert long == {}


class FakeUart:
    """A byte-moving link: answers each write with ``answer`` in ``chunk``-byte notifications, or drops."""

    address = "C0:AD:00:00:00:09"

    def __init__(self, answer: bytes, chunk: int = 20, *, drop: bool = False) -> None:
        self.answer, self.chunk, self.drop = answer, chunk, drop
        self.written: list[bytes] = []
        self._listener: tuple[Callable[[bytes], None], Callable[[], None]] | None = None

    @contextlib.asynccontextmanager
    async def exclusive(self, on_data: Callable[[bytes], None], on_lost: Callable[[], None]) -> AsyncIterator[None]:
        self._listener = (on_data, on_lost)
        try:
            yield
        finally:
            self._listener = None

    async def write(self, data: bytes) -> None:
        assert self._listener is not None, "written outside exclusive()"
        self.written.append(data)
        on_data, on_lost = self._listener
        loop = asyncio.get_running_loop()
        if self.drop:
            loop.call_soon(on_lost)
        for start in range(0, len(self.answer), self.chunk):
            loop.call_soon(on_data, self.answer[start : start + self.chunk])


async def test_the_exchange_reassembles_a_split_answer() -> None:
    uart = FakeUart(modbus.read_response(1, list(range(10))), chunk=3)
    request = modbus.read_holding(1, 0x0100, 10)
    pdu = await ModbusExchange(uart).request(request)
    assert uart.written == [request]
    assert modbus.registers_of(pdu, 1, 10) == list(range(10))


async def test_no_answer_is_a_timeout_and_a_drop_is_a_lost_link() -> None:
    with pytest.raises(LinkTimeout, match="no answer"):
        await ModbusExchange(FakeUart(b"")).request(modbus.read_holding(1, 0, 1), wait_s=0.05)
    with pytest.raises(LinkLost, match="disconnected while waiting"):
        await ModbusExchange(FakeUart(b"", drop=True), wait_s=1.0).request(modbus.read_holding(1, 0, 1))

"""link → profile → poller against simulated devices: real GATT over bumble (services, MTU, notifications,
pairing), an encrypted-only characteristic, a link drop and the reconnect after it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from ble.device import ModbusDevice
from ble.errors import DeviceNotFound, EncryptionRequired, LinkError
from ble.link import Backends, DeviceLink
from ble.poller import Gathered, Poller, Target
from ble.pool import LinkPool
from ble.profiles import profiles
from ble.simulator import DeviceSpec, SimRadio, Story
from ble.simulator.backend import BumbleClient

BREAKER = DeviceSpec("C0:AD:00:00:00:01", "AD-BRK-0001", "AD-SB63", rated_a=32.0)
BOARD = DeviceSpec("C0:AD:00:00:00:02", "AD-BRK-0002", "AD-SB125-3P", rated_a=100.0)
ARC = DeviceSpec("C0:AD:00:00:00:03", "AD-ARC-0003", "AD-AF1", Story("arc", arc_every_s=2.0))


@pytest.fixture
async def radio() -> AsyncIterator[SimRadio]:
    sim = SimRadio()
    for spec in (BREAKER, BOARD, ARC):
        await sim.add(spec)
    yield sim
    await sim.close()


def backends(radio: SimRadio) -> Backends:
    return Backends(*radio.backends())


async def test_writes_need_an_encrypted_link_and_work_after_pairing(radio: SimRadio) -> None:
    link = DeviceLink(BREAKER.address, backends(radio), pair=False)
    device = ModbusDevice(link, profiles()["AD-SB63"])
    with pytest.raises(EncryptionRequired, match="pair with the device first"):
        await device.read()
    await link.pair()
    identity = await device.identity()
    assert (identity.serial, identity.model) == ("AD-BRK-0001", "AD-SB63")
    reading = await device.read()
    assert reading.switch == "closed"
    assert 5 < reading.values["current_a"] < 40 and 200 < reading.values["voltage_v"] < 240
    assert link.mtu == 247
    await link.disconnect()


async def test_a_bond_is_reused_on_the_next_connection(radio: SimRadio) -> None:
    first = DeviceLink(BREAKER.address, backends(radio))
    await ModbusDevice(first, profiles()["AD-SB63"]).identity()
    await first.disconnect()
    again = DeviceLink(BREAKER.address, backends(radio))  # pairs on connect: re-encrypts with the stored keys
    assert (await ModbusDevice(again, profiles()["AD-SB63"]).identity()).serial == "AD-BRK-0001"
    await again.disconnect()


async def test_answers_split_at_a_small_mtu_are_reassembled(radio: SimRadio) -> None:
    client, scanner = radio.backends()
    small = type("SmallMtuClient", (client,), {"requested_mtu": 23})
    link = DeviceLink(BOARD.address, Backends(small, scanner))
    device = ModbusDevice(link, profiles()["AD-SB125-3P"])
    reading = await device.read()  # 10 registers: a 25-byte answer in two notifications of at most 20
    assert link.mtu == 23
    assert set(reading.values) == {"current_a_l1", "current_a_l2", "current_a_l3", "voltage_v", "residual_ma",
                                   "temp_c", "power_w", "energy_kwh"}
    await link.disconnect()


async def test_trip_and_close_coils_switch_the_breaker(radio: SimRadio) -> None:
    device = ModbusDevice(DeviceLink(BREAKER.address, backends(radio)), profiles()["AD-SB63"])
    await device.command("trip")
    tripped = await device.read()
    assert tripped.switch == "open" and tripped.values["current_a"] == 0.0
    await device.command("close")
    assert (await device.read()).switch == "closed"
    await device.link.disconnect()


async def test_a_device_that_is_not_there_fails_fast_with_advice(radio: SimRadio) -> None:
    link = DeviceLink("C0:AD:00:00:09:99", backends(radio))
    with pytest.raises(DeviceNotFound, match="move closer"):
        await link.connect()


async def test_the_poller_reads_reconnects_after_a_drop_and_reports_the_fault(radio: SimRadio) -> None:
    batches: list[Gathered] = []
    faults: list[tuple[str, str]] = []

    async def sink(batch: Gathered) -> None:
        batches.append(batch)

    async def on_fault(target: Target, exc: LinkError) -> None:
        faults.append((target.serial, exc.code))

    poller = Poller(LinkPool(backends(radio)), sink, on_fault, flush_s=0.2)
    poller.set_targets([Target(BREAKER.serial, BREAKER.address, "AD-SB63", 0.3),
                        Target(ARC.serial, ARC.address, "AD-AF1", 0.3)])
    task = asyncio.create_task(poller.run())
    try:
        await asyncio.sleep(2.5)
        before = sum(1 for b in batches for s in b.samples if s[0] == BREAKER.serial)
        assert before >= 4
        assert any(e[0] == ARC.serial and e[1] == "arc" and e[3] == 16 for b in batches for e in b.events)
        assert {b.switches.get(BREAKER.serial) for b in batches} >= {"closed"}

        radio.device(BREAKER.address).drop_link(2.0)  # out of range for two seconds
        await asyncio.sleep(1.0)
        assert [code for serial, code in faults if serial == BREAKER.serial] == ["link_lost"]
        during = len(batches)
        for _ in range(40):  # back in range: the poller finds it again and reconnects (backoff 1, 2, … s)
            await asyncio.sleep(0.25)
            if any(s[0] == BREAKER.serial for b in batches[during:] for s in b.samples):
                break
        else:
            pytest.fail("the poller did not reconnect after the link came back")
        assert len([f for f in faults if f[0] == BREAKER.serial]) == 1  # one report per outage
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


def test_requested_mtu_is_a_class_setting() -> None:
    assert BumbleClient.requested_mtu == 247

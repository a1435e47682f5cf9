"""bleak backends over bumble: a ``BaseBleakClient`` and a ``BaseBleakScanner`` that reach simulated devices.

The only code besides ``ble.link`` that imports bleak: it *is* a bleak backend. ATT errors become
``BleakGATTProtocolError`` with the ATT code, as from a real stack, so the link sees the same failures.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any, ClassVar

from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient, NotifyCallback
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, BaseBleakScanner
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import BleakDeviceNotFoundError, BleakError, BleakGATTProtocolError
from bleak.uuids import normalize_uuid_str
from bumble.att import ATT_Error
from bumble.core import UUID, AdvertisingData
from bumble.device import Advertisement, Connection, Peer
from bumble.gatt import Characteristic
from bumble.gatt_client import CharacteristicProxy, DescriptorProxy

if TYPE_CHECKING:
    from .radio import SimRadio

__all__ = ["BumbleClient", "BumbleScanner"]

# The MTU a BLE 4.2+ central asks for (bleak on BlueZ gets 247 or 517 from most peripherals).
REQUESTED_MTU = 247

_PROPERTY_NAMES = [
    (Characteristic.Properties.BROADCAST, "broadcast"), (Characteristic.Properties.READ, "read"),
    (Characteristic.Properties.WRITE_WITHOUT_RESPONSE, "write-without-response"),
    (Characteristic.Properties.WRITE, "write"), (Characteristic.Properties.NOTIFY, "notify"),
    (Characteristic.Properties.INDICATE, "indicate"),
]


def _uuid(uuid: UUID) -> str:
    """bleak's form: a lower-case 128-bit string."""
    return normalize_uuid_str(uuid.to_hex_str("-"))


def _protocol_error(exc: ATT_Error) -> BleakGATTProtocolError:
    return BleakGATTProtocolError(int(exc.error_code))


class BumbleClient(BaseBleakClient):
    radio: ClassVar[SimRadio]
    requested_mtu: ClassVar[int] = REQUESTED_MTU

    def __init__(self, address_or_ble_device: BLEDevice | str, **kwargs: Any) -> None:
        super().__init__(address_or_ble_device, disconnected_callback=kwargs.get("disconnected_callback"),
                         timeout=kwargs.get("timeout", 10.0))
        self._connection: Connection | None = None
        self._peer: Peer | None = None
        self._mtu = 23

    @property
    def name(self) -> str:
        device = self.radio.devices.get(self.address.upper())
        return device.spec.local_name if device else self.address

    @property
    def mtu_size(self) -> int:
        return self._mtu

    @property
    def is_connected(self) -> bool:
        return self._connection is not None

    async def connect(self, pair: bool, **kwargs: Any) -> None:
        timeout = float(kwargs.get("timeout", self._timeout))
        if self.address.upper() not in self.radio.devices:
            raise BleakDeviceNotFoundError(self.address, f"Device with address {self.address} was not found")
        connection = await self.radio.connect(self.address, timeout)
        self._connection = connection
        connection.on(connection.EVENT_DISCONNECTION, self._on_disconnection)
        try:
            if pair:
                await self.pair()
            peer = Peer(connection)
            self._mtu = await peer.request_mtu(self.requested_mtu)
            await peer.discover_all()  # type: ignore[no-untyped-call]
            self._peer = peer
            self.services = self._collect(peer)
        except Exception:
            await self.disconnect()
            raise

    def _collect(self, peer: Peer) -> BleakGATTServiceCollection:
        collection = BleakGATTServiceCollection()
        for service in peer.services:
            bleak_service = BleakGATTService(service, service.handle, _uuid(service.uuid))
            collection.add_service(bleak_service)
            for char in service.characteristics:
                props: list[Any] = [name for flag, name in _PROPERTY_NAMES if char.properties & flag]
                bleak_char = BleakGATTCharacteristic(char, char.handle, _uuid(char.uuid), props,
                                                     lambda: self._mtu - 3, bleak_service)
                collection.add_characteristic(bleak_char)
                for descriptor in char.descriptors:
                    collection.add_descriptor(BleakGATTDescriptor(
                        descriptor, descriptor.handle, _uuid(descriptor.type), bleak_char))
        return collection

    def _on_disconnection(self, *_: Any) -> None:
        was_connected = self._connection is not None
        self._connection = None
        self._peer = None
        if was_connected and self._disconnected_callback is not None:
            self._disconnected_callback()

    async def disconnect(self) -> None:
        connection = self._connection
        if connection is None:
            return
        with contextlib.suppress(Exception):
            await connection.disconnect()
        if self._connection is not None:  # no disconnection event came back
            self._on_disconnection()

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        """Encrypt with the stored bond, or pair (LE Secure Connections) and bond."""
        connection = self._require()
        keys = await self.radio.central.keystore.get(str(connection.peer_address)) \
            if self.radio.central.keystore else None
        try:
            if keys is not None:
                await connection.encrypt()
            else:
                await connection.pair()
        except Exception as exc:
            raise BleakError(f"pairing with {self.address} failed: {exc}") from exc

    async def unpair(self) -> None:
        if self.radio.central.keystore is not None:
            with contextlib.suppress(Exception):
                await self.radio.central.keystore.delete(str(self.address))

    def _require(self) -> Connection:
        if self._connection is None:
            raise BleakError("Not connected")
        return self._connection

    def _peer_or_raise(self) -> Peer:
        self._require()
        if self._peer is None:
            raise BleakError("Not connected")
        return self._peer

    async def read_gatt_char(self, characteristic: BleakGATTCharacteristic, **kwargs: Any) -> bytearray:
        peer = self._peer_or_raise()
        proxy: CharacteristicProxy[bytes] = characteristic.obj
        try:
            return bytearray(await peer.read_value(proxy))
        except ATT_Error as exc:
            raise _protocol_error(exc) from exc

    async def read_gatt_descriptor(self, descriptor: BleakGATTDescriptor, **kwargs: Any) -> bytearray:
        peer = self._peer_or_raise()
        proxy: DescriptorProxy = descriptor.obj
        try:
            return bytearray(await peer.read_value(proxy))
        except ATT_Error as exc:
            raise _protocol_error(exc) from exc

    async def write_gatt_char(self, characteristic: BleakGATTCharacteristic, data: Any, response: bool) -> None:
        peer = self._peer_or_raise()
        try:
            await peer.write_value(characteristic.obj, bytes(data), with_response=response)
        except ATT_Error as exc:
            raise _protocol_error(exc) from exc

    async def write_gatt_descriptor(self, descriptor: BleakGATTDescriptor, data: Any) -> None:
        peer = self._peer_or_raise()
        try:
            await peer.write_value(descriptor.obj, bytes(data), with_response=True)
        except ATT_Error as exc:
            raise _protocol_error(exc) from exc

    async def start_notify(self, characteristic: BleakGATTCharacteristic, callback: NotifyCallback,
                           **kwargs: Any) -> None:
        peer = self._peer_or_raise()
        try:
            await peer.subscribe(characteristic.obj, lambda value: callback(bytearray(value)))
        except ATT_Error as exc:
            raise _protocol_error(exc) from exc

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        peer = self._peer_or_raise()
        with contextlib.suppress(ATT_Error):
            await peer.unsubscribe(characteristic.obj)


class BumbleScanner(BaseBleakScanner):
    radio: ClassVar[SimRadio]

    def __init__(self, detection_callback: Any, service_uuids: list[str] | None, scanning_mode: str = "active",
                 **kwargs: Any) -> None:
        super().__init__(detection_callback, service_uuids)
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()

    async def start(self) -> None:
        self.seen_devices = {}
        self._stop.clear()
        self._task = asyncio.create_task(self._scan())
        await asyncio.sleep(0)

    async def _scan(self) -> None:
        async with self.radio.scan_lock:
            await self.radio.start()
            central = self.radio.central
            central.on(central.EVENT_ADVERTISEMENT, self._on_advertisement)
            try:
                await central.start_scanning(filter_duplicates=False)
                await self._stop.wait()
            finally:
                central.remove_listener(central.EVENT_ADVERTISEMENT, self._on_advertisement)
                with contextlib.suppress(Exception):
                    await central.stop_scanning()

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task
            self._task = None

    def _on_advertisement(self, advertisement: Advertisement) -> None:
        data = advertisement.data
        name = None
        manufacturer: dict[int, bytes] = {}
        uuids: list[str] = []
        for ad_type, value in data.ad_structures:
            if ad_type in (AdvertisingData.COMPLETE_LOCAL_NAME, AdvertisingData.SHORTENED_LOCAL_NAME):
                name = value.decode(errors="replace")
            elif ad_type == AdvertisingData.MANUFACTURER_SPECIFIC_DATA and len(value) >= 2:
                manufacturer[int.from_bytes(value[:2], "little")] = value[2:]
        address = str(advertisement.address).split("/")[0].upper()
        simulated = self.radio.devices.get(address)
        rssi = simulated.spec.rssi if simulated is not None else advertisement.rssi
        adv = AdvertisementData(local_name=name, manufacturer_data=manufacturer, service_data={},
                                service_uuids=uuids, tx_power=None, rssi=rssi, platform_data=())
        device = self.create_or_update_device(address, address, name, {"sim": True}, adv)
        self.call_detection_callbacks(device, adv)

"""Simulated devices: real BLE peripherals on bumble, reached by bleak through a bumble-backed backend."""

from .peripheral import DeviceSpec, SimDevice
from .physics import SCENARIOS, Story
from .radio import SimRadio

__all__ = ["SCENARIOS", "DeviceSpec", "SimDevice", "SimRadio", "Story"]

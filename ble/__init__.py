"""Bluetooth LE: scanning, pairing, polling, device profiles and the simulator (built in the BLE issue)."""

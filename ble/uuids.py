"""GATT UUIDs shared by the link (which finds characteristics) and the simulator (which serves them)."""

__all__ = ["ANDIAN_SERVICE", "NUS_RX", "NUS_SERVICE", "NUS_TX"]

# Nordic UART Service: RX is written by the central, TX notifies the central.
NUS_SERVICE = "6e400001-b5a3-f393-e0a9-e50e24dcca9e"
NUS_RX = "6e400002-b5a3-f393-e0a9-e50e24dcca9e"
NUS_TX = "6e400003-b5a3-f393-e0a9-e50e24dcca9e"
# andian's own service: device events such as arc reports.
ANDIAN_SERVICE = "8e6a0001-6c1b-4f5e-a1d2-3b4c5d6e7f80"

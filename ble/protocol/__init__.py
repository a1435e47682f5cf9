"""Wire protocols spoken by devices over their BLE characteristics. Pure: bytes in, values out."""

"""Wire protocols spoken by devices over their BLE characteristics. The codecs are pure: bytes in, values out;
``exchange`` sequences a Modbus request and its answer over a link that only moves bytes."""

-- A device's link (API.md "Device links and models"): how the site box reaches it, as a URL. Bluetooth devices keep
-- ble_address too (commissioning sets both); wired ones (modbus-rtu://, modbus-tcp://, modbus-rtu-tcp://) have a
-- link only.
ALTER TABLE devices ADD COLUMN link TEXT;
UPDATE devices SET link = 'ble://' || ble_address WHERE ble_address IS NOT NULL;
CREATE INDEX devices_wired ON devices(link) WHERE link LIKE 'modbus-%';

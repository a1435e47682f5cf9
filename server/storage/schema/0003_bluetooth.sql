-- A breaker's last known position, and the installer's commissioning records (steps as JSON: the flow's
-- order lives in code, server/sitebox/commissioning.py).
ALTER TABLE devices ADD COLUMN switch TEXT;
CREATE INDEX devices_ble_address ON devices(ble_address);
CREATE TABLE commissionings (
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    address TEXT NOT NULL,
    model TEXT NOT NULL,
    device_id INTEGER REFERENCES devices(id),
    state TEXT NOT NULL DEFAULT 'in_progress',
    steps TEXT NOT NULL,
    answers TEXT,
    signed_by TEXT,
    created_by INTEGER REFERENCES users(id),
    created_at REAL NOT NULL,
    completed_at REAL
);
CREATE INDEX commissionings_site ON commissionings(site_id)

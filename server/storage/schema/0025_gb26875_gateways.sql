-- GB/T 26875.3 transmission devices (用户信息传输装置) as gateways (server/gb26875, docs/gb26875.md).
--
-- 'andian': a site box or DTU that holds an API key. 'gb26875': a device that reports over GB/T 26875.3 and is known
-- by its 6-byte address (12 lower-case hex digits as the bytes stand on the wire); it never uses its API key.
ALTER TABLE gateways ADD COLUMN protocol TEXT NOT NULL DEFAULT 'andian';
ALTER TABLE gateways ADD COLUMN address TEXT;
-- One live gateway per address: the receiver finds a frame's gateway by its source address.
CREATE UNIQUE INDEX gateways_gb26875_address ON gateways(address)
    WHERE protocol = 'gb26875' AND revoked_at IS NULL;

CREATE TABLE companies (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    hotline TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL
);
CREATE TABLE regions (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    parent TEXT REFERENCES regions(code),
    level TEXT NOT NULL,
    path TEXT NOT NULL
);
CREATE INDEX regions_path ON regions(path);
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    display_name TEXT NOT NULL,
    phone TEXT NOT NULL DEFAULT '',
    company_id INTEGER REFERENCES companies(id),
    department TEXT,
    created_at REAL NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE user_regions (
    user_id INTEGER NOT NULL REFERENCES users(id),
    region_code TEXT NOT NULL REFERENCES regions(code),
    PRIMARY KEY (user_id, region_code)
);
CREATE TABLE tokens (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    revoked_at REAL
);
CREATE INDEX tokens_user ON tokens(user_id);
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    ts REAL NOT NULL
);
CREATE INDEX login_failures_username_ts ON login_failures(username, ts);
CREATE TABLE sites (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions(code),
    venue_type TEXT NOT NULL,
    key_unit INTEGER NOT NULL DEFAULT 0,
    owner_id INTEGER REFERENCES users(id),
    company_id INTEGER REFERENCES companies(id),
    lat REAL,
    lon REAL,
    created_at REAL NOT NULL,
    created_by INTEGER REFERENCES users(id)
);
CREATE INDEX sites_owner ON sites(owner_id);
CREATE INDEX sites_company ON sites(company_id);
CREATE INDEX sites_region ON sites(region_code);
CREATE TABLE devices (
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    serial TEXT NOT NULL UNIQUE,
    model TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    circuit TEXT NOT NULL DEFAULT '',
    rated_current_a REAL,
    ble_address TEXT,
    state TEXT NOT NULL DEFAULT 'registered',
    created_at REAL NOT NULL
);
CREATE INDEX devices_site ON devices(site_id);
CREATE TABLE channels (
    id INTEGER PRIMARY KEY,
    device_id INTEGER NOT NULL REFERENCES devices(id),
    key TEXT NOT NULL,
    settings TEXT NOT NULL,
    UNIQUE (device_id, key)
);
CREATE TABLE gateways (
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    key_prefix TEXT NOT NULL,
    created_at REAL NOT NULL,
    created_by INTEGER REFERENCES users(id),
    revoked_at REAL,
    last_seen_at REAL
);
CREATE INDEX gateways_site ON gateways(site_id);
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    ts REAL NOT NULL,
    actor_id INTEGER,
    action TEXT NOT NULL,
    object TEXT NOT NULL,
    object_id INTEGER,
    detail TEXT NOT NULL DEFAULT '{}'
)

-- Forward up, review fixes (server/upstream/forward_batch.py, forward_apply.py, forward_cloud.py).
--
-- Box side. This database's own random instance id, made once at its first forward: a box's alarm, transition and
-- commissioning ids are numbers of its database, so a new database under the same gateway key (an SD card
-- replaced) would reuse them; the cloud tells the two apart by this id.
CREATE TABLE upstream_box (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    box_id TEXT NOT NULL,
    created_at REAL NOT NULL
);
--
-- Cloud side. The box database that first forwarded with a gateway key: a batch from another one is refused (409).
ALTER TABLE gateways ADD COLUMN box_id TEXT;
-- Files a box uploaded (PUT /api/v1/upstream/attachments/{sha256}): its forwarded records may cite only these (or
-- ones its site can read already), never another site's photo by its hash.
CREATE TABLE upstream_attachments (
    gateway_id INTEGER NOT NULL REFERENCES gateways(id),
    sha256 TEXT NOT NULL,
    uploaded_at REAL NOT NULL,
    PRIMARY KEY (gateway_id, sha256)
);

-- Mirror down, edits up (server/upstream/stamps.py, merge.py, mirror_api.py, mirror_box.py).
--
-- Both sides. The last hybrid-logical-clock stamp each node made or saw here ('cloud', 'box7'), so stamps stay
-- monotonic across restarts without scanning field_stamps.
CREATE TABLE mirror_clocks (
    node TEXT PRIMARY KEY,
    last TEXT NOT NULL
);
-- Sites whose devices and channels existed before the triggers of 0021: stamped once, on the next pass.
INSERT OR IGNORE INTO mirror_dirty (site_id) SELECT id FROM sites;
--
-- Box side. The box's gateway id in the cloud (its stamps' node is "box{gateway_id}") and the newest of its own
-- stamps the cloud has taken: fields the box stamped after it go up in the next mirror.
ALTER TABLE upstream_link ADD COLUMN gateway_id INTEGER;
ALTER TABLE upstream_link ADD COLUMN mirror_sent TEXT;

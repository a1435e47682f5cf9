-- GB/T 26875.3 sending, after review (server/gb26875/uplink.py, docs/gb26875.md "Sending").
--
-- A queued frame the centre neither confirms nor denies must not block the queue for ever: ``rounds`` counts the
-- connections on which it was sent and never answered, ``sends`` how often it went on the wire in them. After 3
-- such rounds it moves to gb26875_uplink_denied with a ``reason``. A centre that cannot be reached sends nothing
-- and counts nothing.
ALTER TABLE gb26875_uplink_queue ADD COLUMN rounds INTEGER NOT NULL DEFAULT 0;
ALTER TABLE gb26875_uplink_queue ADD COLUMN sends INTEGER NOT NULL DEFAULT 0;
-- Why a frame left the queue unsent: the centre denied it (command 6), or it was given up after the rounds.
ALTER TABLE gb26875_uplink_denied ADD COLUMN reason TEXT NOT NULL DEFAULT 'denied by the centre (command 6)';
-- A 查岗 sent again with the same serial is the same check: looked up by centre and serial.
CREATE INDEX gb26875_duty_checks_serial ON gb26875_duty_checks(centre, serial);

-- GB/T 26875.3 sending: andian as a transmission device towards a city monitoring centre (server/gb26875/uplink*.py,
-- docs/gb26875.md "Sending").
--
-- The uplink's one row: the cursor over alarm_transitions (the last transition translated into the queue; moved in
-- the same transaction that queues its frame, so a crash can delay a transition, never lose or double it), the
-- next serial number (the standard counts from 0), and the centre's clock as its last synchronisation (90) said.
CREATE TABLE gb26875_uplink_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    transition_id INTEGER NOT NULL,
    next_serial INTEGER NOT NULL DEFAULT 0,
    centre_time REAL,
    clock_offset_s REAL,
    clock_at REAL
);
-- What goes out, one frame's application data unit a row: alarms (priority 0) ahead of analogue values (1).
-- ``serial`` and ``first_sent_at`` are set when the row is first sent; it is sent again with them (the same frame)
-- until the centre confirms it (the row is deleted) or denies it (the row moves to gb26875_uplink_denied).
CREATE TABLE gb26875_uplink_queue (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('alarm', 'analogue')),
    priority INTEGER NOT NULL,
    unit BLOB NOT NULL,
    transition_id INTEGER REFERENCES alarm_transitions(id),
    created_at REAL NOT NULL,
    serial INTEGER,
    first_sent_at REAL
);
CREATE INDEX gb26875_uplink_queue_next ON gb26875_uplink_queue(priority, id);
-- Frames the centre denied (command 6): kept for the record, never sent again.
CREATE TABLE gb26875_uplink_denied (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    unit BLOB NOT NULL,
    transition_id INTEGER REFERENCES alarm_transitions(id),
    serial INTEGER NOT NULL,
    denied_at REAL NOT NULL
);
-- 查岗 (type 91) from the centre: answered by an operator in the console within ``timeout_min`` minutes; the answer
-- goes back with the check's serial to the address it came from (``centre``, 12 hex digits).
CREATE TABLE gb26875_duty_checks (
    id INTEGER PRIMARY KEY,
    serial INTEGER NOT NULL,
    centre TEXT NOT NULL,
    received_at REAL NOT NULL,
    timeout_min INTEGER NOT NULL,
    deadline REAL NOT NULL,
    answered_at REAL,
    answered_by INTEGER REFERENCES users(id)
);

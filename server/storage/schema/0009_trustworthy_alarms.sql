-- Test alarms (自检), the threshold each transition crossed, breakers that tripped, and hazards that collect the
-- repeat alarms of one fault.
ALTER TABLE alarms ADD COLUMN test INTEGER NOT NULL DEFAULT 0;
-- 'trip' when the alarm ended because the breaker opened, with who opened it remotely (NULL: the device itself).
ALTER TABLE alarms ADD COLUMN cleared_reason TEXT;
ALTER TABLE alarms ADD COLUMN tripped_by INTEGER REFERENCES users(id);
ALTER TABLE alarm_transitions ADD COLUMN threshold REAL;
ALTER TABLE alarm_transitions ADD COLUMN detail TEXT NOT NULL DEFAULT '{}';
UPDATE alarm_transitions SET threshold = (SELECT threshold FROM alarms WHERE alarms.id = alarm_transitions.alarm_id);
-- A breaker's position came with `switch` (0003); when it last changed and who switched it remotely.
ALTER TABLE devices ADD COLUMN switch_at REAL;
ALTER TABLE devices ADD COLUMN switch_by INTEGER REFERENCES users(id);
-- A device in self-test until this time (its self_test event + 60 s): what it raises meanwhile is a test.
ALTER TABLE devices ADD COLUMN self_test_until REAL;
-- Every alarm that made or joined a hazard; a repeat alarm of an open hazard's fault joins it.
CREATE TABLE hazard_alarms (
    alarm_id INTEGER PRIMARY KEY REFERENCES alarms(id),
    hazard_id INTEGER NOT NULL REFERENCES hazards(id)
);
INSERT INTO hazard_alarms (alarm_id, hazard_id) SELECT alarm_id, id FROM hazards WHERE alarm_id IS NOT NULL;
CREATE INDEX hazard_alarms_hazard ON hazard_alarms(hazard_id)

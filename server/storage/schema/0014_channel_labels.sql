-- A channel's own name for the people who read it (a care-home director, not an engineer): what it measures, e.g.
-- "二楼走廊照明 进线端子". Empty: the PWA names it "<device circuit> · <quantity>".
ALTER TABLE channels ADD COLUMN label TEXT NOT NULL DEFAULT '';

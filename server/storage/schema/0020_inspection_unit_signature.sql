-- The unit's drawn signature on a rectification notice (an image attachment, by sha256), beside the typed name
-- (unit_signed_by).
ALTER TABLE inspections ADD COLUMN unit_signature TEXT;

-- The drawn signature of an acceptance (an image attachment, by sha256), kept beside the typed name (signed_by).
ALTER TABLE commissionings ADD COLUMN signature TEXT;

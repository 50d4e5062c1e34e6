-- The post office's signed decisions on villagers' disputes move from
-- files in each server's folder (disputes/*.decision) to the database,
-- so that every server hands a station the same decisions and a dispute
-- is decided once, whichever server is asked: the primary key refuses a
-- second (registry/decisions.go). note is the signed decision as signed
-- (package decision).
CREATE TABLE decisions (
	station_id  text NOT NULL,
	dispute     bigint NOT NULL,
	at          timestamptz NOT NULL,
	note        bytea NOT NULL,
	PRIMARY KEY (station_id, dispute)
);

-- A dispute entry keeps the day it was registered and what it says (its
-- payload as the station recorded it, JSON), so that every server lists
-- the disputes from the database, not from its own folder's archive.
-- Rows kept before are '' and read from the archive as before.
ALTER TABLE dispute_entries
	ADD COLUMN day     text NOT NULL DEFAULT '',
	ADD COLUMN payload text NOT NULL DEFAULT '';

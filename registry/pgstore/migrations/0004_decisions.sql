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

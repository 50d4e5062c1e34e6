-- The reconciliation's findings move from CSV files in each server's
-- folder to the database, so that every server shows a station the same
-- ones. A finding is kept with its position in the day's list (several
-- may share a trace and a kind) and where the host's journal says it.

ALTER TABLE exceptions DROP CONSTRAINT exceptions_pkey;
ALTER TABLE exceptions
	ADD COLUMN n       integer NOT NULL DEFAULT 0,
	ADD COLUMN journal text NOT NULL DEFAULT '',
	ADD COLUMN line    integer NOT NULL DEFAULT 0;
ALTER TABLE exceptions ADD PRIMARY KEY (station_id, day, n);

-- The days reconciled, with when and how much was found: the staff's
-- list of stations shows the latest. The post office's own small table
-- (a reference table).
CREATE TABLE reconciliations (
	day         date PRIMARY KEY,
	at          timestamptz NOT NULL,
	exceptions  integer NOT NULL
);

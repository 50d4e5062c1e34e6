-- The accepted day files move from each server's folder (archive/) into
-- the database, so that every server reads the same ones: the hand-over's
-- reading of what a leaving station owes, the disputes of files accepted
-- before the registry kept what they say, a clerk's copy. file is the
-- settlement file exactly as the station sent it; its SHA-256 is the
-- day's (days.sha256). A day accepted before this version has no row
-- until the server whose archive/ holds its file reads it once
-- (registry/dayfiles.go). The acknowledgements were in the database
-- already (days.ack).
CREATE TABLE day_files (
	station_id  text NOT NULL,
	day         date NOT NULL,
	file        bytea NOT NULL,
	PRIMARY KEY (station_id, day)
);

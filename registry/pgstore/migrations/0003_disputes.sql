-- The entries of a station's accepted files about villagers' disputes:
-- each dispute, and the post office's decision the station recorded on
-- it, so that a later file's decision and refund are checked against
-- them (registry/disputes.go). kind is 'dispute' (disputed, trace,
-- decided) or 'dispute_decided' (dispute, refund, paid).
CREATE TABLE dispute_entries (
	station_id  text NOT NULL,
	seq         bigint NOT NULL,
	kind        text NOT NULL CHECK (kind IN ('dispute', 'dispute_decided')),
	disputed    bigint NOT NULL DEFAULT 0,
	trace       text NOT NULL DEFAULT '',
	decided     bigint NOT NULL DEFAULT 0,
	dispute     bigint NOT NULL DEFAULT 0,
	refund      text NOT NULL DEFAULT '',
	paid        bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (station_id, seq)
);

-- The post office's registry (docs/scale-out.md). Every table that holds
-- one station's data has station_id leading its primary key: it is the
-- distribution column of a Citus-style engine, and every query of the
-- hot path names one station. tariffs and staff are the post office's
-- own small tables: reference tables, copied to every node.

CREATE TABLE stations (
	station_id  text PRIMARY KEY,
	franchisee  text NOT NULL,
	deposit     numeric(14, 2) NOT NULL,
	tariff      text NOT NULL,          -- the version issued to it
	key         text NOT NULL,          -- its verifier key in force
	zone        text NOT NULL DEFAULT '',
	enrolled    timestamptz NOT NULL,
	status      text NOT NULL CHECK (status IN ('active', 'retired')),
	forks       integer NOT NULL DEFAULT 0,
	held        integer NOT NULL DEFAULT 0,
	last_seq    bigint NOT NULL DEFAULT 0,   -- the last acknowledged entry
	last_hash   bytea NOT NULL,
	last_day    date,
	close       jsonb,                       -- the figures of the last accepted day
	retirement  jsonb
);

-- Every key a station signs with, from a given entry on.
CREATE TABLE station_keys (
	station_id  text NOT NULL,
	from_seq    bigint NOT NULL,
	key         text NOT NULL,
	vouch       bytea,
	at          timestamptz NOT NULL,    -- when the post office recorded it
	PRIMARY KEY (station_id, from_seq)
);

-- Accepted days. (station_id, last_seq) finds the day of an entry.
CREATE TABLE days (
	station_id  text NOT NULL,
	day         date NOT NULL,
	prev_seq    bigint NOT NULL,
	prev_hash   bytea NOT NULL,
	last_seq    bigint NOT NULL,
	last_hash   bytea NOT NULL,
	entries     integer NOT NULL,
	sha256      text NOT NULL,
	close       jsonb NOT NULL,
	imported    timestamptz NOT NULL,
	ack         bytea NOT NULL,
	PRIMARY KEY (station_id, day),
	UNIQUE (station_id, last_seq)
);

-- Every request a station's accepted files sent, or meant to send, to a
-- host, by its intent entry. Amounts are kept as the station's entry
-- wrote them (reconciliation compares them as numbers where both read as
-- amounts, as the embedded store does).
CREATE TABLE traces (
	station_id  text NOT NULL,
	seq         bigint NOT NULL,
	trace       text NOT NULL,
	day         date NOT NULL,
	service     text NOT NULL,
	amount      text NOT NULL DEFAULT '',
	state       text NOT NULL,
	outcome     bigint NOT NULL DEFAULT 0,
	reference   text NOT NULL DEFAULT '',
	refund      text NOT NULL DEFAULT '',
	PRIMARY KEY (station_id, seq)
);
CREATE INDEX traces_day ON traces (station_id, day);

-- Every file seen, by its SHA-256: the same file again changes nothing.
CREATE TABLE files (
	station_id  text NOT NULL,
	sha256      text NOT NULL,
	day         date NOT NULL,
	status      text NOT NULL CHECK (status IN ('accepted', 'held', 'fork')),
	PRIMARY KEY (station_id, sha256)
);

-- Verified files waiting for the days before them.
CREATE TABLE held (
	station_id  text NOT NULL,
	sha256      text NOT NULL,
	prev_seq    bigint NOT NULL,
	file        bytea NOT NULL,
	PRIMARY KEY (station_id, sha256)
);

-- Files that fork from what was acknowledged, kept as evidence.
CREATE TABLE evidence (
	station_id  text NOT NULL,
	sha256      text NOT NULL,
	day         date NOT NULL,
	reason      text NOT NULL,
	received    timestamptz NOT NULL,
	file        bytea NOT NULL,
	PRIMARY KEY (station_id, sha256)
);

-- The reconciliation's exceptions, per station and business day, as the
-- last reconciliation of that day found them.
CREATE TABLE exceptions (
	station_id     text NOT NULL,
	day            date NOT NULL,
	trace          text NOT NULL,
	kind           text NOT NULL,
	service        text NOT NULL DEFAULT '',
	station_state  text NOT NULL DEFAULT '',
	station_amount text NOT NULL DEFAULT '',
	host_state     text NOT NULL DEFAULT '',
	host_amount    text NOT NULL DEFAULT '',
	detail         text NOT NULL DEFAULT '',
	PRIMARY KEY (station_id, day, trace, kind)
);

-- Nonces of the station API's signed requests, until they are too old to
-- be accepted anyway: several servers share them.
CREATE TABLE nonces (
	station_id  text NOT NULL,
	nonce       text NOT NULL,
	until       timestamptz NOT NULL,
	PRIMARY KEY (station_id, nonce)
);

-- Reference tables: the post office's own. A tariff's body is kept as
-- issued, byte for byte (the same tariff issued again is recognised by
-- its bytes; jsonb would reorder its keys).
CREATE TABLE tariffs (
	version     text PRIMARY KEY,
	body        text NOT NULL,
	issued      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE staff (
	staff_id    text PRIMARY KEY,
	name        text NOT NULL,
	role        text NOT NULL CHECK (role IN ('clerk', 'manager')),
	password    text NOT NULL,           -- argon2id, encoded with its parameters
	created     timestamptz NOT NULL DEFAULT now()
);

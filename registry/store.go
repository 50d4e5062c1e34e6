package registry

import (
	"context"
	"time"

	"github.com/villagepost/bianmin/ledger"
)

// Store is where a registry keeps its records: the embedded bbolt file
// of a regional post office (Open), or a PostgreSQL database shared by
// several post office servers (package registry/pgstore). A store only
// reads and writes; every rule (what is accepted, held, a fork, a
// replay, refused; what an enrolment, a rotation or a retirement must
// satisfy) is decided by Registry and Importer, once, for both.
//
// Every read outside Update sees a consistent state of the records it
// returns, not necessarily of the whole registry.
type Store interface {
	// Station returns the station enrolled as id; found is false if
	// there is none.
	Station(ctx context.Context, id string) (s Station, found bool, err error)
	// StationKeys returns what checking a file needs of a station: its
	// ID, Status, Key, Keys and, when it retired, Retirement.Day. A store
	// may leave the other fields zero.
	StationKeys(ctx context.Context, id string) (s Station, found bool, err error)
	// Stations returns every station, in order of id.
	Stations(ctx context.Context) ([]Station, error)
	// Days calls fn with each accepted day of the station from day from
	// to day to (inclusive, YYYY-MM-DD; "" for no bound), in order.
	Days(ctx context.Context, station, from, to string, fn func(Day) error) error
	// Day returns one accepted day.
	Day(ctx context.Context, station, day string) (d Day, found bool, err error)
	// DayFile returns the file of an accepted day as received; found
	// is false if none is kept for it.
	DayFile(ctx context.Context, station, day string) (file []byte, found bool, err error)
	// DayOf returns the accepted day whose entries include seq.
	DayOf(ctx context.Context, station string, seq uint64) (day string, found bool, err error)
	// Traces calls fn with the station's traces whose intent lies in
	// entries from to to (inclusive), in order.
	Traces(ctx context.Context, station string, from, to uint64, fn func(Trace) error) error
	// Evidence returns the forked files kept for a station, in any order.
	Evidence(ctx context.Context, station string) ([]Evidence, error)
	// DisputeEntries calls fn with the station's dispute entries, in
	// order of entry.
	DisputeEntries(ctx context.Context, station string, fn func(DisputeEntry) error) error
	// Decisions calls fn with the post office's decisions on a
	// station's disputes (station "": every station's, in order of
	// station), in order of dispute.
	Decisions(ctx context.Context, station string, fn func(Decision) error) error
	// Handovers returns the hand-over documents kept with the
	// retirements of the stations that successor took over from, in
	// order of the retired station's id.
	Handovers(ctx context.Context, successor string) ([]Handover, error)
	// HeldFiles returns the files of a station waiting for a missing day.
	HeldFiles(ctx context.Context, station string) ([][]byte, error)
	// Tariff returns the body of the tariff issued as version, as issued.
	Tariff(ctx context.Context, version string) (body []byte, found bool, err error)
	// Tariffs returns the versions issued, in order.
	Tariffs(ctx context.Context) ([]string, error)
	// StaffMember returns a staff account.
	StaffMember(ctx context.Context, id string) (s Staff, found bool, err error)
	// StaffList returns every staff account, in order of id.
	StaffList(ctx context.Context) ([]Staff, error)
	// Reconciliations returns the business days reconciled, in order.
	Reconciliations(ctx context.Context) ([]Reconciliation, error)
	// Exceptions returns what the last reconciliation of each day from
	// from to to (inclusive, YYYY-MM-DD) found, of one station or of all
	// (station ""), in order of day and then as the reconciliation
	// listed them.
	Exceptions(ctx context.Context, station, from, to string) ([]Exception, error)

	// Update runs fn in one write transaction: everything it writes is
	// recorded, or nothing when it returns an error. On a shared
	// database fn may be run again after a serialization failure or a
	// deadlock, so it must do nothing outside tx that cannot be done
	// twice.
	Update(ctx context.Context, fn func(tx Tx) error) error
	// MaxGroup is how many files an import may decide in one
	// transaction: many on an embedded file (one pair of syncs for the
	// group), one on a shared database (one file, one transaction, one
	// station row locked).
	MaxGroup() int
	// Close releases the store.
	Close() error
}

// Tx is one write transaction of a Store. Its reads see its own writes.
type Tx interface {
	// Station reads a station to change it. On a shared database the
	// station is locked until the transaction ends: two servers
	// importing the same station's files take turns.
	Station(id string) (s Station, found bool, err error)
	// AddStation records a new station; added is false (and nothing
	// written) if one by that id exists.
	AddStation(s *Station) (added bool, err error)
	// PutStation writes a station read with Station.
	PutStation(s *Station) error
	// File says what became of a file before, by its SHA-256.
	File(station, sha string) (fr FileRecord, found bool, err error)
	// PutFile records what became of a file.
	PutFile(sha string, fr FileRecord) error
	// Day returns one accepted day.
	Day(station, day string) (d Day, found bool, err error)
	// AddDay records an accepted day.
	AddDay(d *Day) error
	// PutDayFile keeps the file of an accepted day as received, unless
	// one is kept for the day already.
	PutDayFile(station, day string, file []byte) error
	// Trace returns the trace of the station's intent entry seq, or nil.
	Trace(station string, seq uint64) (*Trace, error)
	// PutTraces records the traces of a day: added ones are new,
	// changed ones were read with Trace.
	PutTraces(station string, added, changed []*Trace) error
	// DisputeEntry returns the station's dispute entry seq, or nil.
	DisputeEntry(station string, seq uint64) (*DisputeEntry, error)
	// PutDisputeEntries records dispute entries, new or read with
	// DisputeEntry and changed.
	PutDisputeEntries(station string, list []*DisputeEntry) error
	// AddDecision records a decision on a dispute unless one is
	// recorded: then it returns that one, and writes nothing.
	AddDecision(d Decision) (first *Decision, err error)
	// AddHeld keeps a verified file that waits for the days before it.
	AddHeld(station, sha string, prev ledger.Checkpoint, file []byte) error
	// DeleteHeld removes a held file; found says it was there.
	DeleteHeld(station, sha string) (found bool, err error)
	// AddEvidence keeps a forked file.
	AddEvidence(e *Evidence) error
	// Evidence returns the forked files kept for a station.
	Evidence(station string) ([]Evidence, error)
	// AddStaff records an account; added is false if the id is taken.
	AddStaff(s *Staff) (added bool, err error)
	// IssueTariff records a tariff's body under its version unless one
	// is there: then it returns that one's body, and writes nothing.
	IssueTariff(version string, body []byte) (existing []byte, err error)
	// PutReconciliation records a day's reconciliation and what it
	// found, in place of an earlier one of the same day.
	PutReconciliation(r Reconciliation, found []Exception) error
}

// Nonces is a store that keeps the nonces of the station API's signed
// requests, so that every post office server sharing it refuses a
// request that another one already took. A store several servers cannot
// share (the bbolt file) need not keep them: a server then remembers
// them itself.
type Nonces interface {
	// AddNonce records the station's nonce until until and says whether
	// it was new. Nonces whose time is past now may be forgotten.
	AddNonce(ctx context.Context, station, nonce string, until, now time.Time) (fresh bool, err error)
}

// Package registry is the regional post office's record of its stations:
// who runs each one, the key that signs its files, its deposit and
// tariff, every day file the post office accepted from it, what each of
// its requests asked of the hosts, and the evidence of anything that did
// not fit (a forked day, a file waiting for a missing one). It lives in
// one bbolt file in the post office's folder (Open), or in a PostgreSQL
// database that several post office servers share (package
// registry/pgstore); both are a Store, and the rules here decide for
// both.
//
// The registry trusts nothing a station sends: a file is accepted only
// if the settlement reader verifies it with the enrolled key and it
// extends, entry for entry, the last day the post office acknowledged.
package registry

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/settlement"
)

// Statuses of a station.
const (
	Active  = "active"
	Retired = "retired"
)

// Station is one enrolled station as the post office knows it.
type Station struct {
	ID         string          `json:"id"`
	Franchisee string          `json:"franchisee"`
	Deposit    decimal.Decimal `json:"deposit"`
	Tariff     string          `json:"tariff"`   // the version of the tariff issued to it
	Key        string          `json:"key"`      // its note verifier key in force (T0001+hash+key)
	Keys       []KeyChange     `json:"keys"`     // every key it has had, the enrolled one first
	Zone       string          `json:"zone"`     // from its first file; "" until then
	Enrolled   time.Time       `json:"enrolled"` // UTC
	Status     string          `json:"status"`
	Forks      int             `json:"forks"` // forked files kept as evidence: the station is flagged
	Held       int             `json:"held"`  // files waiting for a missing day

	// Last is the last entry of the last accepted day: every accepted
	// file was acknowledged, so it is also the last acknowledged
	// checkpoint, and the next file must start right after it.
	Last    ledger.Checkpoint `json:"last"`
	LastDay string            `json:"last_day,omitempty"`
	// Close holds the figures of the last accepted day, to check the
	// next day follows on (cash, debt, grand totals).
	Close *settlement.Close `json:"close,omitempty"`

	Retirement *Retirement `json:"retirement,omitempty"`
}

// Flagged says the station sent something that contradicts what the post
// office acknowledged: someone must look at the evidence.
func (s *Station) Flagged() bool { return s.Forks > 0 }

// KeyChange is a key a station signs with, from a given entry on.
type KeyChange struct {
	Key   string    `json:"key"`
	From  uint64    `json:"from"`            // the first entry signed with it
	Vouch []byte    `json:"vouch,omitempty"` // the old key's signed word for it
	At    time.Time `json:"at"`
}

// Day is one accepted day file.
type Day struct {
	Station  string            `json:"station"`
	Day      string            `json:"day"`
	Prev     ledger.Checkpoint `json:"prev"`
	Last     ledger.Checkpoint `json:"last"` // the day_close
	Entries  int               `json:"entries"`
	SHA256   string            `json:"sha256"`
	Close    settlement.Close  `json:"close"`
	Imported time.Time         `json:"imported"`
	Ack      []byte            `json:"ack"` // the acknowledgement the post office signed
}

// First is the day's first entry.
func (d *Day) First() uint64 { return d.Prev.Seq + 1 }

// FileRecord says what became of a file, by its SHA-256, so that the same
// file again changes nothing.
type FileRecord struct {
	Station string `json:"station"`
	Day     string `json:"day"`
	Status  string `json:"status"` // accepted, held, fork
}

// Evidence is a file that forks from what the post office acknowledged,
// kept with why.
type Evidence struct {
	Station  string    `json:"station"`
	Day      string    `json:"day"`
	SHA256   string    `json:"sha256"`
	Reason   string    `json:"reason"`
	Received time.Time `json:"received"`
	File     []byte    `json:"file"`
}

// Registry is the post office's registry: its rules over a Store.
type Registry struct {
	store   Store
	now     func() time.Time
	tariffs sync.Map // version → *tariff.Tariff, read once
}

// Options tune Open and New. The zero value (or nil) is the real thing.
type Options struct {
	Now    func() time.Time // the clock; time.Now if nil
	NoSync bool             // Open: skip fsync (benchmarks building a region)
	// Checked says the file's pages were checked at an earlier open by
	// this process (a server opens the file for each request): Open does
	// not read the whole file again.
	Checked bool
}

// Open opens (creating if need be) the registry in the bbolt file at
// path.
func Open(path string, o *Options) (*Registry, error) {
	if o == nil {
		o = &Options{}
	}
	st, err := openBolt(path, o.NoSync, !o.Checked)
	if err != nil {
		return nil, err
	}
	return New(st, o), nil
}

// New returns the registry kept in store. Closing the registry closes
// the store.
func New(store Store, o *Options) *Registry {
	r := &Registry{store: store}
	if o != nil {
		r.now = o.Now
	}
	if r.now == nil {
		r.now = time.Now
	}
	return r
}

// Store returns the store the registry keeps its records in.
func (r *Registry) Store() Store { return r.store }

// Close closes the registry.
func (r *Registry) Close() error { return r.store.Close() }

// stamp is the registry's time for a record: UTC, to the microsecond,
// which is what every store keeps exactly.
func (r *Registry) stamp() time.Time { return r.now().UTC().Truncate(time.Microsecond) }

// Error is a refusal: what was refused, which field or rule, and why.
type Error struct {
	Kind    string // one of the Err… kinds below
	Station string
	Detail  string
	Err     error // the reader's own error, when there is one
}

// Kinds of Error.
const (
	ErrUnknownStation = "unknown_station" // no station enrolled by that id
	ErrRetired        = "retired"         // the station has left; no file is accepted
	ErrExists         = "exists"          // a station by that id is enrolled already
	ErrInput          = "input"           // a field of a command is wrong
	ErrWrongKey       = "wrong_key"       // the file is signed with a key not enrolled for the station
	ErrBadFile        = "bad_file"        // the file does not read or verify
	ErrFuture         = "future"          // the file is for a day that has not come yet
	ErrChain          = "chain"           // the file does not extend what was acknowledged
	ErrOpen           = "open"            // the station has files waiting or forks unresolved
	ErrCharges        = "charges"         // a fee, commission or price is not the tariff's
)

func (e *Error) Error() string {
	s := "registry: " + e.Kind
	if e.Station != "" {
		s += ": station " + e.Station
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

func refuse(kind, station, format string, args ...any) *Error {
	return &Error{Kind: kind, Station: station, Detail: fmt.Sprintf(format, args...)}
}

func unknownStation(id string) error {
	return refuse(ErrUnknownStation, id, "no station %s is enrolled", id)
}

// Station returns the station enrolled as id.
func (r *Registry) Station(ctx context.Context, id string) (Station, error) {
	s, found, err := r.store.Station(ctx, id)
	if err == nil && !found {
		err = unknownStation(id)
	}
	return s, err
}

// Stations returns every enrolled station, in order of id.
func (r *Registry) Stations(ctx context.Context) ([]Station, error) {
	return r.store.Stations(ctx)
}

// Days calls fn with each accepted day of the station from day from to day
// to (inclusive, YYYY-MM-DD; "" for no bound), in order.
func (r *Registry) Days(ctx context.Context, station, from, to string, fn func(Day) error) error {
	if _, err := r.Station(ctx, station); err != nil {
		return err
	}
	return r.store.Days(ctx, station, from, to, fn)
}

// Day returns one accepted day of a station; found is false if there is none.
func (r *Registry) Day(ctx context.Context, station, day string) (d Day, found bool, err error) {
	return r.store.Day(ctx, station, day)
}

// Evidence returns the fork evidence kept for a station, oldest first.
func (r *Registry) Evidence(ctx context.Context, station string) ([]Evidence, error) {
	list, err := r.store.Evidence(ctx, station)
	sort.SliceStable(list, func(i, j int) bool { return list[i].Received.Before(list[j].Received) })
	return list, err
}

// Package registry is the regional post office's record of its stations:
// who runs each one, the key that signs its files, its deposit and
// tariff, every day file the post office accepted from it, what each of
// its requests asked of the hosts, and the evidence of anything that did
// not fit (a forked day, a file waiting for a missing one). It lives in
// one bbolt file in the post office's folder.
//
// The registry trusts nothing a station sends: a file is accepted only
// if the settlement reader verifies it with the enrolled key and it
// extends, entry for entry, the last day the post office acknowledged.
package registry

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/settlement"
	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Buckets. Those marked per station hold one nested bucket per station id.
var (
	bStations = []byte("stations") // id → Station (JSON)
	bDays     = []byte("days")     // per station: day (YYYY-MM-DD) → Day (JSON)
	bRanges   = []byte("ranges")   // per station: last entry (big-endian) → day
	bTraces   = []byte("traces")   // per station: intent entry (big-endian) → Trace (JSON)
	bFiles    = []byte("files")    // SHA-256 of a file → FileRecord (JSON)
	bHeld     = []byte("held")     // per station: SHA-256 → a verified file waiting for the days before it
	bEvidence = []byte("evidence") // per station: SHA-256 → Evidence (JSON): a fork, kept
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

// Registry is the post office's registry, open on its bbolt file.
type Registry struct {
	db      *bolt.DB
	now     func() time.Time
	tariffs sync.Map // version → *tariff.Tariff, read once
}

// Options tune Open. The zero value (or nil) is the real thing.
type Options struct {
	Now    func() time.Time // the clock; time.Now if nil
	NoSync bool             // skip fsync (benchmarks building a region)
}

// ErrInUse means another program holds the registry open.
var ErrInUse = errors.New("registry: the registry is in use by another postoffice program")

// Open opens (creating if need be) the registry at path.
func Open(path string, o *Options) (*Registry, error) {
	if o == nil {
		o = &Options{}
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second, NoSync: o.NoSync})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, ErrInUse
	}
	if err != nil {
		return nil, fmt.Errorf("registry: open %s: %w", path, err)
	}
	// The buckets are made once; a registry that has them is opened
	// without a write (a server opens it for every request).
	buckets := [][]byte{bStations, bDays, bRanges, bTraces, bFiles, bHeld, bEvidence, bTariffs}
	missing := false
	err = db.View(func(tx *bolt.Tx) error {
		for _, b := range buckets {
			missing = missing || tx.Bucket(b) == nil
		}
		return nil
	})
	if err == nil && missing {
		err = db.Update(func(tx *bolt.Tx) error {
			for _, b := range buckets {
				if _, err := tx.CreateBucketIfNotExists(b); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("registry: open %s: %w", path, err)
	}
	r := &Registry{db: db, now: o.Now}
	if r.now == nil {
		r.now = time.Now
	}
	return r, nil
}

// Close closes the registry.
func (r *Registry) Close() error { return r.db.Close() }

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

// Station returns the station enrolled as id.
func (r *Registry) Station(id string) (Station, error) {
	var s Station
	err := r.db.View(func(tx *bolt.Tx) error {
		var err error
		s, err = getStation(tx, id)
		return err
	})
	return s, err
}

// Stations returns every enrolled station, in order of id.
func (r *Registry) Stations() ([]Station, error) {
	var list []Station
	err := r.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bStations).ForEach(func(k, v []byte) error {
			var s Station
			if err := json.Unmarshal(v, &s); err != nil {
				return fmt.Errorf("registry: station %s: %w", k, err)
			}
			list = append(list, s)
			return nil
		})
	})
	sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	return list, err
}

func getStation(tx *bolt.Tx, id string) (Station, error) {
	var s Station
	v := tx.Bucket(bStations).Get([]byte(id))
	if v == nil {
		return s, refuse(ErrUnknownStation, id, "no station %s is enrolled", id)
	}
	if err := json.Unmarshal(v, &s); err != nil {
		return s, fmt.Errorf("registry: station %s: %w", id, err)
	}
	return s, nil
}

func putStation(tx *bolt.Tx, s *Station) error { return putJSON(tx.Bucket(bStations), []byte(s.ID), s) }

func putJSON(b *bolt.Bucket, k []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(k, data)
}

// sub returns the station's nested bucket in top, creating it if need be.
func sub(tx *bolt.Tx, top []byte, station string) (*bolt.Bucket, error) {
	return tx.Bucket(top).CreateBucketIfNotExists([]byte(station))
}

// subView returns the station's nested bucket in top, or nil.
func subView(tx *bolt.Tx, top []byte, station string) *bolt.Bucket {
	return tx.Bucket(top).Bucket([]byte(station))
}

func u64(n uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	return b[:]
}

// Days calls fn with each accepted day of the station from day from to day
// to (inclusive, YYYY-MM-DD; "" for no bound), in order.
func (r *Registry) Days(station, from, to string, fn func(Day) error) error {
	return r.db.View(func(tx *bolt.Tx) error {
		if _, err := getStation(tx, station); err != nil {
			return err
		}
		b := subView(tx, bDays, station)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Seek([]byte(from)); k != nil && (to == "" || string(k) <= to); k, v = c.Next() {
			var d Day
			if err := json.Unmarshal(v, &d); err != nil {
				return fmt.Errorf("registry: %s day %s: %w", station, k, err)
			}
			if err := fn(d); err != nil {
				return err
			}
		}
		return nil
	})
}

// Day returns one accepted day of a station; found is false if there is none.
func (r *Registry) Day(station, day string) (d Day, found bool, err error) {
	err = r.db.View(func(tx *bolt.Tx) error {
		b := subView(tx, bDays, station)
		if b == nil {
			return nil
		}
		v := b.Get([]byte(day))
		if v == nil {
			return nil
		}
		found = true
		return json.Unmarshal(v, &d)
	})
	return d, found, err
}

// Evidence returns the fork evidence kept for a station.
func (r *Registry) Evidence(station string) ([]Evidence, error) {
	var list []Evidence
	err := r.db.View(func(tx *bolt.Tx) error {
		b := subView(tx, bEvidence, station)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var e Evidence
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			list = append(list, e)
			return nil
		})
	})
	sort.Slice(list, func(i, j int) bool { return list[i].Received.Before(list[j].Received) })
	return list, err
}

package registry

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/villagepost/bianmin/internal/boltcheck"
	"github.com/villagepost/bianmin/ledger"
	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// The bbolt file's buckets. Those marked per station hold one nested
// bucket per station id. The layout is the registry.db every regional
// post office has; it does not change.
var (
	bStations = []byte("stations") // id → Station (JSON)
	bDays     = []byte("days")     // per station: day (YYYY-MM-DD) → Day (JSON)
	bRanges   = []byte("ranges")   // per station: last entry (big-endian) → day
	bTraces   = []byte("traces")   // per station: intent entry (big-endian) → Trace (JSON)
	bFiles    = []byte("files")    // SHA-256 of a file → FileRecord (JSON)
	bHeld     = []byte("held")     // per station: SHA-256 → a verified file waiting for the days before it
	bEvidence = []byte("evidence") // per station: SHA-256 → Evidence (JSON): a fork, kept
	bTariffs  = []byte("tariffs")  // version → its body (JSON), as signed
	bStaff    = []byte("staff")    // id → Staff (JSON)
	// day (YYYY-MM-DD) → Reconciliation (JSON); under it, a nested
	// bucket of the day's exceptions: position (big-endian) → Exception
	// (JSON).
	bReconciled = []byte("reconciled")
)

// ErrInUse means another program holds the registry open.
var ErrInUse = errors.New("registry: the registry is in use by another postoffice program")

// boltStore is the registry in one bbolt file.
type boltStore struct {
	db *bolt.DB
}

// OpenBolt opens (creating if need be) the bbolt store at path.
func OpenBolt(path string, noSync bool) (Store, error) { return openBolt(path, noSync, true) }

// DamagedError says the registry's file is damaged: its pages do not hold
// together, so bbolt would misread them (or stop the program).
type DamagedError struct {
	Path string
	Err  error
}

func (e *DamagedError) Error() string { return "registry: " + e.Path + " is damaged: " + e.Err.Error() }

func (e *DamagedError) Unwrap() error { return e.Err }

// openBolt opens the bbolt file at path; check first checks its pages
// (package boltcheck), reading the whole file.
func openBolt(path string, noSync, check bool) (Store, error) {
	if check {
		if err := boltcheck.Freelist(path); err != nil {
			return nil, &DamagedError{Path: path, Err: err}
		}
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second, NoSync: noSync})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, ErrInUse
	}
	if err != nil {
		return nil, fmt.Errorf("registry: open %s: %w", path, err)
	}
	// Now that the file is locked, and before anything reads its pages.
	if check {
		if err := boltcheck.Tree(path, db.Info().PageSize); err != nil {
			db.Close()
			return nil, &DamagedError{Path: path, Err: err}
		}
	}
	// The buckets are made once; a registry that has them is opened
	// without a write (a server opens it for every request).
	buckets := [][]byte{bStations, bDays, bRanges, bTraces, bFiles, bHeld, bEvidence, bTariffs, bReconciled}
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
	return &boltStore{db: db}, nil
}

func (b *boltStore) Close() error { return b.db.Close() }

func (b *boltStore) MaxGroup() int { return MaxGroup }

func (b *boltStore) Update(ctx context.Context, fn func(Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return b.db.Update(func(tx *bolt.Tx) error { return fn(&boltTx{tx}) })
}

// view runs fn in a read transaction, unless ctx has ended.
func (b *boltStore) view(ctx context.Context, fn func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return b.db.View(fn)
}

func getStation(tx *bolt.Tx, id string) (Station, bool, error) {
	var s Station
	v := tx.Bucket(bStations).Get([]byte(id))
	if v == nil {
		return s, false, nil
	}
	if err := json.Unmarshal(v, &s); err != nil {
		return s, false, fmt.Errorf("registry: station %s: %w", id, err)
	}
	return s, true, nil
}

func (b *boltStore) Station(ctx context.Context, id string) (s Station, found bool, err error) {
	err = b.view(ctx, func(tx *bolt.Tx) error {
		s, found, err = getStation(tx, id)
		return err
	})
	return s, found, err
}

// StationKeys skips decoding the rest of the record (the last day's
// figures), which checking a file would do for every file.
func (b *boltStore) StationKeys(ctx context.Context, id string) (Station, bool, error) {
	var view struct {
		ID         string      `json:"id"`
		Status     string      `json:"status"`
		Key        string      `json:"key"`
		Keys       []KeyChange `json:"keys"`
		Retirement *struct {
			Day string `json:"day"`
		} `json:"retirement"`
	}
	found := false
	err := b.view(ctx, func(tx *bolt.Tx) error {
		v := tx.Bucket(bStations).Get([]byte(id))
		if v == nil {
			return nil
		}
		found = true
		if err := json.Unmarshal(v, &view); err != nil {
			return fmt.Errorf("registry: station %s: %w", id, err)
		}
		return nil
	})
	if err != nil || !found {
		return Station{}, false, err
	}
	s := Station{ID: view.ID, Status: view.Status, Key: view.Key, Keys: view.Keys}
	if view.Retirement != nil {
		s.Retirement = &Retirement{Day: view.Retirement.Day}
	}
	return s, true, nil
}

func (b *boltStore) Stations(ctx context.Context) ([]Station, error) {
	var list []Station
	err := b.view(ctx, func(tx *bolt.Tx) error {
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

func (b *boltStore) Days(ctx context.Context, station, from, to string, fn func(Day) error) error {
	return b.view(ctx, func(tx *bolt.Tx) error {
		days := subView(tx, bDays, station)
		if days == nil {
			return nil
		}
		c := days.Cursor()
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

func (b *boltStore) Day(ctx context.Context, station, day string) (d Day, found bool, err error) {
	err = b.view(ctx, func(tx *bolt.Tx) error {
		d, found, err = getDay(tx, station, day)
		return err
	})
	return d, found, err
}

func getDay(tx *bolt.Tx, station, day string) (Day, bool, error) {
	var d Day
	days := subView(tx, bDays, station)
	if days == nil {
		return d, false, nil
	}
	v := days.Get([]byte(day))
	if v == nil {
		return d, false, nil
	}
	if err := json.Unmarshal(v, &d); err != nil {
		return d, false, fmt.Errorf("registry: %s day %s: %w", station, day, err)
	}
	return d, true, nil
}

func (b *boltStore) DayOf(ctx context.Context, station string, seq uint64) (day string, found bool, err error) {
	err = b.view(ctx, func(tx *bolt.Tx) error {
		ranges := subView(tx, bRanges, station)
		if ranges == nil {
			return nil
		}
		k, v := ranges.Cursor().Seek(u64(seq))
		if k == nil {
			return nil
		}
		rec, ok, err := getDay(tx, station, string(v))
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("registry: %s: range of a day %s not recorded", station, v)
		}
		if rec.First() <= seq {
			day, found = rec.Day, true
		}
		return nil
	})
	return day, found, err
}

func (b *boltStore) Traces(ctx context.Context, station string, from, to uint64, fn func(Trace) error) error {
	return b.view(ctx, func(tx *bolt.Tx) error {
		traces := subView(tx, bTraces, station)
		if traces == nil {
			return nil
		}
		c := traces.Cursor()
		for k, v := c.Seek(u64(from)); k != nil; k, v = c.Next() {
			var t Trace
			if err := json.Unmarshal(v, &t); err != nil {
				return fmt.Errorf("registry: %s trace %x: %w", station, k, err)
			}
			if t.Seq > to {
				return nil
			}
			if err := fn(t); err != nil {
				return err
			}
		}
		return nil
	})
}

func (b *boltStore) Evidence(ctx context.Context, station string) ([]Evidence, error) {
	var list []Evidence
	err := b.view(ctx, func(tx *bolt.Tx) (err error) {
		list, err = evidenceOf(tx, station)
		return err
	})
	return list, err
}

func evidenceOf(tx *bolt.Tx, station string) ([]Evidence, error) {
	var list []Evidence
	ev := subView(tx, bEvidence, station)
	if ev == nil {
		return nil, nil
	}
	err := ev.ForEach(func(k, v []byte) error {
		var e Evidence
		if err := json.Unmarshal(v, &e); err != nil {
			return fmt.Errorf("registry: %s evidence %s: %w", station, k, err)
		}
		list = append(list, e)
		return nil
	})
	return list, err
}

func (b *boltStore) HeldFiles(ctx context.Context, station string) ([][]byte, error) {
	var files [][]byte
	err := b.view(ctx, func(tx *bolt.Tx) error {
		held := subView(tx, bHeld, station)
		if held == nil {
			return nil
		}
		return held.ForEach(func(_, v []byte) error {
			files = append(files, bytes.Clone(v))
			return nil
		})
	})
	return files, err
}

func (b *boltStore) Tariff(ctx context.Context, version string) (body []byte, found bool, err error) {
	err = b.view(ctx, func(tx *bolt.Tx) error {
		if t := tx.Bucket(bTariffs); t != nil {
			body = bytes.Clone(t.Get([]byte(version)))
		}
		return nil
	})
	return body, body != nil, err
}

func (b *boltStore) Tariffs(ctx context.Context) ([]string, error) {
	var list []string
	err := b.view(ctx, func(tx *bolt.Tx) error {
		t := tx.Bucket(bTariffs)
		if t == nil {
			return nil
		}
		return t.ForEach(func(k, _ []byte) error {
			list = append(list, string(k))
			return nil
		})
	})
	return list, err
}

func (b *boltStore) StaffMember(ctx context.Context, id string) (s Staff, found bool, err error) {
	err = b.view(ctx, func(tx *bolt.Tx) error {
		var v []byte
		if st := tx.Bucket(bStaff); st != nil {
			v = st.Get([]byte(id))
		}
		if v == nil {
			return nil
		}
		found = true
		if err := json.Unmarshal(v, &s); err != nil {
			return fmt.Errorf("registry: staff %s: %w", id, err)
		}
		return nil
	})
	return s, found, err
}

func (b *boltStore) StaffList(ctx context.Context) ([]Staff, error) {
	var list []Staff
	err := b.view(ctx, func(tx *bolt.Tx) error {
		st := tx.Bucket(bStaff)
		if st == nil {
			return nil
		}
		return st.ForEach(func(k, v []byte) error {
			var s Staff
			if err := json.Unmarshal(v, &s); err != nil {
				return fmt.Errorf("registry: staff %s: %w", k, err)
			}
			list = append(list, s)
			return nil
		})
	})
	return list, err
}

// boltTx is one bbolt write transaction.
type boltTx struct {
	tx *bolt.Tx
}

func (t *boltTx) Station(id string) (Station, bool, error) { return getStation(t.tx, id) }

func (t *boltTx) AddStation(s *Station) (bool, error) {
	if t.tx.Bucket(bStations).Get([]byte(s.ID)) != nil {
		return false, nil
	}
	return true, t.PutStation(s)
}

func (t *boltTx) PutStation(s *Station) error {
	return putJSON(t.tx.Bucket(bStations), []byte(s.ID), s)
}

func (t *boltTx) File(_, sha string) (FileRecord, bool, error) {
	var fr FileRecord
	v := t.tx.Bucket(bFiles).Get([]byte(sha))
	if v == nil {
		return fr, false, nil
	}
	if err := json.Unmarshal(v, &fr); err != nil {
		return fr, false, fmt.Errorf("registry: file %s: %w", sha, err)
	}
	return fr, true, nil
}

func (t *boltTx) PutFile(sha string, fr FileRecord) error {
	return putJSON(t.tx.Bucket(bFiles), []byte(sha), fr)
}

func (t *boltTx) Day(station, day string) (Day, bool, error) { return getDay(t.tx, station, day) }

func (t *boltTx) AddDay(d *Day) error {
	days, err := sub(t.tx, bDays, d.Station)
	if err != nil {
		return err
	}
	if err := putJSON(days, []byte(d.Day), d); err != nil {
		return err
	}
	ranges, err := sub(t.tx, bRanges, d.Station)
	if err != nil {
		return err
	}
	return ranges.Put(u64(d.Last.Seq), []byte(d.Day))
}

func (t *boltTx) Trace(station string, seq uint64) (*Trace, error) {
	traces := subView(t.tx, bTraces, station)
	if traces == nil {
		return nil, nil
	}
	v := traces.Get(u64(seq))
	if v == nil {
		return nil, nil
	}
	var tr Trace
	if err := json.Unmarshal(v, &tr); err != nil {
		return nil, fmt.Errorf("registry: trace %s: %w", TraceOf(station, seq), err)
	}
	return &tr, nil
}

func (t *boltTx) PutTraces(station string, added, changed []*Trace) error {
	traces, err := sub(t.tx, bTraces, station)
	if err != nil {
		return err
	}
	for _, list := range [][]*Trace{added, changed} {
		for _, tr := range list {
			if err := putJSON(traces, u64(tr.Seq), tr); err != nil {
				return err
			}
		}
	}
	return nil
}

func (t *boltTx) AddHeld(station, sha string, _ ledger.Checkpoint, file []byte) error {
	held, err := sub(t.tx, bHeld, station)
	if err != nil {
		return err
	}
	return held.Put([]byte(sha), file)
}

func (t *boltTx) DeleteHeld(station, sha string) (bool, error) {
	held := subView(t.tx, bHeld, station)
	if held == nil || held.Get([]byte(sha)) == nil {
		return false, nil
	}
	return true, held.Delete([]byte(sha))
}

func (t *boltTx) AddEvidence(e *Evidence) error {
	ev, err := sub(t.tx, bEvidence, e.Station)
	if err != nil {
		return err
	}
	return putJSON(ev, []byte(e.SHA256), e)
}

func (t *boltTx) Evidence(station string) ([]Evidence, error) { return evidenceOf(t.tx, station) }

func (t *boltTx) AddStaff(s *Staff) (bool, error) {
	st, err := t.tx.CreateBucketIfNotExists(bStaff)
	if err != nil {
		return false, err
	}
	if st.Get([]byte(s.ID)) != nil {
		return false, nil
	}
	return true, putJSON(st, []byte(s.ID), s)
}

func (t *boltTx) IssueTariff(version string, body []byte) ([]byte, error) {
	tb, err := t.tx.CreateBucketIfNotExists(bTariffs)
	if err != nil {
		return nil, err
	}
	if old := tb.Get([]byte(version)); old != nil {
		return bytes.Clone(old), nil
	}
	return nil, tb.Put([]byte(version), body)
}

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

// Files lists every file record, by SHA-256.
func (b *boltStore) Files(ctx context.Context, fn func(sha string, fr FileRecord) error) error {
	return b.view(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(bFiles).ForEach(func(k, v []byte) error {
			var fr FileRecord
			if err := json.Unmarshal(v, &fr); err != nil {
				return fmt.Errorf("registry: file %s: %w", k, err)
			}
			return fn(string(k), fr)
		})
	})
}

func (b *boltStore) Reconciliations(ctx context.Context) ([]Reconciliation, error) {
	var list []Reconciliation
	err := b.view(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(bReconciled).ForEach(func(k, v []byte) error {
			if v == nil {
				return nil // a day's exceptions
			}
			var r Reconciliation
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("registry: reconciliation of %s: %w", k, err)
			}
			list = append(list, r)
			return nil
		})
	})
	return list, err
}

func (b *boltStore) Exceptions(ctx context.Context, station, from, to string) ([]Exception, error) {
	var list []Exception
	err := b.view(ctx, func(tx *bolt.Tx) error {
		top := tx.Bucket(bReconciled)
		c := top.Cursor()
		for k, v := c.Seek([]byte(exceptionsKey(from))); k != nil && string(k) <= exceptionsKey(to); k, v = c.Next() {
			if v != nil {
				continue
			}
			err := top.Bucket(k).ForEach(func(_, v []byte) error {
				var e Exception
				if err := json.Unmarshal(v, &e); err != nil {
					return fmt.Errorf("registry: exceptions of %s: %w", k, err)
				}
				if station == "" || e.Station == station {
					list = append(list, e)
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	return list, err
}

// exceptionsKey names the nested bucket of a day's exceptions: it sorts
// right after the day's reconciliation.
func exceptionsKey(day string) string { return day + "/exceptions" }

func (t *boltTx) PutReconciliation(r Reconciliation, found []Exception) error {
	top := t.tx.Bucket(bReconciled)
	key := []byte(exceptionsKey(r.Day))
	if top.Bucket(key) != nil {
		if err := top.DeleteBucket(key); err != nil {
			return err
		}
	}
	list, err := top.CreateBucket(key)
	if err != nil {
		return err
	}
	for i := range found {
		if err := putJSON(list, u64(uint64(i)), &found[i]); err != nil {
			return err
		}
	}
	return putJSON(top, []byte(r.Day), &r)
}

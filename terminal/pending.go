package terminal

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"time"

	"github.com/villagepost/bianmin/internal/boltcheck"
	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// What must still happen to a pending item.
const (
	// PendingUnknown: the request was (or may have been) sent and no answer
	// came back. Ask the host its status; then complete, fail or reverse.
	PendingUnknown = "unknown"
	// PendingReverse: a reversal (冲正) must reach the host and be
	// acknowledged.
	PendingReverse = "reverse"
	// PendingForward: a queued payment, accepted offline and paid for in
	// cash, waits to be forwarded to its biller.
	PendingForward = "forward"
	// PendingWaitlist: a ticket order on the carrier's waiting list, paid
	// for in cash; ask the carrier until it issues the ticket or refuses.
	PendingWaitlist = "waitlist"
)

// PendingItem is a request whose outcome the station does not know yet, or
// a reversal, queued payment or waitlisted order still to be settled. It
// holds no card number, PIN or ID number: what is re-sent later never
// needs them.
type PendingItem struct {
	Intent    uint64      `json:"intent"` // sequence number of the intent entry
	Trace     string      `json:"trace"`
	State     string      `json:"state"`
	Request   HostRequest `json:"request"` // Card, PIN and ID number always empty
	Since     time.Time   `json:"since"`
	ConfirmBy time.Time   `json:"confirm_by,omitzero"` // forward: promised on the receipt
	Attempts  int         `json:"attempts"`
	LastError string      `json:"last_error,omitempty"`
	// MaybeSent: a queued payment was sent to its biller at least once
	// without a clear answer (or the program stopped while it was being
	// sent), so the biller may have it. It can no longer be voided at the
	// counter until the biller's answer is known.
	MaybeSent bool `json:"maybe_sent,omitempty"`
}

// HostName says which host a service goes to: the bank, a biller or a
// carrier. A reversal to a host is delivered before the next request to it.
func HostName(service string) string {
	switch service {
	case SvcWithdrawal, SvcBalanceInquiry:
		return "bank"
	case SvcBillPayment, SvcTopup:
		return "biller"
	case SvcTicketOrder, SvcTicketCancel:
		return "carrier"
	case SvcPolicyIssue, SvcPolicyCancel:
		return "insurer"
	case SvcSIMSale:
		return "telecom"
	case SvcContribution:
		return "social"
	}
	return service
}

var (
	bucketPending = []byte("pending")
	bucketMeta    = []byte("meta")
	metaScanned   = []byte("scanned") // ledger seq through which intents were looked for
	metaDigest    = []byte("digest")  // SHA-256 of every item, written with each change
)

// Pending is the durable store of pending items, a bbolt file next to the
// ledger. It is a working list, not a record: the ledger holds every intent
// and outcome, and Recover rebuilds any item a crash kept from being
// written here.
type Pending struct {
	db    *bolt.DB
	path  string
	shown *shownLog

	// BeforeWrite, if set, is called before every write to the store
	// (op is "put", "remove" or "scanned"); an error it returns is the
	// write's error and the write does not happen. Tests use it to model
	// a full disk or a crash between two writes.
	BeforeWrite func(op string, intent uint64) error
}

func (p *Pending) before(op string, intent uint64) error {
	if p.BeforeWrite == nil {
		return nil
	}
	return p.BeforeWrite(op, intent)
}

// OpenPending opens (or creates) the pending store at path. A store that
// bbolt cannot read, or that lost its list of items, is refused with a
// DamagedPendingError.
func OpenPending(path string) (p *Pending, err error) {
	// An empty file is one a crash cut short as it was created.
	fi, statErr := os.Stat(path)
	existed := statErr == nil && fi.Size() > 0
	p = &Pending{path: path, shown: &shownLog{path: shownLogPath(path)}}
	db, err := func() (db *bolt.DB, err error) {
		defer p.guard(&err)()
		if err := boltcheck.Freelist(path); err != nil {
			return nil, err
		}
		if db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second}); err != nil {
			return nil, err
		}
		// Locked now, and read before any transaction trusts its pages.
		if err := boltcheck.Tree(path, db.Info().PageSize); err != nil {
			db.Close()
			return nil, err
		}
		return db, nil
	}()
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("terminal: open pending store %s: %w", path, err)
	} else if err != nil {
		var dp *DamagedPendingError
		if !errors.As(err, &dp) {
			err = &DamagedPendingError{Path: path, Why: err.Error()}
		}
		return nil, err
	}
	p.db = db
	if existed {
		var lost bool
		if err := p.view(func(tx *bolt.Tx) error { lost = tx.Bucket(bucketPending) == nil; return nil }); err != nil || lost {
			db.Close()
			if err == nil {
				err = &DamagedPendingError{Path: path, Why: "its list of items is missing"}
			}
			return nil, err
		}
	}
	if err := func() (err error) {
		defer p.guard(&err)()
		return ensureBuckets(db, bucketPending, bucketMeta)
	}(); err != nil {
		db.Close()
		var dp *DamagedPendingError
		if existed && !errors.As(err, &dp) {
			err = &DamagedPendingError{Path: path, Why: err.Error()}
		}
		return nil, fmt.Errorf("terminal: open pending store %s: %w", path, err)
	}
	return p, nil
}

// view and update run fn in a read or write transaction. bbolt panics on
// some damaged pages, and a truncated file faults its mapping: either is
// a DamagedPendingError, never a crash.
func (p *Pending) view(fn func(*bolt.Tx) error) (err error) {
	defer p.guard(&err)()
	return p.db.View(fn)
}

func (p *Pending) update(fn func(*bolt.Tx) error) (err error) {
	defer p.guard(&err)()
	return p.db.Update(fn)
}

func (p *Pending) guard(err *error) func() {
	old := debug.SetPanicOnFault(true)
	return func() {
		debug.SetPanicOnFault(old)
		if r := recover(); r != nil {
			*err = &DamagedPendingError{Path: p.path, Why: fmt.Sprint(r)}
		}
	}
}

// Close closes the store.
func (p *Pending) Close() error { return p.db.Close() }

// ensureBuckets creates the buckets a store needs, writing (and so
// syncing) only when one is missing: opening a store that has them
// writes nothing.
func ensureBuckets(db *bolt.DB, names ...[]byte) error {
	missing := false
	err := db.View(func(tx *bolt.Tx) error {
		for _, b := range names {
			if tx.Bucket(b) == nil {
				missing = true
			}
		}
		return nil
	})
	if err != nil || !missing {
		return err
	}
	return db.Update(func(tx *bolt.Tx) error {
		for _, b := range names {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
}

func intentKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

// Put stores or replaces an item.
func (p *Pending) Put(it PendingItem) error {
	it.Request.Card, it.Request.PIN = "", ""
	if t := it.Request.Ticket; t != nil && t.IDNumber != "" {
		c := *t
		c.IDNumber = ""
		it.Request.Ticket = &c
	}
	if pd := it.Request.Policy; pd != nil && pd.IDNumber != "" {
		c := *pd
		c.IDNumber = ""
		it.Request.Policy = &c
	}
	if cd := it.Request.Contribution; cd != nil && cd.IDNumber != "" {
		c := *cd
		c.IDNumber = ""
		it.Request.Contribution = &c
	}
	v, err := json.Marshal(it)
	if err != nil {
		return err
	}
	if err := p.before("put", it.Intent); err != nil {
		return err
	}
	return p.update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketPending).Put(intentKey(it.Intent), v); err != nil {
			return err
		}
		return putDigest(tx)
	})
}

// Remove deletes the item of an intent; removing a missing item is not an
// error and writes nothing.
func (p *Pending) Remove(intent uint64) error {
	if v, err := p.raw(intent); err != nil || v == nil {
		return err
	}
	if err := p.before("remove", intent); err != nil {
		return err
	}
	return p.update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketPending).Delete(intentKey(intent)); err != nil {
			return err
		}
		return putDigest(tx)
	})
}

// digestOf hashes every item of the store, key and value, in order: a
// page that lost or changed an item without bbolt noticing no longer
// matches the digest written with the last change.
func digestOf(tx *bolt.Tx) []byte {
	h := sha256.New()
	tx.Bucket(bucketPending).ForEach(func(k, v []byte) error {
		h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(k))))
		h.Write(k)
		h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(v))))
		h.Write(v)
		return nil
	})
	return h.Sum(nil)
}

func putDigest(tx *bolt.Tx) error {
	return tx.Bucket(bucketMeta).Put(metaDigest, digestOf(tx))
}

// checkDigest refuses items that do not match the digest. A store written
// before the digest (or whose meta records are gone) has none; its next
// change writes one.
func (p *Pending) checkDigest(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return nil
	}
	want := meta.Get(metaDigest)
	if want == nil {
		return nil
	}
	if !bytes.Equal(want, digestOf(tx)) {
		return &DamagedPendingError{Path: p.path, Why: "its items do not match the digest written with the last change"}
	}
	return nil
}

// has reports whether the store holds an item for intent.
func (p *Pending) has(intent uint64) (bool, error) {
	v, err := p.raw(intent)
	return v != nil, err
}

// raw returns the stored record of an intent, or nil.
func (p *Pending) raw(intent uint64) (v []byte, err error) {
	err = p.view(func(tx *bolt.Tx) error {
		if err := p.checkDigest(tx); err != nil {
			return err
		}
		v = append([]byte(nil), tx.Bucket(bucketPending).Get(intentKey(intent))...)
		if len(v) == 0 {
			v = nil
		}
		return nil
	})
	return v, err
}

// each calls fn with every stored record, oldest intent first, by the
// intent its key names.
func (p *Pending) each(fn func(seq uint64, v []byte) error) error {
	return p.view(func(tx *bolt.Tx) error {
		if err := p.checkDigest(tx); err != nil {
			return err
		}
		return tx.Bucket(bucketPending).ForEach(func(k, v []byte) error {
			if len(k) != 8 {
				return fmt.Errorf("terminal: pending store: a key of %d bytes", len(k))
			}
			return fn(binary.BigEndian.Uint64(k), append([]byte(nil), v...))
		})
	})
}

// List returns the stored records, oldest intent first, as the store
// holds them (unchecked): what is sent or shown comes from Link.Items,
// which takes it from the ledger.
func (p *Pending) List() ([]PendingItem, error) {
	var out []PendingItem
	err := p.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPending).ForEach(func(_, v []byte) error {
			var it PendingItem
			if err := json.Unmarshal(v, &it); err != nil {
				return fmt.Errorf("terminal: pending store: %w", err)
			}
			out = append(out, it)
			return nil
		})
	})
	return out, err
}

// Scanned returns the ledger sequence through which Recover has looked for
// intents.
func (p *Pending) Scanned() (seq uint64, err error) {
	err = p.view(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(metaScanned); len(v) == 8 {
			seq = binary.BigEndian.Uint64(v)
		}
		return nil
	})
	return seq, err
}

// SetScanned records how far Recover has looked. Recording the mark it
// holds already writes nothing.
func (p *Pending) SetScanned(seq uint64) error {
	if cur, err := p.Scanned(); err != nil || cur == seq {
		return err
	}
	if err := p.before("scanned", seq); err != nil {
		return err
	}
	return p.update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(metaScanned, intentKey(seq))
	})
}

var (
	bucketShown = []byte("shown")
	metaTold    = []byte("told") // ledger seq through which every cash-out was shown
)

// MarkShown records that the shopkeeper was told to pay out the cash of
// ledger entry seq (the screen or the command line showed it). It is a
// note for the next start (Link.Untold), not a record, and is kept
// without a sync (see shownLog).
func (p *Pending) MarkShown(seq uint64) error {
	if err := p.before("shown", seq); err != nil {
		return err
	}
	return p.shown.add(seq)
}

// Shown reports whether entry seq was marked shown. Marks made before
// they moved to their own file are in the store's shown bucket.
func (p *Pending) Shown(seq uint64) (ok bool, err error) {
	err = p.view(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketShown); b != nil {
			ok = b.Get(intentKey(seq)) != nil
		}
		return nil
	})
	if ok || err != nil {
		return ok, err
	}
	return p.shown.has(seq)
}

func (p *Pending) told() (seq uint64, set bool, err error) {
	err = p.view(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(metaTold); len(v) == 8 {
			seq, set = binary.BigEndian.Uint64(v), true
		}
		return nil
	})
	return seq, set, err
}

// setTold records that every cash-out through ledger seq was shown, and
// forgets the marks it covers.
func (p *Pending) setTold(seq uint64) error {
	if err := p.before("told", seq); err != nil {
		return err
	}
	err := p.update(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketShown); b != nil {
			c := b.Cursor()
			for k, _ := c.First(); k != nil && binary.BigEndian.Uint64(k) <= seq; k, _ = c.First() {
				if err := c.Delete(); err != nil {
					return err
				}
			}
		}
		return tx.Bucket(bucketMeta).Put(metaTold, intentKey(seq))
	})
	if err != nil {
		return err
	}
	return p.shown.forget(seq)
}

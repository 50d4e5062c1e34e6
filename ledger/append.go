package ledger

import (
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Draft is what a caller asks the ledger to record. The ledger assigns the
// sequence number, the terminal, the chain link and the signature.
type Draft struct {
	Time     time.Time // zero: now
	Day      string    // business day; empty: the day Time falls in
	Operator string
	Kind     string
	IdemKey  string
	Payload  []byte
	Postings []Posting

	// IfLast, when not zero, records the entry only if the ledger's last
	// entry is still IfLast (else ErrMoved): a day close computed from
	// the entries up to IfLast is recorded only if none came since.
	IfLast uint64
}

// ErrMoved means an append made with Draft.IfLast found newer entries.
var ErrMoved = errors.New("ledger: entries were added since; look again")

// Append records d as the next entry in one durable transaction and returns
// it with added true. If d.IdemKey was used before for the same content,
// Append returns that earlier entry with added false and records nothing; if
// it was used for different content, Append fails with *ConflictError.
// Entries that break a rule (*FieldError, *UnbalancedError) change nothing.
// While an entry is prepared (Prepare), Append waits for it to be
// committed.
func (s *Store) Append(d Draft) (e Entry, added bool, err error) {
	defer guard(s.path, &err)()
	s.appending.Lock()
	defer s.appending.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.canAppend(); err != nil {
		return Entry{}, false, err
	}
	e, found, err := s.next(d, s.last, s.day, s.closed)
	if err != nil || found {
		return e, false, err
	}
	if err := s.db.Update(func(tx *bolt.Tx) error { return put(tx, &e) }); err != nil {
		return Entry{}, false, fmt.Errorf("ledger: append %d: %w", e.Seq, err)
	}
	s.advance(&e)
	return e, true, nil
}

// canAppend says why nothing can be appended now, if so.
func (s *Store) canAppend() error {
	switch {
	case s.opts != nil && s.opts.ReadOnly:
		return ErrReadOnly
	case s.broken != nil:
		return s.broken
	case s.signer == nil:
		return ErrNoSigner
	}
	return nil
}

// next makes d the sealed entry that follows at, in business day day with
// closed the last day closed. found is true when d.IdemKey was used
// before for the same content: e is then that earlier entry.
func (s *Store) next(d Draft, at Checkpoint, day, closed string) (e Entry, found bool, err error) {
	t := d.Time
	if t.IsZero() {
		t = s.opts.now()
	}
	e = Entry{
		Seq: at.Seq + 1, Time: t.UTC().Truncate(time.Millisecond), Day: d.Day,
		Terminal: s.genesis.Terminal, Operator: d.Operator, Kind: d.Kind, IdemKey: d.IdemKey,
		Payload: d.Payload, Postings: d.Postings, Prev: at.Hash,
	}
	// A retry is answered before the rules of the moment are applied: the
	// day may have moved on since the first attempt was recorded.
	if e.IdemKey != "" {
		if prev, found, err := s.byIdem(e.IdemKey); err != nil {
			return Entry{}, false, err
		} else if found {
			if !sameContent(&prev, &e) {
				return Entry{}, false, &ConflictError{IdemKey: e.IdemKey, Seq: prev.Seq}
			}
			return prev, true, nil
		}
	}
	if e.Kind == KindGenesis {
		return Entry{}, false, &FieldError{Field: "kind", Rule: "only a new ledger has a genesis entry"}
	}
	if d.IfLast != 0 && d.IfLast != at.Seq {
		return Entry{}, false, fmt.Errorf("%w (the last entry is %d, not %d)", ErrMoved, at.Seq, d.IfLast)
	}
	if e.Day == "" {
		e.Day = nextDay(BusinessDay(e.Time, s.zone, s.cutoff), day, closed)
	} else if e.Day < day || (closed != "" && e.Day <= closed) {
		return Entry{}, false, &FieldError{Field: "day", Rule: fmt.Sprintf(
			"business day %s is before the current day %s or already closed (closed through %q)", e.Day, day, closed)}
	}
	if err := e.Check(); err != nil {
		return Entry{}, false, err
	}
	seal(&e, s.signer)
	return e, false, nil
}

// advance makes e, just recorded, the last entry.
func (s *Store) advance(e *Entry) {
	s.last = Checkpoint{e.Seq, e.Hash}
	s.day = e.Day
	if e.Kind == KindDayClose {
		s.closed = e.Day
	}
}

func (s *Store) byIdem(key string) (e Entry, found bool, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketIdem).Get([]byte(key))
		if v == nil {
			return nil
		}
		found = true
		if e, err = get(tx, seqOf(v)); err == nil && e.IdemKey != key {
			err = &CorruptError{Path: s.path, Err: fmt.Errorf("the idempotency index leads %q to entry %d, which has another key", key, e.Seq)}
		}
		return err
	})
	return e, found, err
}

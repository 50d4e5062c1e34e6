package ledger

import (
	"encoding/binary"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

func seqOf(k []byte) uint64 {
	if len(k) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(k)
}

// get reads entry seq and fills in its Prev from the entry before.
func get(tx *bolt.Tx, seq uint64) (Entry, error) {
	b := tx.Bucket(bucketEntries)
	v := b.Get(seqKey(seq))
	if v == nil {
		return Entry{}, fmt.Errorf("%w: entry %d", ErrNotFound, seq)
	}
	e, err := DecodeRecord(v)
	if err != nil {
		return Entry{}, fmt.Errorf("ledger: entry %d: %w", seq, err)
	}
	if seq > 1 {
		if p := b.Get(seqKey(seq - 1)); len(p) >= HashSize+SigSize {
			copy(e.Prev[:], p[len(p)-HashSize-SigSize:])
		}
	}
	return e, nil
}

// Get returns entry seq, or ErrNotFound.
func (s *Store) Get(seq uint64) (e Entry, err error) {
	defer guard(s.path, &err)()
	err = s.db.View(func(tx *bolt.Tx) error {
		e, err = get(tx, seq)
		return err
	})
	return e, err
}

// ByIdemKey returns the entry recorded under an idempotency key, or
// ErrNotFound.
func (s *Store) ByIdemKey(key string) (e Entry, err error) {
	defer guard(s.path, &err)()
	e, found, err := s.byIdem(key)
	if err == nil && !found {
		err = fmt.Errorf("%w: idempotency key %q", ErrNotFound, key)
	}
	return e, err
}

// errStop ends an iteration early without error.
var errStop = errors.New("stop")

// Range calls fn for entries from..to (inclusive; to 0 means the last) in
// order, stopping at the first error fn returns.
func (s *Store) Range(from, to uint64, fn func(Entry) error) (err error) {
	defer guard(s.path, &err)()
	if from == 0 {
		from = 1
	}
	return s.db.View(func(tx *bolt.Tx) error {
		return scan(tx, from, to, fn)
	})
}

func scan(tx *bolt.Tx, from, to uint64, fn func(Entry) error) error {
	c := tx.Bucket(bucketEntries).Cursor()
	var prev [HashSize]byte
	if from > 1 {
		if _, v := c.Seek(seqKey(from - 1)); len(v) >= HashSize+SigSize {
			copy(prev[:], v[len(v)-HashSize-SigSize:])
		}
	}
	for k, v := c.Seek(seqKey(from)); k != nil; k, v = c.Next() {
		seq := seqOf(k)
		if to != 0 && seq > to {
			break
		}
		e, err := DecodeRecord(v)
		if err != nil {
			return fmt.Errorf("ledger: entry %d: %w", seq, err)
		}
		e.Prev = prev
		prev = e.Hash
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// Day calls fn for each entry of business day (YYYY-MM-DD) in order.
func (s *Store) Day(day string, fn func(Entry) error) (err error) {
	defer guard(s.path, &err)()
	err = s.db.View(func(tx *bolt.Tx) error {
		first := tx.Bucket(bucketDays).Get([]byte(day))
		if first == nil {
			return nil
		}
		if !dayStarts(tx.Bucket(bucketEntries), day, first) {
			return &CorruptError{Path: s.path, Err: fmt.Errorf("the index of business days does not lead to the start of %s", day)}
		}
		return scan(tx, seqOf(first), 0, func(e Entry) error {
			if e.Day != day {
				return errStop
			}
			return fn(e)
		})
	})
	if errors.Is(err, errStop) {
		err = nil
	}
	return err
}

// Days lists the business days that have entries, oldest first.
func (s *Store) Days() (days []string, err error) {
	defer guard(s.path, &err)()
	err = s.db.View(func(tx *bolt.Tx) error {
		entries := tx.Bucket(bucketEntries)
		return tx.Bucket(bucketDays).ForEach(func(k, v []byte) error {
			if !dayStarts(entries, string(k), v) {
				return &CorruptError{Path: s.path, Err: fmt.Errorf("the index of business days does not lead to the start of %s", k)}
			}
			days = append(days, string(k))
			return nil
		})
	})
	return days, err
}

// Balances returns every account's balance after the last entry.
func (s *Store) Balances() (b Balances, err error) {
	defer guard(s.path, &err)()
	err = s.db.View(func(tx *bolt.Tx) error {
		b, err = readBalances(tx)
		return err
	})
	return b, err
}

// BalancesAt returns every account's balance just after entry seq. It starts
// from the nearest snapshot, so it reads at most SnapshotEvery entries.
func (s *Store) BalancesAt(seq uint64) (b Balances, err error) {
	defer guard(s.path, &err)()
	err = s.db.View(func(tx *bolt.Tx) error {
		last, _ := tx.Bucket(bucketEntries).Cursor().Last()
		if seq > seqOf(last) {
			return fmt.Errorf("%w: entry %d (the last is %d)", ErrNotFound, seq, seqOf(last))
		}
		if seq == seqOf(last) {
			b, err = readBalances(tx)
			return err
		}
		b = Balances{}
		if seq == 0 {
			return nil
		}
		var from uint64 = 1
		c := tx.Bucket(bucketSnapshots).Cursor()
		k, v := c.Seek(seqKey(seq))
		if k == nil {
			k, v = c.Last()
		}
		if k != nil && seqOf(k) > seq {
			k, v = c.Prev()
		}
		if k != nil {
			if b, err = decodeBalances(v); err != nil {
				return fmt.Errorf("ledger: snapshot %d: %w", seqOf(k), err)
			}
			from = seqOf(k) + 1
		}
		return scan(tx, from, seq, func(e Entry) error {
			b.add(&e)
			return nil
		})
	})
	return b, err
}

package ledger

import (
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Report says what a verification covered.
type Report struct {
	From    Checkpoint // where it started (zero for a full verify)
	To      Checkpoint // the last entry verified
	Entries uint64     // how many entries it checked
}

// Verified returns the checkpoint the last successful verification reached.
func (s *Store) Verified() (c Checkpoint, err error) {
	defer guard(s.path, &err)()
	err = s.db.View(func(tx *bolt.Tx) error {
		c = verifiedAt(tx)
		return nil
	})
	return c, err
}

func verifiedAt(tx *bolt.Tx) Checkpoint {
	var c Checkpoint
	if v := tx.Bucket(bucketMeta).Get(metaVerified); len(v) == 8+HashSize {
		c.Seq = binary.BigEndian.Uint64(v)
		copy(c.Hash[:], v[8:])
	}
	return c
}

// verifiedEvery is how many entries VerifyNew checks before it moves the
// remembered checkpoint on (a write, two syncs).
const verifiedEvery = 256

// VerifyNew verifies only the entries added since the last verification,
// starting from the remembered checkpoint, checks their idempotency keys
// and days in the indexes and the stored balances against the last
// snapshot and the entries after it, and remembers the new checkpoint
// once verifiedEvery entries lie behind it. The
// station runs it at every start; VerifyAll re-checks all history.
func (s *Store) VerifyNew() (Report, error) { return s.verify(false) }

// VerifyAll re-derives every hash, checks every signature against the
// genesis key, the gapless numbering and the balance of every entry, runs
// bbolt's check of the file's pages, and compares every record kept beside
// the entries (idempotency index, days, balances, snapshots, the copy of
// the genesis, the closed day, the last verified point) with the entries.
func (s *Store) VerifyAll() (Report, error) { return s.verify(true) }

func (s *Store) verify(full bool) (r Report, err error) {
	defer guard(s.path, &err)()
	s.mu.Lock()
	defer s.mu.Unlock()
	var was Checkpoint // the mark before this verification
	var digest [32]byte
	err = s.db.View(func(tx *bolt.Tx) error {
		entries := tx.Bucket(bucketEntries)
		remembered := verifiedAt(tx)
		was = remembered
		last, _ := entries.Cursor().Last()
		if seqOf(last) < remembered.Seq {
			return &VerifyError{Seq: seqOf(last) + 1, Kind: BadTruncated,
				Detail: fmt.Sprintf("entries %d to %d were verified before and are gone", seqOf(last)+1, remembered.Seq)}
		}
		if !full {
			r.From = remembered
		}
		if r.From.Seq > 0 {
			v := entries.Get(seqKey(r.From.Seq))
			if len(v) < HashSize+SigSize || [HashSize]byte(v[len(v)-HashSize-SigSize:len(v)-SigSize]) != r.From.Hash {
				return &VerifyError{Seq: r.From.Seq, Kind: BadHash, Detail: "entry changed since it was last verified"}
			}
		}
		v := NewVerifier(s.genesis.PublicKey, r.From)
		c := entries.Cursor()
		for k, rec := c.Seek(seqKey(r.From.Seq + 1)); k != nil; k, rec = c.Next() {
			if v.Add(seqOf(k), rec) != nil {
				break
			}
			r.Entries++
		}
		to, err := v.Finish()
		if err != nil {
			return err
		}
		r.To = to
		digest = inlineDigest(tx)
		if err := checkIndexes(tx, r.From, r.To, remembered); err != nil {
			return err
		}
		if full {
			// Only now: the checks above have followed every page
			// reference of the tree on this goroutine, where guard turns a
			// reference outside the file into a CorruptError; bbolt's
			// check runs on a goroutine of its own, where it would crash
			// the program.
			return checkFile(tx)
		}
		return nil
	})
	if err != nil {
		return Report{}, err
	}
	if (s.opts != nil && s.opts.ReadOnly) || r.To == was || (!full && r.Entries < verifiedEvery) {
		// The mark moves on only when a full check reached further or
		// verifiedEvery entries were checked since it: a start writes
		// nothing (no sync) unless that many entries came since the mark,
		// and so re-checks at most that many at every start.
		return r, nil
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		val := binary.BigEndian.AppendUint64(nil, r.To.Seq)
		return tx.Bucket(bucketMeta).Put(metaVerified, append(val, r.To.Hash[:]...))
	})
	if err != nil {
		return Report{}, fmt.Errorf("ledger: remember verified checkpoint: %w", err)
	}
	err = s.db.View(func(tx *bolt.Tx) error {
		if inlineDigest(tx) != digest {
			return &VerifyError{Kind: BadFile, Detail: "writing the last verified point changed other records: the file's structure is damaged"}
		}
		return nil
	})
	if err != nil {
		return Report{}, err
	}
	return r, nil
}

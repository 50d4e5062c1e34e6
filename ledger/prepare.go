package ledger

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

// A prepared entry is sealed and made durable with one sync in a small
// file beside the ledger, before it is committed to the ledger together
// with the entries that follow it. The station prepares the intent of a
// host request (its number is the trace number the host sees), asks the
// host, and commits the intent with its outcome in one transaction: the
// intent is durable before the host is asked, at the cost of one sync
// instead of a transaction's two.
//
// The file holds preparedMagic, the record's length (u32, big-endian) and
// the record (EncodeRecord). It is emptied once the entry is committed.
// Open commits an entry a crash left prepared, before anything else can
// be appended; a record cut short by a crash was never acted on (the host
// is asked only after the sync) and is dropped.
var preparedMagic = []byte("bianmin-prepared-v1\n")

// ErrNotPrepared means CommitPrepared was called with no entry prepared.
var ErrNotPrepared = errors.New("ledger: no entry is prepared")

func (s *Store) preparedPath() string { return s.path + ".prepared" }

// Prepare seals d as the next entry and makes it durable (one sync), but
// does not record it yet: CommitPrepared records it, with the entries
// that follow it, in one transaction. Until then no other entry can be
// appended (Append waits). Like Append, it returns an earlier entry with
// added false when d.IdemKey was used before for the same content, and
// then nothing is prepared.
func (s *Store) Prepare(d Draft) (e Entry, added bool, err error) {
	defer guard(s.path, &err)()
	s.appending.Lock()
	held := false
	defer func() {
		if !held {
			s.appending.Unlock()
		}
	}()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.canAppend(); err != nil {
		return Entry{}, false, err
	}
	e, found, err := s.next(d, s.last, s.day, s.closed)
	if err != nil || found {
		return e, false, err
	}
	if err := writePrepared(s.preparedPath(), &e, s.opts == nil || !s.opts.NoSync); err != nil {
		return Entry{}, false, fmt.Errorf("ledger: prepare %d: %w", e.Seq, err)
	}
	s.prepared, held = &e, true
	return e, true, nil
}

// CommitPrepared records the prepared entry and then ds, in one
// transaction, and returns the entries ds became. A draft that breaks a
// rule records nothing and leaves the entry prepared: commit it alone
// then (CommitPrepared with no drafts). If the transaction fails, the
// store takes no more entries until it is opened again, which records
// the prepared entry.
func (s *Store) CommitPrepared(ds ...Draft) (out []Entry, err error) {
	defer guard(s.path, &err)()
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.prepared
	if p == nil {
		return nil, ErrNotPrepared
	}
	at, day, closed := Checkpoint{p.Seq, p.Hash}, p.Day, s.closed
	if p.Kind == KindDayClose {
		closed = p.Day
	}
	for _, d := range ds {
		e, found, err := s.next(d, at, day, closed)
		if err == nil && found {
			err = &ConflictError{IdemKey: d.IdemKey, Seq: e.Seq}
		}
		if err != nil {
			return nil, err
		}
		out = append(out, e)
		at, day = Checkpoint{e.Seq, e.Hash}, e.Day
		if e.Kind == KindDayClose {
			closed = e.Day
		}
	}
	defer func() {
		s.prepared = nil
		s.appending.Unlock()
	}()
	err = s.db.Update(func(tx *bolt.Tx) error {
		if err := put(tx, p); err != nil {
			return err
		}
		for i := range out {
			if err := put(tx, &out[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		s.broken = fmt.Errorf("ledger: record prepared entry %d: %w", p.Seq, err)
		return nil, s.broken
	}
	s.advance(p)
	for i := range out {
		s.advance(&out[i])
	}
	// Emptied without a sync: should a crash keep the record, Open
	// finds it recorded already.
	os.Truncate(s.preparedPath(), 0)
	return out, nil
}

// writePrepared makes e durable in the prepared file at path (without a
// sync when sync is false: Options.NoSync). Creating the file also syncs
// its folder, once.
func writePrepared(path string, e *Entry, sync bool) error {
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	rec := EncodeRecord(e)
	buf := append(append([]byte(nil), preparedMagic...), binary.BigEndian.AppendUint32(nil, uint32(len(rec)))...)
	buf = append(buf, rec...)
	_, err = f.WriteAt(buf, 0)
	if err == nil {
		err = f.Truncate(int64(len(buf)))
	}
	if err == nil && sync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil || !sync || !errors.Is(statErr, fs.ErrNotExist) {
		return err
	}
	dir, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer dir.Close()
	return dir.Sync()
}

// recoverPrepared records an entry a crash left prepared (Open).
func (s *Store) recoverPrepared() error {
	path := s.preparedPath()
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && len(data) == 0) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("ledger: read prepared entry: %w", err)
	}
	e, ok := parsePrepared(data)
	switch {
	case !ok:
		// Cut short before its sync: the host was never asked.
	case e.Seq <= s.last.Seq:
		if err := s.db.View(func(tx *bolt.Tx) error {
			v := tx.Bucket(bucketEntries).Get(seqKey(e.Seq))
			if !bytes.Equal(v, EncodeRecord(&e)) {
				return fmt.Errorf("entry %d prepared, and another recorded under its number", e.Seq)
			}
			return nil
		}); err != nil {
			return &CorruptError{Path: s.path, Err: err}
		}
	case e.Seq == s.last.Seq+1 && ChainHash(s.last.Hash, Encode(&e)) == e.Hash &&
		ed25519.Verify(s.genesis.PublicKey, e.Hash[:], e.Sig[:]):
		e.Prev = s.last.Hash // the record holds no link; the hash proves it
		if err := s.db.Update(func(tx *bolt.Tx) error { return put(tx, &e) }); err != nil {
			return fmt.Errorf("ledger: record prepared entry %d: %w", e.Seq, err)
		}
		s.advance(&e)
	default:
		return &CorruptError{Path: s.path, Err: fmt.Errorf("entry %d was prepared but does not follow entry %d", e.Seq, s.last.Seq)}
	}
	if err := os.Truncate(path, 0); err != nil {
		return fmt.Errorf("ledger: empty the prepared entry file: %w", err)
	}
	return nil
}

// parsePrepared reads the prepared file's record; ok is false when it is
// not whole.
func parsePrepared(data []byte) (e Entry, ok bool) {
	rest, found := bytes.CutPrefix(data, preparedMagic)
	if !found || len(rest) < 4 {
		return Entry{}, false
	}
	n := binary.BigEndian.Uint32(rest)
	if uint64(len(rest)-4) != uint64(n) {
		return Entry{}, false
	}
	e, err := DecodeRecord(rest[4:])
	return e, err == nil
}

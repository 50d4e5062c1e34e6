package ledger

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/shopspring/decimal"
	bolt "go.etcd.io/bbolt"
)

// The ledger file keeps records beside the signed entries. What the
// station trusts is either derived from the signed entries when it is
// needed (the genesis, and with it the post office key; the last closed
// day) or checked against them: by VerifyAll for all of them, by VerifyNew
// for what the entries added since the last verification touched. The
// decision per record is in docs/ledger-format.md, "What the station
// trusts".

// allBuckets lists the buckets of a ledger file; any other is damage.
var allBuckets = [][]byte{bucketEntries, bucketIdem, bucketDays, bucketBalances, bucketSnapshots, bucketMeta}

// header reads the day, kind and idempotency key of canonical bytes
// without decoding the rest. ok is false if the bytes are too short.
func header(body []byte) (day, kind, idem string, ok bool) {
	off := 1 + 8 + 8
	var fields [5]string
	for i := range fields {
		if len(body) < off+4 {
			return "", "", "", false
		}
		n := int(binary.BigEndian.Uint32(body[off:]))
		off += 4
		if n > MaxTextLen || len(body) < off+n {
			return "", "", "", false
		}
		fields[i] = string(body[off : off+n])
		off += n
	}
	return fields[0], fields[3], fields[4], true
}

// recordBody returns the canonical bytes of a record, or nil if it is too
// short to hold a hash and a signature.
func recordBody(rec []byte) []byte {
	if len(rec) < 1+8+HashSize+SigSize {
		return nil
	}
	return rec[:len(rec)-HashSize-SigSize]
}

// signedGenesis reads the station's identity from entry 1 itself, checking
// that its hash is the first link of the chain and that it carries its own
// key's signature. The meta copy of the genesis is never trusted: it is
// only compared with this by VerifyAll.
func signedGenesis(entries *bolt.Bucket) (Genesis, error) {
	var g Genesis
	rec := entries.Get(seqKey(1))
	body := recordBody(rec)
	if body == nil {
		return g, errors.New("entry 1 is missing or too short")
	}
	var h [HashSize]byte
	copy(h[:], rec[len(body):])
	if ChainHash([HashSize]byte{}, body) != h {
		return g, errors.New("entry 1 does not match its hash")
	}
	e, err := Decode(body)
	if err != nil {
		return g, fmt.Errorf("entry 1: %w", err)
	}
	if e.Seq != 1 || e.Kind != KindGenesis {
		return g, fmt.Errorf("entry 1 is %q, not the genesis", e.Kind)
	}
	if err := json.Unmarshal(e.Payload, &g); err != nil {
		return g, fmt.Errorf("entry 1: payload: %w", err)
	}
	if g.Format != Format || g.Terminal != e.Terminal || len(g.PublicKey) != ed25519.PublicKeySize {
		return g, errors.New("entry 1 is not a genesis of this format")
	}
	if !ed25519.Verify(g.PublicKey, h[:], rec[len(body)+HashSize:]) {
		return g, errors.New("entry 1 is not signed by the key it names")
	}
	return g, nil
}

// lastClosed finds the business day of the last day_close entry by reading
// back from the end of the ledger ("" if no day was ever closed). It reads
// only the entries' headers, so even a ledger that never closed a day is
// read back in a blink.
func lastClosed(entries *bolt.Bucket) (string, error) {
	c := entries.Cursor()
	for k, v := c.Last(); k != nil; k, v = c.Prev() {
		day, kind, _, ok := header(recordBody(v))
		if !ok {
			return "", fmt.Errorf("entry %d cannot be read", seqOf(k))
		}
		if kind == KindDayClose {
			return day, nil
		}
	}
	return "", nil
}

// dayStarts reports whether entry first is where business day starts: it
// belongs to day and the entry before it (if any) to an earlier day.
func dayStarts(entries *bolt.Bucket, day string, first []byte) bool {
	seq := seqOf(first)
	if seq == 0 {
		return false
	}
	d, _, _, ok := header(recordBody(entries.Get(first)))
	if !ok || d != day {
		return false
	}
	if seq == 1 {
		return true
	}
	prev, _, _, ok := header(recordBody(entries.Get(seqKey(seq - 1))))
	return ok && prev < day
}

// indexError reports a record beside the entries that disagrees with them.
func indexError(seq uint64, format string, args ...any) error {
	return &VerifyError{Seq: seq, Kind: BadIndex, Detail: fmt.Sprintf(format, args...)}
}

// checkFile runs bbolt's own consistency check of the file's pages: every
// page reachable once, the free list consistent, keys in order. A damaged
// free list would let a later write overwrite pages still in use.
func checkFile(tx *bolt.Tx) error {
	// A damaged page header can claim billions of overflow pages, which
	// bbolt's check would count one by one: bound them by the file first.
	for id := 0; ; {
		p, err := tx.Page(id)
		if err != nil || p == nil {
			break // nil: past the last page; err: the free list is not loaded (read-only)
		}
		if p.Type == "free" {
			id++
			continue
		}
		if last, _ := tx.Page(id + p.OverflowCount); p.OverflowCount < 0 || last == nil {
			return &VerifyError{Kind: BadFile, Detail: fmt.Sprintf("page %d runs past the end of the file", id)}
		}
		id += 1 + p.OverflowCount
	}
	var first error
	for err := range tx.Check() {
		if first == nil {
			first = err
		}
	}
	if first != nil {
		return &VerifyError{Kind: BadFile, Detail: first.Error()}
	}
	return nil
}

// checkIndexes compares every record kept beside the entries with what
// the entries say, for entries after from through to (from = 0: all of
// them, and then also the meta records and the bucket counts). The
// entries themselves must have been verified first.
func checkIndexes(tx *bolt.Tx, from, to Checkpoint, verified Checkpoint) error {
	entries := tx.Bucket(bucketEntries)
	idem := tx.Bucket(bucketIdem)
	days := tx.Bucket(bucketDays)
	snaps := tx.Bucket(bucketSnapshots)
	full := from.Seq == 0

	// Balances: the entries after the last snapshot at or before from
	// (all of them for a full check) added to that snapshot.
	running := Balances{}
	start := uint64(1)
	if !full {
		sc := snaps.Cursor()
		k, _ := sc.Seek(seqKey(from.Seq + 1))
		var v []byte
		if k == nil {
			k, v = sc.Last()
		} else {
			k, v = sc.Prev()
		}
		if k != nil {
			b, err := decodeBalances(v)
			if err != nil {
				return indexError(seqOf(k), "the balances kept after this entry cannot be read: %v", err)
			}
			running, start = b, seqOf(k)+1
		}
	}
	var day, closed string
	var nDays, nSnaps uint64
	if !full {
		if d, _, _, ok := header(recordBody(entries.Get(seqKey(from.Seq)))); ok {
			day = d
		}
	}
	c := entries.Cursor()
	for k, rec := c.Seek(seqKey(start)); k != nil && seqOf(k) <= to.Seq; k, rec = c.Next() {
		seq := seqOf(k)
		// The entries were verified (decoded, checked) on every core
		// already: read only what the indexes need.
		e, ok := indexFields(recordBody(rec))
		if !ok {
			return &VerifyError{Seq: seq, Kind: BadDecode, Detail: "the entry cannot be read"}
		}
		running.add(&e)
		if e.Kind == KindDayClose {
			closed = e.Day
		}
		if seq%SnapshotEvery == 0 {
			nSnaps++
			v := snaps.Get(k)
			b, err := decodeBalances(v)
			if v == nil || err != nil || !b.Equal(running) {
				return indexError(seq, "the balances kept after this entry differ from the sum of the entries")
			}
		}
		if seq <= from.Seq {
			continue
		}
		if got := idem.Get([]byte(e.IdemKey)); !bytes.Equal(got, k) {
			return indexError(seq, "the idempotency index does not lead to this entry")
		}
		if e.Day != day {
			day = e.Day
			nDays++
			if got := days.Get([]byte(day)); !bytes.Equal(got, k) {
				return indexError(seq, "the index of business days does not start %s at this entry", day)
			}
		}
	}
	stored, err := readBalances(tx)
	if err != nil {
		return &VerifyError{Seq: to.Seq, Kind: BadBalances, Detail: err.Error()}
	}
	if !stored.Equal(running) {
		return &VerifyError{Seq: to.Seq, Kind: BadBalances, Detail: "the stored balances differ from the sum of the entries"}
	}
	if !full {
		return nil
	}

	// Nothing else may be kept: every bucket holds exactly the records
	// the entries account for.
	if err := tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
		for _, b := range allBuckets {
			if bytes.Equal(name, b) {
				return nil
			}
		}
		return indexError(0, "the file holds a part %q that a ledger does not have", name)
	}); err != nil {
		return err
	}
	for _, n := range []struct {
		bucket *bolt.Bucket
		what   string
		want   uint64
	}{
		{idem, "idempotency keys", to.Seq},
		{days, "business days", nDays},
		{snaps, "balance snapshots", nSnaps},
	} {
		if got, err := count(n.bucket); err != nil || got != n.want {
			return indexError(0, "the index holds %d %s, the entries have %d", got, n.what, n.want)
		}
	}
	meta := tx.Bucket(bucketMeta)
	if err := meta.ForEach(func(k, v []byte) error {
		switch {
		case v == nil:
			return indexError(0, "the station's records hold a part %q that a ledger does not have", k)
		case bytes.Equal(k, metaGenesis), bytes.Equal(k, metaClosed), bytes.Equal(k, metaVerified):
			return nil
		}
		return indexError(0, "the station's records hold %q, which a ledger does not have", k)
	}); err != nil {
		return err
	}
	g, err := DecodeRecord(entries.Get(seqKey(1)))
	if err != nil {
		return &VerifyError{Seq: 1, Kind: BadDecode, Detail: err.Error()}
	}
	if !bytes.Equal(meta.Get(metaGenesis), g.Payload) {
		return indexError(1, "the copy of the genesis differs from entry 1")
	}
	if got := string(meta.Get(metaClosed)); got != closed {
		return indexError(to.Seq, "the record of closed days says %q, the entries say %q", got, closed)
	}
	if v := meta.Get(metaVerified); v != nil {
		rec := entries.Get(seqKey(verified.Seq))
		if len(v) != 8+HashSize || verified.Seq == 0 || len(rec) < HashSize+SigSize ||
			!bytes.Equal(rec[len(rec)-HashSize-SigSize:len(rec)-SigSize], verified.Hash[:]) {
			return indexError(verified.Seq, "the record of the last verification does not match the entries")
		}
	}
	return nil
}

// count returns how many keys a bucket holds; a nested bucket in it is
// damage.
func count(b *bolt.Bucket) (uint64, error) {
	var n uint64
	err := b.ForEach(func(k, v []byte) error {
		if v == nil {
			return fmt.Errorf("nested bucket %q", k)
		}
		n++
		return nil
	})
	return n, err
}

// inlineDigest hashes the records of the buckets bbolt keeps inline in its
// root page (all but the last verified point). A write rewrites that page
// by copying an unchanged inline bucket as raw bytes, so a damaged length
// in the page, harmless to a reader, would damage the records at the next
// write: verify compares this digest before and after it writes.
func inlineDigest(tx *bolt.Tx) [sha256.Size]byte {
	h := sha256.New()
	for _, name := range allBuckets {
		b := tx.Bucket(name)
		if b == nil || b.RootPage() != 0 {
			continue
		}
		h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(name))))
		h.Write(name)
		b.ForEach(func(k, v []byte) error {
			if bytes.Equal(name, bucketMeta) && bytes.Equal(k, metaVerified) {
				return nil
			}
			h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(k))))
			h.Write(k)
			h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(v))))
			h.Write(v)
			return nil
		})
	}
	var out [sha256.Size]byte
	h.Sum(out[:0])
	return out
}

// WriteBackup writes a consistent copy of the whole ledger file to w, as
// of one moment, while other readers and the appender may go on.
func (s *Store) WriteBackup(w io.Writer) (n int64, err error) {
	defer guard(s.path, &err)()
	err = s.db.View(func(tx *bolt.Tx) error {
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}

// indexFields reads the day, kind, idempotency key and postings of
// canonical bytes already verified, skipping the checks Decode makes.
func indexFields(body []byte) (e Entry, ok bool) {
	d := decoder{b: body}
	d.u8()
	d.u64()
	d.u64()
	e.Day = d.str(MaxTextLen)
	d.str(MaxTextLen)
	d.str(MaxTextLen)
	e.Kind = d.str(MaxTextLen)
	e.IdemKey = d.str(MaxTextLen)
	d.str(MaxPayloadLen)
	n := d.u32()
	if d.err != nil || n > MaxPostings {
		return e, false
	}
	e.Postings = make([]Posting, 0, n)
	for range n {
		var p Posting
		p.Account = d.str(MaxTextLen)
		p.Side = d.u8()
		p.Commodity = d.str(MaxTextLen)
		text := d.str(32)
		if d.err != nil {
			return e, false
		}
		amt, err := decimal.NewFromString(text)
		if err != nil {
			return e, false
		}
		p.Amount = amt
		e.Postings = append(e.Postings, p)
	}
	return e, d.err == nil
}

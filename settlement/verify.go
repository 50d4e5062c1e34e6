package settlement

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/ledger"
	"golang.org/x/mod/sumdb/note"
)

// Kinds of VerifyError.
const (
	BadStation   = "station"   // the file names another station or key
	BadSignature = "signature" // the station's key did not sign the file, or it changed after signing
	BadChain     = "chain"     // the day does not start where the day before ended
	BadEntry     = "entry"     // an entry fails the ledger's checks (hash, signature, numbering, balance)
	BadDay       = "day"       // an entry of another day or another terminal
	BadDuplicate = "duplicate" // an idempotency key used twice
	BadClose     = "close"     // the day_close is missing, not last, or says other figures than the file
	BadFigures   = "figures"   // the file's figures are not what its entries add up to
)

// VerifyError says why a file that reads well does not verify, and where.
type VerifyError struct {
	Kind   string
	Seq    uint64 // the entry, when one is at fault
	Detail string
}

func (e *VerifyError) Error() string {
	if e.Seq != 0 {
		return fmt.Sprintf("settlement: entry %d: %s: %s", e.Seq, e.Kind, e.Detail)
	}
	return fmt.Sprintf("settlement: %s: %s", e.Kind, e.Detail)
}

// Verify reads data and checks everything the file can prove on its own,
// given the station's public key and the checkpoint the day must follow:
// the previous day's last entry (the zero Checkpoint for the station's
// first day, which starts with its genesis). It checks the file's form,
// the signature over all of it, the chain link, every entry's hash chain,
// numbering, balance and signature, that every entry is of this station
// and day and none repeats an idempotency key, that the day ends with its
// day_close, and that the file's figures are what the entries add up to
// and what the day_close says. Errors are *FormatError or *VerifyError.
func Verify(data []byte, pub ed25519.PublicKey, prev ledger.Checkpoint) (*File, error) {
	f, err := Parse(data)
	if err != nil {
		return nil, err
	}
	if _, err := Check(f, data, pub, prev); err != nil {
		return nil, err
	}
	return f, nil
}

// Check is Verify for a file already read: f must be what Parse made of
// data. It returns the day's entries, decoded, so that a reader who
// needs them (the post office's registry) neither parses nor decodes
// twice.
func Check(f *File, data []byte, pub ed25519.PublicKey, prev ledger.Checkpoint) ([]ledger.Entry, error) {
	fail := func(kind string, seq uint64, format string, args ...any) error {
		return &VerifyError{Kind: kind, Seq: seq, Detail: fmt.Sprintf(format, args...)}
	}
	key, err := keyfile.VerifierKey(f.Station, pub)
	if err != nil {
		return nil, fail(BadStation, 0, "station %q: %v", f.Station, err)
	}
	if f.Key != key {
		return nil, fail(BadStation, 0, "the file is of station %s with key %s, not the key %s given", f.Station, f.Fingerprint, keyfile.Fingerprint(pub))
	}
	if want := keyfile.Fingerprint(pub); f.Fingerprint != want {
		return nil, fail(BadStation, 0, "the file gives the seal number %s, the key's is %s", f.Fingerprint, want)
	}
	v, err := note.NewVerifier(key)
	if err != nil {
		return nil, fail(BadStation, 0, "%v", err)
	}
	n, err := note.Open(data, note.VerifierList(v))
	if err != nil || !strictSigs(n) {
		return nil, fail(BadSignature, 0, "the station's key did not sign this file, or it was changed after signing")
	}
	if f.Prev != prev {
		return nil, fail(BadChain, 0, "the day starts after entry %s, but the day before ended at %s", f.Prev, prev)
	}
	entries, err := checkEntries(f, pub)
	if err != nil {
		return nil, err
	}
	if err := checkFigures(f, entries); err != nil {
		return nil, err
	}
	return entries, nil
}

// strictSigs reports whether every signature line of n is canonical
// base64. note.Open decodes leniently, ignoring the unused low bits of
// the last character, so without this a file whose signature line was
// changed there would still verify: a changed byte nobody sees.
func strictSigs(n *note.Note) bool {
	for _, list := range [][]note.Signature{n.Sigs, n.UnverifiedSigs} {
		for _, sig := range list {
			if _, err := base64.StdEncoding.Strict().DecodeString(sig.Base64); err != nil {
				return false
			}
		}
	}
	return true
}

// checkEntries runs the ledger's checks over the records and decodes them.
func checkEntries(f *File, pub ed25519.PublicKey) ([]ledger.Entry, error) {
	lv := ledger.NewVerifier(pub, f.Prev)
	lv.Keep() // decoded once, by the verifier's workers
	for _, r := range f.Records {
		if err := lv.Add(r.Seq, r.Raw); err != nil {
			lv.Finish() // stops the verifier's workers
			return nil, entryError(err)
		}
	}
	last, err := lv.Finish()
	if err != nil {
		return nil, entryError(err)
	}
	if last != f.Last {
		return nil, &VerifyError{Kind: BadChain, Seq: last.Seq, Detail: fmt.Sprintf("the entries end at %s, the file says %s", last, f.Last)}
	}
	entries := lv.Entries()
	idem := make(map[string]uint64, len(entries))
	for i := range entries {
		e := &entries[i]
		switch {
		case e.Terminal != f.Station:
			return nil, &VerifyError{Kind: BadDay, Seq: e.Seq, Detail: fmt.Sprintf("made by terminal %s, not %s", e.Terminal, f.Station)}
		case e.Day != f.Day:
			return nil, &VerifyError{Kind: BadDay, Seq: e.Seq, Detail: fmt.Sprintf("of business day %s, not %s", e.Day, f.Day)}
		case e.Kind == ledger.KindDayClose && i != len(f.Records)-1:
			return nil, &VerifyError{Kind: BadClose, Seq: e.Seq, Detail: "a day_close before the day's end"}
		}
		if first, ok := idem[e.IdemKey]; ok {
			return nil, &VerifyError{Kind: BadDuplicate, Seq: e.Seq, Detail: fmt.Sprintf("idempotency key %q was used by entry %d", e.IdemKey, first)}
		}
		idem[e.IdemKey] = e.Seq
	}
	if last := entries[len(entries)-1]; last.Kind != ledger.KindDayClose {
		return nil, &VerifyError{Kind: BadClose, Seq: last.Seq, Detail: "the day does not end with its day_close: the file is cut short"}
	}
	return entries, nil
}

func entryError(err error) error {
	var ve *ledger.VerifyError
	if errors.As(err, &ve) {
		return &VerifyError{Kind: BadEntry, Seq: ve.Seq, Detail: ve.Kind + ": " + ve.Detail}
	}
	return &VerifyError{Kind: BadEntry, Detail: err.Error()}
}

// checkFigures recomputes the day's figures from its entries and compares
// them with the file's and with the day_close's.
func checkFigures(f *File, entries []ledger.Entry) error {
	closeEntry := entries[len(entries)-1]
	fail := func(format string, args ...any) error {
		return &VerifyError{Kind: BadFigures, Detail: fmt.Sprintf(format, args...)}
	}
	c := f.Close
	s := &Summary{CashOpen: c.Cash.Open, CashClose: c.Cash.Open, OwedOpen: c.Owed.Open}
	for i := range entries[:len(entries)-1] {
		if err := s.Add(&entries[i]); err != nil {
			return fail("%v", err)
		}
	}
	first := f.Prev.Seq + 1
	switch {
	case c.First != first || c.Last != closeEntry.Seq-1:
		return fail("the range says entries %d to %d, the file holds %d to %d before the close", c.First, c.Last, first, closeEntry.Seq-1)
	case !EqualTotals(c.Totals, s.Totals):
		return fail("the totals are not what the entries add up to")
	case !c.Cash.Expected.Equal(s.CashClose):
		return fail("expected cash %s, the entries give %s", wire(c.Cash.Expected), wire(s.CashClose))
	case !c.Owed.Net.Equal(s.Net) || !c.Owed.Close.Equal(c.Owed.Open.Add(c.Owed.Net)):
		return fail("owed: net %s, close %s; the entries give net %s", wire(c.Owed.Net), wire(c.Owed.Close), wire(s.Net))
	case c.Cash.Counted == nil && !c.Cash.Variance.IsZero(),
		c.Cash.Counted != nil && !c.Cash.Variance.Equal(c.Cash.Counted.Sub(c.Cash.Expected)):
		return fail("the variance %s is not counted minus expected", wire(c.Cash.Variance))
	}
	closeCash := decimal.Zero
	for _, p := range closeEntry.Postings {
		if p.Account == accountCash && p.Commodity == ledger.Currency {
			closeCash = closeCash.Add(p.Signed())
		}
	}
	if !closeCash.Equal(c.Cash.Variance) {
		return &VerifyError{Kind: BadClose, Seq: closeEntry.Seq, Detail: fmt.Sprintf("the day_close books %s of cash, the variance is %s", wire(closeCash), wire(c.Cash.Variance))}
	}
	for _, g := range c.Grand {
		for _, t := range c.Totals {
			if g.Kind == t.Kind && g.Count < t.Count {
				return fail("the grand total of %s counts fewer than the day", g.Kind)
			}
		}
	}
	var said Close
	if err := json.Unmarshal(closeEntry.Payload, &said); err != nil {
		return &VerifyError{Kind: BadClose, Seq: closeEntry.Seq, Detail: err.Error()}
	}
	a, _ := json.Marshal(said)
	b, _ := json.Marshal(c)
	if !bytes.Equal(a, b) {
		return &VerifyError{Kind: BadClose, Seq: closeEntry.Seq, Detail: "the day_close says other figures than the file"}
	}
	return nil
}

// Follows checks that next is the day after prev: it starts where prev
// ended, opens with the cash and debt prev closed with, and its grand
// totals are prev's plus its own day.
func Follows(prev, next *File) error {
	fail := func(format string, args ...any) error {
		return &VerifyError{Kind: BadChain, Detail: fmt.Sprintf(format, args...)}
	}
	switch {
	case next.Station != prev.Station:
		return fail("station %s follows station %s", next.Station, prev.Station)
	case next.Prev != prev.Last:
		return fail("%s starts after %s, but %s ended at %s", next.Day, next.Prev, prev.Day, prev.Last)
	case next.Day <= prev.Day:
		return fail("business day %s does not come after %s", next.Day, prev.Day)
	case !next.Close.Cash.Open.Equal(prev.Close.Cash.CashAfter()):
		return fail("%s opens with cash %s, %s closed with %s", next.Day, wire(next.Close.Cash.Open), prev.Day, wire(prev.Close.Cash.CashAfter()))
	case !next.Close.Owed.Open.Equal(prev.Close.Owed.Close):
		return fail("%s opens owing %s, %s closed owing %s", next.Day, wire(next.Close.Owed.Open), prev.Day, wire(prev.Close.Owed.Close))
	case !EqualTotals(next.Close.Grand, AddTotals(prev.Close.Grand, next.Close.Totals)):
		return fail("the grand totals of %s are not those of %s plus the day", next.Day, prev.Day)
	}
	return nil
}

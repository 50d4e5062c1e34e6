package settlement_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/settlement"
	"golang.org/x/mod/sumdb/note"
)

// FuzzCheck gets past the file's signature: whatever text it is given,
// the test station's key signs it, so that the checks behind the
// signature (the chain, the entries, the figures) see every mutation.
// Check either refuses with a *VerifyError or *FormatError, or returns
// one decoded entry per record, numbered on from the chain link and ending
// with the day's day_close at the file's last checkpoint; and Verify says
// the same as Parse followed by Check.
func FuzzCheck(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(scenarios, "*.bms"))
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			if i := bytes.Index(data, []byte("\n\n— ")); i >= 0 {
				f.Add(data[:i+1])
			}
		}
	}
	f.Add([]byte("bianmin-settlement-v1\n"))
	skey, err := keyfile.SignerKey("T0001", stationKey)
	if err != nil {
		f.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		data, err := note.Sign(&note.Note{Text: string(text)}, signer)
		if err != nil {
			return // not a note's text
		}
		file, err := settlement.Parse(data)
		if err != nil {
			var fe *settlement.FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("Parse: error %v is not a *FormatError", err)
			}
			return
		}
		entries, err := settlement.Check(file, data, stationPub, file.Prev)
		_, verr := settlement.Verify(data, stationPub, file.Prev)
		if (err == nil) != (verr == nil) {
			t.Fatalf("Check says %v, Verify says %v", err, verr)
		}
		if err != nil {
			var fe *settlement.FormatError
			var ve *settlement.VerifyError
			if !errors.As(err, &fe) && !errors.As(err, &ve) {
				t.Fatalf("Check: error %v is neither a *VerifyError nor a *FormatError", err)
			}
			return
		}
		if len(entries) == 0 || len(entries) != len(file.Records) {
			t.Fatalf("Check accepted %d records as %d entries", len(file.Records), len(entries))
		}
		for i, e := range entries {
			if e.Seq != file.Prev.Seq+1+uint64(i) || e.Seq != file.Records[i].Seq {
				t.Fatalf("entry %d of the day is numbered %d (record %d), after %d", i, e.Seq, file.Records[i].Seq, file.Prev.Seq)
			}
			if e.Day != file.Day {
				t.Fatalf("entry %d of day %s is of day %s", e.Seq, file.Day, e.Day)
			}
		}
		last := entries[len(entries)-1]
		if last.Kind != ledger.KindDayClose || last.Seq != file.Last.Seq || last.Hash != file.Last.Hash {
			t.Fatalf("the day ends with %s %d, the file says %s", last.Kind, last.Seq, file.Last)
		}
		// Tampering with a figure after signing is caught by the signature.
		if bytes.Count(data, []byte("\n")) > 2 {
			bad := bytes.Replace(data, []byte("day "+file.Day), []byte("day 1999-01-01"), 1)
			if _, err := settlement.Verify(bad, stationPub, file.Prev); err == nil {
				t.Fatalf("a file changed after signing was accepted")
			}
		}
	})
}

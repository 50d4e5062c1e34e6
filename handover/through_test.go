package handover_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/handover"
	"github.com/villagepost/bianmin/ledger"
	"golang.org/x/mod/sumdb/note"
)

// TestNothingAccepted: a station retired before the post office accepted
// any day of it is handed over with "through 0" and the zero hash, no
// item and nothing carried; the post office signs it and the successor
// reads it back, the same bytes.
func TestNothingAccepted(t *testing.T) {
	s, v := postOffice(t, 0)
	msg, err := handover.Sign(nothingAccepted(), s)
	if err != nil {
		t.Fatal(err)
	}
	d, err := handover.Open(msg, v)
	if err != nil {
		t.Fatalf("Open refuses what Sign signed: %v", err)
	}
	if d.Through != (ledger.Checkpoint{}) || len(d.Items) != 0 || !d.Carried.IsZero() || d.From != "T0003" || d.To != "T0004" {
		t.Fatalf("read back %+v", d)
	}
	text, err := handover.Format(d)
	if err != nil || !strings.Contains(text, "\nthrough 0 "+strings.Repeat("0", 64)+"\ncarried 0.00\n") {
		t.Fatalf("written back:\n%s(%v)", text, err)
	}
}

// TestThroughRules: through 0 goes with the zero hash and no item, the
// zero hash with 0 only, and an item stands on an entry at most through.
// Sign refuses each such document, naming the same line as Parse.
func TestThroughRules(t *testing.T) {
	s, _ := postOffice(t, 0)
	withItem := func(d handover.Doc, entry uint64) handover.Doc {
		d.Items = []handover.Item{{N: 1, Kind: handover.Refund, Entry: entry, Service: "bill_payment", Amount: decimal.RequireFromString("5.00")}}
		d.Carried = handover.Total(d.Items)
		return d
	}
	hashOnly := nothingAccepted()
	hashOnly.Through.Hash[31] = 1
	zeroHash := example()
	zeroHash.Through.Hash = [ledger.HashSize]byte{}
	for _, tc := range []struct {
		name string
		doc  handover.Doc
		line int
	}{
		{"through 0 with a hash", hashOnly, 5},
		{"a number with the zero hash", zeroHash, 5},
		{"through 0 with an item", withItem(nothingAccepted(), 1), 7},
		{"an item after through", withItem(example(), 213), 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var fe *handover.FormatError
			if _, err := handover.Sign(tc.doc, s); !errors.As(err, &fe) || fe.Line != tc.line {
				t.Errorf("Sign: %v, want a refusal on line %d", err, tc.line)
			}
			// The same text, written by hand, is refused by Parse on the
			// same line.
			text := handover.Header + "\nfrom " + tc.doc.From + "\nto " + tc.doc.To + "\nissued " + tc.doc.Issued +
				"\nthrough " + throughLine(tc.doc.Through) + "\ncarried " + tc.doc.Carried.StringFixed(2) + "\n"
			for _, it := range tc.doc.Items {
				text += it.Line() + "\n"
			}
			if _, err := handover.Parse(text); !errors.As(err, &fe) || fe.Line != tc.line {
				t.Errorf("Parse: %v, want a refusal on line %d\n%s", err, tc.line, text)
			}
		})
	}
	// An item on through's own entry stands.
	if _, err := handover.Sign(withItem(example(), 212), s); err != nil {
		t.Errorf("an item on the last entry read: %v", err)
	}
	// "through 00 …" or "through -1 …": no number.
	good, _ := handover.Format(nothingAccepted())
	for _, bad := range []string{"through 00 ", "through -0 ", "through  "} {
		var fe *handover.FormatError
		if _, err := handover.Parse(strings.Replace(good, "through 0 ", bad, 1)); !errors.As(err, &fe) || fe.Line != 5 {
			t.Errorf("%q: %v, want a refusal on line 5", bad, err)
		}
	}
}

func throughLine(c ledger.Checkpoint) string { return fmt.Sprintf("%d %x", c.Seq, c.Hash[:]) }

// TestSignTooLong: a document whose signed form Open would refuse as too
// long is not signed.
func TestSignTooLong(t *testing.T) {
	s, _ := postOffice(t, 0)
	d := example()
	d.Through.Seq = 1_000_000
	note := strings.Repeat("村", handover.MaxText)
	d.Items = nil
	for i := 0; i < handover.MaxItems; i++ {
		d.Items = append(d.Items, handover.Item{N: i + 1, Kind: handover.Delivery, Entry: uint64(i + 1), Service: "sale", What: "FERT-UREA-50KG:2", Note: note})
	}
	d.Carried = handover.Total(d.Items)
	var fe *handover.FormatError
	if _, err := handover.Sign(d, s); !errors.As(err, &fe) || fe.Line != 0 {
		t.Fatalf("Sign of %d items of %d characters each: %v, want a refusal of the length", len(d.Items), handover.MaxText, err)
	}
}

// FuzzSign: whatever Sign signs, Open reads back to the same text; what
// it refuses, it refuses with a FormatError. (Sign must never produce what
// Parse refuses.)
func FuzzSign(f *testing.F) {
	f.Add("T0001", "T0002", "2026-11-30", uint64(212), byte(7), "5.00", "refund", uint64(10), "T0001-000009", "bill_payment", "-", "-", "no such account")
	f.Add("T0003", "T0004", "2026-12-01", uint64(0), byte(0), "0.00", "", uint64(0), "", "", "", "", "")
	f.Add("T0003", "T0004", "2026-12-01", uint64(0), byte(1), "0.00", "", uint64(0), "", "", "", "", "")
	f.Add("T0001", "T0002", "2026-11-30", uint64(3), byte(0), "0.00", "delivery", uint64(3), "-", "sale", "A:1", "2026-11-24", "家")
	signer, verifier := postOffice(f, 0)
	f.Fuzz(func(t *testing.T, from, to, issued string, seq uint64, h byte, amount, kind string, entry uint64, trace, service, what, due, text string) {
		d := handover.Doc{From: from, To: to, Issued: issued, Through: ledger.Checkpoint{Seq: seq}}
		d.Through.Hash[0] = h
		amt, err := decimal.NewFromString(amount)
		if err != nil {
			return
		}
		if kind != "" {
			undash := func(s string) string { return strings.TrimPrefix(s, "-") }
			d.Items = []handover.Item{{N: 1, Kind: kind, Entry: entry, Trace: undash(trace), Service: service, Amount: amt, What: undash(what), Due: undash(due), Note: text}}
		}
		d.Carried = amt
		msg, err := handover.Sign(d, signer)
		var fe *handover.FormatError
		if err != nil {
			if !errors.As(err, &fe) {
				t.Fatalf("Sign refused with %v, not a FormatError", err)
			}
			return
		}
		back, err := handover.Open(msg, verifier)
		if err != nil {
			t.Fatalf("Open refuses what Sign signed: %v\n%s", err, msg)
		}
		n, _ := note.Open(msg, note.VerifierList(verifier))
		if again, err := handover.Format(back); err != nil || again != n.Text {
			t.Fatalf("read back as %q (%v), signed %q", again, err, n.Text)
		}
	})
}

package handover_test

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/villagepost/bianmin/handover"
	"github.com/villagepost/bianmin/keyfile"
	"golang.org/x/mod/sumdb/note"
)

// vector is one hand-over document of testdata/verdicts.json and what a
// verifier reading docs/postoffice.md must say of it: "ok", "signature"
// (not signed by the post office key) or "format" with the line that
// breaks a rule (0 for the document as a whole).
type vector struct {
	File    string `json:"file"`
	Verdict string `json:"verdict"`
	Line    int    `json:"line,omitempty"`
	From    string `json:"from,omitempty"`
	To      string `json:"to,omitempty"`
	Carried string `json:"carried,omitempty"`
	Items   int    `json:"items,omitempty"`
}

type verdicts struct {
	PostOfficeKey string   `json:"postoffice_key"`
	Vectors       []vector `json:"vectors"`
}

// badVectors are the example's text with one rule broken, signed by the
// post office: a verifier must refuse them on their form, naming the line.
func badVectors(good string) []struct {
	file, from, to string
	line           int
} {
	return []struct {
		file, from, to string
		line           int
	}{
		{"bad-issued.handover", "issued 2026-11-30", "issued 2026-11-31", 4},
		{"bad-through.handover", "0c0d0e0f", "0C0D0E0F", 5},
		{"bad-carried.handover", "carried 150.00", "carried 250.00", 6},
		{"bad-number.handover", "item 2 delivery", "item 3 delivery", 8},
		{"bad-delivery-amount.handover", "sale 0.00 FERT", "sale 5.00 FERT", 8},
		{"bad-queued-trace.handover", "queued 5 T0001-000005", "queued 5 -", 7},
		{"bad-note.handover", "no such account\n", "no such account \n", 9},
		{"bad-kind.handover", "reversal 14", "reverse 14", 11},
		// through 0 (no day accepted) goes with the zero hash only, and
		// the zero hash with 0 only.
		{"bad-through-zero.handover", "through 212 ", "through 0 ", 5},
		{"bad-zero-hash.handover", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", strings.Repeat("0", 64), 5},
		// An item stands on an entry the post office read: at most through.
		{"bad-entry-after-through.handover", "reversal 14 ", "reversal 213 ", 11},
	}
}

// nothingAccepted is the document of a station retired before the post
// office accepted any day file of it: through 0 and the zero hash, no
// item, nothing carried.
func nothingAccepted() handover.Doc {
	return handover.Doc{From: "T0003", To: "T0004", Issued: "2026-12-01"}
}

// TestVerdicts keeps testdata/verdicts.json, the hand-over document's
// conformance vectors that docs/verifier/bmverify.py checks from the
// format page alone, equal to what Open says of each (-update rewrites
// the files).
func TestVerdicts(t *testing.T) {
	s, v := postOffice(t, 0)
	other, _ := postOffice(t, 1)
	good, err := handover.Format(example())
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile("testdata/example.handover")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	files["other-key.handover"], err = note.Sign(&note.Note{Text: good}, other)
	if err != nil {
		t.Fatal(err)
	}
	files["changed.handover"] = []byte(strings.Replace(string(example), "carried 150.00", "carried 250.00", 1))
	if files["nothing-accepted.handover"], err = handover.Sign(nothingAccepted(), s); err != nil {
		t.Fatal(err)
	}
	none, err := handover.Format(nothingAccepted())
	if err != nil {
		t.Fatal(err)
	}
	// With through 0 no item can stand: the first one breaks the rule.
	if files["bad-item-through-zero.handover"], err = note.Sign(&note.Note{Text: none + "item 1 reversal 1 T0003-000001 withdrawal 0.00 - - -\n"}, s); err != nil {
		t.Fatal(err)
	}
	want := verdicts{PostOfficeKey: verifierKey(t, 0), Vectors: []vector{
		{File: "example.handover", Verdict: "ok", From: "T0001", To: "T0002", Carried: "150.00", Items: 5},
		{File: "nothing-accepted.handover", Verdict: "ok", From: "T0003", To: "T0004", Carried: "0.00"},
		{File: "other-key.handover", Verdict: "signature"},
		{File: "changed.handover", Verdict: "signature"},
		{File: "bad-item-through-zero.handover", Verdict: "format", Line: 7},
	}}
	for _, b := range badVectors(good) {
		text := strings.Replace(good, b.from, b.to, 1)
		if text == good {
			t.Fatalf("%s: %q is not in the example", b.file, b.from)
		}
		if files[b.file], err = note.Sign(&note.Note{Text: text}, s); err != nil {
			t.Fatal(err)
		}
		want.Vectors = append(want.Vectors, vector{File: b.file, Verdict: "format", Line: b.line})
	}
	js, err := json.MarshalIndent(want, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	js = append(js, '\n')
	if *update {
		for name, b := range files {
			os.WriteFile(filepath.Join("testdata", name), b, 0o644)
		}
		os.WriteFile("testdata/verdicts.json", js, 0o644)
	}
	if got, err := os.ReadFile("testdata/verdicts.json"); err != nil || string(got) != string(js) {
		t.Fatalf("testdata/verdicts.json differs (-update rewrites it):\n%s", js)
	}
	for _, x := range want.Vectors {
		msg, err := os.ReadFile(filepath.Join("testdata", x.File))
		if err != nil {
			t.Fatal(err)
		}
		if b, ok := files[x.File]; ok && string(b) != string(msg) {
			t.Fatalf("testdata/%s differs (-update rewrites it)", x.File)
		}
		d, err := handover.Open(msg, v)
		var fe *handover.FormatError
		got := vector{File: x.File, Verdict: "ok"}
		switch {
		case errors.Is(err, handover.ErrSignature):
			got.Verdict = "signature"
		case errors.As(err, &fe):
			got.Verdict, got.Line = "format", fe.Line
		case err != nil:
			t.Fatalf("%s: %v", x.File, err)
		default:
			got.From, got.To, got.Carried, got.Items = d.From, d.To, d.Carried.StringFixed(2), len(d.Items)
		}
		if got != x {
			t.Errorf("%s: Open says %+v (%v), the vector %+v", x.File, got, err, x)
		}
	}
}

// verifierKey is the verifier key of postOffice(t, seed).
func verifierKey(t testing.TB, seed byte) string {
	t.Helper()
	priv := ed25519.NewKeyFromSeed([]byte(strings.Repeat(string(rune('A'+seed)), 32)))
	vkey, err := keyfile.VerifierKey("xinyang-postoffice", priv.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	return vkey
}

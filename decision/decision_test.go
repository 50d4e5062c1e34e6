package decision_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/decision"
	"golang.org/x/mod/sumdb/note"
)

func sample() decision.Decision {
	return decision.Decision{Station: "T0001", Dispute: 15, Entry: 7, Trace: "T0001-000006", Outcome: decision.RefundOwed,
		Refund: decimal.RequireFromString("500.00"), Decided: "2026-11-22", Reason: "银行确认当时没有出钞"}
}

func TestRoundTrip(t *testing.T) {
	text, err := decision.Format(sample())
	if err != nil {
		t.Fatal(err)
	}
	want := "bianmin-dispute-decision-v1\nstation T0001\ndispute 15\nentry 7\ntrace T0001-000006\noutcome refund_owed\nrefund 500.00\ndecided 2026-11-22\nreason 银行确认当时没有出钞\n"
	if text != want {
		t.Fatalf("text:\n%s\nwant:\n%s", text, want)
	}
	d, err := decision.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := decision.Format(d); again != text {
		t.Fatalf("round trip changed the text:\n%s", again)
	}
}

func TestRules(t *testing.T) {
	good, _ := decision.Format(sample())
	for _, tc := range []struct {
		name, from, to string
		line           int
	}{
		{"header", "bianmin-dispute-decision-v1", "bianmin-dispute-decision-v2", 1},
		{"station", "station T0001", "station T 0001", 2},
		{"dispute zero", "dispute 15", "dispute 0", 3},
		{"dispute leading zero", "dispute 15", "dispute 015", 3},
		{"entry after dispute", "entry 7", "entry 16", 4},
		{"trace", "trace T0001-000006", "trace T0001", 5},
		{"outcome", "outcome refund_owed", "outcome maybe", 6},
		{"refund zero when owed", "refund 500.00", "refund 0.00", 7},
		{"refund one decimal", "refund 500.00", "refund 500.0", 7},
		{"refund negative", "refund 500.00", "refund -500.00", 7},
		{"none owed with money", "outcome refund_owed", "outcome none_owed", 7},
		{"decided", "decided 2026-11-22", "decided 2026-02-30", 8},
		{"reason empty", "reason 银行确认当时没有出钞", "reason ", 9},
		{"reason trailing space", "reason 银行确认当时没有出钞", "reason 银行确认当时没有出钞 ", 9},
		{"reason control", "reason 银行确认当时没有出钞", "reason 银行\t确认", 9},
		{"reason too long", "reason 银行确认当时没有出钞", "reason " + strings.Repeat("钱", decision.MaxReason+1), 9},
		{"missing name", "decided 2026-11-22", "2026-11-22", 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := strings.Replace(good, tc.from, tc.to, 1)
			_, err := decision.Parse(text)
			var fe *decision.FormatError
			if !errors.As(err, &fe) || fe.Line != tc.line {
				t.Fatalf("Parse: %v, want an error at line %d", err, tc.line)
			}
		})
	}
	if _, err := decision.Parse(good + "extra\n"); err == nil {
		t.Fatal("a tenth line was read")
	}
	if _, err := decision.Parse(strings.TrimSuffix(good, "\n")); err == nil {
		t.Fatal("a text without its last line feed was read")
	}
}

func TestSignOpen(t *testing.T) {
	skey, vkey, err := note.GenerateKey(nil, "xinyang-postoffice")
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := note.NewSigner(skey)
	verifier, _ := note.NewVerifier(vkey)
	msg, err := decision.Sign(sample(), signer)
	if err != nil {
		t.Fatal(err)
	}
	d, err := decision.Open(msg, verifier)
	if err != nil || d.Dispute != 15 || !d.Refund.Equal(decimal.RequireFromString("500")) {
		t.Fatalf("Open: %+v, %v", d, err)
	}
	changed := []byte(strings.Replace(string(msg), "refund 500.00", "refund 900.00", 1))
	if _, err := decision.Open(changed, verifier); !errors.Is(err, decision.ErrSignature) {
		t.Fatalf("a changed refund opened: %v", err)
	}
	oskey, _, _ := note.GenerateKey(nil, "xinyang-postoffice")
	other, _ := note.NewSigner(oskey)
	forged, _ := decision.Sign(sample(), other)
	if _, err := decision.Open(forged, verifier); !errors.Is(err, decision.ErrSignature) {
		t.Fatalf("a decision by another key opened: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	good, _ := decision.Format(sample())
	f.Add(good)
	none := sample()
	none.Outcome, none.Refund = decision.NoneOwed, decimal.Zero
	text, _ := decision.Format(none)
	f.Add(text)
	f.Add("bianmin-dispute-decision-v1\n")
	f.Fuzz(func(t *testing.T, s string) {
		d, err := decision.Parse(s)
		if err != nil {
			return
		}
		again, err := decision.Format(d)
		if err != nil {
			t.Fatalf("a parsed decision does not format: %v", err)
		}
		if again != s {
			t.Fatalf("round trip changed\n%q\ninto\n%q", s, again)
		}
	})
}

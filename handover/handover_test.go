package handover_test

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/handover"
	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/ledger"
	"golang.org/x/mod/sumdb/note"
)

var update = flag.Bool("update", false, "rewrite testdata/example.handover")

// postOffice is a post office key from a fixed seed, so that the signed
// example is the same bytes every time (Ed25519 is deterministic).
func postOffice(t testing.TB, seed byte) (note.Signer, note.Verifier) {
	t.Helper()
	priv := ed25519.NewKeyFromSeed([]byte(strings.Repeat(string(rune('A'+seed)), 32)))
	skey, err := keyfile.SignerKey("xinyang-postoffice", priv)
	if err != nil {
		t.Fatal(err)
	}
	vkey, err := keyfile.VerifierKey("xinyang-postoffice", priv.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return s, v
}

func example() handover.Doc {
	d := handover.Doc{From: "T0001", To: "T0002", Issued: "2026-11-30", Through: ledger.Checkpoint{Seq: 212}}
	for i := range d.Through.Hash {
		d.Through.Hash[i] = byte(i)
	}
	d.Items = []handover.Item{
		{N: 1, Kind: handover.Queued, Entry: 5, Trace: "T0001-000005", Service: "bill_payment", Amount: decimal.RequireFromString("100.00"), What: "state-grid:5100123456"},
		{N: 2, Kind: handover.Delivery, Entry: 8, Service: "sale", What: "FERT-UREA-50KG:2", Due: "2026-11-24", Note: "村东头李家麦地"},
		{N: 3, Kind: handover.Refund, Entry: 10, Trace: "T0001-000009", Service: "bill_payment", Amount: decimal.RequireFromString("50.00"), Note: "no such account"},
		{N: 4, Kind: handover.Dispute, Entry: 12, Trace: "T0001-000006", Service: "withdrawal", Due: "2026-11-27", Note: "卡上扣了钱，没拿到现金"},
		{N: 5, Kind: handover.Reversal, Entry: 14, Trace: "T0001-000014", Service: "withdrawal"},
	}
	d.Carried = handover.Total(d.Items)
	return d
}

// TestExample signs the example of docs/postoffice.md and reads it back:
// the signed bytes are testdata/example.handover.
func TestExample(t *testing.T) {
	s, v := postOffice(t, 0)
	msg, err := handover.Sign(example(), s)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		os.WriteFile("testdata/example.handover", msg, 0o644)
	}
	want, err := os.ReadFile("testdata/example.handover")
	if err != nil || string(want) != string(msg) {
		t.Fatalf("signed example differs from testdata/example.handover (-update rewrites it):\n%s", msg)
	}
	d, err := handover.Open(msg, v)
	if err != nil {
		t.Fatal(err)
	}
	text, _ := handover.Format(d)
	if wantText, _ := handover.Format(example()); text != wantText {
		t.Fatalf("read back:\n%s\nwant\n%s", text, wantText)
	}
	// Another post office's key, or a changed byte: not signed by it.
	_, other := postOffice(t, 1)
	if _, err := handover.Open(msg, other); !errors.Is(err, handover.ErrSignature) {
		t.Errorf("another key: %v", err)
	}
	changed := []byte(strings.Replace(string(msg), "carried 150.00", "carried 250.00", 1))
	if _, err := handover.Open(changed, v); !errors.Is(err, handover.ErrSignature) {
		t.Errorf("a changed document: %v", err)
	}
}

// TestRules: each rule of the text refuses what breaks it, naming its line.
func TestRules(t *testing.T) {
	good, _ := handover.Format(example())
	for _, tc := range []struct {
		name, from, to string
		line           int
	}{
		{"header", "bianmin-handover-v1\n", "bianmin-handover-v2\n", 1},
		{"to itself", "to T0002", "to T0001", 3},
		{"issued", "issued 2026-11-30", "issued 2026-11-31", 4},
		{"through hash", "through 212 00", "through 212 0", 5},
		{"carried not the sum", "carried 150.00", "carried 150.01", 6},
		{"carried form", "carried 150.00", "carried 150.0", 6},
		{"numbering", "item 2 delivery", "item 3 delivery", 8},
		{"kind", "item 1 queued", "item 1 pending", 7},
		{"amount of a delivery", "sale 0.00", "sale 1.00", 8},
		{"queued with no money", "bill_payment 100.00 state", "bill_payment 0.00 state", 7},
		{"goods", "FERT-UREA-50KG:2", "FERT-UREA-50KG:0", 8},
		{"due", "2026-11-24", "2026-13-24", 8},
		{"note with a space at the end", "没拿到现金\n", "没拿到现金 \n", 10},
		{"trace", "T0001-000005 bill", "T0001-5 bill", 7},
		{"queued with no trace", "5 T0001-000005 bill", "5 - bill", 7},
		{"entry", "queued 5 ", "queued 05 ", 7},
		{"fields", "item 5 reversal 14 T0001-000014 withdrawal 0.00 - - -", "item 5 reversal 14 T0001-000014 withdrawal 0.00 - -", 11},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := strings.Replace(good, tc.from, tc.to, 1)
			if bad == good {
				t.Fatalf("%q is not in the example", tc.from)
			}
			_, err := handover.Parse(bad)
			var fe *handover.FormatError
			if !errors.As(err, &fe) || fe.Line != tc.line {
				t.Errorf("Parse: %v, want an error on line %d", err, tc.line)
			}
		})
	}
	if _, err := handover.Parse(strings.TrimSuffix(good, "\n")); err == nil {
		t.Error("a text without its last line feed was read")
	}
}

// entry builds a station's entry for the scan.
func entry(seq uint64, kind, idem string, payload map[string]any, postings ...ledger.Posting) ledger.Entry {
	p, _ := json.Marshal(payload)
	return ledger.Entry{Seq: seq, Time: time.Unix(0, 0), Day: "2026-11-20", Terminal: "T0001", Kind: kind, IdemKey: idem, Payload: p, Postings: postings}
}

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// TestScan: what is owed is what was opened and not closed, each kind.
func TestScan(t *testing.T) {
	es := []ledger.Entry{
		// 1-2: a queued payment, still queued.
		entry(1, "intent", "k1", map[string]any{"service": "bill_payment", "biller": "state-grid", "account": "5100123456"}),
		entry(2, "bill_payment", "outcome:1", map[string]any{"status": "queued"}, ledger.Dr("assets:cash", d("100.00")), ledger.Cr("liabilities:queued-payments", d("100.00"))),
		// 3-5: a queued payment confirmed later: nothing owed.
		entry(3, "intent", "k3", map[string]any{"service": "bill_payment"}),
		entry(4, "bill_payment", "outcome:3", nil, ledger.Dr("assets:cash", d("20.00")), ledger.Cr("liabilities:queued-payments", d("20.00"))),
		entry(5, "queued_confirmed", "final:3", nil),
		// 6-8: refused: a refund owed, then paid.
		entry(6, "intent", "k6", map[string]any{"service": "bill_payment"}),
		entry(7, "bill_payment", "outcome:6", nil, ledger.Dr("assets:cash", d("30.00")), ledger.Cr("liabilities:queued-payments", d("30.00"))),
		entry(8, "refund_due", "final:6", map[string]any{"service": "bill_payment", "trace": "T0001-000006", "refund": "30.00", "reason": "no such account"}),
		entry(9, "refund_paid", "refund_paid:8", map[string]any{"refund_of": 8}),
		// 10-11: a reversal owed, not acknowledged.
		entry(10, "intent", "k10", map[string]any{"service": "withdrawal"}),
		entry(11, "reversal_due", "outcome:10", map[string]any{"service": "withdrawal"}),
		// 12: a sale to deliver; 13: another, delivered; 14: a third, voided.
		entry(12, "sale", "s12", map[string]any{"lines": []map[string]any{{"sku": "FERT-UREA-50KG", "qty": 2}}, "delivery": map[string]any{"to": "村东头\n李家麦地", "promised": "2026-11-24"}}),
		entry(13, "sale", "s13", map[string]any{"lines": []map[string]any{{"sku": "FERT-UREA-50KG", "qty": 1}}, "delivery": map[string]any{"to": "家", "promised": "2026-11-24"}}),
		entry(14, "delivery", "delivery:13", map[string]any{"sale": 13}),
		entry(15, "sale", "s15", map[string]any{"lines": []map[string]any{{"sku": "FERT-UREA-50KG", "qty": 1}}, "delivery": map[string]any{"to": "家", "promised": "2026-11-24"}}),
		entry(16, "void", "void:15", nil),
		// 17: a dispute open; 18: another, decided with a refund not paid.
		entry(17, "dispute", "dispute:10", map[string]any{"trace": "T0001-000010", "service": "withdrawal", "says": "没拿到钱", "answer_by": "2026-11-27"}),
		entry(18, "dispute", "dispute:1", map[string]any{"trace": "T0001-000001", "service": "bill_payment", "says": "x", "answer_by": "2026-11-27"}),
		entry(19, "dispute_decided", "decided:18", map[string]any{"dispute": 18, "service": "bill_payment", "trace": "T0001-000001", "refund": "5.00", "reason": "退"}),
		// 20: a request whose outcome was never recorded.
		entry(20, "intent", "k20", map[string]any{"service": "topup"}),
	}
	s := handover.Scan{Station: "T0001"}
	for _, e := range es {
		if err := s.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, it := range s.Items() {
		got = append(got, it.Line())
	}
	want := []string{
		"item 1 queued 1 T0001-000001 bill_payment 100.00 state-grid:5100123456 - -",
		"item 2 reversal 10 T0001-000010 withdrawal 0.00 - - -",
		"item 3 delivery 12 - sale 0.00 FERT-UREA-50KG:2 2026-11-24 村东头 李家麦地",
		"item 4 dispute 17 T0001-000010 withdrawal 0.00 - 2026-11-27 没拿到钱",
		"item 5 refund 19 T0001-000001 bill_payment 5.00 - - 退",
		"item 6 reversal 20 T0001-000020 topup 0.00 - - -",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("items:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if err := handover.CheckItems(s.Items()); err != nil {
		t.Fatal(err)
	}
}

// TestDocsExample: docs/postoffice.md shows the example's text as it is.
func TestDocsExample(t *testing.T) {
	page, err := os.ReadFile("../docs/postoffice.md")
	if err != nil {
		t.Fatal(err)
	}
	text, _ := handover.Format(example())
	if !strings.Contains(string(page), "```\n"+text+"```\n") {
		t.Fatalf("docs/postoffice.md does not show the hand-over document's example as Format writes it:\n%s", text)
	}
}

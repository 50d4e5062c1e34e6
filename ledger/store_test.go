package ledger_test

import (
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/villagepost/bianmin/ledger"
)

func TestAppendAndRead(t *testing.T) {
	s, _ := MustCreate(t)
	mustAppend(t, s, cashIn("k1", "2000.00"))
	w := mustAppend(t, s, withdrawal("k2", "500.00"))
	if w.Seq != 3 || w.Terminal != "T0001" || w.Day != "2026-11-20" {
		t.Fatalf("withdrawal entry = seq %d terminal %s day %s", w.Seq, w.Terminal, w.Day)
	}
	got, err := s.Get(3)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := s.Get(2)
	if got.Hash != w.Hash || got.Prev != first.Hash || string(got.Payload) != string(w.Payload) {
		t.Errorf("Get(3) differs from what Append returned")
	}
	byKey, err := s.ByIdemKey("k2")
	if err != nil || byKey.Seq != 3 {
		t.Errorf("ByIdemKey(k2) = %d, %v", byKey.Seq, err)
	}
	if _, err := s.ByIdemKey("nope"); !errors.Is(err, ledger.ErrNotFound) {
		t.Errorf("ByIdemKey(nope) err = %v, want ErrNotFound", err)
	}
	if _, err := s.Get(99); !errors.Is(err, ledger.ErrNotFound) {
		t.Errorf("Get(99) err = %v, want ErrNotFound", err)
	}
	var seqs []uint64
	s.Range(2, 3, func(e ledger.Entry) error { seqs = append(seqs, e.Seq); return nil })
	if len(seqs) != 2 || seqs[0] != 2 || seqs[1] != 3 {
		t.Errorf("Range(2,3) = %v", seqs)
	}
	b, err := s.Balances()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"assets:cash":                  "1500",
		"postoffice:settlement":        "500.5",
		"income:commission:withdrawal": "-0.5",
		"equity:owner":                 "-2000",
	}
	for acct, v := range want {
		if !b.Get(acct).Equal(amt(v)) {
			t.Errorf("balance %s = %s, want %s", acct, b.Get(acct), v)
		}
	}
	at2, err := s.BalancesAt(2)
	if err != nil {
		t.Fatal(err)
	}
	if !at2.Get("assets:cash").Equal(amt("2000")) || !at2.Get("postoffice:settlement").IsZero() {
		t.Errorf("BalancesAt(2) = %v", at2)
	}
}

func TestAppendRefusesBadEntries(t *testing.T) {
	s, _ := MustCreate(t)
	mustAppend(t, s, cashIn("k1", "100.00"))
	unbalanced := withdrawal("k2", "500.00")
	unbalanced.Postings[1].Amount = amt("499.99")
	tests := []struct {
		name  string
		draft ledger.Draft
		field string // "" for an UnbalancedError
	}{
		{"Unbalanced", unbalanced, ""},
		{"NoKind", ledger.Draft{Operator: "OP1", IdemKey: "x"}, "kind"},
		{"BadKind", ledger.Draft{Operator: "OP1", Kind: "Withdrawal!", IdemKey: "x"}, "kind"},
		{"NoOperator", ledger.Draft{Kind: "note", IdemKey: "x"}, "operator"},
		{"NoIdemKey", ledger.Draft{Operator: "OP1", Kind: "note"}, "idem_key"},
		{"Genesis", ledger.Draft{Operator: "OP1", Kind: "genesis", IdemKey: "x"}, "kind"},
		{"PayloadNotJSON", ledger.Draft{Operator: "OP1", Kind: "note", IdemKey: "x", Payload: []byte("{")}, "payload"},
		{"OnePosting", ledger.Draft{Operator: "OP1", Kind: "note", IdemKey: "x",
			Postings: []ledger.Posting{ledger.Dr("assets:cash", amt("1.00"))}}, "postings"},
		{"ZeroAmount", ledger.Draft{Operator: "OP1", Kind: "note", IdemKey: "x",
			Postings: []ledger.Posting{ledger.Dr("assets:cash", amt("0")), ledger.Cr("equity:owner", amt("0"))}}, "postings[0].amount"},
		{"ThreeDecimals", ledger.Draft{Operator: "OP1", Kind: "note", IdemKey: "x",
			Postings: []ledger.Posting{ledger.Dr("assets:cash", amt("1.001")), ledger.Cr("equity:owner", amt("1.001"))}}, "postings[0].amount"},
		{"BadAccount", ledger.Draft{Operator: "OP1", Kind: "note", IdemKey: "x",
			Postings: []ledger.Posting{ledger.Dr("Assets Cash", amt("1")), ledger.Cr("equity:owner", amt("1"))}}, "postings[0].account"},
		{"HalfBag", ledger.Draft{Operator: "OP1", Kind: "stock_in", IdemKey: "x",
			Postings: []ledger.Posting{
				{Account: "assets:stock", Side: ledger.Debit, Commodity: "FERT-50KG", Amount: amt("0.5")},
				{Account: "postoffice:consignment", Side: ledger.Credit, Commodity: "FERT-50KG", Amount: amt("0.5")},
			}}, "postings[0].amount"},
		{"ClosedDay", ledger.Draft{Operator: "OP1", Kind: "note", IdemKey: "x", Day: "2026-11-19"}, "day"},
	}
	before := s.Last()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, added, err := s.Append(tt.draft)
			if err == nil || added {
				t.Fatalf("Append accepted it (added %v)", added)
			}
			if tt.field == "" {
				var ue *ledger.UnbalancedError
				if !errors.As(err, &ue) {
					t.Fatalf("err = %v, want UnbalancedError", err)
				}
				return
			}
			var fe *ledger.FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field {
				t.Fatalf("err = %v, want FieldError on %s", err, tt.field)
			}
		})
	}
	if s.Last() != before {
		t.Errorf("refused entries changed the ledger: last %v, was %v", s.Last(), before)
	}
	if _, err := s.VerifyAll(); err != nil {
		t.Errorf("VerifyAll after refusals: %v", err)
	}
}

func TestIdempotency(t *testing.T) {
	s, c := MustCreate(t)
	first := mustAppend(t, s, withdrawal("w-1", "500.00"))
	c.Set(c.Now().Add(time.Minute)) // a retry a minute later is still the same entry
	again, added, err := s.Append(withdrawal("w-1", "500.00"))
	if err != nil || added {
		t.Fatalf("replay: added %v, err %v", added, err)
	}
	if again.Seq != first.Seq || again.Hash != first.Hash {
		t.Errorf("replay returned seq %d, want the existing %d", again.Seq, first.Seq)
	}
	if s.Last().Seq != first.Seq {
		t.Errorf("replay appended: last seq %d", s.Last().Seq)
	}
	// A retry after the day was closed is still the same entry.
	mustAppend(t, s, ledger.Draft{Operator: "OP1", Kind: "day_close", IdemKey: "close"})
	again, added, err = s.Append(withdrawal("w-1", "500.00"))
	if err != nil || added || again.Seq != first.Seq {
		t.Fatalf("replay after day close: seq %d added %v err %v", again.Seq, added, err)
	}
	_, added, err = s.Append(withdrawal("w-1", "600.00"))
	var ce *ledger.ConflictError
	if !errors.As(err, &ce) || added || ce.Seq != first.Seq {
		t.Fatalf("same key, other amount: added %v err %v, want ConflictError on %d", added, err, first.Seq)
	}
	if s.Last().Seq != first.Seq+1 {
		t.Errorf("conflict appended: last seq %d", s.Last().Seq)
	}
}

func TestBusinessDay(t *testing.T) {
	s, c := MustCreate(t)
	c.Set(time.Date(2026, 11, 20, 22, 59, 0, 0, shanghai))
	if e := mustAppend(t, s, cashIn("a", "1.00")); e.Day != "2026-11-20" {
		t.Errorf("22:59 went to %s, want 2026-11-20", e.Day)
	}
	c.Set(time.Date(2026, 11, 20, 23, 0, 0, 0, shanghai))
	if e := mustAppend(t, s, cashIn("b", "1.00")); e.Day != "2026-11-21" {
		t.Errorf("23:00 (the cut-off) went to %s, want 2026-11-21", e.Day)
	}
	// The clock jumps back (a bad RTC): the business day does not.
	c.Set(time.Date(2026, 11, 20, 10, 0, 0, 0, shanghai))
	if e := mustAppend(t, s, cashIn("c", "1.00")); e.Day != "2026-11-21" {
		t.Errorf("after a clock jump back the day went to %s, want 2026-11-21", e.Day)
	}
	// After the day is closed, what follows belongs to the next day.
	mustAppend(t, s, ledger.Draft{Operator: "OP1", Kind: "day_close", IdemKey: "close-1121"})
	if s.Closed() != "2026-11-21" {
		t.Errorf("Closed() = %q", s.Closed())
	}
	if e := mustAppend(t, s, cashIn("d", "1.00")); e.Day != "2026-11-22" {
		t.Errorf("after the close the day is %s, want 2026-11-22", e.Day)
	}
	var n int
	s.Day("2026-11-21", func(e ledger.Entry) error { n++; return nil })
	if n != 3 {
		t.Errorf("Day(2026-11-21) has %d entries, want 3 (b, c and the close)", n)
	}
	days, _ := s.Days()
	if len(days) != 3 {
		t.Errorf("Days() = %v", days)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := ledger.Open(filepath.Join(dir, "none.db"), nil); !errors.Is(err, ledger.ErrNoLedger) {
		t.Errorf("missing file: %v", err)
	}
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte("this is a shopping list, not a ledger"), 0o600)
	var ce *ledger.CorruptError
	if _, err := ledger.Open(junk, nil); !errors.As(err, &ce) {
		t.Errorf("junk file: %v, want CorruptError", err)
	}

	s, _ := MustCreate(t)
	mustAppend(t, s, cashIn("a", "1.00"))
	if _, err := ledger.Open(s.Path(), &ledger.Options{Timeout: 50 * time.Millisecond}); !errors.Is(err, ledger.ErrInUse) {
		t.Errorf("second open: %v, want ErrInUse", err)
	}
	if _, err := ledger.Create(s.Path(), ledger.Genesis{Terminal: "T0002", Zone: "Asia/Shanghai"}, "init", testKey, nil); !errors.Is(err, ledger.ErrExists) {
		t.Errorf("create over a ledger: %v, want ErrExists", err)
	}
	s.Close()

	// A file cut short, as a failing SD card might leave it.
	data, _ := os.ReadFile(s.Path())
	short := filepath.Join(dir, "short.db")
	os.WriteFile(short, data[:len(data)/3], 0o600)
	if st, err := ledger.Open(short, nil); err == nil {
		_, err = st.VerifyAll()
		st.Close()
		if err == nil {
			t.Errorf("truncated file opened and verified")
		}
	}
}

func TestSignerMustMatch(t *testing.T) {
	s, _ := MustCreate(t)
	path := s.Path()
	s.Close()
	s, err := ledger.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, _, err := s.Append(cashIn("a", "1.00")); !errors.Is(err, ledger.ErrNoSigner) {
		t.Errorf("append without key: %v", err)
	}
	other := make([]byte, 32)
	other[0] = 1
	if err := s.SetSigner(ed25519.NewKeyFromSeed(other)); err == nil {
		t.Errorf("another station's key was accepted")
	}
	if err := s.SetSigner(testKey); err != nil {
		t.Fatal(err)
	}
	mustAppend(t, s, cashIn("a", "1.00"))
}

func TestIfLast(t *testing.T) {
	s, _ := MustCreate(t)
	last := s.Last().Seq
	if _, _, err := s.Append(ledger.Draft{Operator: "OP1", Kind: "note", IdemKey: "a", IfLast: last}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Append(ledger.Draft{Operator: "OP1", Kind: "note", IdemKey: "b", IfLast: last}); !errors.Is(err, ledger.ErrMoved) {
		t.Errorf("an append after a stale IfLast: %v", err)
	}
	if s.Last().Seq != last+1 {
		t.Errorf("last is %d", s.Last().Seq)
	}
}

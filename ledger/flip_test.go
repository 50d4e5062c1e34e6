package ledger_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/villagepost/bianmin/ledger"
	bolt "go.etcd.io/bbolt"
)

// flipLedger makes a small closed ledger with entries of each kind the
// ledger gives meaning to (genesis, money, goods, a day close, the next
// day) plus extra withdrawals, and verifies it twice, as a station does at
// every start. It returns the file's path and the idempotency keys used.
func flipLedger(t *testing.T, extra int) (string, []string) {
	t.Helper()
	s, c := MustCreate(t)
	s.Close()
	path := s.Path()
	s, err := ledger.Open(path, &ledger.Options{Now: c.Now, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.SetSigner(testKey); err != nil {
		t.Fatal(err)
	}
	keys := []string{"genesis:T0001"}
	add := func(d ledger.Draft) {
		t.Helper()
		mustAppend(t, s, d)
		keys = append(keys, d.IdemKey)
	}
	add(cashIn("k1", "2000.00"))
	add(withdrawal("k2", "500.00"))
	add(ledger.Draft{Operator: "OP1", Kind: "stock_in", IdemKey: "k3", Postings: []ledger.Posting{
		{Account: "assets:stock", Side: ledger.Debit, Commodity: "FERT-50KG", Amount: amt("10")},
		{Account: "postoffice:consignment", Side: ledger.Credit, Commodity: "FERT-50KG", Amount: amt("10")},
	}})
	add(ledger.Draft{Operator: "OP1", Kind: "sale", IdemKey: "k4", Payload: []byte(`{"items":[{"sku":"FERT-50KG","qty":2}]}`), Postings: []ledger.Posting{
		{Account: "postoffice:consignment", Side: ledger.Debit, Commodity: "FERT-50KG", Amount: amt("2")},
		{Account: "assets:stock", Side: ledger.Credit, Commodity: "FERT-50KG", Amount: amt("2")},
		ledger.Dr("assets:cash", amt("270.00")),
		ledger.Cr("postoffice:settlement", amt("270.00")),
	}})
	for i := range extra {
		add(withdrawal(fmt.Sprintf("w%d", i), "100.00"))
	}
	add(ledger.Draft{Operator: "OP1", Kind: ledger.KindDayClose, IdemKey: "close:2026-11-20", Payload: []byte(`{"counted":"770.00"}`)})
	c.Set(c.Now().Add(24 * time.Hour))
	add(withdrawal("k6", "300.00"))
	for range 2 {
		if _, err := s.VerifyAll(); err != nil {
			t.Fatal(err)
		}
	}
	return path, keys
}

// observe describes everything the station reads from a ledger: who it
// is and whom it trusts, where it ends, the closed day, balances now and
// after every entry, the business days and their entries, the answer to
// every idempotency key it has used and to one it has not, and the last
// verified point. Two files with the same description behave the same.
func observe(s *ledger.Store, keys []string) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "genesis %+v\nlast %v day %s closed %q\n", s.Genesis(), s.Last(), s.LastDay(), s.Closed())
	bal, err := s.Balances()
	if err != nil {
		return "", err
	}
	fmt.Fprintf(&b, "balances %v\n", bal.Sorted())
	// After every entry of a small ledger; after 64 spread over a large
	// one, which would otherwise cost each flip a quadratic re-read.
	step := max(1, s.Last().Seq/64)
	for seq := uint64(1); seq <= s.Last().Seq; seq += step {
		at, err := s.BalancesAt(seq)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "at %d %v\n", seq, at.Sorted())
	}
	days, err := s.Days()
	if err != nil {
		return "", err
	}
	for _, d := range days {
		fmt.Fprintf(&b, "day %s:", d)
		if err := s.Day(d, func(e ledger.Entry) error { fmt.Fprintf(&b, " %d/%x", e.Seq, e.Hash[:4]); return nil }); err != nil {
			return "", err
		}
		b.WriteString("\n")
	}
	for _, k := range append(keys, "never-used") {
		e, err := s.ByIdemKey(k)
		if err != nil && !errors.Is(err, ledger.ErrNotFound) {
			return "", err
		}
		fmt.Fprintf(&b, "idem %s %d\n", k, e.Seq)
	}
	v, err := s.Verified()
	if err != nil {
		return "", err
	}
	fmt.Fprintf(&b, "verified %v\n", v)
	return b.String(), nil
}

// span is a run of bytes of the file that bbolt has in use: a page and
// its overflow.
type span struct {
	kind     string
	from, to int64
}

// livePages lists the pages of the file that bbolt reads: the two meta
// pages, the free list and every page of the tree, but not free pages
// nor the file's unused tail.
func livePages(t *testing.T, path string) []span {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out []span
	ps := int64(db.Info().PageSize)
	err = db.View(func(tx *bolt.Tx) error {
		for id := 0; ; {
			p, err := tx.Page(id)
			if err != nil {
				return err
			}
			if p == nil {
				return nil
			}
			if p.Type == "free" {
				id++
				continue
			}
			n := 1 + p.OverflowCount
			out = append(out, span{p.Type, int64(id) * ps, int64(id+n) * ps})
			id += n
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// flipCounts says what became of the flips of one kind of page.
type flipCounts struct {
	flips, verify, open, same int
}

// flipEvery flips, one at a time, the bytes at offsets of the ledger file
// at path (XOR mask), and requires of each: ledger verify names what is
// wrong (a VerifyError), or opening refuses the file as damaged (a
// CorruptError), or what the station reads from the file is exactly what
// it reads from the unflipped file, before and after one more entry.
func flipEvery(t *testing.T, path string, keys []string, offsets func(yield func(kind string, off int64) bool), mask func(off int64) byte) map[string]*flipCounts {
	t.Helper()
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2026, 11, 22, 10, 0, 0, 0, shanghai)}
	next := withdrawal("after-flip", "50.00")
	dir := scratch(t)
	n := 0
	look := func(data []byte) (before, after string, err error) {
		// A file of its own for each flip: bbolt panicking inside Open
		// keeps its lock on the file, as it would in a program that then
		// exits.
		n++
		work := filepath.Join(dir, fmt.Sprintf("flipped-%d.db", n))
		defer os.Remove(work)
		if err := os.WriteFile(work, data, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := ledger.Open(work, &ledger.Options{Now: c.Now, NoSync: true})
		if err != nil {
			return "", "", err
		}
		defer s.Close()
		if _, err := s.VerifyAll(); err != nil {
			return "", "", err
		}
		if before, err = observe(s, keys); err != nil {
			return "", "", err
		}
		if err := s.SetSigner(testKey); err != nil {
			return "", "", err
		}
		if _, _, err := s.Append(next); err != nil {
			return "", "", err
		}
		if _, err := s.VerifyAll(); err != nil {
			return "", "", err
		}
		after, err = observe(s, append(keys, next.IdemKey))
		return before, after, err
	}
	wantBefore, wantAfter, err := look(orig)
	if err != nil {
		t.Fatalf("unflipped file: %v", err)
	}
	counts := map[string]*flipCounts{}
	data := make([]byte, len(orig))
	offsets(func(kind string, off int64) bool {
		n := counts[kind]
		if n == nil {
			n = &flipCounts{}
			counts[kind] = n
		}
		n.flips++
		copy(data, orig)
		data[off] ^= mask(off)
		if os.Getenv("LEDGER_FLIP_TRACE") != "" {
			fmt.Fprintln(os.Stderr, "flip", off)
		}
		before, after, err := look(data)
		var ve *ledger.VerifyError
		var ce *ledger.CorruptError
		switch {
		case errors.As(err, &ve):
			n.verify++
		case errors.As(err, &ce):
			n.open++
		case err != nil:
			t.Errorf("byte %d (%s page) ^%#x: %v (%T), neither a verify failure nor a damaged file", off, kind, mask(off), err, err)
		case before != wantBefore || after != wantAfter:
			t.Errorf("byte %d (%s page) ^%#x: not detected, and the station reads something else:\n%s", off, kind, mask(off), diff(wantBefore+wantAfter, before+after))
		default:
			n.same++
		}
		return !t.Failed() || n.flips < 5
	})
	return counts
}

// diff returns the first differing lines of a and b.
func diff(a, b string) string {
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range x {
		if i >= len(y) || x[i] != y[i] {
			got := "(none)"
			if i < len(y) {
				got = y[i]
			}
			return "want " + x[i] + "\n got " + got
		}
	}
	return "(longer) " + strings.Join(y[len(x):], "|")
}

func logCounts(t *testing.T, counts map[string]*flipCounts) {
	var total flipCounts
	for kind, n := range counts {
		t.Logf("%-9s %6d flips: %6d named by ledger verify, %5d refused at open as damaged, %6d change nothing the station reads",
			kind, n.flips, n.verify, n.open, n.same)
		total.flips += n.flips
		total.verify += n.verify
		total.open += n.open
		total.same += n.same
	}
	t.Logf("%-9s %6d flips: %6d named by ledger verify, %5d refused at open as damaged, %6d change nothing the station reads",
		"all", total.flips, total.verify, total.open, total.same)
}

// TestEveryFlippedByteOfTheFile flips every byte of every live page of a
// small ledger file in turn (the meta pages, the free list, the root with
// the indexes, balances and records inlined in it, and the entries' page),
// byte n by its bit n mod 8: each flip is named by ledger verify, refused
// at open as a damaged file, or changes nothing the station reads.
//
// For bench/flip.sh: LEDGER_FLIP_EXTRA=n adds n withdrawals to the ledger;
// LEDGER_FLIP_SAMPLE=m flips only m bytes chosen at random (seeded by
// LEDGER_FLIP_SEED); LEDGER_FLIP_MASKS=bit,byte also flips whole bytes.
func TestEveryFlippedByteOfTheFile(t *testing.T) {
	extra, sample, seed := envInt(t, "LEDGER_FLIP_EXTRA", 0), envInt(t, "LEDGER_FLIP_SAMPLE", 0), envInt(t, "LEDGER_FLIP_SEED", 1)
	masks := strings.Split(os.Getenv("LEDGER_FLIP_MASKS"), ",")
	if masks[0] == "" {
		masks = []string{"bit"}
	}
	path, keys := flipLedger(t, extra)
	pages := livePages(t, path)
	var size int64
	for _, p := range pages {
		size += p.to - p.from
	}
	t.Logf("ledger of %d entries, %d live pages, %d bytes in them", len(keys), len(pages), size)
	for i, name := range masks {
		mask := map[string]func(int64) byte{
			"bit":  func(off int64) byte { return 1 << (off % 8) },
			"byte": func(int64) byte { return 0xff },
		}[name]
		if mask == nil {
			t.Fatalf("LEDGER_FLIP_MASKS: %q is neither bit nor byte", name)
		}
		offsets := func(yield func(string, int64) bool) {
			if sample > 0 {
				r := rand.New(rand.NewPCG(uint64(seed), uint64(i)))
				for range sample {
					at := r.Int64N(size)
					for _, p := range pages {
						if at < p.to-p.from {
							if !yield(p.kind, p.from+at) {
								return
							}
							break
						}
						at -= p.to - p.from
					}
				}
				return
			}
			for _, p := range pages {
				for off := p.from; off < p.to; off++ {
					if !yield(p.kind, off) {
						return
					}
				}
			}
		}
		t.Logf("flipping the %s:", map[string]string{"bit": "bit n mod 8 of byte n", "byte": "whole byte"}[name])
		logCounts(t, flipEvery(t, path, keys, offsets, mask))
	}
}

func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, v, err)
	}
	return n
}

// scratch returns a temporary folder in memory where there is one
// (/dev/shm), since each flip writes a file and bbolt syncs it as it grows.
func scratch(t *testing.T) string {
	t.Helper()
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		dir, err := os.MkdirTemp("/dev/shm", "ledger-flip-")
		if err == nil {
			t.Cleanup(func() { os.RemoveAll(dir) })
			return dir
		}
	}
	return t.TempDir()
}

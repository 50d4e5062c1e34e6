package ledger_test

import (
	"crypto/ed25519"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
	bolt "go.etcd.io/bbolt"
)

// testKey is a fixed station key so that test ledgers are reproducible.
var testKey = ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))

// clock is a settable clock for business-day tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

var shanghai = mustZone("Asia/Shanghai")

func mustZone(name string) *time.Location {
	z, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return z
}

// MustCreate makes a new ledger in a temporary folder whose clock starts at
// 09:00 on 2026-11-20, Shanghai time.
func MustCreate(tb testing.TB) (*ledger.Store, *clock) {
	tb.Helper()
	c := &clock{t: time.Date(2026, 11, 20, 9, 0, 0, 0, shanghai)}
	path := filepath.Join(tb.TempDir(), "ledger.db")
	s, err := ledger.Create(path, ledger.Genesis{Terminal: "T0001", Name: "山前村便民服务站", Zone: "Asia/Shanghai"},
		"init", testKey, &ledger.Options{Now: c.Now})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s, c
}

func amt(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// withdrawal is the draft of a cash withdrawal of amount with a 0.50 commission.
func withdrawal(key, amount string) ledger.Draft {
	return ledger.Draft{
		Operator: "OP1", Kind: "withdrawal", IdemKey: key,
		Payload: []byte(fmt.Sprintf(`{"card":"622848******1234","amount":"%s"}`, amount)),
		Postings: []ledger.Posting{
			ledger.Dr("postoffice:settlement", amt(amount)),
			ledger.Cr("assets:cash", amt(amount)),
			ledger.Dr("postoffice:settlement", amt("0.50")),
			ledger.Cr("income:commission:withdrawal", amt("0.50")),
		},
	}
}

func cashIn(key, amount string) ledger.Draft {
	return ledger.Draft{
		Operator: "OP1", Kind: "cash_in", IdemKey: key,
		Postings: []ledger.Posting{
			ledger.Dr("assets:cash", amt(amount)),
			ledger.Cr("equity:owner", amt(amount)),
		},
	}
}

func mustAppend(tb testing.TB, s *ledger.Store, d ledger.Draft) ledger.Entry {
	tb.Helper()
	e, added, err := s.Append(d)
	if err != nil {
		tb.Fatal(err)
	}
	if !added {
		tb.Fatalf("append %s: not added", d.IdemKey)
	}
	return e
}

// rawUpdate edits the closed ledger file directly, as a dishonest
// franchisee with a bbolt editor could.
func rawUpdate(tb testing.TB, path string, fn func(entries *bolt.Bucket) error) {
	tb.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error { return fn(tx.Bucket([]byte("entries"))) }); err != nil {
		tb.Fatal(err)
	}
}

func key(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

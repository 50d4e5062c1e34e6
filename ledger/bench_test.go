package ledger_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/villagepost/bianmin/ledger"
	bolt "go.etcd.io/bbolt"
)

// BenchmarkAppend is one withdrawal entry: validate, hash, sign, and one
// fsynced bbolt transaction with its indexes and balances.
func BenchmarkAppend(b *testing.B) {
	s, _ := MustCreate(b)
	b.ResetTimer()
	for i := range b.N {
		if _, _, err := s.Append(withdrawal(fmt.Sprintf("w-%d", i), "500.00")); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBoltUpdate is the physical limit for BenchmarkAppend: one bare
// fsynced bbolt Update putting a record of the same size under the next
// sequence number.
func BenchmarkBoltUpdate(b *testing.B) {
	s, _ := MustCreate(b)
	e := mustAppend(b, s, withdrawal("w", "500.00"))
	rec := ledger.EncodeRecord(&e)
	db, err := bolt.Open(filepath.Join(b.TempDir(), "bare.db"), 0o600, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("entries")); return err })
	b.ResetTimer()
	for i := range b.N {
		err := db.Update(func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("entries")).Put(key(uint64(i+1)), rec)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

const benchEntries = 100_000

var (
	bigOnce sync.Once
	bigPath string
	bigErr  error
)

// bigLedger builds (once per run) a ledger of 100,000 withdrawals.
func bigLedger(b *testing.B) string {
	bigOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ledger-bench")
		if err != nil {
			bigErr = err
			return
		}
		bigPath = filepath.Join(dir, "ledger.db")
		c := &clock{t: time.Date(2026, 11, 20, 9, 0, 0, 0, shanghai)}
		s, err := ledger.Create(bigPath, ledger.Genesis{Terminal: "T0001", Name: "bench", Zone: "Asia/Shanghai"},
			"init", testKey, &ledger.Options{Now: c.Now, NoSync: true})
		if err != nil {
			bigErr = err
			return
		}
		defer s.Close()
		for i := 2; i <= benchEntries; i++ {
			if _, _, err := s.Append(withdrawal(fmt.Sprintf("w-%d", i), "500.00")); err != nil {
				bigErr = err
				return
			}
		}
	})
	if bigErr != nil {
		b.Fatal(bigErr)
	}
	return bigPath
}

// BenchmarkVerifyAll100k is a full verify of 100,000 entries from disk:
// chain, decode, balance, all signatures, stored balances.
func BenchmarkVerifyAll100k(b *testing.B) {
	path := bigLedger(b)
	s, err := ledger.Open(path, &ledger.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.ResetTimer()
	for range b.N {
		r, err := s.VerifyAll()
		if err != nil || r.Entries != benchEntries {
			b.Fatalf("verify: %+v %v", r, err)
		}
	}
	b.ReportMetric(float64(benchEntries*b.N)/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkEd25519Verify100kAllCores is the physical limit for
// BenchmarkVerifyAll100k: 100,000 bare Ed25519 verifications of 32-byte
// messages spread over every core.
func BenchmarkEd25519Verify100kAllCores(b *testing.B) {
	type job struct {
		msg [32]byte
		sig []byte
	}
	jobs := make([]job, benchEntries)
	for i := range jobs {
		jobs[i].msg = sha256.Sum256(fmt.Appendf(nil, "%d", i))
		jobs[i].sig = ed25519.Sign(testKey, jobs[i].msg[:])
	}
	pub := testKey.Public().(ed25519.PublicKey)
	workers := runtime.GOMAXPROCS(0)
	b.ResetTimer()
	for range b.N {
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < len(jobs); i += workers {
					if !ed25519.Verify(pub, jobs[i].msg[:], jobs[i].sig) {
						panic("bad signature")
					}
				}
			}()
		}
		wg.Wait()
	}
	b.ReportMetric(float64(benchEntries*b.N)/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkBalances reads every balance after the last entry (kept up to
// date on append).
func BenchmarkBalances(b *testing.B) {
	s, err := ledger.Open(bigLedger(b), &ledger.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.ResetTimer()
	for range b.N {
		if _, err := s.Balances(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBalancesAt is the worst case of balances at an old sequence: the
// one just before a snapshot, SnapshotEvery-1 entries to add up.
func BenchmarkBalancesAt(b *testing.B) {
	s, err := ledger.Open(bigLedger(b), &ledger.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	seq := uint64(10*ledger.SnapshotEvery - 1)
	b.ResetTimer()
	for range b.N {
		if _, err := s.BalancesAt(seq); err != nil {
			b.Fatal(err)
		}
	}
}

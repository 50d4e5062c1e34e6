package settlement_test

import (
	"crypto/ed25519"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/settlement"
	"github.com/villagepost/bianmin/terminal"
)

// busyDay makes a ledger whose first day holds n entries of cash moving in
// and out, then closes it. The ledger skips fsync: it is built for the
// benchmark, and what is measured is the file, not the appends.
func busyDay(b *testing.B, n int) (*ledger.Store, uint64) {
	b.Helper()
	now := time.Date(2026, 11, 20, 8, 0, 0, 0, cst)
	clock := func() time.Time { now = now.Add(5 * time.Second); return now }
	s, err := ledger.Create(filepath.Join(b.TempDir(), "ledger.db"),
		ledger.Genesis{Terminal: "T0001", Name: "busy", Zone: "Asia/Shanghai"}, "init", stationKey, &ledger.Options{Now: clock, NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	d := &terminal.Drawer{Ledger: s}
	amount := decimal.New(1000, -2)
	for i := range n - 2 {
		move := d.In
		reason := terminal.ReasonOwner
		if i%2 == 1 {
			move = d.Out
		}
		if _, err := move(terminal.CashMove{Operator: "OP1", Amount: amount, Reason: reason, IdemKey: "m" + strconv.Itoa(i)}); err != nil {
			b.Fatal(err)
		}
	}
	pending, err := terminal.OpenPending(filepath.Join(b.TempDir(), "pending.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { pending.Close() })
	e, _, err := (&terminal.Days{Ledger: s, Pending: pending}).Close(terminal.CloseRequest{Operator: "OP1"})
	if err != nil {
		b.Fatal(err)
	}
	return s, e.Seq
}

// BenchmarkWriteDay5000 makes and signs the file of a 5,000-entry day
// from the ledger.
func BenchmarkWriteDay5000(b *testing.B) {
	s, closeSeq := busyDay(b, 5000)
	var size int
	for b.Loop() {
		f, err := settlement.FromLedger(s, closeSeq, "")
		if err != nil {
			b.Fatal(err)
		}
		data, err := f.Sign(stationKey)
		if err != nil {
			b.Fatal(err)
		}
		size = len(data)
	}
	b.ReportMetric(float64(size), "file-bytes")
}

// BenchmarkVerifyDay5000 reads and verifies that file from its bytes.
func BenchmarkVerifyDay5000(b *testing.B) {
	s, closeSeq := busyDay(b, 5000)
	f, err := settlement.FromLedger(s, closeSeq, "")
	if err != nil {
		b.Fatal(err)
	}
	data, err := f.Sign(stationKey)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := settlement.Verify(data, stationKey.Public().(ed25519.PublicKey), ledger.Checkpoint{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(f.Records))*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkEd25519Verify5000 is the floor: 5,000 bare signature checks
// on all cores, as the reader makes them.
func BenchmarkEd25519Verify5000(b *testing.B) {
	msg := make([]byte, 32)
	sig := ed25519.Sign(stationKey, msg)
	pub := stationKey.Public().(ed25519.PublicKey)
	workers := runtime.GOMAXPROCS(0)
	for b.Loop() {
		done := make(chan struct{})
		for range workers {
			go func() {
				for i := 0; i < 5000/workers; i++ {
					ed25519.Verify(pub, msg, sig)
				}
				done <- struct{}{}
			}()
		}
		for range workers {
			<-done
		}
	}
}

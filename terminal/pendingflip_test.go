package terminal_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/villagepost/bianmin/terminal"
	bolt "go.etcd.io/bbolt"
)

// TestEveryFlippedByteOfThePendingStore flips, one at a time, bit n mod 8
// of every byte n of the live pages of a small pending store (a withdrawal
// whose answer was lost, two queued bill payments, a waitlisted ticket
// order, one payment tried and failed): each flip is refused as a damaged
// file or record, or changes nothing a host is sent, the settlement file
// carries or the screen promises (trace, request, state, time, promised
// confirmation, may-have-been-sent). Only the two working notes shown in
// the queue (attempts, last error) may read differently.
func TestEveryFlippedByteOfThePendingStore(t *testing.T) {
	r := newRig(t)
	r.crashAfterIntent(terminal.SvcWithdrawal, map[string]any{"amount": "300.00"}, true)
	r.host.next(waitlist)
	if _, err := r.order(nil); err != nil {
		t.Fatal(err)
	}
	r.host.setOffline(true)
	for _, acct := range []string{"5100123456", "5100654321"} {
		if _, err := r.pay("state-grid", acct, "120.00", ""); err != nil {
			t.Fatal(err)
		}
	}
	// The start finds the lost answer and tries everything once: the
	// attempts and the error are noted.
	if _, err := r.link.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.host.setOffline(false)

	// The rig's store, copied record by record into a file of its own.
	items, err := r.pending.List()
	if err != nil || len(items) != 4 {
		t.Fatalf("the rig's pending store holds %d items (%v), want 4", len(items), err)
	}
	dir := t.TempDir()
	orig := filepath.Join(dir, "pending.db")
	p, err := terminal.OpenPending(orig)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if err := p.Put(it); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.SetScanned(r.ledger.Last().Seq); err != nil {
		t.Fatal(err)
	}
	p.Close()
	list := func(path string) ([]terminal.PendingItem, error) {
		p, err := terminal.OpenPending(path)
		if err != nil {
			return nil, err
		}
		defer p.Close()
		l := &terminal.Link{Ledger: r.ledger, Pending: p, Terminal: "T0001", Now: r.clock}
		items, err := l.Items()
		for i := range items {
			items[i].Attempts, items[i].LastError = 0, ""
		}
		return items, err
	}
	want, err := list(orig)
	if err != nil || len(want) != 4 {
		t.Fatalf("the copy lists %d items, %v", len(want), err)
	}
	data, err := os.ReadFile(orig)
	if err != nil {
		t.Fatal(err)
	}
	var damagedRecord, damagedFile, same int // a record of one item refused, the file refused, nothing used changed
	for _, pg := range livePagesOf(t, orig) {
		for off := pg.from; off < pg.to; off++ {
			b := append([]byte(nil), data...)
			b[off] ^= 1 << (off % 8)
			// A file of its own each time: bbolt keeps the lock of a
			// file whose open it panicked in (the guard recovers).
			flipped := filepath.Join(dir, fmt.Sprintf("flipped-%d.db", off))
			if err := os.WriteFile(flipped, b, 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := list(flipped)
			os.Remove(flipped)
			var dp *terminal.DamagedPendingError
			switch {
			case errors.As(err, &dp) && dp.Intent != 0:
				damagedRecord++
			case errors.As(err, &dp):
				damagedFile++ // bbolt refuses the file, or the items do not match their digest
			case err != nil:
				t.Errorf("byte %d of the %s page: %v, not named as a damaged pending store", off, pg.kind, err)
			case reflect.DeepEqual(got, want):
				same++
			default:
				t.Errorf("byte %d of the %s page: the items read differently, unnoticed:\n got %+v\nwant %+v", off, pg.kind, got, want)
			}
		}
	}
	t.Logf("%d flips: %d refused as a damaged record, %d as a damaged file, %d changed nothing used", damagedRecord+damagedFile+same, damagedRecord, damagedFile, same)
}

type pageSpan struct {
	kind     string
	from, to int64
}

// livePagesOf lists the pages of the bbolt file at path that are in use.
func livePagesOf(t *testing.T, path string) []pageSpan {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out []pageSpan
	ps := int64(db.Info().PageSize)
	err = db.View(func(tx *bolt.Tx) error {
		for id := 0; ; {
			p, err := tx.Page(id)
			if err != nil || p == nil {
				return err
			}
			if p.Type == "free" {
				id++
				continue
			}
			n := 1 + p.OverflowCount
			out = append(out, pageSpan{p.Type, int64(id) * ps, int64(id+n) * ps})
			id += n
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

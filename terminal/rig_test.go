package terminal_test

import (
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/tariff"
	"github.com/villagepost/bianmin/terminal"
)

// rig is a station with every service, a fake host and an opening float
// of 2,000.00.
type rig struct {
	t       *testing.T
	ledger  *ledger.Store
	pending *terminal.Pending
	host    *fakeHost
	link    *terminal.Link
	tariff  *tariff.Tariff
	cards   *terminal.Cards
	bills   *terminal.Bills
	tickets *terminal.Tickets
	goods   *terminal.Goods
	voids   *terminal.Voids
	refunds *terminal.Refunds
	idem    int
	now     time.Time // the station's clock
}

func (r *rig) clock() time.Time { return r.now }

func newRig(t *testing.T) *rig {
	t.Helper()
	r := &rig{t: t, host: newFakeHost(), now: time.Now()}
	s, err := ledger.Create(filepath.Join(t.TempDir(), "ledger.db"),
		ledger.Genesis{Terminal: "T0001", Name: "test", Zone: "Asia/Shanghai"}, "init", ed25519.NewKeyFromSeed(make([]byte, 32)), &ledger.Options{Now: r.clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	tf, err := tariff.Parse(tariff.DemoJSON)
	if err != nil {
		t.Fatal(err)
	}
	p, err := terminal.OpenPending(filepath.Join(t.TempDir(), "pending.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	r.ledger, r.pending, r.tariff = s, p, tf
	r.link = &terminal.Link{Ledger: s, Host: r.host, Pending: p, Terminal: "T0001",
		Timeout: 50 * time.Millisecond, Retries: 2, Now: r.clock}
	today := func() time.Time { return r.now.In(s.Zone()) }
	r.cards = &terminal.Cards{Link: r.link, Tariff: tf, CardKey: []byte("0123456789abcdef0123456789abcdef")}
	r.bills = &terminal.Bills{Link: r.link, Tariff: tf}
	r.tickets = &terminal.Tickets{Link: r.link, Tariff: tf, Today: today}
	r.goods = &terminal.Goods{Ledger: s, Tariff: tf, Today: today}
	r.voids = &terminal.Voids{Link: r.link}
	r.refunds = &terminal.Refunds{Ledger: s}
	d := &terminal.Drawer{Ledger: s}
	if _, err := d.In(terminal.CashMove{Operator: "OP1", Amount: dec("2000.00"), Reason: terminal.ReasonFloat, IdemKey: "float"}); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *rig) key() string {
	r.idem++
	return fmt.Sprintf("req-%d", r.idem)
}

// balances checks every CNY account the test cares about; accounts not
// named must be zero.
func (r *rig) balances(want map[string]string) {
	r.t.Helper()
	b, err := r.ledger.Balances()
	if err != nil {
		r.t.Fatal(err)
	}
	for _, x := range b.Sorted() {
		if x.Commodity != ledger.Currency {
			continue
		}
		w, ok := want[x.Name]
		if !ok {
			r.t.Errorf("%s = %s, want 0", x.Name, x.Amount.StringFixed(2))
			continue
		}
		if !x.Amount.Equal(dec(w)) {
			r.t.Errorf("%s = %s, want %s", x.Name, x.Amount.StringFixed(2), w)
		}
	}
	for name, w := range want {
		if b.Get(name).IsZero() && !dec(w).IsZero() {
			r.t.Errorf("%s = 0, want %s", name, w)
		}
	}
	if _, err := r.ledger.VerifyAll(); err != nil {
		r.t.Errorf("ledger does not verify: %v", err)
	}
}

// kinds lists the kinds of the entries after seq.
func (r *rig) kinds(after uint64) []string {
	r.t.Helper()
	var out []string
	if err := r.ledger.Range(after+1, 0, func(e ledger.Entry) error {
		out = append(out, e.Kind)
		return nil
	}); err != nil {
		r.t.Fatal(err)
	}
	return out
}

func (r *rig) pendingStates() []string {
	r.t.Helper()
	items, err := r.pending.List()
	if err != nil {
		r.t.Fatal(err)
	}
	var out []string
	for _, it := range items {
		out = append(out, it.State)
	}
	return out
}

func payload(t *testing.T, e ledger.Entry) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(e.Payload, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// A card number with a right check digit, and one with a wrong one.
const (
	goodCard = "6228480402564890018"
	badCard  = "6228480402564890017"
)

package terminal_test

import (
	"errors"
	"testing"
	"time"

	"github.com/villagepost/bianmin/terminal"
)

// TestNoServiceOnAStaleTariff: a counter opened while its tariff applied
// (a screen left running) prices nothing once the business day is past
// the tariff's last day: every priced service is refused, nothing is
// recorded and the host is not asked.
func TestNoServiceOnAStaleTariff(t *testing.T) {
	r := newRig(t)
	r.now = time.Date(2028, 1, 1, 10, 0, 0, 0, time.UTC) // the demo tariff ends 2027-12-31
	before, sends := r.ledger.Last().Seq, r.host.sends
	for name, do := range map[string]func() error{
		"withdrawal": func() error { _, err := r.withdraw(goodCard, "100.00"); return err },
		"bill":       func() error { _, err := r.pay("state-grid", "5100123456", "120.00", ""); return err },
		"ticket":     func() error { _, err := r.order(nil); return err },
		"sale": func() error {
			_, err := r.goods.Sell(terminal.Sale{Operator: "OP1", Lines: []terminal.Line{{urea, 1}}, IdemKey: r.key()})
			return err
		},
	} {
		var te *terminal.TariffExpiredError
		if err := do(); !errors.As(err, &te) || te.Version != "DEMO-2026-11" || te.Day != "2028-01-01" {
			t.Errorf("%s on a stale tariff: %v", name, err)
		}
	}
	if r.ledger.Last().Seq != before || r.host.sends != sends {
		t.Errorf("a refused service recorded %d entries, sent %d requests", r.ledger.Last().Seq-before, r.host.sends-sends)
	}
}

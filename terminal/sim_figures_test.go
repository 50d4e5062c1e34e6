package terminal_test

import (
	"testing"

	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/settlement"
	"github.com/villagepost/bianmin/terminal"
)

// TestSIMDayFigures: the day's figures count a sold card under sim_sale
// with its price and commission; a declined and a reversed sale add to
// neither, and the consignment in counts without an amount.
func TestSIMDayFigures(t *testing.T) {
	r := newSIMRig(t)
	r.faults("sim_sale=decline:S2#1")
	if _, err := r.sell(nil); err == nil {
		t.Fatal("a declined registration sold the card")
	}
	r.faults("sim_sale=drop#1")
	if _, err := r.sell(nil); err == nil {
		t.Fatal("a lost reply sold the card")
	}
	r.faults()
	if _, err := r.sell(nil); err != nil {
		t.Fatal(err)
	}
	s := settlement.NewSummary(ledger.Balances{})
	if err := r.ledger.Range(1, r.ledger.Last().Seq, func(e ledger.Entry) error { return s.Add(&e) }); err != nil {
		t.Fatal(err)
	}
	got := map[string]settlement.Total{}
	for _, x := range s.Totals {
		got[x.Kind] = x
	}
	sale := got[terminal.KindSIMSale]
	if sale.Count != 1 || sale.Amount.StringFixed(2) != "50.00" || sale.Commission.StringFixed(2) != "15.00" || !sale.Fees.IsZero() {
		t.Errorf("sim_sale %+v, want one card of 50.00 with 15.00 commission", sale)
	}
	in := got[terminal.KindSIMStockIn]
	if in.Count != 1 || !in.Amount.IsZero() {
		t.Errorf("sim_stock_in %+v, want one entry without an amount", in)
	}
	for _, k := range []string{terminal.KindSIMSale, terminal.KindSIMStockIn, terminal.KindSIMReturn} {
		if settlement.KindName(k, "en") == k || settlement.KindZh(k) == k {
			t.Errorf("kind %s has no plain name", k)
		}
	}
}

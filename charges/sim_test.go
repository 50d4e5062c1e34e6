package charges_test

import (
	"errors"
	"testing"

	"github.com/villagepost/bianmin/charges"
	"github.com/villagepost/bianmin/ledger"
)

// TestCardSalesFollowTheTariff: a phone-number card sold (cmcc-39 in the
// demo tariff: 50.00 a card, 15.00 commission) passes at the plan's price
// and commission and is refused, naming the field, off it.
func TestCardSalesFollowTheTariff(t *testing.T) {
	card := func(commodity string, n int64, price, commission string) ledger.Entry {
		return ledger.Entry{Seq: 21, Kind: "sim_sale",
			Payload: payload(map[string]any{"service": "sim_sale", "amount": price}),
			Postings: []ledger.Posting{
				units(commodity, ledger.Debit, "postoffice:consignment", n), units(commodity, ledger.Credit, "assets:stock", n),
				ledger.Dr("assets:cash", d(price)), ledger.Cr("postoffice:settlement", d(price)),
				ledger.Dr("postoffice:settlement", d(commission)), ledger.Cr("income:commission:sim_sale", d(commission))}}
	}
	for _, tc := range []struct {
		name  string
		entry ledger.Entry
		field string // "" passes
	}{
		{"a card at the plan's price and commission", card("SIM-CMCC-39", 1, "50.00", "15.00"), ""},
		{"two cards at once", card("SIM-CMCC-39", 2, "100.00", "30.00"), ""},
		{"a bigger commission", card("SIM-CMCC-39", 1, "50.00", "25.00"), "commission"},
		{"under the plan's price", card("SIM-CMCC-39", 1, "40.00", "15.00"), "price"},
		{"a plan the tariff does not have", card("SIM-CMCC-99", 1, "50.00", "15.00"), "price"},
		{"commission booked as a goods sale", func() ledger.Entry {
			e := card("SIM-CMCC-39", 1, "50.00", "15.00")
			e.Postings[5].Account = "income:commission:sale"
			return e
		}(), "commission"},
		{"a card under another name", func() ledger.Entry {
			e := card("SIM-CMCC-39", 1, "40.00", "15.00")
			e.Kind = "sim_return"
			return e
		}(), "price"},
		{"cards sent back to the carrier", ledger.Entry{Seq: 22, Kind: "sim_return", Payload: payload(map[string]any{}),
			Postings: []ledger.Posting{units("SIM-CMCC-39", ledger.Debit, "postoffice:consignment", 2), units("SIM-CMCC-39", ledger.Credit, "assets:stock", 2)}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := charges.Check([]ledger.Entry{tc.entry}, "DEMO-2026-11", issued(t))
			var ce *charges.Error
			switch {
			case tc.field == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tc.field != "" && !errors.As(err, &ce):
				t.Errorf("passed (%v), want a refusal of the %s", err, tc.field)
			case tc.field != "" && (ce.Field != tc.field || ce.Seq != tc.entry.Seq):
				t.Errorf("refused %v, want entry %d's %s", err, tc.entry.Seq, tc.field)
			}
		})
	}
}

package charges_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/charges"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/settlement"
	"github.com/villagepost/bianmin/tariff"
)

// issued is the post office's list of tariffs: the demo one only.
func issued(t *testing.T) charges.Tariffs {
	demo, err := tariff.Parse(tariff.DemoJSON)
	if err != nil {
		t.Fatal(err)
	}
	return func(version string) (*tariff.Tariff, error) {
		if version != demo.Version {
			return nil, fmt.Errorf("tariff %s was not issued by this post office", version)
		}
		return demo, nil
	}
}

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func payload(fields map[string]any) []byte {
	if fields["tariff"] == nil {
		fields["tariff"] = "DEMO-2026-11"
	}
	b, _ := json.Marshal(fields)
	return b
}

func units(sku string, side byte, account string, n int64) ledger.Posting {
	return ledger.Posting{Account: account, Side: side, Commodity: sku, Amount: decimal.NewFromInt(n)}
}

// TestStationDaysFollowTheTariff: the days a real station wrote (the
// settlement package's scenarios: withdrawals, bills paid online and
// queued, a sale, stock) pass.
func TestStationDaysFollowTheTariff(t *testing.T) {
	files, _ := filepath.Glob("../settlement/testdata/scenarios/intact-day*.bms")
	if len(files) == 0 {
		t.Fatal("no scenario files")
	}
	kinds := map[string]bool{}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := settlement.Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		var entries []ledger.Entry
		for _, r := range f.Records {
			e, err := ledger.DecodeRecord(r.Raw)
			if err != nil {
				t.Fatal(err)
			}
			entries = append(entries, e)
			kinds[e.Kind] = true
		}
		if err := charges.Check(entries, f.Tariff, issued(t)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, k := range []string{"withdrawal", "bill_payment", "queued_confirmed", "sale"} {
		if !kinds[k] {
			t.Errorf("the scenarios have no %s entry: the test checks less than it says", k)
		}
	}
}

// TestChargesOffTheTariff: each way a franchisee holding the key could
// sign themselves more than the tariff gives is refused, naming the entry
// and the field.
func TestChargesOffTheTariff(t *testing.T) {
	withdrawal := func(commission string) ledger.Entry {
		return ledger.Entry{Seq: 7, Kind: "withdrawal",
			Payload: payload(map[string]any{"amount": "500.00", "fee": "0.00", "commission": commission}),
			Postings: []ledger.Posting{ledger.Dr("postoffice:settlement", d("500")), ledger.Cr("assets:cash", d("500")),
				ledger.Dr("postoffice:settlement", d(commission)), ledger.Cr("income:commission:withdrawal", d(commission))}}
	}
	ticket := func(fee, commission string) ledger.Entry {
		fare := d("200")
		return ledger.Entry{Seq: 9, Kind: "ticket_order",
			Payload: payload(map[string]any{"service": "ticket_order", "amount": "200.00"}),
			Postings: []ledger.Posting{ledger.Dr("assets:cash", fare.Add(d(fee))), ledger.Cr("postoffice:settlement", fare),
				ledger.Cr("income:fees", d(fee)),
				ledger.Dr("postoffice:settlement", d(commission)), ledger.Cr("income:commission:ticket_order", d(commission))}}
	}
	sale := func(qty int64, total, commission string) ledger.Entry {
		return ledger.Entry{Seq: 11, Kind: "sale",
			Payload: payload(map[string]any{"total": total}),
			Postings: []ledger.Posting{
				units("FERT-UREA-50KG", ledger.Debit, "postoffice:consignment", qty), units("FERT-UREA-50KG", ledger.Credit, "assets:stock", qty),
				ledger.Dr("assets:cash", d(total)), ledger.Cr("postoffice:settlement", d(total)),
				ledger.Dr("postoffice:settlement", d(commission)), ledger.Cr("income:commission:sale", d(commission))}}
	}
	contribution := func(scheme string, year int, amount, commission string) ledger.Entry {
		return ledger.Entry{Seq: 13, Kind: "contribution",
			Payload: payload(map[string]any{"service": "contribution", "scheme": scheme, "year": year, "amount": amount}),
			Postings: []ledger.Posting{ledger.Dr("assets:cash", d(amount)), ledger.Cr("postoffice:settlement", d(amount)),
				ledger.Dr("postoffice:settlement", d(commission)), ledger.Cr("income:commission:contribution", d(commission))}}
	}
	for _, tc := range []struct {
		name  string
		entry ledger.Entry
		field string // "" passes
	}{
		{"contribution at the year's commission per member", contribution("medical", 2027, "400.00", "2.00"), ""},
		{"contribution with a bigger commission", contribution("pension", 2026, "300.00", "5.00"), "commission"},
		{"contribution for a year the tariff has not", contribution("medical", 2031, "400.00", "2.00"), "commission"},
		{"withdrawal at the tariff's commission", withdrawal("1.00"), ""},
		{"withdrawal with a bigger commission", withdrawal("3.00"), "commission"},
		{"ticket at the tariff's fee and commission", ticket("5.00", "3.00"), ""},
		{"ticket with a bigger fee", ticket("8.00", "3.00"), "fee"},
		{"ticket with a bigger commission", ticket("5.00", "9.00"), "commission"},
		{"sale at the tariff's price", sale(2, "270.00", "13.50"), ""},
		{"sale under the tariff's price", sale(2, "200.00", "10.00"), "commission"},
		{"sale under the price, commission as if full", sale(2, "200.00", "13.50"), "price"},
		{"sale with a bigger commission", sale(2, "270.00", "20.00"), "commission"},
		{"goods off the consignment under another name", func() ledger.Entry {
			e := sale(2, "200.00", "13.50")
			e.Kind = "stock_return"
			return e
		}(), "price"},
		{"a tariff the post office never issued", func() ledger.Entry {
			e := withdrawal("1.00")
			e.Payload = payload(map[string]any{"amount": "500.00", "tariff": "HOME-MADE"})
			return e
		}(), "tariff"},
		{"commission for a service the tariff does not price", ledger.Entry{Seq: 3, Kind: "cash_in", Payload: payload(map[string]any{"amount": "10.00"}),
			Postings: []ledger.Posting{ledger.Dr("postoffice:settlement", d("10")), ledger.Cr("income:commission:bonus", d("10"))}}, "commission"},
		{"a fee with no amount to price it on", ledger.Entry{Seq: 4, Kind: "withdrawal", Payload: []byte(`not json`),
			Postings: []ledger.Posting{ledger.Dr("assets:cash", d("2")), ledger.Cr("income:fees", d("2"))}}, "amount"},
		{"a reversal gives commission back", ledger.Entry{Seq: 5, Kind: "reversal", Payload: payload(map[string]any{}),
			Postings: []ledger.Posting{ledger.Dr("income:commission:withdrawal", d("1")), ledger.Cr("postoffice:settlement", d("1"))}}, ""},
		{"goods returned to the post office", ledger.Entry{Seq: 6, Kind: "stock_return", Payload: payload(map[string]any{}),
			Postings: []ledger.Posting{units("FERT-UREA-50KG", ledger.Debit, "postoffice:consignment", 5), units("FERT-UREA-50KG", ledger.Credit, "assets:stock", 5)}}, ""},
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
			case tc.field != "" && !strings.Contains(err.Error(), fmt.Sprintf("entry %d", tc.entry.Seq)):
				t.Errorf("the message does not name the entry: %v", err)
			}
		})
	}
}

// FuzzCheck: whatever a signed entry's payload and postings hold, the
// check answers (passes or names a field) and never panics.
func FuzzCheck(f *testing.F) {
	f.Add("withdrawal", []byte(`{"amount":"500.00","tariff":"DEMO-2026-11"}`), "income:commission:withdrawal", "CNY", "1.00")
	f.Add("sale", []byte(`{"total":"270.00"}`), "postoffice:consignment", "FERT-UREA-50KG", "-2")
	f.Add("sim_sale", []byte(`{"amount":"50.00","tariff":"DEMO-2026-11"}`), "postoffice:consignment", "SIM-CMCC-39", "-1")
	f.Add("x", []byte(`{"amount":"1e9999999"}`), "income:fees", "CNY", "0.01")
	f.Add("x", []byte(`[`), "income:commission:", "CNY", "99999999999999.99")
	f.Fuzz(func(t *testing.T, kind string, payload []byte, account, commodity, amount string) {
		a, err := decimal.NewFromString(amount)
		if err != nil || a.Exponent() < -2 || a.Abs().GreaterThan(d("1e12")) {
			return
		}
		side := byte(ledger.Credit)
		if a.IsNegative() {
			side, a = ledger.Debit, a.Neg()
		}
		e := ledger.Entry{Seq: 1, Kind: kind, Payload: payload, Postings: []ledger.Posting{{Account: account, Side: side, Commodity: commodity, Amount: a}}}
		err = charges.Check([]ledger.Entry{e}, "DEMO-2026-11", issued(t))
		var ce *charges.Error
		if err != nil && (!errors.As(err, &ce) || ce.Field == "" || ce.Seq != 1) {
			t.Fatalf("an error that names no field: %v", err)
		}
	})
}

// TestQueuedPaymentKeepsItsTariff: a bill paid while the biller was
// offline is confirmed on a later day, perhaps under a new tariff; its
// commission was priced when the cash was taken, and is checked against
// that tariff, which the confirmation names.
func TestQueuedPaymentKeepsItsTariff(t *testing.T) {
	old, err := tariff.Parse(tariff.DemoJSON)
	if err != nil {
		t.Fatal(err)
	}
	next, err := tariff.Parse(bytes.Replace(bytes.Replace(tariff.DemoJSON,
		[]byte(`"percent": "0.3", "min": "0.20"`), []byte(`"percent": "0.5", "min": "0.20"`), 1),
		[]byte(`"version": "DEMO-2026-11"`), []byte(`"version": "DEMO-2026-12"`), 1))
	if err != nil {
		t.Fatal(err)
	}
	tariffs := func(v string) (*tariff.Tariff, error) {
		for _, t := range []*tariff.Tariff{old, next} {
			if t.Version == v {
				return t, nil
			}
		}
		return nil, fmt.Errorf("tariff %s was not issued", v)
	}
	confirmed := func(fields map[string]any) ledger.Entry {
		b, _ := json.Marshal(fields)
		return ledger.Entry{Seq: 40, Kind: "queued_confirmed", Payload: b, Postings: []ledger.Posting{
			ledger.Dr("liabilities:queued", d("100")), ledger.Cr("postoffice:settlement", d("100")),
			ledger.Dr("postoffice:settlement", d("0.30")), ledger.Cr("income:commission:bill_payment", d("0.30"))}}
	}
	// 0.3% of 100.00 under November's tariff; December's gives 0.50.
	if err := charges.Check([]ledger.Entry{confirmed(map[string]any{"service": "bill_payment", "amount": "100.00", "tariff": "DEMO-2026-11"})}, "DEMO-2026-12", tariffs); err != nil {
		t.Errorf("a confirmation naming the tariff it was priced under: %v", err)
	}
	if err := charges.Check([]ledger.Entry{confirmed(map[string]any{"service": "bill_payment", "amount": "100.00"})}, "DEMO-2026-12", tariffs); err == nil {
		t.Error("a confirmation naming no tariff was checked against the day's and passed with November's commission")
	}
}

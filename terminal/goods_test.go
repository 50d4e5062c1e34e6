package terminal_test

import (
	"errors"
	"testing"
	"time"

	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/tariff"
	"github.com/villagepost/bianmin/terminal"
)

func newGoods(t *testing.T) (*terminal.Goods, *ledger.Store) {
	t.Helper()
	_, s := newDrawer(t)
	tf, err := tariff.Parse(tariff.DemoJSON)
	if err != nil {
		t.Fatal(err)
	}
	today := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	return &terminal.Goods{Ledger: s, Tariff: tf, Today: func() time.Time { return today }}, s
}

const urea = "FERT-UREA-50KG"

func TestSaleWithDelivery(t *testing.T) {
	g, s := newGoods(t)
	if _, err := g.StockIn("OP1", urea, 40, "邮政配送车", "in-1"); err != nil {
		t.Fatal(err)
	}
	r, err := g.Sell(terminal.Sale{
		Operator: "OP1", Lines: []terminal.Line{{urea, 2}, {"DAILY-SOAP", 1}}, Paid: dec("300.00"),
		Delivery: &terminal.Delivery{To: "村东头李家麦地", Promised: "2026-11-24"}, IdemKey: "sale-1",
	})
	var se *terminal.StockError
	if !errors.As(err, &se) || se.SKU != "DAILY-SOAP" || se.Have != 0 {
		t.Fatalf("soap not in stock: %v", err)
	}
	r, err = g.Sell(terminal.Sale{
		Operator: "OP1", Lines: []terminal.Line{{urea, 2}}, Paid: dec("300.00"),
		Delivery: &terminal.Delivery{To: "村东头李家麦地", Promised: "2026-11-24"}, IdemKey: "sale-1",
	})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Total.Equal(dec("270")) || !r.Commission.Equal(dec("13.50")) || !r.Change.Equal(dec("30")) {
		t.Errorf("sale: total %s commission %s change %s", r.Total, r.Commission, r.Change)
	}
	stock, _ := g.Stock()
	if stock[urea] != 38 {
		t.Errorf("urea stock %d, want 38", stock[urea])
	}
	b, _ := s.Balances()
	for acct, want := range map[string]string{
		"assets:cash": "270", "postoffice:settlement": "-256.50", "income:commission:sale": "-13.50",
	} {
		if !b.Get(acct).Equal(dec(want)) {
			t.Errorf("%s = %s, want %s", acct, b.Get(acct), want)
		}
	}

	d, err := g.Deliver("OP2", r.Entry.Seq, "李大伯")
	if err != nil {
		t.Fatal(err)
	}
	again, err := g.Deliver("OP2", r.Entry.Seq, "李大伯")
	if err != nil || again.Seq != d.Seq {
		t.Errorf("delivering twice: %d, %v; want the first entry %d", again.Seq, err, d.Seq)
	}
	var ce *ledger.ConflictError
	if _, err := g.Deliver("OP2", r.Entry.Seq, "王二"); !errors.As(err, &ce) {
		t.Errorf("a second, different delivery: %v", err)
	}
	if _, err := g.Deliver("OP2", 2, "李大伯"); !errors.Is(err, terminal.ErrNotForDelivery) {
		t.Errorf("delivering a stock-in: %v", err)
	}

	e, variance, err := g.CountStock("OP1", urea, 37, "count-1")
	if err != nil || variance != -1 || len(e.Postings) != 2 {
		t.Errorf("count: variance %d, %v", variance, err)
	}
	if stock, _ := g.Stock(); stock[urea] != 37 {
		t.Errorf("after the count %d, want 37", stock[urea])
	}
	if _, err := s.VerifyAll(); err != nil {
		t.Error(err)
	}
}

func TestSaleRefuses(t *testing.T) {
	g, s := newGoods(t)
	g.StockIn("OP1", urea, 5, "", "in")
	g.StockIn("OP1", "DAILY-SOAP", 5, "", "in-soap")
	before := s.Last()
	tests := []struct {
		name  string
		sale  terminal.Sale
		field string
	}{
		{"NoItems", terminal.Sale{Operator: "OP1", IdemKey: "x"}, "items"},
		{"UnknownSKU", terminal.Sale{Operator: "OP1", Lines: []terminal.Line{{"GOLD-BAR", 1}}, IdemKey: "x"}, "sku"},
		{"ZeroQty", terminal.Sale{Operator: "OP1", Lines: []terminal.Line{{urea, 0}}, IdemKey: "x"}, "qty"},
		{"PaidTooLittle", terminal.Sale{Operator: "OP1", Lines: []terminal.Line{{urea, 1}}, Paid: dec("100"), IdemKey: "x"}, "paid"},
		{"SoapDelivered", terminal.Sale{Operator: "OP1", Lines: []terminal.Line{{"DAILY-SOAP", 1}},
			Delivery: &terminal.Delivery{To: "家里", Promised: "2026-11-23"}, IdemKey: "x"}, "deliver_to"},
		{"PromisedYesterday", terminal.Sale{Operator: "OP1", Lines: []terminal.Line{{urea, 1}},
			Delivery: &terminal.Delivery{To: "家里", Promised: "2026-11-21"}, IdemKey: "x"}, "promised"},
		{"NoAddress", terminal.Sale{Operator: "OP1", Lines: []terminal.Line{{urea, 1}},
			Delivery: &terminal.Delivery{Promised: "2026-11-23"}, IdemKey: "x"}, "deliver_to"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ie *terminal.InputError
			if _, err := g.Sell(tt.sale); !errors.As(err, &ie) || ie.Field != tt.field {
				t.Fatalf("err = %v, want InputError on %s", err, tt.field)
			}
		})
	}
	var se *terminal.StockError
	if _, err := g.Sell(terminal.Sale{Operator: "OP1", Lines: []terminal.Line{{urea, 3}, {urea, 3}}, IdemKey: "x"}); !errors.As(err, &se) || se.Get != 6 {
		t.Errorf("two lines over the stock: %v", err)
	}
	if s.Last() != before {
		t.Error("a refused sale changed the ledger")
	}
}

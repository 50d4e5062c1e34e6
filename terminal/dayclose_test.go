package terminal_test

import (
	"errors"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/settlement"
	"github.com/villagepost/bianmin/terminal"
)

func (r *rig) days() *terminal.Days {
	return &terminal.Days{Ledger: r.ledger, Pending: r.pending, Tariff: r.tariff.Version}
}

func counted(s string) *decimal.Decimal { d := dec(s); return &d }

func total(c settlement.Close, kind string) settlement.Total {
	for _, t := range c.Totals {
		if t.Kind == kind {
			return t
		}
	}
	return settlement.Total{}
}

func TestCloseDay(t *testing.T) {
	r := newRig(t)
	if _, err := r.withdraw(goodCard, "500.00"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.pay("state-grid", "5100123456", "", ""); err != nil { // 88.50
		t.Fatal(err)
	}
	d := r.days()
	x, err := d.Report()
	if err != nil {
		t.Fatal(err)
	}
	if w := total(x, "withdrawal"); w.Count != 1 || !w.Amount.Equal(dec("500")) || !w.Commission.Equal(dec("1.00")) {
		t.Errorf("X report withdrawal %+v", w)
	}
	if !x.Cash.Open.Equal(dec("0")) || !x.Cash.Expected.Equal(dec("1588.50")) || !x.Owed.Net.Equal(dec("412.77")) {
		t.Errorf("X report cash %+v owed %+v", x.Cash, x.Owed)
	}
	before := r.ledger.Last().Seq
	if _, _, err := d.Close(terminal.CloseRequest{Operator: "OP1", Counted: counted("99999.00")}); err == nil {
		t.Fatal("an absurd count was accepted")
	}
	if r.ledger.Last().Seq != before {
		t.Fatal("a refused close recorded something")
	}
	e, c, err := d.Close(terminal.CloseRequest{Operator: "OP1", Counted: counted("1585.00")})
	if err != nil {
		t.Fatal(err)
	}
	if e.Kind != ledger.KindDayClose || !c.Cash.Variance.Equal(dec("-3.50")) || c.First != 1 || c.Last != e.Seq-1 || c.Late {
		t.Errorf("close %+v %+v", e, c)
	}
	if r.ledger.Closed() != e.Day {
		t.Errorf("closed %q, want %q", r.ledger.Closed(), e.Day)
	}
	r.balances(map[string]string{"assets:cash": "1585.00", "equity:owner": "-2000.00", "expense:cash-variance": "3.50",
		"postoffice:settlement": "412.77", "income:commission:withdrawal": "-1.00", "income:commission:bill_payment": "-0.27"})
	var ce *terminal.ClosedError
	if _, _, err := d.Close(terminal.CloseRequest{Operator: "OP1"}); !errors.As(err, &ce) {
		t.Errorf("a second close the same day: %v", err)
	}
	// What comes after the close belongs to the next day.
	res, err := r.withdraw(goodCard, "100.00")
	if err != nil {
		t.Fatal(err)
	}
	if res.Entry.Day <= e.Day {
		t.Errorf("an entry after the close is of day %s", res.Entry.Day)
	}
}

func TestClosePending(t *testing.T) {
	r := newRig(t)
	r.host.setOffline(true)
	if _, err := r.pay("state-grid", "5100123456", "120.00", ""); err != nil {
		t.Fatal(err)
	}
	d := r.days()
	_, _, err := d.Close(terminal.CloseRequest{Operator: "OP1"})
	var pe *terminal.PendingError
	if !errors.As(err, &pe) || len(pe.Items) != 1 {
		t.Fatalf("close with a queued payment: %v", err)
	}
	_, c, err := d.Close(terminal.CloseRequest{Operator: "OP1", Carry: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Carried) != 1 || c.Carried[0].State != terminal.PendingForward || c.Carried[0].Amount != "120.00" || c.Cash.Counted != nil {
		t.Errorf("carried %+v, cash %+v", c.Carried, c.Cash)
	}
}

// TestForgottenDay: the shop did not close; the next morning the day is
// closed late, keeps its entries, and the new day starts after it.
func TestForgottenDay(t *testing.T) {
	r := newRig(t)
	w, err := r.withdraw(goodCard, "200.00")
	if err != nil {
		t.Fatal(err)
	}
	r.now = r.now.AddDate(0, 0, 1)
	d := r.days()
	day, ended := d.Open()
	if day != w.Entry.Day || !ended {
		t.Fatalf("open day %s, ended %v", day, ended)
	}
	e, c, err := d.Close(terminal.CloseRequest{Operator: "OP1", Carry: true})
	if err != nil {
		t.Fatal(err)
	}
	if e.Day != w.Entry.Day || !c.Late {
		t.Errorf("late close of %s: day %s, late %v", w.Entry.Day, e.Day, c.Late)
	}
	next, err := r.withdraw(goodCard, "100.00")
	if err != nil {
		t.Fatal(err)
	}
	if next.Entry.Day != ledger.NextDay(w.Entry.Day) {
		t.Errorf("the next entry is of %s", next.Entry.Day)
	}
	_, c2, err := d.Close(terminal.CloseRequest{Operator: "OP1", Counted: counted("1700.00")})
	if err != nil {
		t.Fatal(err)
	}
	if w := total(c2, "withdrawal"); w.Count != 1 {
		t.Errorf("day two: %+v", c2.Totals)
	}
	grand := map[string]int64{}
	for _, g := range c2.Grand {
		grand[g.Kind] = g.Count
	}
	if grand["withdrawal"] != 2 || grand["intent"] != 2 {
		t.Errorf("grand totals %+v", c2.Grand)
	}
}

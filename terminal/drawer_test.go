package terminal_test

import (
	"crypto/ed25519"
	"errors"
	"path/filepath"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/terminal"
)

func newDrawer(t *testing.T) (*terminal.Drawer, *ledger.Store) {
	t.Helper()
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	s, err := ledger.Create(filepath.Join(t.TempDir(), "ledger.db"),
		ledger.Genesis{Terminal: "T0001", Name: "test", Zone: "Asia/Shanghai"}, "init", key, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return &terminal.Drawer{Ledger: s, LowCash: dec("500.00")}, s
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestDrawer(t *testing.T) {
	d, s := newDrawer(t)
	mustCash := func(want string) {
		t.Helper()
		cash, err := d.Cash()
		if err != nil || !cash.Equal(dec(want)) {
			t.Fatalf("cash = %s, %v; want %s", cash, err, want)
		}
	}
	if _, err := d.In(terminal.CashMove{Operator: "OP1", Amount: dec("2000.00"), Reason: terminal.ReasonFloat, IdemKey: "in-1"}); err != nil {
		t.Fatal(err)
	}
	mustCash("2000.00")
	if _, err := d.Out(terminal.CashMove{Operator: "OP1", Amount: dec("1700.00"), Reason: terminal.ReasonCourier, Note: "押运员王师傅", IdemKey: "out-1"}); err != nil {
		t.Fatal(err)
	}
	mustCash("300.00")
	if !d.Low(dec("300.00")) || d.Low(dec("500.00")) {
		t.Error("low-cash warning below 500.00")
	}
	if _, err := d.Out(terminal.CashMove{Operator: "OP2", Amount: dec("100"), Reason: terminal.ReasonOwner, IdemKey: "out-3"}); !errors.Is(err, terminal.ErrOwnerMustApprove) {
		t.Errorf("cash taken out for the owner without the owner's approval: %v", err)
	}
	_, err := d.Out(terminal.CashMove{Operator: "OP1", Amount: dec("300.01"), Reason: terminal.ReasonOwner, IdemKey: "out-2", Approver: "OP1"})
	var short *terminal.ShortCashError
	if !errors.As(err, &short) || !short.Have.Equal(dec("300")) {
		t.Errorf("taking more than the drawer holds: %v", err)
	}

	c, err := d.Count("OP1", dec("295.50"), "count-1")
	if err != nil {
		t.Fatal(err)
	}
	if !c.Variance.Equal(dec("-4.50")) || !c.Expected.Equal(dec("300")) {
		t.Errorf("count: %+v", c)
	}
	mustCash("295.50")
	c, err = d.Count("OP1", dec("295.50"), "count-2")
	if err != nil || !c.Variance.IsZero() || len(c.Entry.Postings) != 0 {
		t.Errorf("a count that agrees: %+v %v", c, err)
	}
	b, _ := s.Balances()
	for acct, want := range map[string]string{
		"assets:cash": "295.50", "equity:owner": "-2000", "postoffice:settlement": "1700", "expense:cash-variance": "4.50",
	} {
		if !b.Get(acct).Equal(dec(want)) {
			t.Errorf("%s = %s, want %s", acct, b.Get(acct), want)
		}
	}
}

func TestDrawerRefuses(t *testing.T) {
	d, s := newDrawer(t)
	before := s.Last()
	tests := []struct {
		name  string
		run   func() error
		field string
	}{
		{"InAsCourier", func() error {
			_, err := d.In(terminal.CashMove{Operator: "OP1", Amount: dec("1"), Reason: terminal.ReasonCourier, IdemKey: "a"})
			return err
		}, "reason"},
		{"OutAsFloat", func() error {
			_, err := d.Out(terminal.CashMove{Operator: "OP1", Amount: dec("1"), Reason: terminal.ReasonFloat, IdemKey: "b"})
			return err
		}, "reason"},
		{"ZeroIn", func() error {
			_, err := d.In(terminal.CashMove{Operator: "OP1", Amount: dec("0"), Reason: terminal.ReasonOwner, IdemKey: "c"})
			return err
		}, "amount"},
		{"NegativeCount", func() error {
			_, err := d.Count("OP1", dec("-1"), "d")
			return err
		}, "counted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ie *terminal.InputError
			if err := tt.run(); !errors.As(err, &ie) || ie.Field != tt.field {
				t.Fatalf("err = %v, want InputError on %s", err, tt.field)
			}
		})
	}
	if s.Last() != before {
		t.Error("a refused cash move changed the ledger")
	}
}

package terminal_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/villagepost/bianmin/terminal"
)

func (r *rig) pay(biller, account, amount, paid string) (terminal.BillResult, error) {
	p := terminal.BillPayment{Operator: "OP1", Biller: biller, Account: account, IdemKey: r.key()}
	if amount != "" {
		p.Amount = dec(amount)
	}
	if paid != "" {
		p.Paid = dec(paid)
	}
	return r.bills.Pay(context.Background(), p)
}

func TestBillPaidOnline(t *testing.T) {
	r := newRig(t)
	res, err := r.pay("state-grid", "5100 1234 56", "", "100.00")
	if err != nil {
		t.Fatal(err)
	}
	if !res.Amount.Equal(dec("88.50")) || res.Customer != "张*" || res.Reference == "" || res.Queued ||
		!res.Change.Equal(dec("11.50")) || res.Account != "5100123456" {
		t.Errorf("result %+v", res)
	}
	p := payload(t, res.Entry)
	if p["status"] != "paid" || p["change"] != "11.50" || p["tariff"] != "DEMO-2026-11" {
		t.Errorf("payload %v", p)
	}
	r.balances(map[string]string{"assets:cash": "2088.50", "equity:owner": "-2000.00",
		"postoffice:settlement": "-88.23", "income:commission:bill_payment": "-0.27"})
}

func TestBillRefusedBeforeTheBiller(t *testing.T) {
	tests := []struct {
		name, biller, account, amount, paid, field string
	}{
		{"UnknownBiller", "moon-power", "5100123456", "", "", "biller"},
		{"AccountTooShort", "state-grid", "51001", "", "", "account"},
		{"AccountLetters", "county-water", "3001234A", "", "", "account"},
		{"AccountPrefix", "town-gas", "700123456", "", "", "account"},
		{"PhoneOperatorIsTopup", "china-mobile", "13800138000", "50.00", "", "biller"},
		{"PaidTooLittle", "state-grid", "5100123456", "", "80.00", "paid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			before := r.ledger.Last().Seq
			_, err := r.pay(tc.biller, tc.account, tc.amount, tc.paid)
			var e *terminal.InputError
			if !errors.As(err, &e) || e.Field != tc.field || e.RuleZh == "" {
				t.Fatalf("err = %v, want an input error on %s", err, tc.field)
			}
			if r.ledger.Last().Seq != before || r.host.sends != 0 {
				t.Error("a refused payment recorded something or reached the biller")
			}
		})
	}
}

func TestTopup(t *testing.T) {
	r := newRig(t)
	top := func(amount string) (terminal.BillResult, error) {
		return r.bills.Topup(context.Background(), terminal.BillPayment{Operator: "OP1", Biller: "china-mobile", Account: "138 0013 8000", Amount: dec(amount), IdemKey: r.key()})
	}
	if _, err := top("60.00"); err == nil {
		t.Fatal("60.00 is not a China Mobile denomination")
	}
	res, err := top("50.00")
	if err != nil {
		t.Fatal(err)
	}
	if res.Entry.Kind != terminal.SvcTopup || !res.Commission.Equal(dec("0.50")) {
		t.Errorf("result %+v", res)
	}
	r.balances(map[string]string{"assets:cash": "2050.00", "equity:owner": "-2000.00",
		"postoffice:settlement": "-49.50", "income:commission:topup": "-0.50"})
}

// TestQueuedWhileOffline: with the network down, a biller that takes queued
// payments gets the payment later; the drawer has the cash meanwhile.
func TestQueuedWhileOffline(t *testing.T) {
	r := newRig(t)
	r.host.setOffline(true)
	res, err := r.pay("state-grid", "5100123456", "120.00", "")
	if err != nil {
		t.Fatal(err)
	}
	if !res.Queued || res.ConfirmBy.Before(time.Now().Add(23*time.Hour)) || res.Reference != "" {
		t.Errorf("result %+v", res)
	}
	if !slices.Equal(r.pendingStates(), []string{terminal.PendingForward}) {
		t.Fatalf("pending %v", r.pendingStates())
	}
	r.balances(map[string]string{"assets:cash": "2120.00", "equity:owner": "-2000.00", "liabilities:queued-payments": "-120.00"})

	d, err := r.link.Drain(context.Background())
	if err != nil || d.Settled != 0 || len(d.Remaining) != 1 {
		t.Fatalf("drain while offline: %+v, %v", d, err)
	}
	r.host.setOffline(false)
	d, err = r.link.Drain(context.Background())
	if err != nil || d.Settled != 1 || len(d.Remaining) != 0 {
		t.Fatalf("drain when back: %+v, %v", d, err)
	}
	if got := r.kinds(2); !slices.Equal(got, []string{"intent", "bill_payment", "queued_confirmed"}) {
		t.Errorf("entries %v", got)
	}
	r.balances(map[string]string{"assets:cash": "2120.00", "equity:owner": "-2000.00",
		"postoffice:settlement": "-119.64", "income:commission:bill_payment": "-0.36"})
	if d, _ := r.link.Drain(context.Background()); d.Settled != 0 || r.host.sends != 1 {
		t.Errorf("a second drain sent again: %+v, %d sends", d, r.host.sends)
	}
}

// TestQueuedThenRefused: the biller finally refuses a queued payment; the
// money is owed back to the villager and handed back through an entry.
func TestQueuedThenRefused(t *testing.T) {
	r := newRig(t)
	r.host.setOffline(true)
	res, err := r.pay("county-water", "30012345", "45.00", "")
	if err != nil || !res.Queued {
		t.Fatal(res, err)
	}
	r.host.setOffline(false)
	r.host.next(decline)
	if _, err := r.link.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	due, err := r.refunds.Due()
	if err != nil || len(due) != 1 || !due[0].Amount.Equal(dec("45.00")) || due[0].Reason == "" {
		t.Fatalf("refunds due %+v, %v", due, err)
	}
	r.balances(map[string]string{"assets:cash": "2045.00", "equity:owner": "-2000.00", "liabilities:refunds-due": "-45.00"})
	paid, err := r.refunds.Pay("OP1", due[0].Entry)
	if err != nil || !paid.Amount.Equal(dec("45.00")) {
		t.Fatal(paid, err)
	}
	again, err := r.refunds.Pay("OP1", due[0].Entry)
	if err != nil || again.Entry.Seq != paid.Entry.Seq {
		t.Errorf("paying twice: %v, entry %d then %d", err, paid.Entry.Seq, again.Entry.Seq)
	}
	if due, _ := r.refunds.Due(); len(due) != 0 {
		t.Errorf("still due: %+v", due)
	}
	r.balances(map[string]string{"assets:cash": "2000.00", "equity:owner": "-2000.00"})
	if _, err := r.refunds.Pay("OP1", 1); !errors.Is(err, terminal.ErrNoRefundDue) {
		t.Errorf("refund of the genesis entry: %v", err)
	}
}

func TestOnlineOnlyBillerOffline(t *testing.T) {
	r := newRig(t)
	r.host.setOffline(true)
	_, err := r.pay("town-gas", "800123456", "", "")
	var in *terminal.InputError
	if !errors.As(err, &in) || in.Field != "amount" {
		t.Fatalf("without an amount: %v", err)
	}
	_, err = r.pay("town-gas", "800123456", "60.00", "")
	var un *terminal.UnreachableError
	if !errors.As(err, &un) {
		t.Fatalf("err = %v", err)
	}
	r.balances(map[string]string{"assets:cash": "2000.00", "equity:owner": "-2000.00"})
}

func TestVoidQueuedPayment(t *testing.T) {
	r := newRig(t)
	r.host.setOffline(true)
	res, err := r.pay("state-grid", "5100123456", "120.00", "")
	if err != nil {
		t.Fatal(err)
	}
	v, err := r.voids.Void("OP2", "OP1", res.Entry.Seq, "customer changed their mind")
	if err != nil {
		t.Fatal(err)
	}
	if !v.Refund.Equal(dec("120.00")) || len(r.pendingStates()) != 0 {
		t.Errorf("void %+v, pending %v", v, r.pendingStates())
	}
	r.host.setOffline(false)
	if _, err := r.link.Drain(context.Background()); err != nil || r.host.sends != 0 {
		t.Errorf("a voided payment was forwarded: %v, %d sends", err, r.host.sends)
	}
	r.balances(map[string]string{"assets:cash": "2000.00", "equity:owner": "-2000.00"})
	_, err = r.voids.Void("OP2", "OP1", res.Entry.Seq, "again")
	var ve *terminal.VoidError
	if !errors.As(err, &ve) {
		t.Errorf("second void: %v", err)
	}
}

// TestVoidRefused lists what cannot be voided at the terminal.
func TestVoidRefused(t *testing.T) {
	r := newRig(t)
	w, err := r.withdraw(goodCard, "100.00")
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.pay("state-grid", "5100123456", "", "")
	if err != nil {
		t.Fatal(err)
	}
	for name, seq := range map[string]uint64{"Withdrawal": w.Entry.Seq, "PaidOnline": b.Entry.Seq, "CashIn": 2, "Intent": w.Intent.Seq} {
		t.Run(name, func(t *testing.T) {
			before := r.ledger.Last().Seq
			_, err := r.voids.Void("OP1", "OP1", seq, "test")
			var ve *terminal.VoidError
			if !errors.As(err, &ve) || ve.RuleZh == "" {
				t.Fatalf("err = %v", err)
			}
			if r.ledger.Last().Seq != before {
				t.Error("a refused void recorded something")
			}
		})
	}
}

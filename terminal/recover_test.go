package terminal_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/terminal"
)

// crashAfterIntent leaves the ledger as a crash right after the intent
// entry leaves it: an intent, no outcome and nothing in the pending store.
// hostDid says whether the request had reached the host and been done.
func (r *rig) crashAfterIntent(service string, fields map[string]any, hostDid bool) ledger.Entry {
	r.t.Helper()
	fields["service"] = service
	p, _ := json.Marshal(fields)
	intent, _, err := r.ledger.Append(ledger.Draft{Operator: "OP1", Kind: terminal.KindIntent, IdemKey: r.key(), Payload: p})
	if err != nil {
		r.t.Fatal(err)
	}
	if hostDid {
		trace := r.link.Trace(intent.Seq)
		req := terminal.HostRequest{Trace: trace, Terminal: "T0001", Service: service, Amount: "300.00"}
		r.host.mu.Lock()
		r.host.requests[trace], r.host.did[trace] = req, r.host.approved(req)
		r.host.mu.Unlock()
	}
	return intent
}

// TestRecoverAfterCrash: whatever point a crash stopped a withdrawal at,
// recovery ends it with exactly one outcome and no cash out.
func TestRecoverAfterCrash(t *testing.T) {
	for _, tc := range []struct {
		name    string
		hostDid bool
	}{{"BeforeTheBankHeard", false}, {"AfterTheBankApproved", true}} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			r.crashAfterIntent(terminal.SvcWithdrawal, map[string]any{"amount": "300.00", "card": "622848*********0018"}, tc.hostDid)
			d, err := r.link.Recover(context.Background())
			if err != nil || d.Settled != 1 || len(d.Remaining) != 0 {
				t.Fatalf("recover %+v, %v", d, err)
			}
			if got := r.kinds(2); !slices.Equal(got, []string{"intent", "reversal_due", "reversal"}) {
				t.Errorf("entries %v", got)
			}
			if r.host.approvedNow(terminal.SvcWithdrawal) != 0 {
				t.Error("the bank kept an approval for cash never paid out")
			}
			r.balances(map[string]string{"assets:cash": "2000.00", "equity:owner": "-2000.00"})
			if d, err := r.link.Recover(context.Background()); err != nil || d.Settled != 0 {
				t.Errorf("second recovery %+v, %v", d, err)
			}
		})
	}
}

// TestRecoverWhileOffline: recovery cannot reach the bank; the item waits
// and new bank work is refused until it is settled.
func TestRecoverWhileOffline(t *testing.T) {
	r := newRig(t)
	r.crashAfterIntent(terminal.SvcWithdrawal, map[string]any{"amount": "300.00"}, true)
	r.host.setOffline(true)
	d, err := r.link.Recover(context.Background())
	if err != nil || len(d.Remaining) != 1 {
		t.Fatalf("recover %+v, %v", d, err)
	}
	_, err = r.withdraw(goodCard, "100.00")
	var rp *terminal.ReversalPendingError
	if !errors.As(err, &rp) {
		t.Fatalf("withdrawal before the reversal: %v", err)
	}
	r.host.setOffline(false)
	if d, err := r.link.Recover(context.Background()); err != nil || d.Settled != 1 {
		t.Fatalf("recover when back %+v, %v", d, err)
	}
	r.balances(map[string]string{"assets:cash": "2000.00", "equity:owner": "-2000.00"})
}

// TestRecoverStalePendingItem: the outcome was recorded but the crash came
// before the pending store was updated; recovery asks the host nothing.
func TestRecoverStalePendingItem(t *testing.T) {
	r := newRig(t)
	res, err := r.withdraw(goodCard, "300.00")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.pending.Put(terminal.PendingItem{Intent: res.Intent.Seq, Trace: res.Trace, State: terminal.PendingUnknown,
		Request: terminal.HostRequest{Trace: res.Trace, Service: terminal.SvcWithdrawal}}); err != nil {
		t.Fatal(err)
	}
	sends, last := r.host.sends, r.ledger.Last().Seq
	if _, err := r.link.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r.host.sends != sends || r.ledger.Last().Seq != last || len(r.pendingStates()) != 0 || len(r.host.reversed) != 0 {
		t.Errorf("recovery redid a finished withdrawal")
	}
}

// TestRecoverQueuedPayment: the crash came after the payment was queued
// but before the pending store heard of it; recovery forwards it.
func TestRecoverQueuedPayment(t *testing.T) {
	r := newRig(t)
	r.host.setOffline(true)
	res, err := r.pay("state-grid", "5100123456", "120.00", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.pending.Remove(res.Intent.Seq); err != nil {
		t.Fatal(err)
	}
	if err := r.pending.SetScanned(0); err != nil {
		t.Fatal(err)
	}
	r.host.setOffline(false)
	if d, err := r.link.Recover(context.Background()); err != nil || d.Settled != 1 {
		t.Fatalf("recover %+v, %v", d, err)
	}
	r.balances(map[string]string{"assets:cash": "2120.00", "equity:owner": "-2000.00",
		"postoffice:settlement": "-119.64", "income:commission:bill_payment": "-0.36"})
}

func TestVoidSale(t *testing.T) {
	r := newRig(t)
	if _, err := r.goods.StockIn("OP1", urea, 10, "", r.key()); err != nil {
		t.Fatal(err)
	}
	sale, err := r.goods.Sell(terminal.Sale{Operator: "OP2", Lines: []terminal.Line{{urea, 2}}, IdemKey: r.key()})
	if err != nil {
		t.Fatal(err)
	}
	v, err := r.voids.Void("OP2", "OP1", sale.Entry.Seq, "wrong bag")
	if err != nil {
		t.Fatal(err)
	}
	if !v.Refund.Equal(dec("270.00")) {
		t.Errorf("refund %s", v.Refund)
	}
	if stock, _ := r.goods.Stock(); stock[urea] != 10 {
		t.Errorf("stock after the void: %d", stock[urea])
	}
	r.balances(map[string]string{"assets:cash": "2000.00", "equity:owner": "-2000.00"})

	t.Run("Delivered", func(t *testing.T) {
		s, err := r.goods.Sell(terminal.Sale{Operator: "OP2", Lines: []terminal.Line{{urea, 1}},
			Delivery: &terminal.Delivery{To: "李家地头", Promised: r.now.In(r.ledger.Zone()).Format("2006-01-02")}, IdemKey: r.key()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.goods.Deliver("OP2", s.Entry.Seq, "李大伯"); err != nil {
			t.Fatal(err)
		}
		var ve *terminal.VoidError
		if _, err := r.voids.Void("OP2", "OP1", s.Entry.Seq, "x"); !errors.As(err, &ve) {
			t.Errorf("void of delivered goods: %v", err)
		}
	})
	t.Run("VoidedIsNotDelivered", func(t *testing.T) {
		s, err := r.goods.Sell(terminal.Sale{Operator: "OP2", Lines: []terminal.Line{{urea, 1}},
			Delivery: &terminal.Delivery{To: "李家地头", Promised: r.now.In(r.ledger.Zone()).Format("2006-01-02")}, IdemKey: r.key()})
		if err != nil {
			t.Fatal(err)
		}
		v, err := r.voids.Void("OP2", "OP1", s.Entry.Seq, "顾客不要了")
		if err != nil {
			t.Fatal(err)
		}
		last := r.ledger.Last()
		var ve *terminal.VoidedError
		if _, err := r.goods.Deliver("OP2", s.Entry.Seq, "李大伯"); !errors.As(err, &ve) || ve.Seq != s.Entry.Seq || ve.Void != v.Entry.Seq {
			t.Errorf("delivery of a voided sale: %v", err)
		}
		if r.ledger.Last().Seq != last.Seq {
			t.Errorf("a refused delivery appended entries")
		}
	})
	t.Run("NextDay", func(t *testing.T) {
		s, err := r.goods.Sell(terminal.Sale{Operator: "OP2", Lines: []terminal.Line{{urea, 1}}, IdemKey: r.key()})
		if err != nil {
			t.Fatal(err)
		}
		r.now = r.now.AddDate(0, 0, 1)
		var ve *terminal.VoidError
		if _, err := r.voids.Void("OP2", "OP1", s.Entry.Seq, "x"); !errors.As(err, &ve) {
			t.Errorf("void of yesterday's sale: %v", err)
		}
	})
}

// TestRecoverPastTheLedgersEnd: a pending store whose link to the ledger
// says it looked at entries the ledger does not have (a damaged record,
// or a ledger restored from a backup) is not believed: recovery looks
// again from the start and forwards the queued payment it would have
// missed.
func TestRecoverPastTheLedgersEnd(t *testing.T) {
	r := newRig(t)
	r.host.setOffline(true)
	res, err := r.pay("state-grid", "5100123456", "120.00", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.pending.Remove(res.Intent.Seq); err != nil {
		t.Fatal(err)
	}
	if err := r.pending.SetScanned(r.ledger.Last().Seq + 1000); err != nil {
		t.Fatal(err)
	}
	r.host.setOffline(false)
	if d, err := r.link.Recover(context.Background()); err != nil || d.Settled != 1 {
		t.Fatalf("recover %+v, %v", d, err)
	}
	r.balances(map[string]string{"assets:cash": "2120.00", "equity:owner": "-2000.00",
		"postoffice:settlement": "-119.64", "income:commission:bill_payment": "-0.36"})
}

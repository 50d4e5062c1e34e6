package terminal_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/villagepost/bianmin/idcheck"
	"github.com/villagepost/bianmin/tariff"
	"github.com/villagepost/bianmin/terminal"
)

func (r *rig) withdraw(card, amount string) (terminal.WithdrawalResult, error) {
	return r.cards.Withdraw(context.Background(), terminal.Withdrawal{
		Operator: "OP1", Card: card, PIN: "147258", Amount: dec(amount), IdemKey: r.key()})
}

func TestWithdrawalApproved(t *testing.T) {
	r := newRig(t)
	res, err := r.withdraw(goodCard, "500.00")
	if err != nil {
		t.Fatal(err)
	}
	if res.Card != "622848*********0018" || res.AuthCode == "" || res.Trace != "T0001-000003" {
		t.Errorf("result %+v", res)
	}
	p := payload(t, res.Entry)
	if p["card"] != "622848*********0018" || p["tariff"] != "DEMO-2026-11" || p["card_key"] == "" {
		t.Errorf("payload %v", p)
	}
	// Demo tariff: 500.00 is in the 200-500 band, commission 1.00.
	r.balances(map[string]string{
		"assets:cash": "1500.00", "equity:owner": "-2000.00", "postoffice:settlement": "501.00",
		"income:commission:withdrawal": "-1.00",
	})
	if got := r.kinds(2); !slices.Equal(got, []string{"intent", "withdrawal"}) {
		t.Errorf("entries %v", got)
	}
	if len(r.pendingStates()) != 0 {
		t.Errorf("pending after approval: %v", r.pendingStates())
	}
}

// TestWithdrawalRefusedBeforeTheBank checks each rule that refuses a
// withdrawal without asking the bank or recording anything.
func TestWithdrawalRefusedBeforeTheBank(t *testing.T) {
	r := newRig(t)
	for range 2 {
		if _, err := r.withdraw(goodCard, "1000.00"); err != nil {
			t.Fatal(err)
		}
	}
	other := "6217001234567890122"
	tests := []struct {
		name, card, amount string
		check              func(error) bool
	}{
		{"WrongCheckDigit", badCard, "100.00", func(err error) bool {
			var e *idcheck.InputError
			return errors.As(err, &e) && e.Rule == idcheck.RuleCheckDigit
		}},
		{"OverPerTransaction", other, "1000.01", func(err error) bool {
			var e *terminal.LimitError
			return errors.As(err, &e) && e.Rule == "per_transaction" && e.Limit == "1000.00"
		}},
		{"OverPerCardDay", goodCard, "0.01", func(err error) bool {
			var e *terminal.LimitError
			return errors.As(err, &e) && e.Rule == "per_card_day" && e.Used == "2000.00"
		}},
		{"ZeroAmount", other, "0.00", func(err error) bool {
			var e *terminal.InputError
			return errors.As(err, &e) && e.Field == "amount"
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, sends := r.ledger.Last().Seq, r.host.sends
			_, err := r.withdraw(tc.card, tc.amount)
			if !tc.check(err) {
				t.Fatalf("err = %v", err)
			}
			if r.ledger.Last().Seq != before || r.host.sends != sends {
				t.Errorf("a refused withdrawal recorded something or asked the bank")
			}
		})
	}
	t.Run("ShortCash", func(t *testing.T) {
		// The drawer holds 0.00 after the two withdrawals.
		_, err := r.withdraw(other, "10.00")
		var e *terminal.ShortCashError
		if !errors.As(err, &e) || !e.Have.IsZero() {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestWithdrawalCountPerCardDay(t *testing.T) {
	r := newRig(t)
	for i := range 5 {
		if _, err := r.withdraw(goodCard, "10.00"); err != nil {
			t.Fatalf("withdrawal %d: %v", i+1, err)
		}
	}
	_, err := r.withdraw(goodCard, "10.00")
	var e *terminal.LimitError
	if !errors.As(err, &e) || e.Rule != "per_card_day_count" || e.Used != "5" {
		t.Fatalf("sixth withdrawal: %v", err)
	}
	if e.Zh() == "" {
		t.Error("no Chinese message")
	}
}

func TestWithdrawalDeclined(t *testing.T) {
	r := newRig(t)
	r.host.next(decline)
	_, err := r.withdraw(goodCard, "300.00")
	var d *terminal.DeclineError
	if !errors.As(err, &d) || d.Code != "51" {
		t.Fatalf("err = %v", err)
	}
	if got := r.kinds(2); !slices.Equal(got, []string{"intent", "declined"}) {
		t.Errorf("entries %v", got)
	}
	r.balances(map[string]string{"assets:cash": "2000.00", "equity:owner": "-2000.00"})
}

// TestWithdrawalReplyLost: the bank approves but its answer is lost. The
// terminal asks the status, learns it was approved, reverses it, and no
// cash goes out.
func TestWithdrawalReplyLost(t *testing.T) {
	for _, s := range []struct {
		name string
		step step
	}{{"Dropped", drop}, {"TimedOut", hang}, {"LostOnTheWayIn", lose}} {
		t.Run(s.name, func(t *testing.T) {
			r := newRig(t)
			r.host.next(s.step)
			_, err := r.withdraw(goodCard, "300.00")
			var rev *terminal.ReversedError
			if !errors.As(err, &rev) || !rev.Acked || rev.Service != terminal.SvcWithdrawal {
				t.Fatalf("err = %v", err)
			}
			if got := r.kinds(2); !slices.Equal(got, []string{"intent", "reversal_due", "reversal"}) {
				t.Errorf("entries %v", got)
			}
			if n := r.host.approvedNow(terminal.SvcWithdrawal); n != 0 {
				t.Errorf("the bank still holds %d approved withdrawals", n)
			}
			r.balances(map[string]string{"assets:cash": "2000.00", "equity:owner": "-2000.00"})
			if len(r.pendingStates()) != 0 {
				t.Errorf("pending: %v", r.pendingStates())
			}
		})
	}
}

// TestReversalBeforeNextRequest: while a reversal cannot be delivered, no
// new request goes to the bank, though other hosts still serve; once the
// bank is back the reversal goes before the next withdrawal.
func TestReversalBeforeNextRequest(t *testing.T) {
	r := newRig(t)
	r.host.next(drop)
	r.link.Host = offlineAfterSend{r.host} // the bank drops off right after the request
	_, err := r.withdraw(goodCard, "300.00")
	var rev *terminal.ReversedError
	if !errors.As(err, &rev) || rev.Acked {
		t.Fatalf("err = %v", err)
	}
	r.link.Host = r.host
	if !slices.Equal(r.pendingStates(), []string{terminal.PendingReverse}) {
		t.Fatalf("pending %v", r.pendingStates())
	}
	before := r.ledger.Last().Seq
	_, err = r.withdraw(goodCard, "100.00")
	var rp *terminal.ReversalPendingError
	if !errors.As(err, &rp) || rp.Host != "bank" {
		t.Fatalf("next withdrawal: %v", err)
	}
	if r.ledger.Last().Seq != before {
		t.Error("a refused withdrawal recorded something")
	}
	if _, err := r.bills.Pay(context.Background(), terminal.BillPayment{Operator: "OP1", Biller: "state-grid", Account: "5100123456", IdemKey: r.key()}); err != nil {
		t.Fatalf("the biller is reachable, but: %v", err)
	}
	r.host.setOffline(false, "bank")
	mid := r.ledger.Last().Seq
	if _, err := r.withdraw(goodCard, "100.00"); err != nil {
		t.Fatal(err)
	}
	if got := r.kinds(mid); !slices.Equal(got, []string{"reversal", "intent", "withdrawal"}) {
		t.Errorf("entries %v", got)
	}
	if len(r.host.reversed) != 1 || r.host.approvedNow(terminal.SvcWithdrawal) != 1 {
		t.Errorf("bank: reversed %v, approved %d", r.host.reversed, r.host.approvedNow(terminal.SvcWithdrawal))
	}
	// 88.50 electricity (commission 0.3% = 0.27) and 100.00 withdrawn (0.50).
	r.balances(map[string]string{"assets:cash": "1988.50", "equity:owner": "-2000.00",
		"postoffice:settlement": "12.27", "income:commission:withdrawal": "-0.50", "income:commission:bill_payment": "-0.27"})
}

// offlineAfterSend is a host whose bank drops off the network right after
// a request goes out.
type offlineAfterSend struct{ *fakeHost }

func (h offlineAfterSend) Send(ctx context.Context, req terminal.HostRequest) (terminal.HostReply, error) {
	reply, err := h.fakeHost.Send(ctx, req)
	h.setOffline(true, "bank")
	return reply, err
}

func TestWithdrawalUnreachable(t *testing.T) {
	r := newRig(t)
	r.host.setOffline(true)
	_, err := r.withdraw(goodCard, "300.00")
	var un *terminal.UnreachableError
	if !errors.As(err, &un) {
		t.Fatalf("err = %v", err)
	}
	if got := r.kinds(2); !slices.Equal(got, []string{"intent", "not_sent"}) {
		t.Errorf("entries %v", got)
	}
	r.balances(map[string]string{"assets:cash": "2000.00", "equity:owner": "-2000.00"})
}

// TestSameRequestTwice: a double click or a duplicated answer gives one
// entry and one host request.
func TestSameRequestTwice(t *testing.T) {
	r := newRig(t)
	w := terminal.Withdrawal{Operator: "OP1", Card: goodCard, PIN: "147258", Amount: dec("200.00"), IdemKey: "click-1"}
	first, err := r.cards.Withdraw(context.Background(), w)
	if err != nil {
		t.Fatal(err)
	}
	second, err := r.cards.Withdraw(context.Background(), w)
	if err != nil {
		t.Fatal(err)
	}
	if first.Entry.Seq != second.Entry.Seq || r.host.sends != 1 {
		t.Errorf("entries %d and %d, %d sends", first.Entry.Seq, second.Entry.Seq, r.host.sends)
	}
	r.balances(map[string]string{"assets:cash": "1800.00", "equity:owner": "-2000.00",
		"postoffice:settlement": "200.50", "income:commission:withdrawal": "-0.50"})
}

func TestBalanceInquiry(t *testing.T) {
	r := newRig(t)
	bal, e, err := r.cards.BalanceInquiry(context.Background(), "OP1", goodCard, "147258", r.key())
	if err != nil {
		t.Fatal(err)
	}
	if !bal.Equal(dec("4321.09")) || e.Kind != terminal.SvcBalanceInquiry || len(e.Postings) != 0 {
		t.Errorf("balance %s, entry %+v", bal, e)
	}
	if p := string(e.Payload); p == "" || strings.Contains(p, goodCard) || strings.Contains(p, "4321.09") || strings.Contains(p, "147258") {
		t.Errorf("the inquiry entry holds the card, balance or PIN: %s", e.Payload)
	}
}

// TestLimitsFromTariff: the limits are the tariff's, not built in.
func TestLimitsFromTariff(t *testing.T) {
	r := newRig(t)
	body := bytes.Replace(tariff.DemoJSON, []byte(`"limits": {"per_transaction": "1000.00", "per_card_day": "2000.00", "per_card_day_count": 5}`),
		[]byte(`"limits": {"per_transaction": "300.00", "per_card_day": "500.00", "per_card_day_count": 3}`), 1)
	tf, err := tariff.Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	r.cards.Tariff = tf
	other := "6217001234567890122"
	for _, step := range []struct {
		card, amount, rule string
	}{
		{goodCard, "300.01", "per_transaction"},
		{goodCard, "300.00", ""},
		{goodCard, "200.00", ""},
		{goodCard, "0.01", "per_card_day"},
		{other, "100.00", ""},
		{other, "100.00", ""},
		{other, "100.00", ""},
		{other, "100.00", "per_card_day_count"},
	} {
		_, err := r.withdraw(step.card, step.amount)
		var le *terminal.LimitError
		switch {
		case step.rule == "" && err != nil:
			t.Errorf("%s %s: %v", step.card, step.amount, err)
		case step.rule != "" && (!errors.As(err, &le) || le.Rule != step.rule):
			t.Errorf("%s %s: %v, want the %s limit", step.card, step.amount, err, step.rule)
		}
	}
}

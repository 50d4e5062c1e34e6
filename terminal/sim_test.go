package terminal_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/villagepost/bianmin/idcheck"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/simcard"
	"github.com/villagepost/bianmin/terminal"
)

// simRig is a station selling phone-number cards through the host
// simulator's telecom host, with two cmcc-39 cards in stock and a float of
// 2,000.00.
type simRig struct {
	*insureRig
	cards *terminal.SIMCards
}

var (
	card1 = simcard.Card{ICCID: "89860012345678901238", Number: "13812345670"}
	card2 = simcard.Card{ICCID: "89860012345678901246", Number: "13812345671"}
)

func newSIMRig(t *testing.T) *simRig {
	t.Helper()
	r := &simRig{insureRig: newInsureRig(t)}
	r.cards = &terminal.SIMCards{Link: r.link, Tariff: r.tariff, Today: func() time.Time { return r.now.In(r.ledger.Zone()) }}
	if _, err := r.cards.Receive("OP1", "cmcc-39", []simcard.Card{card1, card2}, "移动交接单0007", r.key()); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *simRig) sell(mod func(*terminal.SIMOrder)) (terminal.SIMSaleResult, error) {
	o := terminal.SIMOrder{Operator: "OP1", Number: card1.Number, Holder: "王秀英", IDNumber: insuredID, IdemKey: r.key()}
	if mod != nil {
		mod(&o)
	}
	return r.cards.Sell(context.Background(), o)
}

func (r *simRig) stock() []string {
	r.t.Helper()
	list, err := terminal.SIMStock(r.ledger)
	if err != nil {
		r.t.Fatal(err)
	}
	var out []string
	for _, c := range list {
		out = append(out, c.Number)
	}
	return out
}

// units is the balance of account in the commodity of plan.
func (r *simRig) units(account, plan string) int64 {
	r.t.Helper()
	b, err := r.ledger.Balances()
	if err != nil {
		r.t.Fatal(err)
	}
	return b[ledger.Account{Name: account, Commodity: terminal.SIMCommodity(plan)}].IntPart()
}

func TestSIMSold(t *testing.T) {
	r := newSIMRig(t)
	res, err := r.sell(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(res.Registration, "RN2026") || res.Entry.Kind != terminal.KindSIMSale || res.Plan.Price.StringFixed(2) != "50.00" {
		t.Errorf("result %+v", res)
	}
	p := payload(t, res.Entry)
	for k, want := range map[string]string{"number": card1.Number, "iccid": "898600**********1238", "holder": "王**", "id": idcheck.MaskID(insuredID),
		"amount": "50.00", "first_topup": "30.00", "commission": "15.00", "registration": res.Registration} {
		if p[k] != want {
			t.Errorf("payload %s = %v, want %s", k, p[k], want)
		}
	}
	if strings.Contains(string(res.Entry.Payload), insuredID) || strings.Contains(string(res.Entry.Payload), card1.ICCID) {
		t.Errorf("the entry holds the full ID or ICCID: %s", res.Entry.Payload)
	}
	r.balances(map[string]string{"assets:cash": "2050.00", "equity:owner": "-2000.00", "postoffice:settlement": "-35.00", "income:commission:sim_sale": "-15.00"})
	if got := r.stock(); len(got) != 1 || got[0] != card2.Number {
		t.Errorf("stock %v", got)
	}
	if r.units(terminal.AccountStock, "cmcc-39") != 1 || r.units(terminal.AccountConsignment, "cmcc-39") != -1 {
		t.Errorf("units: stock %d consignment %d", r.units(terminal.AccountStock, "cmcc-39"), r.units(terminal.AccountConsignment, "cmcc-39"))
	}
	// The card is gone: selling it again is refused before the carrier.
	before := r.ledger.Last().Seq
	var ie *terminal.InputError
	if _, err := r.sell(nil); !errors.As(err, &ie) || ie.Field != "number" {
		t.Errorf("second sale of the same card: %v", err)
	}
	if r.ledger.Last().Seq != before {
		t.Error("a refused sale recorded something")
	}
}

func TestSIMRefusedBeforeTheCarrier(t *testing.T) {
	tests := []struct {
		name  string
		mod   func(*terminal.SIMOrder)
		field string
	}{
		{"ErrNotInStock", func(o *terminal.SIMOrder) { o.Number = "13912345678" }, "number"},
		{"ErrBadNumber", func(o *terminal.SIMOrder) { o.Number = "1381234567" }, simcard.FieldNumber},
		{"ErrNoName", func(o *terminal.SIMOrder) { o.Holder = " " }, "buyer"},
		{"ErrIDCheckDigit", func(o *terminal.SIMOrder) { o.IDNumber = "411523198001011235" }, idcheck.FieldID},
		{"ErrIDShort", func(o *terminal.SIMOrder) { o.IDNumber = "41152319800101" }, idcheck.FieldID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newSIMRig(t)
			before := r.ledger.Last().Seq
			_, err := r.sell(tt.mod)
			var ie *terminal.InputError
			var ide *idcheck.InputError
			var se *simcard.Error
			field := ""
			switch {
			case errors.As(err, &ie):
				field = ie.Field
			case errors.As(err, &ide):
				field = ide.Field
			case errors.As(err, &se):
				field = se.Field
			}
			if field != tt.field {
				t.Fatalf("err = %v, want an input error on %s", err, tt.field)
			}
			if r.ledger.Last().Seq != before {
				t.Error("a refused order recorded something")
			}
		})
	}
}

// TestSIMDeclined: the carrier's declines charge nothing and keep the card
// in stock.
func TestSIMDeclined(t *testing.T) {
	tests := []struct {
		name, id, code string
	}{
		{"blacklisted", "411523198001010004", "S2"},
		{"name does not match", "411523198001011111", "S3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newSIMRig(t)
			before := r.ledger.Last().Seq
			_, err := r.sell(func(o *terminal.SIMOrder) { o.IDNumber = tt.id })
			var de *terminal.DeclineError
			if !errors.As(err, &de) || de.Code != tt.code {
				t.Fatalf("err = %v, want a decline %s", err, tt.code)
			}
			if got := r.kinds(before); strings.Join(got, " ") != "intent declined" {
				t.Errorf("entries %v", got)
			}
			r.balances(map[string]string{"assets:cash": "2000.00", "equity:owner": "-2000.00"})
			if got := r.stock(); len(got) != 2 {
				t.Errorf("stock %v", got)
			}
		})
	}
}

// TestSIMFiveCards: the sixth number for one person with one carrier is
// declined S1.
func TestSIMFiveCards(t *testing.T) {
	r := newSIMRig(t)
	var more []simcard.Card
	for _, c := range []string{"8986001234567890125", "8986001234567890126", "8986001234567890127", "8986001234567890128"} {
		for d := '0'; d <= '9'; d++ {
			if cc, err := simcard.Parse(c + string(d) + ",1381234567" + c[18:]); err == nil {
				more = append(more, cc)
				break
			}
		}
	}
	if _, err := r.cards.Receive("OP1", "cmcc-39", more, "", r.key()); err != nil {
		t.Fatal(err)
	}
	numbers := r.stock()
	if len(numbers) != 6 {
		t.Fatalf("stock %v", numbers)
	}
	for i, n := range numbers {
		_, err := r.sell(func(o *terminal.SIMOrder) { o.Number = n })
		var de *terminal.DeclineError
		switch {
		case i < 5 && err != nil:
			t.Fatalf("card %d: %v", i+1, err)
		case i == 5 && (!errors.As(err, &de) || de.Code != "S1"):
			t.Fatalf("sixth card: %v, want a decline S1", err)
		}
	}
	if got := r.stock(); len(got) != 1 {
		t.Errorf("stock %v", got)
	}
}

// TestSIMLostReply: the carrier registered the card and the reply was
// lost (or never came): the station asks, reverses, which cancels the
// registration; no money, the card stays in stock, and the carrier says
// reversed. Sold again afterwards, it registers anew.
func TestSIMLostReply(t *testing.T) {
	for _, fault := range []string{"sim_sale=drop#1", "sim_sale=hang#1", "telecom=timeout#1"} {
		t.Run(fault, func(t *testing.T) {
			r := newSIMRig(t)
			r.faults(fault)
			before := r.ledger.Last().Seq
			_, err := r.sell(nil)
			var rv *terminal.ReversedError
			if !errors.As(err, &rv) || !rv.Acked || rv.Service != terminal.SvcSIMSale {
				t.Fatalf("err = %v, want an acknowledged reversal", err)
			}
			if got := r.kinds(before); strings.Join(got, " ") != "intent reversal_due reversal" {
				t.Errorf("entries %v", got)
			}
			if w := r.hostWord(rv.Trace); w != terminal.StatusReversed && w != terminal.StatusNone {
				t.Errorf("the carrier says %s: a card is left registered and unpaid", w)
			}
			r.balances(map[string]string{"assets:cash": "2000.00", "equity:owner": "-2000.00"})
			if got := r.stock(); len(got) != 2 {
				t.Errorf("stock %v", got)
			}
			if _, err := r.sell(nil); err != nil {
				t.Fatalf("sold again after the reversal: %v", err)
			}
		})
	}
}

// TestSIMLostReplyCarrierDown: the reply is lost and the carrier cannot
// be reached: the reversal stays owed and no new card is sold until it is
// delivered.
func TestSIMLostReplyCarrierDown(t *testing.T) {
	r := newSIMRig(t)
	r.faults("sim_sale=drop#1", "telecom=down")
	_, err := r.sell(nil)
	var rv *terminal.ReversedError
	if !errors.As(err, &rv) || rv.Acked {
		t.Fatalf("err = %v, want a reversal still owed", err)
	}
	var rp *terminal.ReversalPendingError
	if _, err := r.sell(func(o *terminal.SIMOrder) { o.Number = card2.Number }); !errors.As(err, &rp) {
		t.Fatalf("a sale while a reversal is owed: %v", err)
	}
	r.faults()
	if _, err := r.sell(func(o *terminal.SIMOrder) { o.Number = card2.Number }); err != nil {
		t.Fatalf("after the carrier is back: %v", err)
	}
	if w := r.hostWord(rv.Trace); w != terminal.StatusReversed {
		t.Errorf("the lost registration: carrier says %s", w)
	}
	r.balances(map[string]string{"assets:cash": "2050.00", "equity:owner": "-2000.00", "postoffice:settlement": "-35.00", "income:commission:sim_sale": "-15.00"})
}

func TestSIMReceiveAndReturn(t *testing.T) {
	r := newSIMRig(t)
	tests := []struct {
		name  string
		plan  string
		cards []simcard.Card
		field string
	}{
		{"ErrUnknownPlan", "cmcc-99", []simcard.Card{{ICCID: "89860112345678901237", Number: "13900000000"}}, "plan"},
		{"ErrICCIDAgain", "cmcc-39", []simcard.Card{{ICCID: card1.ICCID, Number: "13900000000"}}, "card"},
		{"ErrNumberInStock", "cmcc-39", []simcard.Card{{ICCID: "89860112345678901237", Number: card2.Number}}, "card"},
		{"ErrTwiceInOne", "cmcc-39", []simcard.Card{{ICCID: "89860112345678901237", Number: "13900000000"}, {ICCID: "89860112345678901237", Number: "13900000001"}}, "card"},
		{"ErrNone", "cmcc-39", nil, "card"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := r.ledger.Last().Seq
			_, err := r.cards.Receive("OP1", tt.plan, tt.cards, "", r.key())
			var ie *terminal.InputError
			if !errors.As(err, &ie) || ie.Field != tt.field {
				t.Fatalf("err = %v, want an input error on %s", err, tt.field)
			}
			if r.ledger.Last().Seq != before {
				t.Error("a refused consignment recorded something")
			}
		})
	}
	if _, err := r.cards.Return("OP1", []string{"13900000000"}, "", r.key()); err == nil {
		t.Error("returned a card not in stock")
	}
	if _, err := r.cards.Return("OP1", []string{card2.Number}, "退回单0009", r.key()); err != nil {
		t.Fatal(err)
	}
	if got := r.stock(); len(got) != 1 || got[0] != card1.Number {
		t.Errorf("stock %v", got)
	}
	if r.units(terminal.AccountStock, "cmcc-39") != 1 {
		t.Errorf("units in stock %d", r.units(terminal.AccountStock, "cmcc-39"))
	}
	if _, err := r.sell(func(o *terminal.SIMOrder) { o.Number = card2.Number }); err == nil {
		t.Error("sold a returned card")
	}
}

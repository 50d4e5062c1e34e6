package terminal_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/villagepost/bianmin/idcheck"
	"github.com/villagepost/bianmin/terminal"
)

const passengerID = "411523198001011234"

func (r *rig) order(mod func(*terminal.TicketOrder)) (terminal.TicketResult, error) {
	o := terminal.TicketOrder{
		Operator: "OP1", Carrier: "rail", Passenger: "王秀英", IDNumber: passengerID,
		From: "信阳", To: "郑州东", Date: time.Now().AddDate(0, 0, 3).Format(time.DateOnly), Class: "二等座",
		Fare: dec("153.50"), IdemKey: r.key(),
	}
	if mod != nil {
		mod(&o)
	}
	return r.tickets.Order(context.Background(), o)
}

func TestTicketIssued(t *testing.T) {
	r := newRig(t)
	res, err := r.order(nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != terminal.TicketIssued || res.Ticket == "" || !res.Total.Equal(dec("158.50")) {
		t.Errorf("result %+v", res)
	}
	p := payload(t, res.Entry)
	if p["id"] != "4115**********1234" || strings.Contains(string(res.Entry.Payload), passengerID) {
		t.Errorf("the ID number is not masked in the ledger: %s", res.Entry.Payload)
	}
	if items, _ := r.pending.List(); len(items) != 0 {
		t.Errorf("pending %v", items)
	}
	// Demo tariff: service fee 5.00 from the villager, commission 3.00.
	r.balances(map[string]string{"assets:cash": "2158.50", "equity:owner": "-2000.00",
		"postoffice:settlement": "-150.50", "income:fees": "-5.00", "income:commission:ticket_order": "-3.00"})
	open, err := r.tickets.Open()
	if err != nil || len(open) != 1 || open[0].Order != res.Entry.Seq || open[0].Ticket != res.Ticket {
		t.Errorf("open orders %+v, %v", open, err)
	}
}

func TestTicketRefusedBeforeTheCarrier(t *testing.T) {
	today := time.Now()
	tests := []struct {
		name, field string
		mod         func(*terminal.TicketOrder)
	}{
		{"Carrier", "carrier", func(o *terminal.TicketOrder) { o.Carrier = "bus" }},
		{"NameOneCharacter", "passenger", func(o *terminal.TicketOrder) { o.Passenger = "王" }},
		{"NameWithDigits", "passenger", func(o *terminal.TicketOrder) { o.Passenger = "王2" }},
		{"IDCheckDigit", idcheck.FieldID, func(o *terminal.TicketOrder) { o.IDNumber = "411523198001011235" }},
		{"SamePlace", "to", func(o *terminal.TicketOrder) { o.To = o.From }},
		{"NoDestination", "to", func(o *terminal.TicketOrder) { o.To = " " }},
		{"DatePast", "date", func(o *terminal.TicketOrder) { o.Date = today.AddDate(0, 0, -1).Format(time.DateOnly) }},
		{"DateTooFar", "date", func(o *terminal.TicketOrder) { o.Date = today.AddDate(0, 0, 400).Format(time.DateOnly) }},
		{"DateMalformed", "date", func(o *terminal.TicketOrder) { o.Date = "2026/12/01" }},
		{"ClassOfAnotherCarrier", "class", func(o *terminal.TicketOrder) { o.Class = "经济舱" }},
		{"FareZero", "fare", func(o *terminal.TicketOrder) { o.Fare = dec("0") }},
		{"FareAbsurd", "fare", func(o *terminal.TicketOrder) { o.Fare = dec("10000.01") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			before := r.ledger.Last().Seq
			_, err := r.order(tc.mod)
			var in *terminal.InputError
			var id *idcheck.InputError
			switch {
			case errors.As(err, &in):
				if in.Field != tc.field || in.RuleZh == "" {
					t.Errorf("field %s (%s), want %s", in.Field, in.Rule, tc.field)
				}
			case errors.As(err, &id):
				if id.Field != tc.field {
					t.Errorf("field %s, want %s", id.Field, tc.field)
				}
			default:
				t.Fatalf("err = %v, want an input error on %s", err, tc.field)
			}
			if r.ledger.Last().Seq != before || r.host.sends != 0 {
				t.Error("a refused order recorded something or reached the carrier")
			}
		})
	}
}

// TestWaitlist: the carrier puts the order on its waiting list; the cash
// is held until the carrier issues the ticket or gives up.
func TestWaitlist(t *testing.T) {
	for _, tc := range []struct {
		name, later string
		kinds       []string
		want        map[string]string
	}{
		{"Issued", terminal.StatusApproved, []string{"intent", "ticket_order", "ticket_issued"},
			map[string]string{"assets:cash": "2158.50", "equity:owner": "-2000.00",
				"postoffice:settlement": "-150.50", "income:fees": "-5.00", "income:commission:ticket_order": "-3.00"}},
		{"Failed", terminal.StatusDeclined, []string{"intent", "ticket_order", "ticket_failed"},
			map[string]string{"assets:cash": "2158.50", "equity:owner": "-2000.00", "liabilities:refunds-due": "-158.50"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			r.host.next(waitlist)
			res, err := r.order(nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != terminal.TicketWaitlisted || res.OrderRef == "" || res.Ticket != "" {
				t.Errorf("result %+v", res)
			}
			r.balances(map[string]string{"assets:cash": "2158.50", "equity:owner": "-2000.00",
				"liabilities:ticket-deposits": "-153.50", "income:fees": "-5.00"})
			if d, err := r.link.Drain(context.Background()); err != nil || d.Settled != 0 {
				t.Fatalf("the carrier has not decided yet, but drain says %+v, %v", d, err)
			}
			r.host.later[res.Trace] = tc.later
			if d, err := r.link.Drain(context.Background()); err != nil || d.Settled != 1 {
				t.Fatalf("drain %+v, %v", d, err)
			}
			if got := r.kinds(2); !slices.Equal(got, tc.kinds) {
				t.Errorf("entries %v", got)
			}
			r.balances(tc.want)
		})
	}
}

func TestTicketCancel(t *testing.T) {
	r := newRig(t)
	res, err := r.order(nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.tickets.Cancel(context.Background(), "OP1", res.Entry.Seq, r.key())
	if err != nil {
		t.Fatal(err)
	}
	// The fake carrier's rule gives back 100.00; the service fee stays.
	if !c.Refund.Equal(dec("100.00")) || !c.Kept.Equal(dec("53.50")) || c.Entry.Kind != terminal.KindTicketCancel {
		t.Errorf("cancel %+v", c)
	}
	r.balances(map[string]string{"assets:cash": "2058.50", "equity:owner": "-2000.00",
		"postoffice:settlement": "-50.50", "income:fees": "-5.00", "income:commission:ticket_order": "-3.00"})
	if open, _ := r.tickets.Open(); len(open) != 0 {
		t.Errorf("still open: %+v", open)
	}
	before := r.ledger.Last().Seq
	if _, err := r.tickets.Cancel(context.Background(), "OP1", res.Entry.Seq, r.key()); !errors.Is(err, terminal.ErrNotOpenTicket) {
		t.Errorf("second cancel: %v", err)
	}
	if r.ledger.Last().Seq != before {
		t.Error("a refused cancel recorded something")
	}
}

func TestWaitlistWithdrawn(t *testing.T) {
	r := newRig(t)
	r.host.next(waitlist)
	res, err := r.order(nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.tickets.Cancel(context.Background(), "OP1", res.Entry.Seq, r.key())
	if err != nil {
		t.Fatal(err)
	}
	if !c.Refund.Equal(dec("158.50")) || c.Entry.Kind != terminal.KindRefundPaid {
		t.Errorf("cancel %+v", c)
	}
	if got := r.kinds(2); !slices.Equal(got, []string{"intent", "ticket_order", "ticket_failed", "refund_paid"}) {
		t.Errorf("entries %v", got)
	}
	if len(r.host.reversed) != 1 || len(r.pendingStates()) != 0 {
		t.Errorf("carrier reversed %v, pending %v", r.host.reversed, r.pendingStates())
	}
	r.balances(map[string]string{"assets:cash": "2000.00", "equity:owner": "-2000.00"})
}

package terminal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
)

// OpenTicket is a ticket order still open: waitlisted, or issued for a
// journey not yet made and not cancelled.
type OpenTicket struct {
	Order     uint64 // the ticket_order entry
	Intent    uint64
	Status    string // TicketIssued or TicketWaitlisted
	Ticket    string // issued: the ticket number
	OrderRef  string // waitlisted: the carrier's order number
	Carrier   string
	Passenger string
	ID        string // masked
	From, To  string
	Date      string
	Class     string
	Fare      decimal.Decimal
	Total     decimal.Decimal
}

// Open lists the open ticket orders, oldest first.
func (t *Tickets) Open() ([]OpenTicket, error) { return OpenTickets(t.Link.Ledger, t.Today()) }

// Reader is what reading entries back needs from the ledger.
type Reader interface {
	Range(from, to uint64, fn func(ledger.Entry) error) error
}

// OpenTickets lists the ticket orders in l still open on the day of today,
// oldest first.
func OpenTickets(l Reader, today time.Time) ([]OpenTicket, error) {
	open := map[uint64]*OpenTicket{} // by intent
	day := today.Format(time.DateOnly)
	err := l.Range(1, 0, func(e ledger.Entry) error {
		switch e.Kind {
		case SvcTicketOrder:
			o, err := openTicket(e)
			if err != nil {
				return err
			}
			open[o.Intent] = &o
		case KindIssued, KindFailed, KindTicketCancel:
			var p struct {
				Intent    uint64 `json:"intent"`
				Order     uint64 `json:"order"`
				Reference string `json:"reference"`
			}
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return fmt.Errorf("terminal: entry %d: %w", e.Seq, err)
			}
			if e.Kind == KindTicketCancel {
				for k, o := range open {
					if o.Order == p.Order {
						delete(open, k)
					}
				}
			} else if o := open[p.Intent]; o != nil && e.Kind == KindIssued {
				o.Status, o.Ticket = TicketIssued, p.Reference
			} else {
				delete(open, p.Intent)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []OpenTicket
	for _, o := range open {
		if o.Status == TicketWaitlisted || o.Date >= day {
			out = append(out, *o)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Order < out[j].Order })
	return out, nil
}

func openTicket(e ledger.Entry) (OpenTicket, error) {
	var p ticketPayload
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return OpenTicket{}, fmt.Errorf("terminal: ticket order entry %d: %w", e.Seq, err)
	}
	fare, err := money.ParseWire(p.Amount)
	if err != nil {
		return OpenTicket{}, fmt.Errorf("terminal: ticket order entry %d: %w", e.Seq, err)
	}
	total, err := money.ParseWire(p.Total)
	if err != nil {
		return OpenTicket{}, fmt.Errorf("terminal: ticket order entry %d: %w", e.Seq, err)
	}
	o := OpenTicket{
		Order: e.Seq, Intent: p.Intent, Status: TicketIssued, Ticket: p.Ticket, OrderRef: p.OrderRef,
		Carrier: p.Carrier, Passenger: p.Passenger, ID: p.ID, From: p.From, To: p.To, Date: p.Date, Class: p.Class,
		Fare: fare, Total: total,
	}
	if p.Status == statusWaitlisted {
		o.Status = TicketWaitlisted
	}
	return o, nil
}

// KindTicketCancel is the entry of a cancelled ticket or waitlisted order.
const KindTicketCancel = "ticket_cancel"

// ErrNotOpenTicket means an entry is not an open ticket order.
var ErrNotOpenTicket = errors.New("terminal: that entry is not an open ticket order")

// CancelResult is a cancelled ticket: hand Refund back to the villager.
type CancelResult struct {
	Entry  ledger.Entry // the ticket_cancel entry
	Order  OpenTicket
	Trace  string
	Refund decimal.Decimal // what the carrier's rule gives back
	Kept   decimal.Decimal // the carrier's cancellation charge
}

// Cancel cancels the ticket order recorded at entry order. An issued
// ticket is cancelled with the carrier, whose rule says how much of the
// fare comes back; the service fee is not refunded. A waitlisted order is
// withdrawn from the waiting list and the whole amount comes back.
func (t *Tickets) Cancel(ctx context.Context, operator string, order uint64, idemKey string) (CancelResult, error) {
	o, err := t.find(order)
	if err != nil {
		return CancelResult{}, err
	}
	if o.Status == TicketWaitlisted {
		cash, err := drawerCash(t.Link.Ledger)
		if err != nil {
			return CancelResult{}, err
		}
		if o.Total.GreaterThan(cash) {
			return CancelResult{}, &ShortCashError{Need: o.Total, Have: cash}
		}
		return t.withdraw(ctx, operator, o)
	}
	fare := money.FormatWire(o.Fare)
	c, err := t.Link.cancelPaid(ctx, paidCancel{
		Operator: operator, IdemKey: idemKey,
		Req: HostRequest{Service: SvcTicketCancel, Amount: fare, Ticket: &TicketDetails{
			Carrier: o.Carrier, Passenger: o.Passenger, From: o.From, To: o.To, Date: o.Date, Class: o.Class, Number: o.Ticket,
		}},
		Intent: map[string]any{"order": o.Order, "ticket": o.Ticket, "amount": fare},
		Paid:   o.Fare, PaidName: "fare", Kind: KindTicketCancel,
		Payload: func(refund decimal.Decimal) map[string]any {
			return map[string]any{"order": o.Order, "ticket": o.Ticket, "fare": fare,
				"kept": money.FormatWire(o.Fare.Sub(refund)), "tariff": t.Tariff.Version}
		},
	})
	if err != nil {
		return CancelResult{}, err
	}
	return CancelResult{Entry: c.Entry, Order: o, Trace: c.Trace, Refund: c.Refund, Kept: o.Fare.Sub(c.Refund)}, nil
}

// find returns the open order recorded at entry seq.
func (t *Tickets) find(seq uint64) (OpenTicket, error) {
	list, err := t.Open()
	if err != nil {
		return OpenTicket{}, err
	}
	for _, o := range list {
		if o.Order == seq {
			return o, nil
		}
	}
	return OpenTicket{}, fmt.Errorf("%w: entry %d", ErrNotOpenTicket, seq)
}

// withdraw takes a waitlisted order off the carrier's list (a reversal of
// the order) and gives the whole amount back at once.
func (t *Tickets) withdraw(ctx context.Context, operator string, o OpenTicket) (CancelResult, error) {
	l := t.Link
	l.mu.Lock()
	defer l.mu.Unlock()
	intent, err := l.Ledger.Get(o.Intent)
	if err != nil {
		return CancelResult{}, err
	}
	if done, err := l.concluded(o.Intent); err != nil {
		return CancelResult{}, err
	} else if done {
		return CancelResult{}, fmt.Errorf("%w: the carrier has just decided order %d; look at the list again", ErrNotOpenTicket, o.Order)
	}
	trace := l.Trace(o.Intent)
	cctx, cancel := l.call(ctx)
	reply, err := l.Host.Reverse(cctx, trace)
	cancel()
	if err != nil {
		if errors.Is(err, ErrUnreachable) {
			return CancelResult{}, err
		}
		return CancelResult{}, fmt.Errorf("terminal: withdraw order %s: no clear answer, so it stays on the waiting list: %w", trace, err)
	}
	reply.Status, reply.Reason = StatusDeclined, "withdrawn by the customer"
	if err := l.conclude(intent, reply); err != nil {
		return CancelResult{}, err
	}
	failed, err := l.Ledger.ByIdemKey(finalKey(o.Intent))
	if err != nil {
		return CancelResult{}, err
	}
	paid, err := payRefund(l.Ledger, operator, failed)
	if err != nil {
		return CancelResult{}, err
	}
	return CancelResult{Entry: paid.Entry, Order: o, Trace: trace, Refund: paid.Amount}, nil
}

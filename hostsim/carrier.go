package hostsim

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/idcheck"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/terminal"
)

// The carriers, rail and air. Dates are days in the hosts' zone; a ticket
// departs at 08:00 on its date.
//
//	ticket_order   declined T1 (not on sale) when from == to, the date is before
//	               today, or (rail) the date is more than 15 days after today;
//	               else approved, Reference = the ticket number ("E" + 9 digits
//	               for rail, 13 digits for air), Amount = the fare.
//	               Under a waitlist fault: pending, Reference = the order number
//	               ("W" + 10 digits); the next Status inquiry issues the ticket
//	               (approved) or, under waitlist-fail, declines T2 (no seats).
//	ticket_cancel  Ticket.Number = the ticket number. Declined T3 for a ticket
//	               never issued, T4 for one already cancelled, T5 at or after
//	               departure; else approved, Amount = the refund:
//	                 rail  8 days or more before departure  100 %
//	                       48 hours or more                  95 %
//	                       24 hours or more                  90 %
//	                       less                              80 %
//	                 air   7 days or more                    90 %
//	                       less                              70 %
//	               of the fare, rounded to the fen (half away from zero).
//
// The fare is the request's Amount when it has one, else a fare derived
// from a hash of the journey: rail 30.00 to 600.00, air 400.00 to 2000.00.
// A reversal cancels the order (issued or pending) or, for a cancel,
// restores the ticket.

// ticket is an issued ticket.
type ticket struct {
	details   JournalTicket // masked, Number set
	fare      decimal.Decimal
	cancelled bool
}

// maskTicket is what the journal holds of a ticket request.
func maskTicket(t *terminal.TicketDetails) *JournalTicket {
	return &JournalTicket{
		Carrier: t.Carrier, Passenger: idcheck.MaskName(t.Passenger), IDNumber: idcheck.MaskID(t.IDNumber),
		From: t.From, To: t.To, Date: t.Date, Class: t.Class,
	}
}

// fareOf is the fare of an order: its Amount, or one derived from the journey.
func fareOf(r terminal.HostRequest) string {
	if r.Amount != "" {
		return r.Amount
	}
	t := r.Ticket
	low, span := int64(3000), uint64(57001) // rail: 30.00 to 600.00
	if t.Carrier == carrierAir {
		low, span = 40000, 160001 // air: 400.00 to 2000.00
	}
	return money.FormatWire(decimal.New(low+int64(hashNumber(span, "fare", t.Carrier, t.From, t.To, t.Class)), -2))
}

// today is midnight today in the hosts' zone.
func (s *Sim) today() time.Time {
	y, m, d := s.time().In(s.zone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, s.zone)
}

// departure is 08:00 on date in the hosts' zone.
func (s *Sim) departure(date string) time.Time {
	d, _ := time.Parse(time.DateOnly, date) // checked by checkRequest and ParseJournalLine
	return time.Date(d.Year(), d.Month(), d.Day(), 8, 0, 0, 0, s.zone)
}

// ticketNumber is a new ticket number for trace, unlike every other.
func (s *Sim) ticketNumber(carrier, trace string) string {
	for i := 0; ; i++ {
		n := digits(13, "ticket", trace, fmt.Sprint(i))
		if carrier == carrierRail {
			n = "E" + digits(9, "ticket", trace, fmt.Sprint(i))
		}
		if s.tickets[n] == nil {
			return n
		}
	}
}

// refund is what cancelling a ticket of fare gives back, left before
// departure.
func refund(carrier string, fare decimal.Decimal, left time.Duration) decimal.Decimal {
	const day = 24 * time.Hour
	var percent int64
	switch {
	case carrier == carrierAir && left >= 7*day:
		percent = 90
	case carrier == carrierAir:
		percent = 70
	case left >= 8*day:
		percent = 100
	case left >= 48*time.Hour:
		percent = 95
	case left >= 24*time.Hour:
		percent = 90
	default:
		percent = 80
	}
	return fare.Mul(decimal.New(percent, -2)).Round(2)
}

// decideCarrier decides a ticket order or cancel; f may put an order on
// the waiting list.
func (s *Sim) decideCarrier(l *JournalLine, r terminal.HostRequest, f Fault) {
	if r.Service == terminal.SvcTicketCancel {
		decidePaidCancel(s, l, s.tickets, ticketCancel)
		return
	}
	t := r.Ticket
	date := s.departure(t.Date)
	today := s.today()
	switch {
	case t.From == t.To:
		decline(l, CodeNotOnSale)
		l.Reason = "not on sale: from and to are the same station"
	case date.Before(today):
		decline(l, CodeNotOnSale)
		l.Reason = "not on sale: the date has passed"
	case t.Carrier == carrierRail && date.After(today.AddDate(0, 0, 15).Add(8*time.Hour)):
		decline(l, CodeNotOnSale)
		l.Reason = "not on sale yet: rail tickets go on sale 15 days ahead"
	case f.Mode == FaultWaitlist || f.Mode == FaultWaitlistFail:
		l.Status, l.Code = terminal.StatusPending, CodePending
		l.Order = orderNumber(r.Trace)
		l.Reference = l.Order
		l.Waitlist = WaitlistIssue
		if f.Mode == FaultWaitlistFail {
			l.Waitlist = WaitlistFail
		}
	default:
		approve(l)
		l.Reference = s.ticketNumber(t.Carrier, r.Trace)
		l.Ticket.Number = l.Reference
	}
}

// ticketCancel is the carrier's cancel rule (paidcancel.go).
var ticketCancel = cancelRule{what: "ticket", notSold: CodeNoTicket, already: CodeCancelled, tooLate: CodeDeparted}

func (t *ticket) cancelledNow() bool  { return t.cancelled }
func (t *ticket) setCancelled(c bool) { t.cancelled = c }

// refundAt is the refund of a ticket cancelled at now; too late at or
// after departure.
func (t *ticket) refundAt(s *Sim, now time.Time) (decimal.Decimal, bool) {
	dep := s.departure(t.details.Date)
	if !now.Before(dep) {
		return decimal.Zero, false
	}
	return refund(t.details.Carrier, t.fare, dep.Sub(now)), true
}

// issue is the decision a Status inquiry makes on a waitlisted order.
func (s *Sim) issue(rec *record) JournalLine {
	d := rec.line
	t := *d.Ticket
	l := JournalLine{
		Time: s.time().UTC(), Event: EventIssue, Host: d.Host, Trace: d.Trace, Terminal: d.Terminal,
		Service: d.Service, Amount: d.Amount, Ticket: &t, Queued: d.Queued,
	}
	if d.Waitlist == WaitlistFail {
		decline(&l, CodeNoSeats)
	} else {
		approve(&l)
		l.Reference = s.ticketNumber(t.Carrier, d.Trace)
		t.Number = l.Reference
	}
	l.Order = d.Order
	return l
}

// applyIssued records a ticket an approved order or issue line issued.
func (s *Sim) applyIssued(l JournalLine) error {
	if l.Ticket == nil || l.Reference == "" {
		return fmt.Errorf("ticket order %s approved without ticket details and number", l.Trace)
	}
	if s.tickets[l.Reference] != nil {
		return fmt.Errorf("ticket %s issued twice", l.Reference)
	}
	fare, err := money.ParseWire(l.Amount)
	if err != nil {
		return fmt.Errorf("ticket %s: fare: %w", l.Reference, err)
	}
	t := *l.Ticket
	t.Number = l.Reference
	s.tickets[l.Reference] = &ticket{details: t, fare: fare}
	return nil
}

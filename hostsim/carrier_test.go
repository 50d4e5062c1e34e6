package hostsim_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/villagepost/bianmin/hostsim"
	"github.com/villagepost/bianmin/terminal"
)

func TestTicketOrderRules(t *testing.T) {
	tests := []struct {
		name    string
		carrier string
		days    int // the date, days after today
		to      string
		code    string
		number  string // pattern of the ticket number
	}{
		{"rail today", "rail", 0, "", hostsim.CodeApproved, `^E[0-9]{9}$`},
		{"rail 15 days ahead", "rail", 15, "", hostsim.CodeApproved, `^E[0-9]{9}$`},
		{"ErrRailNotOnSaleYet", "rail", 16, "", hostsim.CodeNotOnSale, ""},
		{"ErrDatePassed", "rail", -1, "", hostsim.CodeNotOnSale, ""},
		{"ErrSameStation", "rail", 3, "信阳", hostsim.CodeNotOnSale, ""},
		{"air 60 days ahead", "air", 60, "", hostsim.CodeApproved, `^[0-9]{13}$`},
		{"ErrAirDatePassed", "air", -1, "", hostsim.CodeNotOnSale, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := MustOpen(t)
			r := order(s.trace(), tt.carrier, date(tt.days), "")
			if tt.to != "" {
				r.Ticket.To = tt.to
			}
			rep := s.send(t, r)
			if tt.code != hostsim.CodeApproved {
				wantStatus(t, "order", rep, terminal.StatusDeclined, tt.code)
				return
			}
			wantStatus(t, "order", rep, terminal.StatusApproved, hostsim.CodeApproved)
			if !regexp.MustCompile(tt.number).MatchString(rep.Reference) {
				t.Errorf("ticket number %q, want %s", rep.Reference, tt.number)
			}
			if rep.Amount == "" {
				t.Errorf("no fare in %+v", rep)
			}
		})
	}
}

func TestTicketFareFromRequest(t *testing.T) {
	s := MustOpen(t)
	rep := s.send(t, order(s.trace(), "rail", date(3), "153.50"))
	if rep.Amount != "153.50" {
		t.Errorf("fare %q, want the request's 153.50", rep.Amount)
	}
}

func TestTicketRefund(t *testing.T) {
	departure := func(days int) time.Time { return time.Date(2026, 11, 20+days, 8, 0, 0, 0, zone) }
	tests := []struct {
		name    string
		carrier string
		fare    string
		cancel  time.Time // when the cancel is asked, for a departure on 2026-11-30
		refund  string    // "" when declined
		code    string
	}{
		{"rail 10 days before: full fare", "rail", "100.00", start(), "100.00", hostsim.CodeApproved},
		{"rail exactly 8 days before: full fare", "rail", "100.00", departure(10).Add(-8 * 24 * time.Hour), "100.00", hostsim.CodeApproved},
		{"rail just under 8 days: 95 %", "rail", "100.00", departure(10).Add(-8*24*time.Hour + time.Second), "95.00", hostsim.CodeApproved},
		{"rail exactly 48 hours: 95 %", "rail", "100.00", departure(10).Add(-48 * time.Hour), "95.00", hostsim.CodeApproved},
		{"rail 47 hours: 90 %", "rail", "100.00", departure(10).Add(-47 * time.Hour), "90.00", hostsim.CodeApproved},
		{"rail exactly 24 hours: 90 %", "rail", "100.00", departure(10).Add(-24 * time.Hour), "90.00", hostsim.CodeApproved},
		{"rail 1 minute: 80 %", "rail", "100.00", departure(10).Add(-time.Minute), "80.00", hostsim.CodeApproved},
		{"rail rounded to the fen, half up", "rail", "123.45", departure(10).Add(-47 * time.Hour), "111.11", hostsim.CodeApproved},
		{"ErrDeparted at departure", "rail", "100.00", departure(10), "", hostsim.CodeDeparted},
		{"ErrDeparted after", "rail", "100.00", departure(11), "", hostsim.CodeDeparted},
		{"air exactly 7 days: 90 %", "air", "1234.56", departure(10).Add(-7 * 24 * time.Hour), "1111.10", hostsim.CodeApproved},
		{"air under 7 days: 70 %", "air", "1234.56", departure(10).Add(-7*24*time.Hour + time.Second), "864.19", hostsim.CodeApproved},
		{"ErrAirDeparted", "air", "1234.56", departure(10).Add(time.Hour), "", hostsim.CodeDeparted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := MustOpen(t)
			issued := s.send(t, order(s.trace(), tt.carrier, date(10), tt.fare))
			wantStatus(t, "order", issued, terminal.StatusApproved, hostsim.CodeApproved)
			s.clock.Set(tt.cancel)
			rep := s.send(t, cancel(s.trace(), issued.Reference))
			if tt.refund == "" {
				wantStatus(t, "cancel", rep, terminal.StatusDeclined, tt.code)
				return
			}
			wantStatus(t, "cancel", rep, terminal.StatusApproved, hostsim.CodeApproved)
			if rep.Amount != tt.refund {
				t.Errorf("refund %s of %s, want %s", rep.Amount, tt.fare, tt.refund)
			}
		})
	}
}

func TestTicketCancelOnce(t *testing.T) {
	s := MustOpen(t)
	issued := s.send(t, order(s.trace(), "rail", date(10), "100.00"))
	first := s.trace()
	rep := s.send(t, cancel(first, issued.Reference))
	wantStatus(t, "cancel", rep, terminal.StatusApproved, hostsim.CodeApproved)
	// The same trace again answers as the first time.
	if again := s.send(t, cancel(first, issued.Reference)); again != rep {
		t.Errorf("the same cancel again: %+v, want %+v", again, rep)
	}
	// Another trace finds the ticket cancelled.
	wantStatus(t, "second cancel", s.send(t, cancel(s.trace(), issued.Reference)), terminal.StatusDeclined, hostsim.CodeCancelled)
	wantStatus(t, "unknown ticket", s.send(t, cancel(s.trace(), "E000000000")), terminal.StatusDeclined, hostsim.CodeNoTicket)
	// Reversing the cancel restores the ticket, which may then be cancelled again.
	wantStatus(t, "reverse cancel", s.reverse(t, first), terminal.StatusReversed, hostsim.CodeApproved)
	wantStatus(t, "cancel after reversal", s.send(t, cancel(s.trace(), issued.Reference)), terminal.StatusApproved, hostsim.CodeApproved)
}

func TestReverseTicketOrder(t *testing.T) {
	s := MustOpen(t)
	tr := s.trace()
	issued := s.send(t, order(tr, "rail", date(10), "100.00"))
	wantStatus(t, "reverse", s.reverse(t, tr), terminal.StatusReversed, hostsim.CodeApproved)
	wantStatus(t, "cancel of a reversed order", s.send(t, cancel(s.trace(), issued.Reference)), terminal.StatusDeclined, hostsim.CodeCancelled)
}

func TestWaitlist(t *testing.T) {
	tests := []struct {
		fault  string
		status string
		code   string
	}{
		{"ticket_order=waitlist", terminal.StatusApproved, hostsim.CodeApproved},
		{"carrier=waitlist-fail", terminal.StatusDeclined, hostsim.CodeNoSeats},
	}
	for _, tt := range tests {
		t.Run(tt.fault, func(t *testing.T) {
			s := MustOpen(t, tt.fault)
			tr := s.trace()
			rep := s.send(t, order(tr, "rail", date(5), "100.00"))
			wantStatus(t, "order", rep, terminal.StatusPending, hostsim.CodePending)
			if !regexp.MustCompile(`^W[0-9]{10}$`).MatchString(rep.Reference) {
				t.Errorf("order number %q, want W and 10 digits", rep.Reference)
			}
			st := s.status(t, tr)
			wantStatus(t, "status", st, tt.status, tt.code)
			if tt.status == terminal.StatusApproved && !regexp.MustCompile(`^E[0-9]{9}$`).MatchString(st.Reference) {
				t.Errorf("issued ticket number %q", st.Reference)
			}
			if again := s.status(t, tr); again != st {
				t.Errorf("status again %+v, want %+v", again, st)
			}
			// A repeated order answers as the first time: pending.
			wantStatus(t, "repeat", s.send(t, order(tr, "rail", date(5), "100.00")), terminal.StatusPending, hostsim.CodePending)
		})
	}
}

func TestWaitlistReversed(t *testing.T) {
	s := MustOpen(t, "ticket_order=waitlist#1")
	tr := s.trace()
	wantStatus(t, "order", s.send(t, order(tr, "air", date(5), "900.00")), terminal.StatusPending, hostsim.CodePending)
	wantStatus(t, "reverse", s.reverse(t, tr), terminal.StatusReversed, hostsim.CodeApproved)
	wantStatus(t, "status", s.status(t, tr), terminal.StatusReversed, hostsim.CodeApproved)
	// The count ran out: the next order is issued at once.
	wantStatus(t, "next order", s.send(t, order(s.trace(), "air", date(5), "900.00")), terminal.StatusApproved, hostsim.CodeApproved)
}

package hostsim_test

import (
	"context"
	"errors"
	"testing"

	"github.com/villagepost/bianmin/hostsim"
	"github.com/villagepost/bianmin/terminal"
)

func TestSameTraceAnswersAsFirst(t *testing.T) {
	s := MustOpen(t)
	tr := s.trace()
	first := s.send(t, withdrawal(tr, "500.00"))
	// Even a request that differs gets the first answer, and nothing moves.
	again := s.send(t, withdrawal(tr, "900.00"))
	if again != first {
		t.Errorf("second answer %+v, want the first %+v", again, first)
	}
	if got := s.balance(t); got != "4500.00" {
		t.Errorf("balance %s after one withdrawal sent twice, want 4500.00", got)
	}
	// A decline is remembered too.
	d := s.trace()
	r := withdrawal(d, "100.00")
	r.PIN = hostsim.WrongPIN
	s.send(t, r)
	r.PIN = testPIN
	wantStatus(t, "declined trace again with the right PIN", s.send(t, r), terminal.StatusDeclined, hostsim.CodeWrongPIN)
}

func TestStatus(t *testing.T) {
	s := MustOpen(t)
	approved, declined := s.trace(), s.trace()
	s.send(t, withdrawal(approved, "10.00"))
	s.send(t, withdrawal(declined, "9999.00"))
	wantStatus(t, "approved", s.status(t, approved), terminal.StatusApproved, hostsim.CodeApproved)
	wantStatus(t, "declined", s.status(t, declined), terminal.StatusDeclined, hostsim.CodeNoFunds)
	wantStatus(t, "never seen", s.status(t, "T0001-999999"), terminal.StatusNone, hostsim.CodeNoRecord)
	if st := s.status(t, approved); st.AuthCode == "" || st.Trace != approved {
		t.Errorf("status of an approval %+v: want its auth code and trace", st)
	}
}

func TestReverse(t *testing.T) {
	s := MustOpen(t)
	tr := s.trace()
	s.send(t, withdrawal(tr, "700.00"))
	if got := s.balance(t); got != "4300.00" {
		t.Fatalf("balance %s", got)
	}
	wantStatus(t, "reverse", s.reverse(t, tr), terminal.StatusReversed, hostsim.CodeApproved)
	if got := s.balance(t); got != "5000.00" {
		t.Errorf("balance after the reversal %s, want 5000.00: the money goes back", got)
	}
	// A repeated reversal changes nothing.
	wantStatus(t, "reverse again", s.reverse(t, tr), terminal.StatusReversed, hostsim.CodeApproved)
	if got := s.balance(t); got != "5000.00" {
		t.Errorf("balance after a second reversal %s, want 5000.00", got)
	}
	wantStatus(t, "status", s.status(t, tr), terminal.StatusReversed, hostsim.CodeApproved)
	// The request again still gets its first answer, and nothing moves.
	wantStatus(t, "request again", s.send(t, withdrawal(tr, "700.00")), terminal.StatusApproved, hostsim.CodeApproved)
	if got := s.balance(t); got != "5000.00" {
		t.Errorf("balance after the request came again %s, want 5000.00", got)
	}
}

func TestReverseDeclinedChangesNothing(t *testing.T) {
	s := MustOpen(t)
	tr := s.trace()
	s.send(t, withdrawal(tr, "9999.00"))
	wantStatus(t, "reverse", s.reverse(t, tr), terminal.StatusDeclined, hostsim.CodeNoFunds)
	wantStatus(t, "status", s.status(t, tr), terminal.StatusDeclined, hostsim.CodeNoFunds)
}

func TestReverseNeverSeen(t *testing.T) {
	s := MustOpen(t)
	tr := s.trace()
	wantStatus(t, "reverse", s.reverse(t, tr), terminal.StatusNone, hostsim.CodeNoRecord)
	wantStatus(t, "reverse again", s.reverse(t, tr), terminal.StatusNone, hostsim.CodeNoRecord)
	wantStatus(t, "status", s.status(t, tr), terminal.StatusNone, hostsim.CodeNoRecord)
	// The request arriving after its reversal is refused, and nothing moves.
	wantStatus(t, "late request", s.send(t, withdrawal(tr, "100.00")), terminal.StatusDeclined, hostsim.CodeReversedFirst)
	if got := s.balance(t); got != "5000.00" {
		t.Errorf("balance %s, want 5000.00", got)
	}
	wantStatus(t, "status after", s.status(t, tr), terminal.StatusDeclined, hostsim.CodeReversedFirst)
}

func TestMalformedRequest(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*terminal.HostRequest)
		field string
	}{
		{"no trace", func(r *terminal.HostRequest) { r.Trace = "" }, "trace"},
		{"unknown service", func(r *terminal.HostRequest) { r.Service = "loan" }, "service"},
		{"short card", func(r *terminal.HostRequest) { r.Card = "622848" }, "card"},
		{"no PIN", func(r *terminal.HostRequest) { r.PIN = "" }, "pin"},
		{"amount not in wire form", func(r *terminal.HostRequest) { r.Amount = "500" }, "amount"},
		{"zero amount", func(r *terminal.HostRequest) { r.Amount = "0.00" }, "amount"},
		{"control character", func(r *terminal.HostRequest) { r.Terminal = "T\n1" }, "terminal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := MustOpen(t)
			r := withdrawal(s.trace(), "100.00")
			tt.edit(&r)
			_, err := s.Send(context.Background(), r)
			var re *hostsim.RequestError
			if !errors.As(err, &re) || re.Field != tt.field {
				t.Fatalf("error %v, want *RequestError for %s", err, tt.field)
			}
		})
	}
	t.Run("ticket", func(t *testing.T) {
		s := MustOpen(t)
		r := order(s.trace(), "bus", date(1), "")
		_, err := s.Send(context.Background(), r)
		var re *hostsim.RequestError
		if !errors.As(err, &re) || re.Field != "ticket.carrier" {
			t.Fatalf("error %v, want *RequestError for ticket.carrier", err)
		}
		r = order(s.trace(), "rail", "2026-13-01", "")
		if _, err := s.Send(context.Background(), r); !errors.As(err, &re) || re.Field != "ticket.date" {
			t.Fatalf("error %v, want *RequestError for ticket.date", err)
		}
	})
}

func TestClosed(t *testing.T) {
	s := MustOpen(t)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	_, err := s.Send(context.Background(), withdrawal(s.trace(), "1.00"))
	if !errors.Is(err, terminal.ErrUnreachable) {
		t.Errorf("Send after Close: %v, want ErrUnreachable", err)
	}
}

package hostsim_test

import (
	"context"
	"errors"
	"regexp"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/hostsim"
	"github.com/villagepost/bianmin/terminal"
)

func TestLookupBill(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	b, err := s.LookupBill(ctx, "state-grid", "5100123456")
	if err != nil {
		t.Fatal(err)
	}
	again, _ := s.LookupBill(ctx, "state-grid", "5100123456")
	if b != again {
		t.Errorf("two lookups differ: %+v, %+v", b, again)
	}
	due := mustWire(t, b.Due)
	if b.Biller != "state-grid" || b.Account != "5100123456" || b.Period != "2026-11" ||
		due.LessThan(decimal.New(20, 0)) || due.GreaterThan(decimal.New(300, 0)) ||
		!regexp.MustCompile(`^\p{Han}+\*$`).MatchString(b.Customer) {
		t.Errorf("bill %+v: want period 2026-11, a due from 20.00 to 300.00, a masked name", b)
	}
	// Many accounts give many amounts.
	seen := map[string]bool{}
	for _, acct := range []string{"5100000001", "5100000002", "5100000003", "5100000004", "5100000005"} {
		seen[s.due(t, acct)] = true
	}
	if len(seen) < 4 {
		t.Errorf("5 accounts gave only %d different amounts due", len(seen))
	}
}

func TestLookupBillNoAccount(t *testing.T) {
	s := MustOpen(t)
	_, err := s.LookupBill(context.Background(), "state-grid", "5100120000")
	var de *terminal.DeclineError
	if !errors.As(err, &de) || de.Code != hostsim.CodeNoAccount {
		t.Fatalf("error %v, want *terminal.DeclineError code 14", err)
	}
}

func TestBillPayment(t *testing.T) {
	const acct = "5100123456"
	s := MustOpen(t)
	due := mustWire(t, s.due(t, acct))
	part := due.Sub(decimal.New(1000, -2)) // all but 10.00

	rep := s.send(t, payment(s.trace(), acct, part.StringFixed(2)))
	wantStatus(t, "payment", rep, terminal.StatusApproved, hostsim.CodeApproved)
	if !regexp.MustCompile(`^R[0-9]{12}$`).MatchString(rep.Reference) {
		t.Errorf("reference %q, want R and 12 digits", rep.Reference)
	}
	if got := s.due(t, acct); got != "10.00" {
		t.Errorf("due after a part payment %s, want 10.00", got)
	}
	over := s.trace()
	wantStatus(t, "overpayment", s.send(t, payment(over, acct, "50.00")), terminal.StatusApproved, hostsim.CodeApproved)
	if got := s.due(t, acct); got != "0.00" {
		t.Errorf("due after an overpayment %s, want 0.00", got)
	}
	// The reversal of the overpayment restores what it took off: 10.00.
	s.reverse(t, over)
	if got := s.due(t, acct); got != "10.00" {
		t.Errorf("due after reversing the overpayment %s, want 10.00", got)
	}
}

func TestBillerDeclinesNoAccount(t *testing.T) {
	for _, service := range []string{terminal.SvcBillPayment, terminal.SvcTopup} {
		t.Run(service, func(t *testing.T) {
			s := MustOpen(t)
			r := payment(s.trace(), "13800000000", "50.00")
			r.Service = service
			rep := s.send(t, r)
			wantStatus(t, service, rep, terminal.StatusDeclined, hostsim.CodeNoAccount)
			if rep.Reference != "" {
				t.Errorf("a decline with reference %q", rep.Reference)
			}
		})
	}
}

func TestTopupAndQueuedPayment(t *testing.T) {
	s := MustOpen(t)
	top := terminal.HostRequest{Trace: s.trace(), Terminal: "T0001", Service: terminal.SvcTopup, Biller: "china-mobile", Account: "13800138000", Amount: "50.00"}
	rep := s.send(t, top)
	wantStatus(t, "topup", rep, terminal.StatusApproved, hostsim.CodeApproved)
	if rep.Reference == "" || rep.Amount != "50.00" {
		t.Errorf("topup reply %+v: want a reference and the amount", rep)
	}
	q := payment(s.trace(), "5100123456", "20.00")
	q.Queued = true
	wantStatus(t, "queued payment", s.send(t, q), terminal.StatusApproved, hostsim.CodeApproved)
}

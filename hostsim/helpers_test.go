package hostsim_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/hostsim"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/terminal"
)

// Test data. The card passes the Luhn check; the PIN is not WrongPIN.
const (
	testCard = "6228480402564890018"
	testPIN  = "739154"
	testID   = "110101199003071234"
)

// zone is the hosts' default zone, China Standard Time.
var zone = time.FixedZone("CST", 8*60*60)

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// start is the tests' "now": Friday 20 November 2026, 10:00 in Beijing.
func start() time.Time { return time.Date(2026, 11, 20, 10, 0, 0, 0, zone) }

// sim is a Sim under test with its journal and clock.
type sim struct {
	*hostsim.Sim
	path  string
	clock *clock
	n     int // traces made by trace()
}

// MustOpen opens a Sim with a journal in a temporary directory and a clock
// at start(); it is closed when the test ends.
func MustOpen(tb testing.TB, faults ...string) *sim {
	tb.Helper()
	s := &sim{path: filepath.Join(tb.TempDir(), "journal.jsonl"), clock: &clock{t: start()}}
	s.reopen(tb)
	for _, f := range faults {
		s.fault(tb, f)
	}
	return s
}

// reopen closes the Sim (if open) and opens it again on the same journal.
func (s *sim) reopen(tb testing.TB) {
	tb.Helper()
	if s.Sim != nil {
		if err := s.Close(); err != nil {
			tb.Fatal(err)
		}
	}
	hs, err := hostsim.Open(s.path, &hostsim.Options{Now: s.clock.Now})
	if err != nil {
		tb.Fatal(err)
	}
	s.Sim = hs
	tb.Cleanup(func() { hs.Close() })
}

// fault adds a fault in text form to those in force.
func (s *sim) fault(tb testing.TB, spec string) {
	tb.Helper()
	f, err := hostsim.ParseFault(spec)
	if err != nil {
		tb.Fatal(err)
	}
	if err := s.SetFaults(append(s.Faults(), f)...); err != nil {
		tb.Fatal(err)
	}
}

// trace returns a new trace number.
func (s *sim) trace() string {
	s.n++
	return fmt.Sprintf("T0001-%06d", s.n)
}

func withdrawal(trace, amount string) terminal.HostRequest {
	return terminal.HostRequest{Trace: trace, Terminal: "T0001", Service: terminal.SvcWithdrawal, Amount: amount, Card: testCard, PIN: testPIN}
}

func inquiry(trace string) terminal.HostRequest {
	return terminal.HostRequest{Trace: trace, Terminal: "T0001", Service: terminal.SvcBalanceInquiry, Card: testCard, PIN: testPIN}
}

func payment(trace, account, amount string) terminal.HostRequest {
	return terminal.HostRequest{Trace: trace, Terminal: "T0001", Service: terminal.SvcBillPayment, Biller: "state-grid", Account: account, Amount: amount}
}

func order(trace, carrier, date, fare string) terminal.HostRequest {
	return terminal.HostRequest{Trace: trace, Terminal: "T0001", Service: terminal.SvcTicketOrder, Amount: fare,
		Ticket: &terminal.TicketDetails{Carrier: carrier, Passenger: "张三", IDNumber: testID, From: "信阳", To: "郑州东", Date: date, Class: "二等座"}}
}

func cancel(trace, number string) terminal.HostRequest {
	return terminal.HostRequest{Trace: trace, Terminal: "T0001", Service: terminal.SvcTicketCancel, Ticket: &terminal.TicketDetails{Number: number}}
}

// send sends r and fails the test on an error.
func (s *sim) send(tb testing.TB, r terminal.HostRequest) terminal.HostReply {
	tb.Helper()
	rep, err := s.Send(context.Background(), r)
	if err != nil {
		tb.Fatalf("Send %s %s: %v", r.Service, r.Trace, err)
	}
	return rep
}

// status asks the status of trace and fails the test on an error.
func (s *sim) status(tb testing.TB, trace string) terminal.HostReply {
	tb.Helper()
	rep, err := s.Status(context.Background(), trace)
	if err != nil {
		tb.Fatalf("Status %s: %v", trace, err)
	}
	return rep
}

// reverse reverses trace and fails the test on an error.
func (s *sim) reverse(tb testing.TB, trace string) terminal.HostReply {
	tb.Helper()
	rep, err := s.Reverse(context.Background(), trace)
	if err != nil {
		tb.Fatalf("Reverse %s: %v", trace, err)
	}
	return rep
}

// balance asks the bank for the test card's balance.
func (s *sim) balance(tb testing.TB) string {
	tb.Helper()
	rep := s.send(tb, inquiry(s.trace()))
	if rep.Status != terminal.StatusApproved {
		tb.Fatalf("balance inquiry: %+v", rep)
	}
	return rep.Balance
}

// due asks what is due on a state-grid account.
func (s *sim) due(tb testing.TB, account string) string {
	tb.Helper()
	b, err := s.LookupBill(context.Background(), "state-grid", account)
	if err != nil {
		tb.Fatal(err)
	}
	return b.Due
}

// wantStatus fails the test unless rep has status and code.
func wantStatus(tb testing.TB, what string, rep terminal.HostReply, status, code string) {
	tb.Helper()
	if rep.Status != status || rep.Code != code {
		tb.Fatalf("%s: status %s code %s (%s), want %s %s", what, rep.Status, rep.Code, rep.Reason, status, code)
	}
}

// wantUnknown fails the test unless err is an error that leaves the
// outcome unknown: not nil and not ErrUnreachable.
func wantUnknown(tb testing.TB, what string, err error) {
	tb.Helper()
	if err == nil || errors.Is(err, terminal.ErrUnreachable) {
		tb.Fatalf("%s: error %v, want an unknown outcome (not nil, not ErrUnreachable)", what, err)
	}
}

// date is a date days after start(), as YYYY-MM-DD.
func date(days int) string { return start().AddDate(0, 0, days).Format(time.DateOnly) }

// mustWire reads an amount in the wire form.
func mustWire(tb testing.TB, s string) decimal.Decimal {
	tb.Helper()
	d, err := money.ParseWire(s)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

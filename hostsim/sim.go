// Package hostsim simulates the hosts a station terminal talks to — the
// card-issuing bank, the utility billers and the rail and air carriers —
// with deterministic, documented rules, a journal of every decision, and
// fault injection for tests.
//
// A *Sim is a terminal.Host in-process; NewHandler serves it over HTTP
// (docs/host-protocol.md) and Client is a terminal.Host that talks to that
// server. The rules each host applies are in bank.go, biller.go and
// carrier.go; the journal format in journal.go; the faults in fault.go.
package hostsim

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/terminal"
)

// Options configure a Sim. The zero value (or nil) means the defaults.
type Options struct {
	// Now is the hosts' clock; nil means time.Now. Only decisions read
	// it: the waits of the slow fault are real time.
	Now func() time.Time
	// Zone is the hosts' local time: today's date for ticket orders, the
	// 08:00 departure of a ticket, the period of a bill. Nil means China
	// Standard Time (UTC+8, no summer time).
	Zone *time.Location
	// CardBalance is what every card holds before its first withdrawal;
	// zero means DefaultCardBalance.
	CardBalance decimal.Decimal
	// Faults are in force from the start (see SetFaults).
	Faults []Fault
	// Logf, if set, is told each decision and each fault that acts, in
	// words that hold nothing the journal would not (no card, no PIN). It
	// is called with the Sim's lock held and must not call the Sim.
	Logf func(format string, args ...any)
}

// DefaultCardBalance is the balance of a card the bank has not seen: 5000.00.
func DefaultCardBalance() decimal.Decimal { return decimal.New(500000, -2) }

// Sim is the bank, the billers and the carriers in one value. It is safe
// for concurrent use. Every decision is appended to its journal (a JSONL
// file, see JournalLine) and fsynced before it is answered, and Open
// replays that journal, so a restarted Sim remembers what it decided.
type Sim struct {
	now         func() time.Time
	clk         clock
	zone        *time.Location
	cardBalance decimal.Decimal
	logf        func(format string, args ...any)

	closing chan struct{} // closed by Close: waits end
	wg      sync.WaitGroup

	mu       sync.Mutex
	closed   bool
	broken   error    // a journal write failed: refuse everything
	file     *os.File // nil: no journal
	path     string
	faults   []Fault
	traces   map[string]*record
	lost     map[string]string // trace → service of requests a timeout fault lost (memory only)
	balances map[string]decimal.Decimal
	dues     map[billKey]decimal.Decimal
	tickets  map[string]*ticket
	policies map[string]*policy
	// The telecom host (telecom.go): registered numbers, how many each
	// person holds per carrier, the registration numbers given.
	simNumbers map[string]*registration
	simHeld    map[string]int
	regNumbers map[string]bool
	paid       map[paidKey]string // social: who has paid which scheme for which year, by trace
}

var _ terminal.Host = (*Sim)(nil)

// Open opens (or creates) the journal at path, replays it to rebuild what
// the hosts decided, and returns a Sim that appends to it. An empty path
// means no journal: the Sim forgets everything when closed. A journal line
// that does not parse or contradicts the lines before it is a
// *JournalError naming the line; a last line cut short by a crash (no
// newline, does not parse) was never answered and is removed.
func Open(path string, opts *Options) (*Sim, error) {
	if opts == nil {
		opts = &Options{}
	}
	s := &Sim{
		now: opts.Now, zone: opts.Zone, cardBalance: opts.CardBalance, logf: opts.Logf,
		closing: make(chan struct{}), path: path,
		traces: map[string]*record{}, lost: map[string]string{}, balances: map[string]decimal.Decimal{},
		dues: map[billKey]decimal.Decimal{}, tickets: map[string]*ticket{}, policies: map[string]*policy{},
		simNumbers: map[string]*registration{}, simHeld: map[string]int{}, regNumbers: map[string]bool{},
		paid: map[paidKey]string{},
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.zone == nil {
		s.zone = time.FixedZone("CST", 8*60*60)
	}
	if s.cardBalance.IsZero() {
		s.cardBalance = DefaultCardBalance()
	}
	if s.logf == nil {
		s.logf = func(string, ...any) {}
	}
	if err := s.SetFaults(opts.Faults...); err != nil {
		return nil, err
	}
	if path != "" {
		f, err := openJournal(path, s.apply, s.logf)
		if err != nil {
			return nil, err
		}
		s.file = f
	}
	return s, nil
}

// Close ends every call still waiting (a hang, a timeout, a slow request
// not yet processed, which then never is) and closes the journal. Calls
// after Close fail with an error wrapping terminal.ErrUnreachable. A second
// Close does nothing.
func (s *Sim) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.closing)
	s.mu.Unlock()
	s.wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.file == nil {
		return nil
	}
	err := s.file.Close()
	s.file = nil
	if err != nil {
		return fmt.Errorf("hostsim: close journal %s: %w", s.path, err)
	}
	return nil
}

// usable reports why the Sim cannot take a call. The caller holds s.mu.
func (s *Sim) usable() error {
	if s.closed {
		return fmt.Errorf("hostsim: closed: %w", terminal.ErrUnreachable)
	}
	if s.broken != nil {
		// Nothing is processed any more, so nothing happens at the host.
		return fmt.Errorf("hostsim: refusing all calls since the journal failed (%v): %w", s.broken, terminal.ErrUnreachable)
	}
	return nil
}

// notSent is the error of a call whose context was done before it started:
// nothing reached the host.
func notSent(ctx context.Context) error {
	return fmt.Errorf("hostsim: not sent: %w: %w", terminal.ErrUnreachable, ctx.Err())
}

// down is the error of a call for service (or "" when not known) that a
// down fault refused.
func down(f Fault, service string) error {
	host := "host"
	if service != "" {
		host = terminal.HostName(service)
	}
	return fmt.Errorf("hostsim: the %s is down (fault %s): %w", host, f, terminal.ErrUnreachable)
}

// downFor is the error of a down fault acting on a Status, Reverse or
// LookupBill call for service, or nil. The caller holds s.mu.
func (s *Sim) downFor(service string) error {
	if f, ok := s.takeFault(service, callOther); ok {
		return down(f, service)
	}
	return nil
}

// wait blocks until ctx is done or the Sim closes: a call that is never
// answered. The error is not ErrUnreachable: the caller cannot know what
// happened.
func (s *Sim) wait(ctx context.Context, what string) error {
	select {
	case <-ctx.Done():
		return fmt.Errorf("hostsim: %s: no answer: %w", what, ctx.Err())
	case <-s.closing:
		return fmt.Errorf("hostsim: %s: no answer before the simulator closed", what)
	}
}

// commit journals a decision, then applies it. The caller holds s.mu.
func (s *Sim) commit(l JournalLine) error {
	b, err := FormatJournalLine(l)
	if err != nil {
		return err // a bug: decisions are built valid
	}
	if s.file != nil {
		if err := appendLine(s.file, b); err != nil {
			s.broken = fmt.Errorf("hostsim: journal %s: %w", s.path, err)
			return s.broken
		}
	}
	if err := s.apply(l); err != nil {
		s.broken = fmt.Errorf("hostsim: journal %s: applying a decision: %w", s.path, err)
		return s.broken
	}
	s.logf("hostsim: %s %s %s %s %s %s", l.Event, l.Host, l.Service, l.Trace, l.Status, l.Code)
	return nil
}

// LookupBill says what is due on an account: an amount from 20.00 to
// 300.00 derived from the biller and account, less what was paid since.
// An account whose number ends in "0000" does not exist: a
// *terminal.DeclineError with code "14".
func (s *Sim) LookupBill(ctx context.Context, biller, account string) (terminal.Bill, error) {
	if err := checkBillKey(biller, account); err != nil {
		return terminal.Bill{}, err
	}
	if ctx.Err() != nil {
		return terminal.Bill{}, notSent(ctx)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(); err != nil {
		return terminal.Bill{}, err
	}
	if err := s.downFor(terminal.SvcBillPayment); err != nil {
		return terminal.Bill{}, err
	}
	return s.bill(biller, account)
}

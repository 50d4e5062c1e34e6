package hostsim

import (
	"context"
	"fmt"
	"time"

	"github.com/villagepost/bianmin/idcheck"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/terminal"
)

// delivery is what the way back does with a reply.
type delivery int

const (
	deliverOnce  delivery = iota
	deliverNone           // drop: the reply is lost
	deliverTwice          // duplicate: the reply arrives twice
)

// Send has the host decide r by its rules (docs/host-protocol.md) after
// the faults in force have acted on it. A Trace seen before is answered as
// the first time, and nothing more happens.
//
// It returns an error wrapping terminal.ErrUnreachable when the request
// certainly did not reach the host (a down fault, a closed Sim, a context
// already done), a *RequestError for a request the host cannot read, and
// any other error when the caller cannot know what happened: the reply was
// dropped, never came (timeout, hang) or the context ended first (slow).
// A duplicated reply is answered once: a call has one result.
func (s *Sim) Send(ctx context.Context, r terminal.HostRequest) (terminal.HostReply, error) {
	rep, d, err := s.send(ctx, r)
	if err != nil {
		return terminal.HostReply{}, err
	}
	if d == deliverNone {
		return terminal.HostReply{}, fmt.Errorf("hostsim: %s %s: the reply was lost (fault drop)", r.Service, r.Trace)
	}
	return rep, nil
}

// send is Send up to the way back, which the caller (Send, or the HTTP
// handler) performs as d says.
func (s *Sim) send(ctx context.Context, r terminal.HostRequest) (rep terminal.HostReply, d delivery, err error) {
	if err := checkRequest(r); err != nil {
		return rep, d, err
	}
	if ctx.Err() != nil {
		return rep, d, notSent(ctx)
	}
	s.mu.Lock()
	if err := s.usable(); err != nil {
		s.mu.Unlock()
		return rep, d, err
	}
	f, _ := s.takeFault(r.Service, callSend)
	switch f.Mode {
	case FaultTimeout:
		// The host never sees it, but the fault layer remembers where it
		// was going, so that a down fault on that host also refuses the
		// status inquiry and the reversal that follow.
		s.lost[r.Trace] = r.Service
	case FaultSlow:
		s.wg.Add(1)
	}
	s.mu.Unlock()
	what := r.Service + " " + r.Trace
	switch f.Mode {
	case FaultDown:
		return rep, d, down(f, r.Service)
	case FaultTimeout:
		return rep, d, s.wait(ctx, what+": request lost on the way in (fault timeout)")
	case FaultSlow:
		rep, err := s.slow(ctx, r, f.Delay)
		return rep, deliverOnce, err
	}
	rep, err = s.process(r, f)
	if err != nil {
		return rep, d, err
	}
	switch f.Mode {
	case FaultHang:
		return terminal.HostReply{}, d, s.wait(ctx, what+": processed, then no answer (fault hang)")
	case FaultDrop:
		return rep, deliverNone, nil
	case FaultDuplicate:
		return rep, deliverTwice, nil
	}
	return rep, deliverOnce, nil
}

// slow delivers r to the host after delay, and processes it then whether
// or not the caller still waits. The caller has done s.wg.Add(1).
func (s *Sim) slow(ctx context.Context, r terminal.HostRequest, delay time.Duration) (terminal.HostReply, error) {
	type result struct {
		rep terminal.HostReply
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer s.wg.Done()
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-s.closing:
			done <- result{err: fmt.Errorf("hostsim: %s %s: the simulator closed before the slow request arrived", r.Service, r.Trace)}
			return
		}
		rep, err := s.process(r, Fault{})
		done <- result{rep, err}
	}()
	select {
	case res := <-done:
		return res.rep, res.err
	case <-ctx.Done():
		return terminal.HostReply{}, fmt.Errorf("hostsim: %s %s: no answer yet (fault slow), the host will still process it: %w", r.Service, r.Trace, ctx.Err())
	}
}

// base is the journal line of a decision on r, before the host decides.
func (s *Sim) base(r terminal.HostRequest) JournalLine {
	return JournalLine{
		Time: s.time().UTC(), Event: EventSend, Host: terminal.HostName(r.Service),
		Trace: r.Trace, Terminal: r.Terminal, Service: r.Service, Queued: r.Queued,
	}
}

// identify fills in what a decision line says about r besides the
// decision: the amount, the masked card, the biller and account, the
// ticket. Fields a service does not use are left out, unchecked.
func (s *Sim) identify(l *JournalLine, r terminal.HostRequest) {
	switch r.Service {
	case terminal.SvcWithdrawal:
		l.Card, l.Amount = idcheck.MaskCard(r.Card), r.Amount
	case terminal.SvcBalanceInquiry:
		l.Card = idcheck.MaskCard(r.Card)
	case terminal.SvcBillPayment, terminal.SvcTopup:
		l.Biller, l.Account, l.Amount = r.Biller, r.Account, r.Amount
	case terminal.SvcTicketOrder:
		l.Ticket, l.Amount = maskTicket(r.Ticket), fareOf(r)
	case terminal.SvcTicketCancel:
		l.Reference = r.Ticket.Number
		if tk := s.tickets[r.Ticket.Number]; tk != nil {
			t := tk.details
			l.Ticket, l.Amount = &t, money.FormatWire(tk.fare)
		}
	case terminal.SvcPolicyIssue:
		l.Policy, l.Amount = maskPolicy(r.Policy), r.Amount
	case terminal.SvcSIMSale:
		l.SIM, l.Amount = maskSIM(r.SIM), r.Amount
	case terminal.SvcPolicyCancel:
		l.Reference = r.Policy.Number
		if p := s.policies[r.Policy.Number]; p != nil {
			d := p.details
			l.Policy, l.Amount = &d, money.FormatWire(p.premium)
		}
	case terminal.SvcContribution:
		l.Contribution, l.Amount = maskContribution(r.Contribution), r.Amount
	}
}

// decline makes l a decline with code.
func decline(l *JournalLine, code string) {
	l.Status, l.Code, l.Reason = terminal.StatusDeclined, code, reasonFor(code)
}

// approve makes l an approval.
func approve(l *JournalLine) { l.Status, l.Code = terminal.StatusApproved, CodeApproved }

// process has the host decide r, unless it decided it before: then it
// answers as it did the first time and does nothing more. f is the fault
// acting on the request (decline and the waitlist modes act here).
func (s *Sim) process(r terminal.HostRequest, f Fault) (terminal.HostReply, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(); err != nil {
		return terminal.HostReply{}, err
	}
	rec := s.traces[r.Trace]
	if rec != nil && !rec.unseen {
		return rec.first, nil
	}
	l := s.base(r)
	s.identify(&l, r)
	switch {
	case rec != nil:
		decline(&l, CodeReversedFirst)
	case f.Mode == FaultDecline:
		decline(&l, f.Code)
	case terminal.HostName(r.Service) == hostBank:
		s.decideBank(&l, r)
	case terminal.HostName(r.Service) == hostBiller:
		s.decideBiller(&l, r)
	case terminal.HostName(r.Service) == hostInsurer:
		s.decideInsurer(&l, r)
	case terminal.HostName(r.Service) == hostTelecom:
		s.decideTelecom(&l, r)
	case terminal.HostName(r.Service) == hostSocial:
		s.decideSocial(&l, r)
	default:
		s.decideCarrier(&l, r, f)
	}
	if err := s.commit(l); err != nil {
		return terminal.HostReply{}, err
	}
	return s.traces[r.Trace].first, nil
}

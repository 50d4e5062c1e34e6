package hostsim

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/terminal"
)

// record is what a host remembers of a trace.
type record struct {
	line    JournalLine        // the send line, or for an issued waitlist order the issue line
	first   terminal.HostReply // the answer to the request, given again to a repeat
	now     terminal.HostReply // what Status answers
	reduced decimal.Decimal    // bill payment: what it took off the due
	unseen  bool               // reversed before the request came: refuse it when it comes
}

// apply changes the state by one journal line: it is how both a live
// decision and a replayed line take effect.
func (s *Sim) apply(l JournalLine) error {
	rec := s.traces[l.Trace]
	switch l.Event {
	case EventSend:
		if rec != nil && !rec.unseen {
			return fmt.Errorf("trace %s decided twice", l.Trace)
		}
		rec = &record{line: l, first: replyOf(l)}
		rec.now = rec.first
		if l.Status == terminal.StatusApproved {
			if err := s.applyApproved(rec, l); err != nil {
				return err
			}
		}
		s.traces[l.Trace] = rec
		return nil
	case EventIssue:
		if rec == nil || rec.now.Status != terminal.StatusPending {
			return fmt.Errorf("issue for trace %s, which is not a pending order", l.Trace)
		}
		if l.Status == terminal.StatusApproved {
			if err := s.applyApproved(rec, l); err != nil {
				return err
			}
		}
		rec.line, rec.now = l, replyOf(l)
		return nil
	case EventReverse:
		if l.Status == terminal.StatusNone {
			if rec != nil && !rec.unseen {
				return fmt.Errorf("reverse of trace %s as never seen, but it was", l.Trace)
			}
			s.traces[l.Trace] = &record{unseen: true}
			return nil
		}
		if rec == nil || rec.unseen || (rec.now.Status != terminal.StatusApproved && rec.now.Status != terminal.StatusPending) {
			return fmt.Errorf("reversal of trace %s, which is not approved or pending", l.Trace)
		}
		if err := s.applyReversal(rec, l); err != nil {
			return err
		}
		rec.now.Status, rec.now.Code, rec.now.Reason = terminal.StatusReversed, CodeApproved, ""
		return nil
	}
	return fmt.Errorf("unknown event %q", l.Event)
}

// applyApproved applies an approval (send or issue line) by its service.
func (s *Sim) applyApproved(rec *record, l JournalLine) error {
	switch l.Service {
	case terminal.SvcWithdrawal, terminal.SvcBalanceInquiry:
		return s.applyBank(l)
	case terminal.SvcBillPayment:
		return s.applyPayment(rec, l)
	case terminal.SvcTicketOrder:
		return s.applyIssued(l)
	case terminal.SvcTicketCancel:
		return applyPaidCancel(s.tickets, l.Reference, ticketCancel)
	case terminal.SvcPolicyIssue:
		return s.applyPolicy(l)
	case terminal.SvcPolicyCancel:
		return applyPaidCancel(s.policies, l.Reference, policyCancel)
	case terminal.SvcSIMSale:
		return s.applyRegistration(l)
	case terminal.SvcContribution:
		return s.applyContribution(l)
	}
	return nil
}

// applyReversal applies a reversal line by its service.
func (s *Sim) applyReversal(rec *record, l JournalLine) error {
	switch l.Service {
	case terminal.SvcWithdrawal:
		return s.applyBank(l)
	case terminal.SvcBillPayment:
		return s.applyDue(l)
	case terminal.SvcTicketOrder:
		if rec.now.Status == terminal.StatusApproved {
			return reversePaid(s.tickets, l.Reference, true, ticketCancel)
		}
	case terminal.SvcTicketCancel:
		return reversePaid(s.tickets, l.Reference, false, ticketCancel)
	case terminal.SvcPolicyIssue:
		return reversePaid(s.policies, l.Reference, true, policyCancel)
	case terminal.SvcPolicyCancel:
		return reversePaid(s.policies, l.Reference, false, policyCancel)
	case terminal.SvcSIMSale:
		return s.cancelRegistration(l)
	case terminal.SvcContribution:
		return s.unpay(l)
	}
	return nil
}

// serviceOf is the service a trace belongs to as far as the hosts (or the
// fault layer in front of them) know, or "". The caller holds s.mu.
func (s *Sim) serviceOf(trace string) string {
	if rec := s.traces[trace]; rec != nil && !rec.unseen {
		return rec.line.Service
	}
	return s.lost[trace]
}

// lockTrace checks trace and takes s.mu for a Status or Reverse call on
// it, unless the call cannot reach the host. On a nil error the caller
// unlocks.
func (s *Sim) lockTrace(ctx context.Context, trace string) error {
	if err := checkText("trace", trace, maxTrace, true); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return notSent(ctx)
	}
	s.mu.Lock()
	err := s.usable()
	if err == nil {
		err = s.downFor(s.serviceOf(trace))
	}
	if err != nil {
		s.mu.Unlock()
	}
	return err
}

// Status says what the hosts did with trace: approved, declined, pending
// or reversed, or none if they never saw it. A pending (waitlisted) ticket
// order is decided by this inquiry: approved with the ticket number, or
// declined "T2" under a waitlist-fail fault.
func (s *Sim) Status(ctx context.Context, trace string) (terminal.HostReply, error) {
	if err := s.lockTrace(ctx, trace); err != nil {
		return terminal.HostReply{}, err
	}
	defer s.mu.Unlock()
	rec := s.traces[trace]
	if rec == nil || rec.unseen {
		return noneReply(trace), nil
	}
	if rec.now.Status == terminal.StatusPending {
		if err := s.commit(s.issue(rec)); err != nil {
			return terminal.HostReply{}, err
		}
	}
	return rec.now, nil
}

// Reverse undoes trace (冲正) if the hosts approved it or hold it pending:
// the card balance is put back, the bill due restored, the ticket order
// cancelled, a cancelled ticket restored. The reply says reversed. A
// declined trace is left alone and its reply says declined; a trace never
// seen is answered none, and the hosts remember to refuse the request
// ("RV") should it come later. Repeating a reversal changes nothing.
func (s *Sim) Reverse(ctx context.Context, trace string) (terminal.HostReply, error) {
	if err := s.lockTrace(ctx, trace); err != nil {
		return terminal.HostReply{}, err
	}
	defer s.mu.Unlock()
	rec := s.traces[trace]
	switch {
	case rec == nil:
		l := JournalLine{Time: s.time().UTC(), Event: EventReverse, Trace: trace, Status: terminal.StatusNone, Code: CodeNoRecord}
		if err := s.commit(l); err != nil {
			return terminal.HostReply{}, err
		}
		return noneReply(trace), nil
	case rec.unseen:
		return noneReply(trace), nil
	case rec.now.Status != terminal.StatusApproved && rec.now.Status != terminal.StatusPending:
		return rec.now, nil
	}
	if err := s.commit(s.reversal(rec)); err != nil {
		return terminal.HostReply{}, err
	}
	return rec.now, nil
}

// reversal is the journal line that undoes rec.
func (s *Sim) reversal(rec *record) JournalLine {
	d := rec.line
	l := JournalLine{
		Time: s.time().UTC(), Event: EventReverse, Host: d.Host, Trace: d.Trace, Terminal: d.Terminal,
		Service: d.Service, Status: terminal.StatusReversed, Code: CodeApproved, Queued: d.Queued,
	}
	switch d.Service {
	case terminal.SvcWithdrawal:
		l.Card, l.Amount = d.Card, d.Amount
		l.Balance = s.reversedBalance(d)
	case terminal.SvcBalanceInquiry:
		l.Card = d.Card
	case terminal.SvcBillPayment:
		l.Biller, l.Account, l.Amount = d.Biller, d.Account, d.Amount
		l.Due = s.restoredDue(rec)
	case terminal.SvcTopup:
		l.Biller, l.Account, l.Amount = d.Biller, d.Account, d.Amount
	case terminal.SvcTicketOrder:
		l.Reference, l.Order, l.Amount, l.Ticket = rec.now.Reference, d.Order, d.Amount, d.Ticket
	case terminal.SvcTicketCancel:
		l.Reference, l.Amount, l.Refund, l.Ticket = d.Reference, d.Amount, d.Refund, d.Ticket
	case terminal.SvcPolicyIssue:
		l.Reference, l.Amount, l.Policy = d.Reference, d.Amount, d.Policy
	case terminal.SvcPolicyCancel:
		l.Reference, l.Amount, l.Refund, l.Policy = d.Reference, d.Amount, d.Refund, d.Policy
	case terminal.SvcSIMSale:
		l.Reference, l.Amount, l.SIM = d.Reference, d.Amount, d.SIM
	case terminal.SvcContribution:
		l.Reference, l.Amount, l.Contribution = d.Reference, d.Amount, d.Contribution
	}
	return l
}

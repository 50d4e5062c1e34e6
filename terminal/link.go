package terminal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/villagepost/bianmin/ledger"
)

// Kinds of ledger entries the host link writes.
const (
	KindIntent      = "intent"       // about to ask a host; its seq makes the trace number
	KindDeclined    = "declined"     // the host said no; nothing moved
	KindNotSent     = "not_sent"     // the host could not be reached; nothing moved
	KindReversalDue = "reversal_due" // outcome unknown: a reversal (冲正) is owed to the host
	KindReversal    = "reversal"     // the host acknowledged the reversal
	KindConfirmed   = "queued_confirmed"
	KindRefundDue   = "refund_due"    // a queued payment the biller finally refused
	KindIssued      = "ticket_issued" // a waitlisted ticket order was issued
	KindFailed      = "ticket_failed" // a waitlisted ticket order was refused: refund due
)

// Accounts the host link posts to besides the drawer and the post office.
const (
	AccountQueued     = "liabilities:queued-payments" // cash taken for payments not yet confirmed
	AccountDeposits   = "liabilities:ticket-deposits" // cash taken for waitlisted ticket orders
	AccountRefundsDue = "liabilities:refunds-due"     // owed back to villagers
)

// LinkLedger is what the host link needs from the ledger.
type LinkLedger interface {
	Ledger
	Get(seq uint64) (ledger.Entry, error)
	ByIdemKey(key string) (ledger.Entry, error)
	Range(from, to uint64, fn func(ledger.Entry) error) error
	Day(day string, fn func(ledger.Entry) error) error
	CurrentDay() string
	Closed() string // the last business day closed, or ""
	Last() ledger.Checkpoint
	Genesis() ledger.Genesis // the station it belongs to, for trace numbers
	// Prepare and CommitPrepared record an intent in two steps: durable
	// (one sync) before the host is asked, then recorded with its outcome
	// in one transaction (ledger.Store.Prepare).
	Prepare(d ledger.Draft) (ledger.Entry, bool, error)
	CommitPrepared(ds ...ledger.Draft) ([]ledger.Entry, error)
}

var _ LinkLedger = (*ledger.Store)(nil)

// Link asks the hosts under the rule that keeps money safe: an intent entry
// before the host is asked, a trace number per request, and on an unknown
// outcome first a status inquiry, then a durable reversal retried until the
// host acknowledges it. No money moves on an unknown outcome.
type Link struct {
	Ledger   LinkLedger
	Host     Host
	Pending  *Pending
	Terminal string
	Timeout  time.Duration // per host call; the tariff's host timeout
	Retries  int           // status inquiries and reversal attempts per try
	Now      func() time.Time

	// mu serialises everything that talks to a host or changes the
	// pending store, so that a queued payment is never forwarded and
	// voided at once.
	mu sync.Mutex
	// prepared: the intent of the request in hand is prepared, not yet
	// recorded; its outcome is recorded with it (append).
	prepared bool
}

// Trace returns the trace number of an intent entry.
func (l *Link) Trace(intent uint64) string { return traceOf(l.Terminal, intent) }

// traceOf is the trace number of a station's intent entry.
func traceOf(terminal string, intent uint64) string { return fmt.Sprintf("%s-%06d", terminal, intent) }

// ReversalPendingError says a reversal to a host has not been delivered
// yet, so no new request may go to that host.
type ReversalPendingError struct {
	Host  string
	Trace string
}

func (e *ReversalPendingError) Error() string {
	return fmt.Sprintf("terminal: reversal %s has not reached the %s yet; no new request goes to it until it does", e.Trace, e.Host)
}

// UnreachableError says a request was not delivered: nothing happened.
type UnreachableError struct {
	Service string
	Seq     uint64 // the not_sent entry
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("terminal: %s not sent: the host cannot be reached; nothing moved (entry %d)", e.Service, e.Seq)
}

// ReversedError says the outcome was unknown and the request was (or will
// be) reversed: no money moved, no cash may be handed out.
type ReversedError struct {
	Service string
	Trace   string
	Seq     uint64 // the reversal_due entry
	Acked   bool   // the host has acknowledged the reversal
	// Reversal is the reversal entry once the host acknowledged it: its
	// receipt tells the villager nothing was taken.
	Reversal uint64
}

func (e *ReversedError) Error() string {
	state := "queued until the host acknowledges it"
	if e.Acked {
		state = "acknowledged by the host"
	}
	return fmt.Sprintf("terminal: %s %s: no answer from the host; reversal %s; no money moved (entry %d)", e.Service, e.Trace, state, e.Seq)
}

// call bounds one host call by the link's timeout.
func (l *Link) call(ctx context.Context) (context.Context, context.CancelFunc) {
	if l.Timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, l.Timeout)
}

// request is a host request as the service builds it, with what to record.
type request struct {
	Operator string
	IdemKey  string
	Req      HostRequest    // Trace is set by the link
	Intent   map[string]any // intent payload besides service and trace
	// Approved builds the outcome entry of an approval.
	Approved func(intent ledger.Entry, r HostReply) (ledger.Draft, error)
	// Offline, if set, is the entry that accepts the request into the
	// queue when the host cannot be reached (a biller that takes queued
	// payments).
	Offline func(intent ledger.Entry) (ledger.Draft, time.Time, error)
	// Waitlisted, if set, is the entry that holds the customer's cash when
	// the host answers pending (a carrier's waiting list).
	Waitlisted func(intent ledger.Entry, r HostReply) (ledger.Draft, error)
}

// result is what became of a request.
type result struct {
	Intent  ledger.Entry
	Outcome ledger.Entry
	Reply   HostReply
	Queued  bool
}

func outcomeKey(intent uint64) string  { return fmt.Sprintf("outcome:%d", intent) }
func reversalKey(intent uint64) string { return fmt.Sprintf("reversal:%d", intent) }
func finalKey(intent uint64) string    { return fmt.Sprintf("final:%d", intent) }

// voidKey is the idempotency key of the void of entry seq.
func voidKey(seq uint64) string { return fmt.Sprintf("void:%d", seq) }

// do runs one request through the safety rule.
func (l *Link) do(ctx context.Context, rq request) (result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	host := HostName(rq.Req.Service)
	if err := l.clear(ctx, host); err != nil {
		return result{}, err
	}
	intentPayload := map[string]any{"service": rq.Req.Service}
	for k, v := range rq.Intent {
		intentPayload[k] = v
	}
	payload, err := json.Marshal(intentPayload)
	if err != nil {
		return result{}, err
	}
	// The intent is made durable (one sync) before the host is asked and
	// recorded together with the outcome (two): a crash in between leaves
	// it prepared, and the next Open records it.
	intent, added, err := l.Ledger.Prepare(ledger.Draft{Operator: rq.Operator, Kind: KindIntent, IdemKey: rq.IdemKey, Payload: payload})
	if err != nil {
		return result{}, err
	}
	trace := l.Trace(intent.Seq)
	if !added {
		// A retry of a request already made: answer with what became of
		// it, never a second request.
		return l.replay(ctx, intent, rq)
	}
	l.prepared = true
	req := rq.Req
	req.Trace, req.Terminal = trace, l.Terminal
	// The intent is durable: it is what makes the request safe to send.
	// No pending item is written before the call. A crash from here on
	// leaves an intent without an outcome, which the next start records
	// (ledger.Open) and Recover finds in the ledger (rescan) and settles;
	// an outcome that cannot be recorded in this process leaves the item
	// behind (unknown).
	reply, err := l.send(ctx, req)
	res, err := l.answer(ctx, intent, rq, req, reply, err)
	if l.prepared {
		// No outcome was recorded: the intent is, alone.
		l.prepared = false
		if _, cerr := l.Ledger.CommitPrepared(); cerr != nil && !errors.Is(cerr, ledger.ErrNotPrepared) {
			err = errors.Join(err, cerr)
		}
	}
	if err != nil && res.Outcome.Seq == 0 {
		// No outcome was recorded (a full disk, a damaged file): the host
		// may have acted, so the request is left for the drain to settle.
		if ok, gerr := l.Pending.has(intent.Seq); gerr == nil && !ok {
			if perr := l.Pending.Put(PendingItem{Intent: intent.Seq, Trace: trace, State: PendingUnknown, Request: req, Since: l.Now()}); perr != nil {
				err = errors.Join(err, perr)
			}
		}
	}
	return res, err
}

// send makes one host call, bounded by the link's timeout.
func (l *Link) send(ctx context.Context, req HostRequest) (HostReply, error) {
	cctx, cancel := l.call(ctx)
	defer cancel()
	return l.Host.Send(cctx, req)
}

// answer records what became of a request the host was sent.
func (l *Link) answer(ctx context.Context, intent ledger.Entry, rq request, req HostRequest, reply HostReply, err error) (result, error) {
	trace := req.Trace
	switch {
	case err == nil && reply.Status == StatusApproved:
		return l.approve(intent, rq, reply)
	case err == nil && reply.Status == StatusDeclined:
		return l.decline(intent, req.Service, reply)
	case err == nil && reply.Status == StatusPending && rq.Waitlisted != nil:
		return l.waitlist(intent, rq, req, reply)
	case errors.Is(err, ErrUnreachable):
		if rq.Offline != nil {
			return l.queue(intent, rq, req)
		}
		e, aerr := l.final(intent, KindNotSent, outcomeKey(intent.Seq), map[string]any{"intent": intent.Seq, "trace": trace, "service": req.Service, "reason": "unreachable"}, nil)
		if aerr != nil {
			return result{}, aerr
		}
		return result{Intent: intent, Outcome: e}, &UnreachableError{Service: req.Service, Seq: e.Seq}
	}
	// The outcome is unknown (a timeout, a lost reply, a reply that makes
	// no sense): inquire, then reverse.
	return l.resolve(ctx, intent, rq)
}

// record appends the outcome entry d of intent, which a service's callback
// built (or failed to build, with err).
func (l *Link) record(intent ledger.Entry, d ledger.Draft, err error) (ledger.Entry, error) {
	if err != nil {
		return ledger.Entry{}, err
	}
	d.Operator, d.IdemKey = intent.Operator, outcomeKey(intent.Seq)
	return l.append(d)
}

// append records d: with the prepared intent of the request in hand, if
// there is one, in one transaction.
func (l *Link) append(d ledger.Draft) (ledger.Entry, error) {
	if l.prepared {
		out, err := l.Ledger.CommitPrepared(d)
		if err != nil {
			return ledger.Entry{}, err
		}
		l.prepared = false
		return out[0], nil
	}
	e, _, err := l.Ledger.Append(d)
	return e, err
}

// approve records an approval and clears the item.
func (l *Link) approve(intent ledger.Entry, rq request, reply HostReply) (result, error) {
	d, err := rq.Approved(intent, reply)
	e, err := l.record(intent, d, err)
	if err != nil {
		return result{}, err
	}
	l.tidy(intent.Seq)
	return result{Intent: intent, Outcome: e, Reply: reply}, nil
}

// Once the outcome of a request is in the ledger, the request is decided:
// what the pending store says about it is housekeeping, and a failure to
// write it (a full disk) must not turn a payout or a payment that was
// recorded into an error, or the shopkeeper would be told not to hand over
// cash the ledger says was handed over. A stale item is put right from the
// ledger the next time it comes up (settleOne, concluded).

// tidy removes the pending item of a request whose outcome is recorded.
func (l *Link) tidy(intent uint64) { _ = l.Pending.Remove(intent) }

// keep stores the next state of a request whose outcome is recorded.
func (l *Link) keep(it PendingItem) { _ = l.Pending.Put(it) }

func (l *Link) decline(intent ledger.Entry, service string, reply HostReply) (result, error) {
	e, err := l.final(intent, KindDeclined, outcomeKey(intent.Seq), map[string]any{
		"intent": intent.Seq, "trace": l.Trace(intent.Seq), "service": service, "code": reply.Code, "reason": reply.Reason}, nil)
	if err != nil {
		return result{}, err
	}
	return result{Intent: intent, Outcome: e, Reply: reply}, &DeclineError{Service: service, Code: reply.Code, Reason: reply.Reason}
}

// queue accepts a request into the offline queue: the cash is taken now and
// the payment forwarded when the host is back.
func (l *Link) queue(intent ledger.Entry, rq request, req HostRequest) (result, error) {
	d, confirmBy, err := rq.Offline(intent)
	e, err := l.record(intent, d, err)
	if err != nil {
		return result{}, err
	}
	req.Queued = true
	l.keep(PendingItem{Intent: intent.Seq, Trace: req.Trace, State: PendingForward, Request: req, Since: l.Now(), ConfirmBy: confirmBy})
	return result{Intent: intent, Outcome: e, Queued: true}, nil
}

// waitlist records a request the host will answer later: the customer's
// cash is held and the host is asked again until it decides.
func (l *Link) waitlist(intent ledger.Entry, rq request, req HostRequest, reply HostReply) (result, error) {
	d, err := rq.Waitlisted(intent, reply)
	e, err := l.record(intent, d, err)
	if err != nil {
		return result{}, err
	}
	l.keep(PendingItem{Intent: intent.Seq, Trace: req.Trace, State: PendingWaitlist, Request: req, Since: l.Now()})
	return result{Intent: intent, Outcome: e, Reply: reply}, nil
}

// final appends an entry that ends (or moves on) an intent.
func (l *Link) final(intent ledger.Entry, kind, idemKey string, payload map[string]any, postings []ledger.Posting) (ledger.Entry, error) {
	p, err := json.Marshal(payload)
	if err != nil {
		return ledger.Entry{}, err
	}
	e, err := l.append(ledger.Draft{Operator: intent.Operator, Kind: kind, IdemKey: idemKey, Payload: p, Postings: postings})
	if err != nil {
		return ledger.Entry{}, err
	}
	if kind != KindReversalDue {
		l.tidy(intent.Seq)
	}
	return e, nil
}

// resolve settles an unknown outcome: a status inquiry, and unless the host
// clearly declined, a reversal. Approved-but-not-completed is reversed too:
// the customer was not paid, so the host must not keep the money.
func (l *Link) resolve(ctx context.Context, intent ledger.Entry, rq request) (result, error) {
	trace := l.Trace(intent.Seq)
	service, _ := intentService(intent)
	for range max(l.Retries, 1) {
		cctx, cancel := l.call(ctx)
		st, err := l.Host.Status(cctx, trace)
		cancel()
		if err != nil {
			continue
		}
		if st.Status == StatusDeclined {
			return l.decline(intent, service, st)
		}
		break // approved, reversed or never seen: reverse to be sure
	}
	due, err := l.final(intent, KindReversalDue, outcomeKey(intent.Seq), map[string]any{"intent": intent.Seq, "trace": trace, "service": service}, nil)
	if err != nil {
		return result{}, err
	}
	it := PendingItem{Intent: intent.Seq, Trace: trace, State: PendingReverse, Request: HostRequest{Trace: trace, Terminal: l.Terminal, Service: service}, Since: l.Now()}
	l.keep(it)
	// A reversal that cannot be delivered now stays queued and is retried;
	// either way nothing moved, and reversed says whether it is done.
	l.reverse(ctx, intent, it)
	return result{Intent: intent, Outcome: due}, l.reversed(service, intent, due)
}

// reverse sends a reversal and records the acknowledgement.
func (l *Link) reverse(ctx context.Context, intent ledger.Entry, it PendingItem) (bool, error) {
	var last error
	for range max(l.Retries, 1) {
		cctx, cancel := l.call(ctx)
		reply, err := l.Host.Reverse(cctx, it.Trace)
		cancel()
		if err != nil {
			last = err
			if errors.Is(err, ErrUnreachable) {
				break
			}
			continue
		}
		_, err = l.final(intent, KindReversal, reversalKey(intent.Seq), map[string]any{
			"intent": intent.Seq, "original": intent.Seq, "trace": it.Trace, "service": it.Request.Service, "host_status": reply.Status}, nil)
		return err == nil, err
	}
	it.Attempts++
	if last != nil {
		it.LastError = last.Error()
	}
	return false, l.Pending.Put(it)
}

// replay answers a retried request from the ledger, settling it first if it
// is still pending.
func (l *Link) replay(ctx context.Context, intent ledger.Entry, rq request) (result, error) {
	if ok, err := l.Pending.has(intent.Seq); err != nil {
		return result{}, err
	} else if ok {
		if err := l.settleOne(ctx, intent.Seq); err != nil && !errors.Is(err, ErrUnreachable) {
			return result{}, err
		}
	}
	out, err := l.Ledger.ByIdemKey(outcomeKey(intent.Seq))
	if errors.Is(err, ledger.ErrNotFound) {
		return result{Intent: intent}, &ReversalPendingError{Host: HostName(rq.Req.Service), Trace: l.Trace(intent.Seq)}
	}
	if err != nil {
		return result{}, err
	}
	r := result{Intent: intent, Outcome: out}
	var p struct {
		Code, Reason, Status string
		Trace                string
	}
	json.Unmarshal(out.Payload, &p)
	switch out.Kind {
	case KindDeclined:
		return r, &DeclineError{Service: rq.Req.Service, Code: p.Code, Reason: p.Reason}
	case KindNotSent:
		return r, &UnreachableError{Service: rq.Req.Service, Seq: out.Seq}
	case KindReversalDue:
		return r, l.reversed(rq.Req.Service, intent, out)
	}
	r.Queued = p.Status == statusQueued
	return r, nil
}

// reversed is the error of a request whose outcome was unknown and that is
// reversed, or is to be.
func (l *Link) reversed(service string, intent, due ledger.Entry) *ReversedError {
	e := &ReversedError{Service: service, Trace: l.Trace(intent.Seq), Seq: due.Seq}
	if rev, err := l.Ledger.ByIdemKey(reversalKey(intent.Seq)); err == nil {
		e.Acked, e.Reversal = true, rev.Seq
	}
	return e
}

func intentService(e ledger.Entry) (string, error) {
	var p struct{ Service string }
	if err := json.Unmarshal(e.Payload, &p); err != nil || p.Service == "" {
		return "", fmt.Errorf("terminal: entry %d is not an intent", e.Seq)
	}
	return p.Service, nil
}

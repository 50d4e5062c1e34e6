package terminal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
)

// Recover finds every request a crash left unfinished and settles what it
// can: intents without an outcome are inquired and, unless declined,
// reversed; owed reversals are sent; queued payments are forwarded;
// waitlisted orders are asked after. The station runs it at start, before
// any new work. Items whose host cannot be reached stay pending.
func (l *Link) Recover(ctx context.Context) (Drained, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.rescan(); err != nil {
		return Drained{}, err
	}
	return l.drain(ctx)
}

// rescan rebuilds pending items from the ledger entries written since the
// last scan, so that a crash between a ledger entry and the pending store
// loses nothing.
func (l *Link) rescan() error {
	from, err := l.Pending.Scanned()
	if err != nil {
		return err
	}
	last := l.Ledger.Last().Seq
	if from > last {
		// The pending store says it looked past the ledger's end: its
		// link is damaged, or the ledger was restored from a backup.
		// Trust neither: look again from the start.
		from = 0
	}
	if from == last {
		return nil
	}
	open := map[uint64]string{}
	var order []uint64
	err = l.Ledger.Range(from+1, last, func(e ledger.Entry) error {
		if e.Kind == KindIntent {
			open[e.Seq] = PendingUnknown
			order = append(order, e.Seq)
			return nil
		}
		var p struct {
			Intent uint64
			Status string
		}
		if json.Unmarshal(e.Payload, &p) != nil || p.Intent == 0 {
			return nil
		}
		if _, ok := open[p.Intent]; !ok {
			// An outcome for an intent scanned before: the pending store
			// already holds what is needed.
			return nil
		}
		if state := stateAfter(e.Kind, p.Status); state != "" {
			open[p.Intent] = state
		} else {
			delete(open, p.Intent)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, seq := range order {
		state, ok := open[seq]
		if !ok {
			continue
		}
		if have, err := l.Pending.has(seq); err != nil {
			return err
		} else if have {
			continue
		}
		it, err := l.rebuild(seq, state)
		if err != nil {
			return err
		}
		if err := l.Pending.Put(it); err != nil {
			return err
		}
	}
	if last-from < rescanEvery {
		// The mark stays: the next start looks through these entries
		// again, which finds the same items, and writes nothing now.
		return nil
	}
	return l.Pending.SetScanned(last)
}

// rescanEvery is how many entries a start looks through for unfinished
// requests before it moves the scanned mark on (a write, two syncs).
const rescanEvery = 256

// rebuild makes the pending item of an intent from the ledger alone.
func (l *Link) rebuild(seq uint64, state string) (PendingItem, error) {
	intent, err := l.Ledger.Get(seq)
	if err != nil {
		return PendingItem{}, err
	}
	var p struct {
		Service, Biller, Account, Amount string
	}
	if err := json.Unmarshal(intent.Payload, &p); err != nil {
		return PendingItem{}, fmt.Errorf("terminal: intent %d: %w", seq, err)
	}
	trace := l.Trace(seq)
	req := HostRequest{Trace: trace, Terminal: l.Terminal, Service: p.Service, Biller: p.Biller, Account: p.Account, Amount: p.Amount, Queued: state == PendingForward}
	return PendingItem{Intent: seq, Trace: trace, State: state, Request: req, Since: intent.Time}, nil
}

// Items lists the pending items, oldest first, with what the ledger holds
// of each (trace, request, time) taken from its intent entry: the pending
// store is unsigned, the ledger is the record.
func (l *Link) Items() ([]PendingItem, error) { return pendingItems(l.Ledger, l.Pending) }

// Drained says what a drain of the pending items did.
type Drained struct {
	Settled   int           // items finished
	Remaining []PendingItem // items still pending (their host could not be reached)
}

// stateAfter says what must still happen to a request after an entry of
// kind with payload status: "" when nothing must.
func stateAfter(kind, status string) string {
	switch {
	case kind == KindReversalDue:
		return PendingReverse
	case status == statusQueued:
		return PendingForward
	case status == statusWaitlisted:
		return PendingWaitlist
	}
	return ""
}

// Statuses an outcome entry's payload gives a request that is not finished.
const (
	statusQueued     = "queued"  // a payment accepted offline
	statusWaitlisted = "pending" // a ticket order on the waiting list
)

// Drain works through every pending item, oldest first. An item whose
// host cannot be reached stays, and so do later items for that host.
func (l *Link) Drain(ctx context.Context) (Drained, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.drain(ctx)
}

func (l *Link) drain(ctx context.Context) (Drained, error) {
	items, err := l.Items()
	if err != nil {
		return Drained{}, err
	}
	var d Drained
	down := map[string]bool{}
	for _, it := range items {
		host := HostName(it.Request.Service)
		if !down[host] {
			if err := l.settleOne(ctx, it.Intent); errors.Is(err, ErrUnreachable) {
				down[host] = true
			} else if err != nil {
				return d, err
			}
		}
		now, still, err := pendingItem(l.Ledger, l.Pending, it.Intent)
		if err != nil {
			return d, err
		}
		if still {
			d.Remaining = append(d.Remaining, now)
		} else {
			d.Settled++
		}
	}
	return d, nil
}

// clear delivers what is owed to host before a new request goes to it, and
// refuses the new request while a reversal or an unknown outcome to that
// host remains.
func (l *Link) clear(ctx context.Context, host string) error {
	items, err := l.Items()
	if err != nil {
		return err
	}
	for _, it := range items {
		if HostName(it.Request.Service) != host || it.State == PendingForward || it.State == PendingWaitlist {
			continue
		}
		if err := l.settleOne(ctx, it.Intent); err != nil && !errors.Is(err, ErrUnreachable) {
			return err
		}
		if still, err := l.Pending.has(it.Intent); err != nil {
			return err
		} else if still {
			return &ReversalPendingError{Host: host, Trace: it.Trace}
		}
	}
	return nil
}

// settleOne moves one pending item on as far as the host allows. It
// returns an error wrapping ErrUnreachable when the host could not be
// reached.
func (l *Link) settleOne(ctx context.Context, seq uint64) error {
	it, ok, err := pendingItem(l.Ledger, l.Pending, seq)
	if err != nil {
		return err
	}
	if !ok {
		return nil
	}
	intent, err := l.Ledger.Get(seq)
	if err != nil {
		return err
	}
	switch it.State {
	case PendingUnknown:
		if out, err := l.Ledger.ByIdemKey(outcomeKey(seq)); err == nil {
			// The outcome was recorded; only the store was not updated.
			// Bring it up to date, then settle what it now says (forward
			// a queued payment, deliver a reversal) in the same pass.
			if err := l.afterOutcome(it, out); err != nil {
				return err
			}
			return l.settleOne(ctx, seq)
		}
		_, err := l.resolve(ctx, intent, request{})
		var rev *ReversedError
		if errors.As(err, &rev) && !rev.Acked {
			return fmt.Errorf("reversal %s: %w", it.Trace, ErrUnreachable)
		}
		return nil
	case PendingReverse:
		if _, err := l.Ledger.ByIdemKey(reversalKey(seq)); err == nil {
			return l.Pending.Remove(seq)
		}
		acked, err := l.reverse(ctx, intent, it)
		if err != nil {
			return err
		}
		if !acked {
			return fmt.Errorf("reversal %s: %w", it.Trace, ErrUnreachable)
		}
		return nil
	case PendingForward:
		return l.forward(ctx, intent, it)
	case PendingWaitlist:
		return l.askWaitlist(ctx, intent, it)
	}
	return fmt.Errorf("terminal: pending item %d has unknown state %q", seq, it.State)
}

// afterOutcome brings the pending store in line with an outcome entry
// already in the ledger.
func (l *Link) afterOutcome(it PendingItem, out ledger.Entry) error {
	var p struct{ Status string }
	json.Unmarshal(out.Payload, &p)
	it.State = stateAfter(out.Kind, p.Status)
	if it.State == "" {
		return l.Pending.Remove(it.Intent)
	}
	it.Request.Queued = it.State == PendingForward
	return l.Pending.Put(it)
}

// heldPayload is what an entry that holds a customer's cash for a later
// answer (a queued payment, a waitlisted ticket order) says about the
// money, so that the answer can be booked later from the ledger alone.
type heldPayload struct {
	Service    string `json:"service"`
	Amount     string `json:"amount"`
	Fee        string `json:"fee"`
	Commission string `json:"commission"`
	Tariff     string `json:"tariff"`
}

// holding says where a service holds cash while it waits, and which kinds
// of entry book the host's final yes and no.
type holding struct {
	account, yes, no string
}

func holdingFor(service string) holding {
	if service == SvcTicketOrder {
		return holding{AccountDeposits, KindIssued, KindFailed}
	}
	return holding{AccountQueued, KindConfirmed, KindRefundDue}
}

// forward sends a queued payment to its biller. The same trace number is
// used every time, so a host that got it before answers as before.
func (l *Link) forward(ctx context.Context, intent ledger.Entry, it PendingItem) error {
	if done, err := l.concluded(intent.Seq); done || err != nil {
		return err
	}
	// Recorded before it is sent, so that a void at the counter cannot
	// hand back cash the biller may have taken (Voids.Void).
	before := it.MaybeSent
	if !before {
		it.MaybeSent = true
		if err := l.Pending.Put(it); err != nil {
			return err
		}
	}
	cctx, cancel := l.call(ctx)
	reply, err := l.Host.Send(cctx, it.Request)
	cancel()
	if errors.Is(err, ErrUnreachable) {
		it.MaybeSent = before // this try never reached the biller
	}
	if err != nil || (reply.Status != StatusApproved && reply.Status != StatusDeclined) {
		return l.noAnswer(it, err, "queued payment")
	}
	return l.conclude(intent, reply)
}

// askWaitlist asks a carrier what became of a waitlisted ticket order.
func (l *Link) askWaitlist(ctx context.Context, intent ledger.Entry, it PendingItem) error {
	if done, err := l.concluded(intent.Seq); done || err != nil {
		return err
	}
	cctx, cancel := l.call(ctx)
	reply, err := l.Host.Status(cctx, it.Trace)
	cancel()
	switch {
	case err != nil:
		return l.noAnswer(it, err, "waitlisted order")
	case reply.Status == StatusPending:
		it.Attempts++
		return l.Pending.Put(it) // still on the list: ask again later
	case reply.Status != StatusApproved:
		// Declined, reversed or never seen: no ticket, so the cash goes back.
		reply.Status = StatusDeclined
	}
	return l.conclude(intent, reply)
}

// concluded reports whether the cash held for an intent was already booked
// (confirmed, refunded, or voided at the counter), removing its pending item
// if so.
func (l *Link) concluded(intent uint64) (bool, error) {
	done, err := l.isConcluded(intent)
	if done {
		return true, l.Pending.Remove(intent)
	}
	return false, err
}

// isConcluded is concluded without the housekeeping: it only reads.
func (l *Link) isConcluded(intent uint64) (bool, error) {
	keys := []string{finalKey(intent)}
	if held, err := l.Ledger.ByIdemKey(outcomeKey(intent)); err == nil {
		keys = append(keys, voidKey(held.Seq))
	}
	for _, key := range keys {
		if _, err := l.Ledger.ByIdemKey(key); err == nil {
			return true, nil
		} else if !errors.Is(err, ledger.ErrNotFound) {
			return false, err
		}
	}
	return false, nil
}

// noAnswer keeps a pending item for a later try and says the host gave no
// clear answer.
func (l *Link) noAnswer(it PendingItem, err error, what string) error {
	it.Attempts++
	if err != nil {
		it.LastError = err.Error()
	}
	if perr := l.Pending.Put(it); perr != nil {
		return perr
	}
	if errors.Is(err, ErrUnreachable) {
		return err
	}
	return fmt.Errorf("%s %s: no clear answer: %w", what, it.Trace, ErrUnreachable)
}

// conclude books the host's final answer on cash held for a request: on
// approval the held amount is owed to the post office and the commission
// earned; otherwise amount and fee are owed back to the villager.
func (l *Link) conclude(intent ledger.Entry, reply HostReply) error {
	held, err := l.Ledger.ByIdemKey(outcomeKey(intent.Seq))
	if err != nil {
		return fmt.Errorf("terminal: request %d holds no cash: %w", intent.Seq, err)
	}
	var q heldPayload
	if err := json.Unmarshal(held.Payload, &q); err != nil {
		return fmt.Errorf("terminal: entry %d: %w", held.Seq, err)
	}
	amounts := make([]decimal.Decimal, 3)
	for i, s := range []string{q.Amount, q.Fee, q.Commission} {
		if s == "" {
			continue
		}
		if amounts[i], err = money.ParseWire(s); err != nil {
			return fmt.Errorf("terminal: entry %d: %w", held.Seq, err)
		}
	}
	amount, fee, commission := amounts[0], amounts[1], amounts[2]
	h := holdingFor(q.Service)
	payload := map[string]any{"intent": intent.Seq, "original": held.Seq, "trace": l.Trace(intent.Seq), "service": q.Service, "amount": q.Amount, "code": reply.Code}
	if q.Tariff != "" {
		// The commission was priced when the cash was taken: the post
		// office checks it against that tariff, not the day's.
		payload["tariff"] = q.Tariff
	}
	var kind string
	var postings []ledger.Posting
	if reply.Status == StatusApproved {
		kind = h.yes
		payload["reference"] = reply.Reference
		postings = []ledger.Posting{ledger.Dr(h.account, amount), ledger.Cr(AccountSettlement, amount)}
		if commission.IsPositive() {
			postings = append(postings, ledger.Dr(AccountSettlement, commission), ledger.Cr(AccountCommission+q.Service, commission))
		}
	} else {
		kind = h.no
		payload["reason"] = reply.Reason
		refund := amount.Add(fee)
		payload["refund"] = money.FormatWire(refund)
		postings = []ledger.Posting{ledger.Dr(h.account, amount), ledger.Cr(AccountRefundsDue, refund)}
		if fee.IsPositive() {
			postings = append(postings, ledger.Dr(AccountFees, fee))
		}
	}
	_, err = l.final(intent, kind, finalKey(intent.Seq), payload, postings)
	return err
}

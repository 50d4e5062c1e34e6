package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/villagepost/bianmin/ledger"
)

// Trace is one request a station sent (or meant to send) to a host, as its
// entries tell it: the intent, then whatever became of it, on that day or
// a later one. Reconciliation matches it against the host's own journal by
// trace number.
type Trace struct {
	Trace     string `json:"trace"`   // T0001-000042
	Station   string `json:"station"` // T0001
	Seq       uint64 `json:"seq"`     // the intent entry
	Day       string `json:"day"`     // the business day of the intent
	Service   string `json:"service"`
	Amount    string `json:"amount,omitempty"` // what was asked of the host
	State     string `json:"state"`
	Outcome   uint64 `json:"outcome,omitempty"`   // the entry that set the state
	Reference string `json:"reference,omitempty"` // the host's: biller reference, ticket, policy or card registration number
	Refund    string `json:"refund,omitempty"`    // a ticket or policy cancel: the carrier's or insurer's refund
}

// States of a Trace: what the station's entries say became of the request.
const (
	StateOpen       = "open"         // an intent and no outcome yet: the station did not know
	StateApproved   = "approved"     // the host approved: money moved
	StateDeclined   = "declined"     // the host said no: nothing moved
	StateNotSent    = "not_sent"     // never reached the host: nothing moved
	StateReverseDue = "reversal_due" // outcome unknown: the station owes the host a reversal
	StateReversed   = "reversed"     // the host acknowledged the reversal: nothing moved
	StateQueued     = "queued"       // a payment taken offline, not yet confirmed by the biller
	StateWaitlisted = "waitlisted"   // a ticket order on the carrier's waiting list
	StateConfirmed  = "confirmed"    // a queued payment or waitlisted order the host approved later
	StateRefused    = "refused"      // the same, refused later: a refund is due
	StateVoided     = "voided"       // a queued payment voided before it was sent
)

// MovedMoney says the station booked money as moved for the request.
func (t *Trace) MovedMoney() bool { return t.State == StateApproved || t.State == StateConfirmed }

// TraceOf is the trace number of an intent entry (terminal.Link.Trace).
func TraceOf(station string, seq uint64) string { return fmt.Sprintf("%s-%06d", station, seq) }

// outcome is what an entry after an intent says about it.
type outcome struct {
	Intent       uint64 `json:"intent"`
	Service      string `json:"service"`
	Amount       string `json:"amount"`
	Status       string `json:"status"`
	Reference    string `json:"reference"`
	Ticket       string `json:"ticket"`
	Policy       string `json:"policy"`
	Registration string `json:"registration"` // a card sale: the carrier's registration number
	Refund       string `json:"refund"`
	Original     uint64 `json:"original"`
	OriginalKind string `json:"original_kind"`
}

// stateOf says what an entry of kind with payload status makes of its
// request, or "" for an entry that says nothing about one.
func stateOf(kind, status string) string {
	switch kind {
	case "declined":
		return StateDeclined
	case "not_sent":
		return StateNotSent
	case "reversal_due":
		return StateReverseDue
	case "reversal":
		return StateReversed
	case "queued_confirmed", "ticket_issued":
		return StateConfirmed
	case "refund_due", "ticket_failed":
		return StateRefused
	case "withdrawal", "balance_inquiry", "bill_payment", "topup", "ticket_order", "ticket_cancel", "policy_issue", "policy_cancel", "sim_sale", "contribution":
		switch status {
		case "queued":
			return StateQueued
		case "pending":
			return StateWaitlisted
		}
		return StateApproved
	}
	return ""
}

// traceBook derives the traces of a day's entries, reading and updating
// earlier days' traces of the station.
type traceBook struct {
	station string
	day     string
	tx      Tx
	changed map[uint64]*Trace // every trace the day made or changed
	added   map[uint64]bool   // those the day made
	outcome map[uint64]uint64 // outcome entry → its intent, for voids
}

func (tb *traceBook) get(seq uint64) (*Trace, error) {
	if t, ok := tb.changed[seq]; ok {
		return t, nil
	}
	t, err := tb.tx.Trace(tb.station, seq)
	if err != nil || t == nil {
		return nil, err
	}
	tb.changed[seq] = t
	return t, nil
}

// add reads one entry of the day.
func (tb *traceBook) add(e *ledger.Entry) error {
	var p outcome
	if e.Kind == "intent" {
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return fmt.Errorf("registry: entry %d: %w", e.Seq, err)
		}
		tb.changed[e.Seq] = &Trace{Trace: TraceOf(tb.station, e.Seq), Station: tb.station, Seq: e.Seq, Day: tb.day,
			Service: p.Service, Amount: p.Amount, State: StateOpen}
		tb.added[e.Seq] = true
		return nil
	}
	if e.Kind == "void" {
		if json.Unmarshal(e.Payload, &p) != nil {
			return nil
		}
		if intent, ok := tb.outcome[p.Original]; ok {
			t, err := tb.get(intent)
			if err != nil || t == nil {
				return err
			}
			t.State, t.Outcome = StateVoided, e.Seq
		}
		return nil
	}
	if json.Unmarshal(e.Payload, &p) != nil || p.Intent == 0 {
		return nil
	}
	state := stateOf(e.Kind, p.Status)
	if state == "" {
		return nil
	}
	t, err := tb.get(p.Intent)
	if err != nil || t == nil {
		return err
	}
	t.State, t.Outcome = state, e.Seq
	tb.outcome[e.Seq] = p.Intent
	if ref := firstOf(p.Reference, p.Ticket, p.Policy, p.Registration); ref != "" {
		t.Reference = ref
	}
	if p.Refund != "" && (e.Kind == "ticket_cancel" || e.Kind == "policy_cancel") {
		t.Refund = p.Refund
	}
	return nil
}

func (tb *traceBook) save() error {
	var added, changed []*Trace
	for seq, t := range tb.changed {
		if tb.added[seq] {
			added = append(added, t)
		} else {
			changed = append(changed, t)
		}
	}
	sort.Slice(added, func(i, j int) bool { return added[i].Seq < added[j].Seq })
	sort.Slice(changed, func(i, j int) bool { return changed[i].Seq < changed[j].Seq })
	return tb.tx.PutTraces(tb.station, added, changed)
}

func firstOf(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// Traces calls fn with the station's traces whose intent lies in entries
// from to to (inclusive), in order.
func (r *Registry) Traces(ctx context.Context, station string, from, to uint64, fn func(Trace) error) error {
	return r.store.Traces(ctx, station, from, to, fn)
}

// DayOf returns the accepted day whose entries include seq; found is
// false when no accepted file covers it.
func (r *Registry) DayOf(ctx context.Context, station string, seq uint64) (day string, found bool, err error) {
	return r.store.DayOf(ctx, station, seq)
}

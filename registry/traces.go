package registry

import (
	"encoding/json"
	"fmt"

	"github.com/villagepost/bianmin/ledger"
	bolt "go.etcd.io/bbolt"
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
	Outcome   uint64 `json:"outcome,omitempty"` // the entry that set the state
	Reference string `json:"reference,omitempty"`
	Refund    string `json:"refund,omitempty"` // a ticket or policy cancel: the carrier's or insurer's refund
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
	case "withdrawal", "balance_inquiry", "bill_payment", "topup", "ticket_order", "ticket_cancel", "policy_issue", "policy_cancel":
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
// earlier days' traces in the station's bucket.
type traceBook struct {
	station string
	day     string
	b       *bolt.Bucket
	changed map[uint64]*Trace
	outcome map[uint64]uint64 // outcome entry → its intent, for voids
}

func (tb *traceBook) get(seq uint64) (*Trace, error) {
	if t, ok := tb.changed[seq]; ok {
		return t, nil
	}
	v := tb.b.Get(u64(seq))
	if v == nil {
		return nil, nil
	}
	var t Trace
	if err := json.Unmarshal(v, &t); err != nil {
		return nil, fmt.Errorf("registry: trace %s: %w", TraceOf(tb.station, seq), err)
	}
	tb.changed[seq] = &t
	return &t, nil
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
	if ref := firstOf(p.Reference, p.Ticket, p.Policy); ref != "" {
		t.Reference = ref
	}
	if p.Refund != "" && (e.Kind == "ticket_cancel" || e.Kind == "policy_cancel") {
		t.Refund = p.Refund
	}
	return nil
}

func (tb *traceBook) save() error {
	for seq, t := range tb.changed {
		if err := putJSON(tb.b, u64(seq), t); err != nil {
			return err
		}
	}
	return nil
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
func (r *Registry) Traces(station string, from, to uint64, fn func(Trace) error) error {
	return r.db.View(func(tx *bolt.Tx) error {
		b := subView(tx, bTraces, station)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Seek(u64(from)); k != nil; k, v = c.Next() {
			var t Trace
			if err := json.Unmarshal(v, &t); err != nil {
				return fmt.Errorf("registry: %s trace %x: %w", station, k, err)
			}
			if t.Seq > to {
				return nil
			}
			if err := fn(t); err != nil {
				return err
			}
		}
		return nil
	})
}

// DayOf returns the accepted day whose entries include seq; found is
// false when no accepted file covers it.
func (r *Registry) DayOf(station string, seq uint64) (day string, found bool, err error) {
	err = r.db.View(func(tx *bolt.Tx) error {
		b := subView(tx, bRanges, station)
		if b == nil {
			return nil
		}
		k, v := b.Cursor().Seek(u64(seq))
		if k == nil {
			return nil
		}
		d := subView(tx, bDays, station).Get(v)
		if d == nil {
			return fmt.Errorf("registry: %s: range of a day %s not recorded", station, v)
		}
		var rec Day
		if err := json.Unmarshal(d, &rec); err != nil {
			return err
		}
		if rec.First() <= seq {
			day, found = rec.Day, true
		}
		return nil
	})
	return day, found, err
}

package registry

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/decision"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
	"golang.org/x/mod/sumdb/note"
)

// ErrDecision refuses a file that records a decision on a villager's
// dispute the post office did not make (a forged or altered note, a
// decision for another station or another dispute, a refund booked
// other than decided) or pays a decided refund twice or when none is
// owed.
const ErrDecision = "decision"

// Kinds of a DisputeEntry: the station's entries the registry keeps to
// check the decisions and refunds of later files.
const (
	DisputeKindDispute = "dispute"         // a villager's dispute, registered at the station
	DisputeKindDecided = "dispute_decided" // the post office's decision on it, recorded by the station
)

// DisputeEntry is one entry of a station's accepted files about a
// villager's dispute: the dispute (what it is about, and the entry that
// recorded its decision) or the recorded decision (the refund it owes,
// and the entry that paid it).
type DisputeEntry struct {
	Seq  uint64 `json:"seq"`
	Kind string `json:"kind"` // DisputeKind…
	// A dispute: the entry the villager disputes and its trace, and the
	// dispute_decided entry once the station recorded the decision.
	Disputed uint64 `json:"disputed,omitempty"`
	Trace    string `json:"trace,omitempty"`
	Decided  uint64 `json:"decided,omitempty"`
	// The day it was registered and what it says (the entry's payload,
	// as the station recorded it): every post office server reads the
	// dispute here, not from its own folder's archive. Empty in entries
	// kept before they were.
	Day     string          `json:"day,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`
	// A decision: its dispute entry, the refund owed (0.00 for none) and
	// the refund_paid entry once the station paid it.
	Dispute uint64 `json:"dispute,omitempty"`
	Refund  string `json:"refund,omitempty"`
	Paid    uint64 `json:"paid,omitempty"`
}

// disputeBook checks the dispute entries of a day's file against the
// station's earlier ones, and keeps what later files need.
type disputeBook struct {
	station  string
	tx       Tx
	verifier note.Verifier
	changed  map[uint64]*DisputeEntry
}

func newDisputeBook(tx Tx, station string, v note.Verifier) *disputeBook {
	return &disputeBook{station: station, tx: tx, verifier: v, changed: map[uint64]*DisputeEntry{}}
}

func (db *disputeBook) get(seq uint64) (*DisputeEntry, error) {
	if d, ok := db.changed[seq]; ok {
		return d, nil
	}
	d, err := db.tx.DisputeEntry(db.station, seq)
	if err != nil || d == nil {
		return nil, err
	}
	db.changed[seq] = d
	return d, nil
}

// refusal is the refusal of entry e for why.
func (db *disputeBook) refusal(e *ledger.Entry, format string, args ...any) error {
	return refuse(ErrDecision, db.station, "entry %d (%s): %s", e.Seq, e.Kind, fmt.Sprintf(format, args...))
}

// add reads one entry of the day; a refusal (*Error) says which rule it
// breaks.
func (db *disputeBook) add(e *ledger.Entry) error {
	switch e.Kind {
	case DisputeKindDispute:
		var p struct {
			Disputed uint64 `json:"disputed"`
			Trace    string `json:"trace"`
		}
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return db.refusal(e, "the dispute does not read: %v", err)
		}
		db.changed[e.Seq] = &DisputeEntry{Seq: e.Seq, Kind: DisputeKindDispute, Disputed: p.Disputed, Trace: p.Trace,
			Day: e.Day, Payload: append(json.RawMessage(nil), e.Payload...)}
	case DisputeKindDecided:
		return db.decided(e)
	case "refund_paid":
		return db.paid(e)
	}
	return nil
}

// decided checks a recorded decision: the post office signed it, for
// this station and this dispute, decided once, and the entry books
// exactly the refund it decided.
func (db *disputeBook) decided(e *ledger.Entry) error {
	var p struct {
		Dispute  uint64 `json:"dispute"`
		Refund   string `json:"refund"`
		Decision string `json:"decision"`
	}
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return db.refusal(e, "the decision does not read: %v", err)
	}
	msg, err := base64.StdEncoding.DecodeString(p.Decision)
	if err != nil || len(msg) == 0 {
		return db.refusal(e, "it carries no signed decision")
	}
	if db.verifier == nil {
		return db.refusal(e, "the post office has no key here to check its decisions with")
	}
	d, err := decision.Open(msg, db.verifier)
	if errors.Is(err, decision.ErrSignature) {
		return db.refusal(e, "the decision it carries is not signed by this post office (forged, or changed after signing)")
	}
	if err != nil {
		return db.refusal(e, "the decision it carries does not read: %v", err)
	}
	if d.Station != db.station {
		return db.refusal(e, "the decision it carries is for station %s", d.Station)
	}
	if p.Dispute != d.Dispute {
		return db.refusal(e, "it records the decision on dispute %d as the decision on dispute %d", d.Dispute, p.Dispute)
	}
	dp, err := db.get(d.Dispute)
	if err != nil {
		return err
	}
	if dp == nil || dp.Kind != DisputeKindDispute {
		return db.refusal(e, "the decision is on entry %d, which is no dispute of this station the post office accepted", d.Dispute)
	}
	if d.Entry != dp.Disputed || d.Trace != dp.Trace {
		return db.refusal(e, "the decision names entry %d, trace %s; dispute %d is about entry %d, trace %s", d.Entry, d.Trace, dp.Seq, dp.Disputed, dp.Trace)
	}
	if dp.Decided != 0 {
		return db.refusal(e, "dispute %d was decided already at entry %d", dp.Seq, dp.Decided)
	}
	if p.Refund != money.FormatWire(d.Refund) || !books(e, "postoffice:settlement", "liabilities:refunds-due", d.Refund) {
		return db.refusal(e, "it books a refund of %s; the post office decided %s", p.Refund, money.FormatWire(d.Refund))
	}
	dp.Decided = e.Seq
	db.changed[e.Seq] = &DisputeEntry{Seq: e.Seq, Kind: DisputeKindDecided, Dispute: dp.Seq, Refund: money.FormatWire(d.Refund)}
	return nil
}

// paid checks a refund paid on a decision: a refund is owed, paid once,
// and the entry pays exactly it. A refund paid on anything else (a
// payment the biller refused) is not a decision's, and not checked here.
func (db *disputeBook) paid(e *ledger.Entry) error {
	var p struct {
		RefundOf uint64 `json:"refund_of"`
		Amount   string `json:"amount"`
	}
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return nil
	}
	dd, err := db.get(p.RefundOf)
	if err != nil || dd == nil || dd.Kind != DisputeKindDecided {
		return err
	}
	refund, err := money.ParseWire(dd.Refund)
	if err != nil || !refund.IsPositive() {
		return db.refusal(e, "it pays a refund on the decision at entry %d, which owes none", dd.Seq)
	}
	if dd.Paid != 0 {
		return db.refusal(e, "the refund owed by the decision at entry %d was paid already at entry %d", dd.Seq, dd.Paid)
	}
	if p.Amount != dd.Refund || !books(e, "liabilities:refunds-due", "assets:cash", refund) {
		return db.refusal(e, "it pays %s; the decision at entry %d owes %s", p.Amount, dd.Seq, dd.Refund)
	}
	dd.Paid = e.Seq
	return nil
}

// books says e's postings are exactly amount debited to dr and credited
// to cr, in yuan (none when amount is zero).
func books(e *ledger.Entry, dr, cr string, amount decimal.Decimal) bool {
	var debit, credit decimal.Decimal
	for _, p := range e.Postings {
		switch {
		case p.Commodity != ledger.Currency:
			return false
		case p.Account == dr && p.Side == ledger.Debit:
			debit = debit.Add(p.Amount)
		case p.Account == cr && p.Side == ledger.Credit:
			credit = credit.Add(p.Amount)
		default:
			return false
		}
	}
	return debit.Equal(amount) && credit.Equal(amount)
}

// save writes what the day added and changed.
func (db *disputeBook) save() error {
	if len(db.changed) == 0 {
		return nil
	}
	list := make([]*DisputeEntry, 0, len(db.changed))
	for _, d := range db.changed {
		list = append(list, d)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Seq < list[j].Seq })
	return db.tx.PutDisputeEntries(db.station, list)
}

// checkDisputes reads the dispute entries of a file's entries against
// what the station's accepted files recorded; it writes nothing. save
// then keeps them.
func checkDisputes(tx Tx, station string, entries []ledger.Entry, v note.Verifier) (*disputeBook, error) {
	db := newDisputeBook(tx, station, v)
	for i := range entries {
		if err := db.add(&entries[i]); err != nil {
			return nil, err
		}
	}
	return db, nil
}

// DisputeEntries calls fn with the station's dispute entries, in order.
func (r *Registry) DisputeEntries(ctx context.Context, station string, fn func(DisputeEntry) error) error {
	return r.store.DisputeEntries(ctx, station, fn)
}

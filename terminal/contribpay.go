package terminal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/tariff"
)

// HouseholdResult is a household's contributions once paid: every member
// with what became of them, the household entry (the receipt) and the
// money taken for the members the host confirmed.
type HouseholdResult struct {
	Entry ledger.Entry // the KindHousehold entry
	HouseholdQuote
	Paid int // members charged
}

// contributionPayload is what a contribution entry (one paid member) says.
type contributionPayload struct {
	Intent     uint64 `json:"intent"`
	Trace      string `json:"trace"`
	Service    string `json:"service"`
	Household  string `json:"household"` // the household's key: its members' entries share it
	Row        int    `json:"row"`
	Head       string `json:"head,omitempty"`
	Scheme     string `json:"scheme"`
	SchemeName string `json:"scheme_name"`
	Year       int    `json:"year"`
	Name       string `json:"name"`
	ID         string `json:"id"` // masked
	Grade      string `json:"grade"`
	Category   string `json:"category"`
	Amount     string `json:"amount"`
	Fee        string `json:"fee"`
	Total      string `json:"total"`
	Commission string `json:"commission"`
	Reference  string `json:"reference"` // the host's confirmation number
	Tariff     string `json:"tariff"`
}

// householdMember is one member as the household entry lists it.
type householdMember struct {
	Row        int    `json:"row"`
	Name       string `json:"name"`
	ID         string `json:"id"` // masked
	Scheme     string `json:"scheme"`
	SchemeName string `json:"scheme_name"`
	Year       int    `json:"year"`
	Grade      string `json:"grade"`
	Status     string `json:"status"` // paid, refused, declined, reversed or not_sent
	Category   string `json:"category,omitempty"`
	Amount     string `json:"amount"` // charged: 0.00 unless paid
	Fee        string `json:"fee"`
	Commission string `json:"commission"`
	Entry      uint64 `json:"entry,omitempty"`
	Trace      string `json:"trace,omitempty"`
	Reference  string `json:"reference,omitempty"`
	Code       string `json:"code,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

// householdPayload is what the household entry says.
type householdPayload struct {
	Household  string            `json:"household"`
	Head       string            `json:"head,omitempty"`
	Members    []householdMember `json:"members"`
	Paid       int               `json:"paid"`
	Total      string            `json:"total"` // cash taken: the paid members' amounts and fees
	Commission string            `json:"commission"`
	Tariff     string            `json:"tariff"`
}

// Pay takes a household's contributions: the host is asked per member
// what they owe, each member it takes is paid under the host rule, and one
// entry lists every member for the receipt. A member the host refuses,
// declines or leaves without a clear answer (reversed) is not charged;
// the result says which members were, and the cash to take is their
// total. If the host takes no member at all, nothing is recorded (a
// *NothingToPayError).
//
// A retry with the same IdemKey answers from the ledger: members already
// asked are never asked again.
func (s *Contributions) Pay(ctx context.Context, h Household) (HouseholdResult, error) {
	if e, err := s.Link.Ledger.ByIdemKey(householdKey(h.IdemKey)); err == nil {
		return householdResult(e)
	} else if !errors.Is(err, ledger.ErrNotFound) {
		return HouseholdResult{}, err
	}
	if err := inForce(s.Tariff, s.Link.Ledger.CurrentDay()); err != nil {
		return HouseholdResult{}, err
	}
	cs, err := s.check(h)
	if err != nil {
		return HouseholdResult{}, err
	}
	var q HouseholdQuote
	q.Head = h.Head
	asked := 0
	for _, c := range cs {
		l, sent, err := s.payMember(ctx, h, c)
		if err != nil {
			return HouseholdResult{}, q.stopped(fmt.Errorf("terminal: contribution, member %d: %w", c.row, err))
		}
		if sent {
			asked++
		}
		q.add(l)
	}
	if asked == 0 {
		return HouseholdResult{}, &NothingToPayError{Members: q.Members}
	}
	p := householdPayload{Household: h.IdemKey, Head: q.Head, Total: money.FormatWire(q.Total),
		Commission: money.FormatWire(q.Commission), Tariff: s.Tariff.Version}
	for _, l := range q.Members {
		if l.Charged() {
			p.Paid++
		}
		p.Members = append(p.Members, householdMember{
			Row: l.Row, Name: l.Name, ID: l.ID, Scheme: l.Scheme, SchemeName: l.SchemeName, Year: l.Year,
			Grade: money.FormatWire(l.Grade), Status: l.Status, Category: l.Category, Amount: money.FormatWire(l.Amount),
			Fee: money.FormatWire(l.Fee), Commission: money.FormatWire(l.Commission), Entry: l.Entry, Trace: l.Trace,
			Reference: l.Reference, Code: l.Code, Reason: l.Reason,
		})
	}
	b, err := json.Marshal(p)
	if err != nil {
		return HouseholdResult{}, err
	}
	e, _, err := s.Link.Ledger.Append(ledger.Draft{Operator: h.Operator, Kind: KindHousehold, IdemKey: householdKey(h.IdemKey), Payload: b})
	if err != nil {
		return HouseholdResult{}, q.stopped(fmt.Errorf("terminal: contribution receipt: %w", err))
	}
	return HouseholdResult{Entry: e, HouseholdQuote: q, Paid: p.Paid}, nil
}

// HouseholdPartError is a household stopped by an error (a full disk, a
// damaged file) after some of its members were charged: each of those was
// confirmed by the host and recorded with its own entry and receipt, so
// the shopkeeper takes Total for them; the members after were not asked,
// and no household receipt was written.
type HouseholdPartError struct {
	Charged []MemberLine
	Total   decimal.Decimal // the cash to take: the charged members, with fees
	Err     error
}

func (e *HouseholdPartError) Error() string {
	return fmt.Sprintf("%d members paid (%s) before: %v", len(e.Charged), money.FormatWire(e.Total), e.Err)
}

func (e *HouseholdPartError) Unwrap() error { return e.Err }

// stopped is err, told with the members charged so far, if any.
func (q HouseholdQuote) stopped(err error) error {
	pe := &HouseholdPartError{Total: decimal.Zero, Err: err}
	for _, l := range q.Members {
		if l.Charged() {
			pe.Charged = append(pe.Charged, l)
			pe.Total = pe.Total.Add(l.Amount).Add(l.Fee)
		}
	}
	if len(pe.Charged) == 0 {
		return err
	}
	return pe
}

// payMember pays one member: a lookup, then the request under the host
// rule. sent says the host was asked to take a payment (an intent was
// recorded). A member whose intent is in the ledger already (a retry) is
// not looked up again: the link answers from the ledger.
func (s *Contributions) payMember(ctx context.Context, h Household, c checked) (MemberLine, bool, error) {
	key := rowKey(h.IdemKey, c.row)
	var l MemberLine
	if _, err := s.Link.Ledger.ByIdemKey(key); errors.Is(err, ledger.ErrNotFound) {
		var lerr error
		l, lerr = s.lookup(ctx, h.Head, c)
		switch {
		case errors.Is(lerr, ErrUnreachable):
			l.Status, l.Reason = MemberNotSent, "unreachable"
			return l, false, nil
		case lerr != nil:
			// No answer to a lookup: nothing was paid; tell the
			// shopkeeper as for a host that cannot be reached.
			l.Status, l.Reason = MemberNotSent, "no answer to the lookup"
			return l, false, nil
		case l.Status != MemberDue:
			return l, false, nil
		}
	} else if err != nil {
		return l, false, err
	} else {
		// A retry: the lookup's answer is in the intent.
		l = c.line()
	}
	d := c.details(h.Head)
	base := contributionPayload{
		Service: SvcContribution, Household: h.IdemKey, Row: c.row, Head: d.Household, Scheme: c.scheme.ID, SchemeName: c.scheme.Name,
		Year: c.year.Year, Name: c.name, ID: l.ID, Grade: d.Grade, Tariff: s.Tariff.Version,
	}
	intent := map[string]any{
		"household": h.IdemKey, "row": c.row, "scheme": c.scheme.ID, "year": c.year.Year, "name": c.name, "id": l.ID,
		"grade": d.Grade, "category": l.Category, "amount": money.FormatWire(l.Amount), "tariff": s.Tariff.Version,
	}
	d.Category = l.Category
	r, err := s.Link.do(ctx, request{
		Operator: h.Operator, IdemKey: key,
		Req:    HostRequest{Service: SvcContribution, Amount: money.FormatWire(l.Amount), Contribution: &d},
		Intent: intent,
		Approved: func(in ledger.Entry, reply HostReply) (ledger.Draft, error) {
			if reply.Reference == "" {
				return ledger.Draft{}, errors.New("terminal: the social-insurance host confirmed a contribution without a confirmation number")
			}
			if paid, err := money.ParseWire(reply.Amount); err != nil || !paid.Equal(l.Amount) {
				return ledger.Draft{}, fmt.Errorf("terminal: the social-insurance host confirmed %q, not the %s asked", reply.Amount, money.FormatWire(l.Amount))
			}
			pl := base
			pl.Intent, pl.Trace, pl.Reference = in.Seq, s.Link.Trace(in.Seq), reply.Reference
			pl.Category, pl.Amount, pl.Fee = l.Category, money.FormatWire(l.Amount), money.FormatWire(l.Fee)
			pl.Total, pl.Commission = money.FormatWire(l.Amount.Add(l.Fee)), money.FormatWire(l.Commission)
			b, err := json.Marshal(pl)
			return ledger.Draft{Kind: SvcContribution, Payload: b, Postings: contributionPostings(l.Amount, l.Fee, l.Commission)}, err
		},
	})
	l.Trace = s.Link.Trace(r.Intent.Seq)
	var (
		de *DeclineError
		rv *ReversedError
		ue *UnreachableError
		rp *ReversalPendingError
	)
	switch {
	case err == nil:
		var out contributionPayload
		if jerr := json.Unmarshal(r.Outcome.Payload, &out); jerr != nil {
			return l, true, fmt.Errorf("contribution entry %d: %w", r.Outcome.Seq, jerr)
		}
		l.Status, l.Entry, l.Reference, l.Category = MemberPaid, r.Outcome.Seq, out.Reference, out.Category
		l.Amount, _ = money.ParseWire(out.Amount)
		l.Fee, _ = money.ParseWire(out.Fee)
		l.Commission, _ = money.ParseWire(out.Commission)
		return l, true, nil
	case errors.As(err, &de):
		l.Status, l.Code, l.Reason = MemberDeclined, de.Code, de.Reason
	case errors.As(err, &rv):
		l.Status, l.Reason = MemberReversed, "no answer from the host: reversed"
	case errors.As(err, &ue):
		l.Status, l.Reason = MemberNotSent, "unreachable"
	case errors.As(err, &rp):
		l.Status, l.Reason = MemberNotSent, "a reversal to the host is still owed"
		if r.Intent.Seq == 0 {
			l.Trace = ""
			return l, false, nil
		}
	default:
		return l, true, err
	}
	l.Amount, l.Fee, l.Commission = decimal.Zero, decimal.Zero, decimal.Zero
	return l, true, nil
}

// contributionPostings are the postings of a paid member: the cash in,
// owed to the social-insurance host through the post office, the fee the
// shop keeps, and its commission. Zero parts are left out.
func contributionPostings(amount, fee, commission decimal.Decimal) []ledger.Posting {
	var ps []ledger.Posting
	if total := amount.Add(fee); total.IsPositive() {
		ps = append(ps, ledger.Dr(AccountCash, total))
	}
	if amount.IsPositive() {
		ps = append(ps, ledger.Cr(AccountSettlement, amount))
	}
	if fee.IsPositive() {
		ps = append(ps, ledger.Cr(AccountFees, fee))
	}
	if commission.IsPositive() {
		ps = append(ps, ledger.Dr(AccountSettlement, commission), ledger.Cr(AccountCommission+tariff.Contribution, commission))
	}
	return ps
}

// householdResult reads a household entry back.
func householdResult(e ledger.Entry) (HouseholdResult, error) {
	var p householdPayload
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return HouseholdResult{}, fmt.Errorf("terminal: household entry %d: %w", e.Seq, err)
	}
	r := HouseholdResult{Entry: e, Paid: p.Paid}
	r.Head = p.Head
	for _, m := range p.Members {
		l := MemberLine{Row: m.Row, Name: m.Name, ID: m.ID, Scheme: m.Scheme, SchemeName: m.SchemeName, Year: m.Year,
			Status: m.Status, Category: m.Category, Code: m.Code, Reason: m.Reason, Entry: m.Entry, Trace: m.Trace, Reference: m.Reference}
		l.Grade, _ = money.ParseWire(m.Grade)
		l.Amount, _ = money.ParseWire(m.Amount)
		l.Fee, _ = money.ParseWire(m.Fee)
		l.Commission, _ = money.ParseWire(m.Commission)
		r.add(l)
	}
	return r, nil
}

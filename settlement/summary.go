// Package settlement closes a station's business day into the signed
// settlement file the regional post office settles from, and reads and
// verifies such files from their bytes alone (with the station's public
// key and the previous day's last hash). The file format is specified in
// docs/settlement-format.md.
package settlement

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
)

// Accounts a summary reads.
const (
	accountCash       = "assets:cash"
	accountSettlement = "postoffice:settlement"
	accountFees       = "income:fees"
	accountCommission = "income:commission:"
)

// Total is what one kind of entry came to over a day (or, in the grand
// totals, since the station opened).
type Total struct {
	Kind       string          `json:"kind"`
	Count      int64           `json:"count"`
	Amount     decimal.Decimal `json:"amount"`     // the principal the entries name (see principal)
	Fees       decimal.Decimal `json:"fees"`       // customer fees earned, net of refunds
	Commission decimal.Decimal `json:"commission"` // commission earned, net of reversals
}

// principal says which payload field holds what an entry of a kind moved
// for the customer; kinds not named have no amount, only a count.
var principal = map[string]string{
	"withdrawal": "amount", "bill_payment": "amount", "topup": "amount",
	"queued_confirmed": "amount", "refund_due": "refund", "refund_paid": "amount",
	"ticket_order": "amount", "ticket_issued": "amount", "ticket_failed": "refund", "ticket_cancel": "refund",
	"policy_issue": "amount", "policy_cancel": "refund", "sim_sale": "amount", "contribution": "amount",
	"sale": "total", "void": "refund", "cash_in": "amount", "cash_out": "amount", "cash_count": "variance",
}

// Summary is a business day in figures: what each kind of entry came to,
// the cash in the drawer and what the post office and the shop owe each
// other. Add entries in order; the opening figures come from the balances
// before the day's first entry.
type Summary struct {
	Totals    []Total
	CashOpen  decimal.Decimal // the drawer before the day's first entry
	CashClose decimal.Decimal // what the drawer should hold after its last
	OwedOpen  decimal.Decimal // postoffice:settlement before the day (positive: the post office owes the shop)
	Net       decimal.Decimal // the day's change in it
	Entries   int64

	byKind map[string]int
}

// NewSummary starts a day whose opening balances are open.
func NewSummary(open ledger.Balances) *Summary {
	c, o := open.Get(accountCash), open.Get(accountSettlement)
	return &Summary{CashOpen: c, CashClose: c, OwedOpen: o}
}

// OwedClose is postoffice:settlement after the day.
func (s *Summary) OwedClose() decimal.Decimal { return s.OwedOpen.Add(s.Net) }

// Add counts one entry of the day.
func (s *Summary) Add(e *ledger.Entry) error {
	t := s.total(e.Kind)
	t.Count++
	s.Entries++
	if key, ok := principal[e.Kind]; ok && len(e.Payload) > 0 {
		var p principalFields
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return fmt.Errorf("settlement: entry %d payload: %w", e.Seq, err)
		}
		if v, ok := p.get(key); ok && v != "" {
			d, err := money.ParseWire(v)
			if err != nil {
				return fmt.Errorf("settlement: entry %d %s: %w", e.Seq, key, err)
			}
			t.Amount = t.Amount.Add(d)
		}
	}
	for _, p := range e.Postings {
		if p.Commodity != ledger.Currency {
			continue
		}
		switch {
		case p.Account == accountCash:
			s.CashClose = s.CashClose.Add(p.Signed())
		case p.Account == accountSettlement:
			s.Net = s.Net.Add(p.Signed())
		case p.Account == accountFees:
			t.Fees = t.Fees.Sub(p.Signed()) // income is credited
		case strings.HasPrefix(p.Account, accountCommission):
			t.Commission = t.Commission.Sub(p.Signed())
		}
	}
	return nil
}

// principalFields is what Add reads of a payload: the fields principal
// names, undecoded (a struct, not a map: the payload is not copied into
// interface values). Names match as encoding/json matches struct fields,
// as package charges reads payloads.
type principalFields struct {
	Amount   json.RawMessage `json:"amount"`
	Refund   json.RawMessage `json:"refund"`
	Total    json.RawMessage `json:"total"`
	Variance json.RawMessage `json:"variance"`
}

// get returns the field named key when it holds a JSON string.
func (p *principalFields) get(key string) (string, bool) {
	var raw json.RawMessage
	switch key {
	case "amount":
		raw = p.Amount
	case "refund":
		raw = p.Refund
	case "total":
		raw = p.Total
	case "variance":
		raw = p.Variance
	}
	var v string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &v) != nil {
		return "", false
	}
	return v, true
}

func (s *Summary) total(kind string) *Total {
	if s.byKind == nil {
		s.byKind = map[string]int{}
		for i, t := range s.Totals {
			s.byKind[t.Kind] = i
		}
	}
	i, ok := s.byKind[kind]
	if !ok {
		i = len(s.Totals)
		s.Totals = append(s.Totals, Total{Kind: kind})
		s.byKind[kind] = i
	}
	return &s.Totals[i]
}

// Sorted returns the totals by kind.
func (s *Summary) Sorted() []Total { return sortTotals(s.Totals) }

func sortTotals(ts []Total) []Total {
	out := append([]Total(nil), ts...)
	sort.Slice(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out
}

// AddTotals returns a + b by kind, sorted: the grand totals after a day.
func AddTotals(a, b []Total) []Total {
	m := map[string]Total{}
	for _, list := range [][]Total{a, b} {
		for _, t := range list {
			x := m[t.Kind]
			x.Kind = t.Kind
			x.Count += t.Count
			x.Amount = x.Amount.Add(t.Amount)
			x.Fees = x.Fees.Add(t.Fees)
			x.Commission = x.Commission.Add(t.Commission)
			m[t.Kind] = x
		}
	}
	out := make([]Total, 0, len(m))
	for _, t := range m {
		out = append(out, t)
	}
	return sortTotals(out)
}

// EqualTotals reports whether two lists of totals say the same, kind by
// kind.
func EqualTotals(a, b []Total) bool {
	a, b = sortTotals(a), sortTotals(b)
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Kind != y.Kind || x.Count != y.Count || !x.Amount.Equal(y.Amount) || !x.Fees.Equal(y.Fees) || !x.Commission.Equal(y.Commission) {
			return false
		}
	}
	return true
}

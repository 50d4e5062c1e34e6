package handover

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
)

// The accounts and idempotency keys a station's entries use (package
// terminal writes them; docs/ledger-format.md lists them). They are
// named here, not imported, so that the post office reads them without
// the station's code.
const (
	accountQueued   = "liabilities:queued-payments"
	accountDeposits = "liabilities:ticket-deposits"
	accountFees     = "income:fees"
)

// Scan reads a station's entries, in order, and finds what it still owes
// villagers after the last one. The post office runs it over the day
// files it accepted, a station over its ledger: both find the same items.
type Scan struct {
	Station string // the station's id, for trace numbers

	intents  map[uint64]string // requests with no outcome yet → their service
	accounts map[uint64]string // intent → biller:account of a bill payment
	outcomes map[uint64]uint64 // outcome entry → its intent
	open     map[string]*Item  // "kind:key" → item
}

func (s *Scan) init() {
	if s.open == nil {
		s.intents, s.accounts, s.outcomes, s.open = map[uint64]string{}, map[uint64]string{}, map[uint64]uint64{}, map[string]*Item{}
	}
}

func key(kind string, n uint64) string { return kind + ":" + strconv.FormatUint(n, 10) }

func idem(e ledger.Entry, prefix string) (uint64, bool) {
	v, ok := strings.CutPrefix(e.IdemKey, prefix+":")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(v, 10, 64)
	return n, err == nil
}

// credit sums what e credits to account, in CNY.
func credit(e ledger.Entry, account string) decimal.Decimal {
	var t decimal.Decimal
	for _, p := range e.Postings {
		if p.Account == account && p.Commodity == ledger.Currency {
			t = t.Sub(p.Signed())
		}
	}
	return t
}

// Add reads one entry.
func (s *Scan) Add(e ledger.Entry) error {
	s.init()
	var p struct {
		Service  string                         `json:"service"`
		Biller   string                         `json:"biller"`
		Account  string                         `json:"account"`
		Trace    string                         `json:"trace"`
		Refund   string                         `json:"refund"`
		Reason   string                         `json:"reason"`
		Says     string                         `json:"says"`
		AnswerBy string                         `json:"answer_by"`
		Dispute  uint64                         `json:"dispute"`
		RefundOf uint64                         `json:"refund_of"`
		Sale     uint64                         `json:"sale"`
		Delivery *struct{ To, Promised string } `json:"delivery"`
		Lines    []struct {
			SKU string `json:"sku"`
			Qty int64  `json:"qty"`
		} `json:"lines"`
	}
	if len(e.Payload) > 0 {
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return fmt.Errorf("handover: entry %d: %w", e.Seq, err)
		}
	}
	if e.Kind == "intent" {
		s.intents[e.Seq] = service(p.Service, e.Kind)
		if w := p.Biller + ":" + p.Account; p.Biller != "" && whatRE.MatchString(w) {
			s.accounts[e.Seq] = w
		}
		return nil
	}
	if n, ok := idem(e, "outcome"); ok {
		delete(s.intents, n)
		s.outcomes[e.Seq] = n
		trace := fmt.Sprintf("%s-%06d", s.Station, n)
		if e.Kind == "reversal_due" {
			s.open[key(Reversal, n)] = &Item{Kind: Reversal, Entry: n, Trace: trace, Service: service(p.Service, e.Kind)}
		}
		queued, held := credit(e, accountQueued), credit(e, accountDeposits)
		switch {
		case queued.IsPositive():
			s.open[key("hold", n)] = &Item{Kind: Queued, Entry: n, Trace: trace, Service: e.Kind, Amount: queued.Add(credit(e, accountFees)), What: s.accounts[n]}
		case held.IsPositive():
			s.open[key("hold", n)] = &Item{Kind: Waitlist, Entry: n, Trace: trace, Service: e.Kind, Amount: held.Add(credit(e, accountFees))}
		}
	}
	if n, ok := idem(e, "final"); ok {
		delete(s.open, key("hold", n))
		delete(s.intents, n)
	}
	if n, ok := idem(e, "reversal"); ok {
		delete(s.open, key(Reversal, n))
		delete(s.intents, n)
	}
	if n, ok := idem(e, "void"); ok {
		delete(s.open, key(Delivery, n))
		if intent, ok := s.outcomes[n]; ok {
			delete(s.open, key("hold", intent))
		}
	}
	switch e.Kind {
	case "refund_due", "ticket_failed", "dispute_decided":
		if e.Kind == "dispute_decided" {
			delete(s.open, key(Dispute, p.Dispute))
		}
		if r, err := money.ParseWire(p.Refund); err == nil && r.IsPositive() {
			s.open[key(Refund, e.Seq)] = &Item{Kind: Refund, Entry: e.Seq, Trace: traceOrNone(p.Trace), Service: service(p.Service, e.Kind), Amount: r, Note: Tidy(p.Reason)}
		}
	case "refund_paid":
		delete(s.open, key(Refund, p.RefundOf))
	case "sale":
		if p.Delivery != nil {
			var goods []string
			for _, l := range p.Lines {
				goods = append(goods, fmt.Sprintf("%s:%d", l.SKU, l.Qty))
			}
			it := &Item{Kind: Delivery, Entry: e.Seq, Service: "sale", What: strings.Join(goods, ","), Note: Tidy(p.Delivery.To)}
			if isDate(p.Delivery.Promised) {
				it.Due = p.Delivery.Promised
			}
			s.open[key(Delivery, e.Seq)] = it
		}
	case "delivery":
		delete(s.open, key(Delivery, p.Sale))
	case "dispute":
		it := &Item{Kind: Dispute, Entry: e.Seq, Trace: traceOrNone(p.Trace), Service: service(p.Service, e.Kind), Note: Tidy(p.Says)}
		if isDate(p.AnswerBy) {
			it.Due = p.AnswerBy
		}
		s.open[key(Dispute, e.Seq)] = it
	}
	return nil
}

func service(s, kind string) string {
	if serviceRE.MatchString(s) {
		return s
	}
	return kind
}

func traceOrNone(t string) string {
	if traceRE.MatchString(t) {
		return t
	}
	return ""
}

// Items returns what is still owed after the entries read, in the order
// of the entries they stand on, numbered from 1. A request with no
// outcome recorded is a Reversal item: its outcome is unknown, so the
// successor asks the host and reverses it.
func (s *Scan) Items() []Item {
	s.init()
	var out []Item
	for _, it := range s.open {
		out = append(out, *it)
	}
	for n, svc := range s.intents {
		out = append(out, Item{Kind: Reversal, Entry: n, Trace: fmt.Sprintf("%s-%06d", s.Station, n), Service: svc})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Entry != out[j].Entry {
			return out[i].Entry < out[j].Entry
		}
		return out[i].Kind < out[j].Kind
	})
	for i := range out {
		out[i].N = i + 1
	}
	return out
}

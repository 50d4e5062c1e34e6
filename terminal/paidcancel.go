package terminal

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
)

// paidCancel is the cancel, with its host, of an order the villager has
// paid for (an issued ticket, a policy in its cooling-off period). The
// host's rule says how much of what was paid comes back; the station pays
// that out of the drawer at once and the post office owes it to the shop.
type paidCancel struct {
	Operator string
	IdemKey  string
	Req      HostRequest    // the cancel request to the host
	Intent   map[string]any // the intent payload besides service and trace
	Paid     decimal.Decimal
	PaidName string // what Paid is called in an error: "fare", "premium"
	Kind     string // the outcome entry's kind
	// Postings are what the cancel moves besides the refund (the
	// station's commission taken back).
	Postings []ledger.Posting
	// Payload is the outcome entry's payload besides intent, trace and
	// service; refund is the host's.
	Payload func(refund decimal.Decimal) map[string]any
}

// paidCancelled is what a paid order's cancel became: hand Refund back.
type paidCancelled struct {
	Entry  ledger.Entry // the outcome entry, of kind paidCancel.Kind
	Trace  string
	Refund decimal.Decimal
}

// cancelPaid asks the host to cancel a paid order under the link's rule
// (intent, trace, status inquiry and reversal on an unknown outcome). The
// drawer must hold Paid first, the most any host rule gives back, so that
// an approved refund can always be handed over. A refund outside 0 to
// Paid is no answer the station can pay, and nothing is recorded for it.
func (l *Link) cancelPaid(ctx context.Context, c paidCancel) (paidCancelled, error) {
	cash, err := drawerCash(l.Ledger)
	if err != nil {
		return paidCancelled{}, err
	}
	if c.Paid.GreaterThan(cash) {
		return paidCancelled{}, &ShortCashError{Need: c.Paid, Have: cash}
	}
	paid := money.FormatWire(c.Paid)
	host := HostName(c.Req.Service)
	r, err := l.do(ctx, request{
		Operator: c.Operator, IdemKey: c.IdemKey, Req: c.Req, Intent: c.Intent,
		Approved: func(intent ledger.Entry, reply HostReply) (ledger.Draft, error) {
			refund, err := money.ParseWire(reply.Amount)
			if err != nil || refund.IsNegative() || refund.GreaterThan(c.Paid) {
				return ledger.Draft{}, fmt.Errorf("terminal: the %s's refund %q is not between 0 and the %s %s", host, reply.Amount, c.PaidName, paid)
			}
			var postings []ledger.Posting
			if refund.IsPositive() {
				postings = append(postings, ledger.Dr(AccountSettlement, refund), ledger.Cr(AccountCash, refund))
			}
			postings = append(postings, c.Postings...)
			fields := c.Payload(refund)
			fields["intent"], fields["trace"], fields["service"] = intent.Seq, l.Trace(intent.Seq), c.Req.Service
			fields["refund"] = money.FormatWire(refund)
			payload, err := json.Marshal(fields)
			return ledger.Draft{Kind: c.Kind, Payload: payload, Postings: postings}, err
		},
	})
	if err != nil {
		return paidCancelled{}, err
	}
	var out struct{ Refund string }
	if err := json.Unmarshal(r.Outcome.Payload, &out); err != nil {
		return paidCancelled{}, fmt.Errorf("terminal: %s entry %d: %w", c.Kind, r.Outcome.Seq, err)
	}
	refund, err := money.ParseWire(out.Refund)
	if err != nil {
		return paidCancelled{}, fmt.Errorf("terminal: %s entry %d: %w", c.Kind, r.Outcome.Seq, err)
	}
	return paidCancelled{Entry: r.Outcome, Trace: l.Trace(r.Intent.Seq), Refund: refund}, nil
}

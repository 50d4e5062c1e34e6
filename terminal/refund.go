package terminal

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
)

// KindRefundPaid is the entry of cash handed back to a villager for a
// refund due.
const KindRefundPaid = "refund_paid"

// RefundDue is money owed back to a villager: a queued payment the biller
// refused, a waitlisted ticket order the carrier did not fill, or a
// dispute the post office decided a refund is owed for.
type RefundDue struct {
	Entry   uint64 // the refund_due, ticket_failed or dispute_decided entry
	Service string
	Trace   string
	Amount  decimal.Decimal
	Reason  string
	Since   time.Time
}

// Refunds hands back money owed to villagers.
type Refunds struct {
	Ledger LinkLedger
}

func refundPaidKey(seq uint64) string { return fmt.Sprintf("refund_paid:%d", seq) }

// ErrNoRefundDue means an entry is not a refund still owed.
var ErrNoRefundDue = errors.New("terminal: that entry is not a refund still owed")

// Due lists the refunds not yet handed back, oldest first.
func (r *Refunds) Due() ([]RefundDue, error) {
	due := map[uint64]RefundDue{}
	err := r.Ledger.Range(1, 0, func(e ledger.Entry) error {
		switch e.Kind {
		case KindRefundDue, KindFailed:
			d, err := refundOf(e)
			if err != nil {
				return err
			}
			due[e.Seq] = d
		case KindDisputeDecided:
			d, err := refundOf(e)
			if err != nil {
				return err
			}
			if d.Amount.IsPositive() {
				due[e.Seq] = d
			}
		case KindRefundPaid:
			var p struct {
				RefundOf uint64 `json:"refund_of"`
			}
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return fmt.Errorf("terminal: entry %d: %w", e.Seq, err)
			}
			delete(due, p.RefundOf)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]RefundDue, 0, len(due))
	for _, d := range due {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Entry < out[j].Entry })
	return out, nil
}

func refundOf(e ledger.Entry) (RefundDue, error) {
	var p struct {
		Service, Trace, Refund, Reason string
	}
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return RefundDue{}, fmt.Errorf("terminal: entry %d: %w", e.Seq, err)
	}
	amount, err := money.ParseWire(p.Refund)
	if err != nil {
		return RefundDue{}, fmt.Errorf("terminal: entry %d: refund: %w", e.Seq, err)
	}
	return RefundDue{Entry: e.Seq, Service: p.Service, Trace: p.Trace, Amount: amount, Reason: p.Reason, Since: e.Time}, nil
}

// RefundPaid is a refund handed back.
type RefundPaid struct {
	Entry  ledger.Entry // the refund_paid entry
	Amount decimal.Decimal
	// Before: the refund was paid before this call (Entry is that
	// payment); this call recorded nothing and no cash must go out.
	Before bool
}

// Pay hands back the refund owed by entry seq from the drawer. Paying it
// again returns the first payment and records nothing.
func (r *Refunds) Pay(operator string, seq uint64) (RefundPaid, error) {
	e, err := r.Ledger.Get(seq)
	if err != nil {
		return RefundPaid{}, err
	}
	if e.Kind != KindRefundDue && e.Kind != KindFailed && e.Kind != KindDisputeDecided {
		return RefundPaid{}, fmt.Errorf("%w: entry %d is %s", ErrNoRefundDue, seq, e.Kind)
	}
	if e.Kind == KindDisputeDecided {
		if d, err := refundOf(e); err != nil {
			return RefundPaid{}, err
		} else if !d.Amount.IsPositive() {
			return RefundPaid{}, fmt.Errorf("%w: the post office decided nothing is owed for dispute entry %d", ErrNoRefundDue, seq)
		}
	}
	return payRefund(r.Ledger, operator, e)
}

// payRefund records the refund of entry due as paid out of the drawer.
func payRefund(l LinkLedger, operator string, due ledger.Entry) (RefundPaid, error) {
	d, err := refundOf(due)
	if err != nil {
		return RefundPaid{}, err
	}
	if paid, err := l.ByIdemKey(refundPaidKey(due.Seq)); err == nil {
		return RefundPaid{Entry: paid, Amount: d.Amount, Before: true}, nil
	} else if !errors.Is(err, ledger.ErrNotFound) {
		return RefundPaid{}, err
	}
	cash, err := drawerCash(l)
	if err != nil {
		return RefundPaid{}, err
	}
	if d.Amount.GreaterThan(cash) {
		return RefundPaid{}, &ShortCashError{Need: d.Amount, Have: cash}
	}
	payload, err := json.Marshal(map[string]any{
		"refund_of": due.Seq, "service": d.Service, "trace": d.Trace, "amount": money.FormatWire(d.Amount),
	})
	if err != nil {
		return RefundPaid{}, err
	}
	var postings []ledger.Posting
	if d.Amount.IsPositive() {
		postings = []ledger.Posting{ledger.Dr(AccountRefundsDue, d.Amount), ledger.Cr(AccountCash, d.Amount)}
	}
	e, _, err := l.Append(ledger.Draft{Operator: operator, Kind: KindRefundPaid, IdemKey: refundPaidKey(due.Seq), Payload: payload, Postings: postings})
	return RefundPaid{Entry: e, Amount: d.Amount}, err
}

// drawerCash returns what the drawer should hold.
func drawerCash(l Ledger) (decimal.Decimal, error) {
	b, err := l.Balances()
	if err != nil {
		return decimal.Zero, err
	}
	return b.Get(AccountCash), nil
}

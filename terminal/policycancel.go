package terminal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/tariff"
)

// KindPolicyCancel is the entry of a policy cancelled in its cooling-off
// period.
const KindPolicyCancel = SvcPolicyCancel

// OpenPolicy is a policy sold at the station that may still be cancelled
// at the counter: not cancelled, and its cooling-off period not over.
type OpenPolicy struct {
	Sale        uint64 // the policy_issue entry
	Policy      string // the insurer's policy number
	Product     string
	ProductName string
	Holder      string
	ID          string // masked
	Object      string
	SumInsured  decimal.Decimal
	Premium     decimal.Decimal
	Commission  decimal.Decimal
	Start, End  string
	Until       string // last day of the cooling-off period
}

// OpenPolicies lists the policies in l that can still be cancelled on the
// day of today, oldest first.
func OpenPolicies(l Reader, today time.Time) ([]OpenPolicy, error) {
	open := map[uint64]*OpenPolicy{}
	day := today.Format(time.DateOnly)
	err := l.Range(1, 0, func(e ledger.Entry) error {
		switch e.Kind {
		case SvcPolicyIssue:
			p, err := openPolicy(e)
			if err != nil {
				return err
			}
			open[p.Sale] = &p
		case KindPolicyCancel:
			var p struct {
				Sale uint64 `json:"sale"`
			}
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return fmt.Errorf("terminal: entry %d: %w", e.Seq, err)
			}
			delete(open, p.Sale)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []OpenPolicy
	for _, p := range open {
		if p.Until >= day {
			out = append(out, *p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Sale < out[j].Sale })
	return out, nil
}

func openPolicy(e ledger.Entry) (OpenPolicy, error) {
	var p policyPayload
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return OpenPolicy{}, fmt.Errorf("terminal: policy entry %d: %w", e.Seq, err)
	}
	amounts := make([]decimal.Decimal, 3)
	for i, s := range []string{p.SumInsured, p.Amount, p.Commission} {
		d, err := money.ParseWire(s)
		if err != nil {
			return OpenPolicy{}, fmt.Errorf("terminal: policy entry %d: %w", e.Seq, err)
		}
		amounts[i] = d
	}
	return OpenPolicy{
		Sale: e.Seq, Policy: p.Policy, Product: p.Product, ProductName: p.ProductName, Holder: p.Holder, ID: p.ID, Object: p.Object,
		SumInsured: amounts[0], Premium: amounts[1], Commission: amounts[2], Start: p.Start, End: p.End, Until: p.Until,
	}, nil
}

// Open lists the policies that can still be cancelled, oldest first.
func (s *Insurance) Open() ([]OpenPolicy, error) { return OpenPolicies(s.Link.Ledger, s.Today()) }

// ErrNotOpenPolicy means an entry is not a policy that can be cancelled at
// the counter.
var ErrNotOpenPolicy = errors.New("terminal: that entry is not a policy in its cooling-off period")

// PolicyCancelResult is a cancelled policy: hand Refund back to the
// villager.
type PolicyCancelResult struct {
	Entry  ledger.Entry // the policy_cancel entry
	Policy OpenPolicy
	Trace  string
	Refund decimal.Decimal // what the insurer's rule gives back
}

// Cancel cancels the policy sold at entry sale, inside its cooling-off
// period. The insurer's rule says how much of the premium comes back (the
// whole of it); the station's commission on the premium is taken back and
// a fee, if there was one, is not refunded.
func (s *Insurance) Cancel(ctx context.Context, operator string, sale uint64, idemKey string) (PolicyCancelResult, error) {
	p, err := s.find(sale)
	if err != nil {
		return PolicyCancelResult{}, err
	}
	premium := money.FormatWire(p.Premium)
	var back []ledger.Posting
	if p.Commission.IsPositive() {
		back = []ledger.Posting{ledger.Dr(AccountCommission+tariff.PolicyIssue, p.Commission), ledger.Cr(AccountSettlement, p.Commission)}
	}
	c, err := s.Link.cancelPaid(ctx, paidCancel{
		Operator: operator, IdemKey: idemKey,
		Req:    HostRequest{Service: SvcPolicyCancel, Amount: premium, Policy: &PolicyDetails{Product: p.Product, Number: p.Policy}},
		Intent: map[string]any{"sale": p.Sale, "policy": p.Policy, "amount": premium},
		Paid:   p.Premium, PaidName: "premium", Kind: KindPolicyCancel, Postings: back,
		Payload: func(decimal.Decimal) map[string]any {
			return map[string]any{"sale": p.Sale, "policy": p.Policy, "product_name": p.ProductName, "premium": premium,
				"commission_back": money.FormatWire(p.Commission), "tariff": s.Tariff.Version}
		},
	})
	if err != nil {
		return PolicyCancelResult{}, err
	}
	return PolicyCancelResult{Entry: c.Entry, Policy: p, Trace: c.Trace, Refund: c.Refund}, nil
}

// find returns the open policy sold at entry seq.
func (s *Insurance) find(seq uint64) (OpenPolicy, error) {
	list, err := s.Open()
	if err != nil {
		return OpenPolicy{}, err
	}
	for _, p := range list {
		if p.Sale == seq {
			return p, nil
		}
	}
	return OpenPolicy{}, fmt.Errorf("%w: entry %d", ErrNotOpenPolicy, seq)
}

package hostsim

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/idcheck"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/terminal"
)

// The insurer, which sells one-year property policies through the
// stations. Dates are days in the hosts' zone.
//
//	policy_issue   Policy.Product one of the products below, else declined P1;
//	               Policy.SumInsured within the product's limits, else P1;
//	               Policy.Start from tomorrow to 30 days ahead, else P1;
//	               Amount (the premium the station quoted) equal to the
//	               product's rate per thousand of the sum insured, rounded
//	               half up to the fen, at least its minimum premium, else P2;
//	               else approved, Reference = the policy number ("PH", the
//	               year of Start, 12 digits), Amount = the premium,
//	               Until = the last day of the cooling-off period: today + 15 days.
//	policy_cancel  Policy.Number = the policy number. Declined P3 for a policy
//	               never issued, P4 for one cancelled or voided, P5 after its
//	               cooling-off period; else approved, Amount = the refund:
//	               the whole premium.
//
// A reversal of an issue voids the policy from its start, as if it had
// never been issued: no cover, no premium due. A reversal of a cancel
// puts the policy back in force.

// insuranceProduct is one of the insurer's products.
type insuranceProduct struct {
	rate       decimal.Decimal // per thousand of the sum insured
	minPremium decimal.Decimal
	minSum     decimal.Decimal
	maxSum     decimal.Decimal
}

// insurerProducts are the insurer's published products; the demo tariff
// carries the same rates and limits.
var insurerProducts = map[string]insuranceProduct{
	"farmhouse": {decimal.RequireFromString("1.5"), decimal.RequireFromString("20.00"), decimal.RequireFromString("10000.00"), decimal.RequireFromString("300000.00")},
	"machinery": {decimal.RequireFromString("8"), decimal.RequireFromString("50.00"), decimal.RequireFromString("5000.00"), decimal.RequireFromString("200000.00")},
	"home":      {decimal.RequireFromString("2"), decimal.RequireFromString("20.00"), decimal.RequireFromString("5000.00"), decimal.RequireFromString("100000.00")},
}

// Bounds of the insurer's rules.
const (
	coolingOffDays = 15 // the cooling-off period (犹豫期) after the day of issue
	maxStartAhead  = 30 // cover may start at most this many days ahead
)

// premium is the insurer's price of a policy.
func (p insuranceProduct) premium(sum decimal.Decimal) decimal.Decimal {
	out := sum.Mul(p.rate).Div(decimal.NewFromInt(1000)).Round(2)
	if out.LessThan(p.minPremium) {
		out = p.minPremium
	}
	return out
}

// policy is a policy the insurer issued.
type policy struct {
	details   JournalPolicy // masked, Number set
	premium   decimal.Decimal
	until     string // last day of the cooling-off period
	cancelled bool   // cancelled in the cooling-off period, or voided by a reversal
}

// maskPolicy is what the journal holds of a policy request.
func maskPolicy(p *terminal.PolicyDetails) *JournalPolicy {
	return &JournalPolicy{
		Product: p.Product, Holder: idcheck.MaskName(p.Holder), IDNumber: idcheck.MaskID(p.IDNumber),
		Object: p.Object, SumInsured: p.SumInsured, Start: p.Start,
	}
}

// policyNumber is a new policy number for trace, unlike every other.
func (s *Sim) policyNumber(start, trace string) string {
	for i := 0; ; i++ {
		n := "PH" + start[:4] + digits(12, "policy", trace, fmt.Sprint(i))
		if s.policies[n] == nil {
			return n
		}
	}
}

// decideInsurer decides a policy issue or cancel.
func (s *Sim) decideInsurer(l *JournalLine, r terminal.HostRequest) {
	if r.Service == terminal.SvcPolicyCancel {
		decidePaidCancel(s, l, s.policies, policyCancel)
		return
	}
	p := r.Policy
	prod, ok := insurerProducts[p.Product]
	sum, _ := money.ParseWire(p.SumInsured) // checked by checkRequest
	start, _ := time.ParseInLocation(time.DateOnly, p.Start, s.zone)
	today := s.today()
	switch {
	case !ok:
		decline(l, CodeNotInsurable)
		l.Reason = "not insurable: no such product"
		return
	case sum.LessThan(prod.minSum) || sum.GreaterThan(prod.maxSum):
		decline(l, CodeNotInsurable)
		l.Reason = fmt.Sprintf("not insurable: the sum insured must be from %s to %s", money.FormatWire(prod.minSum), money.FormatWire(prod.maxSum))
		return
	case !start.After(today) || start.After(today.AddDate(0, 0, maxStartAhead)):
		decline(l, CodeNotInsurable)
		l.Reason = fmt.Sprintf("not insurable: cover starts from tomorrow to %d days ahead", maxStartAhead)
		return
	}
	want := prod.premium(sum)
	if asked, _ := money.ParseWire(r.Amount); !asked.Equal(want) {
		decline(l, CodePremium)
		l.Reason = "the premium is " + money.FormatWire(want) + " under the insurer's rate"
		return
	}
	approve(l)
	l.Reference = s.policyNumber(p.Start, r.Trace)
	l.Policy.Number = l.Reference
	l.Until = today.AddDate(0, 0, coolingOffDays).Format(time.DateOnly)
}

// policyCancel is the insurer's cancel rule (paidcancel.go).
var policyCancel = cancelRule{what: "policy", notSold: CodeNoPolicy, already: CodePolicyCancelled, tooLate: CodeCoolingOffOver}

func (p *policy) cancelledNow() bool  { return p.cancelled }
func (p *policy) setCancelled(c bool) { p.cancelled = c }

// refundAt is the refund of a policy cancelled at now: the whole premium,
// up to the last day of the cooling-off period.
func (p *policy) refundAt(s *Sim, now time.Time) (decimal.Decimal, bool) {
	if now.In(s.zone).Format(time.DateOnly) > p.until {
		return decimal.Zero, false
	}
	return p.premium, true
}

// applyPolicy records the policy an approved issue line issued.
func (s *Sim) applyPolicy(l JournalLine) error {
	if l.Policy == nil || l.Reference == "" || l.Until == "" {
		return fmt.Errorf("policy issue %s approved without policy details, number and cooling-off date", l.Trace)
	}
	if s.policies[l.Reference] != nil {
		return fmt.Errorf("policy %s issued twice", l.Reference)
	}
	premium, err := money.ParseWire(l.Amount)
	if err != nil {
		return fmt.Errorf("policy %s: premium: %w", l.Reference, err)
	}
	d := *l.Policy
	d.Number = l.Reference
	s.policies[l.Reference] = &policy{details: d, premium: premium, until: l.Until}
	return nil
}

// checkPolicy checks the structure of a policy request.
func checkPolicy(r terminal.HostRequest) error {
	p := r.Policy
	if p == nil {
		return &RequestError{Field: "policy", Rule: "missing"}
	}
	if r.Service == terminal.SvcPolicyCancel {
		return checkText("policy.number", p.Number, maxShort, true)
	}
	if _, err := positiveAmount("amount", r.Amount); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{
		{"policy.product", p.Product}, {"policy.holder", p.Holder}, {"policy.id_number", p.IDNumber}, {"policy.object", p.Object},
	} {
		if err := checkText(f.name, f.v, maxShort, true); err != nil {
			return err
		}
	}
	if _, err := positiveAmount("policy.sum_insured", p.SumInsured); err != nil {
		return err
	}
	if _, err := time.Parse(time.DateOnly, p.Start); err != nil {
		return &RequestError{Field: "policy.start", Rule: "want YYYY-MM-DD"}
	}
	return nil
}

package terminal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/idcheck"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/tariff"
)

// Insurance sells the insurer's one-year property policies (财险: 农房,
// 农机, 家庭财产) for villagers who pay the premium in cash. The products,
// their rates and limits come from the tariff; the insurer prices every
// policy again and issues it.
//
// A policy is never left issued and unpaid: on no clear answer the link
// asks the insurer's Status and reverses whatever it did, and the
// insurer's rule is that a reversal of an issue voids the policy from its
// start (docs/host-protocol.md).
type Insurance struct {
	Link   *Link
	Tariff *tariff.Tariff
	Today  func() time.Time // now, in the station's zone
}

// PolicyOrder is what the shopkeeper types for a policy.
type PolicyOrder struct {
	Operator   string
	Product    string // a tariff product id: farmhouse, machinery, home
	Holder     string // the insured person's name as on the ID card
	IDNumber   string // the insured person's resident ID: sent to the insurer, stored masked
	Object     string // what is insured, e.g. 砖木结构住房三间
	SumInsured decimal.Decimal
	IdemKey    string
}

// PolicyQuote is the price of a policy, from the tariff.
type PolicyQuote struct {
	Product    tariff.Product
	SumInsured decimal.Decimal
	Premium    decimal.Decimal
	Fee        decimal.Decimal // the station's fee, if the tariff has one
	Total      decimal.Decimal // take this much cash: premium and fee
	Commission decimal.Decimal
	Start, End string // the cover: from tomorrow, one year
}

// PolicyResult is a policy the insurer issued.
type PolicyResult struct {
	Entry  ledger.Entry // the policy_issue entry: its number identifies the sale for a cancel
	Intent ledger.Entry
	Trace  string
	Policy string // the insurer's policy number
	Until  string // the last day of the cooling-off period (犹豫期), YYYY-MM-DD
	Quote  PolicyQuote
}

// policyPayload is what a policy_issue entry says.
type policyPayload struct {
	Intent      uint64 `json:"intent"`
	Trace       string `json:"trace"`
	Service     string `json:"service"`
	Product     string `json:"product"`
	ProductName string `json:"product_name"`
	Holder      string `json:"holder"`
	ID          string `json:"id"` // masked
	Object      string `json:"object"`
	SumInsured  string `json:"sum_insured"`
	Start       string `json:"start"`
	End         string `json:"end"`
	Amount      string `json:"amount"` // the premium
	Fee         string `json:"fee"`
	Total       string `json:"total"`
	Commission  string `json:"commission"`
	Policy      string `json:"policy"`
	Until       string `json:"until"`
	Tariff      string `json:"tariff"`
}

// Bounds of a policy order.
const maxObjectRunes = 32

// ErrNoInsurance means the tariff in force sells no insurance.
var ErrNoInsurance = errors.New("terminal: the tariff in force lists no insurance products")

// Quote prices a policy of product for sum insured, without asking the
// insurer and without recording anything.
func (s *Insurance) Quote(product string, sum decimal.Decimal) (PolicyQuote, error) {
	if len(s.Tariff.Insurance) == 0 {
		return PolicyQuote{}, ErrNoInsurance
	}
	p, ok := s.Tariff.Product(product)
	if !ok {
		var ids, names []string
		for _, p := range s.Tariff.Insurance {
			ids, names = append(ids, p.ID), append(names, p.Name+"（"+p.ID+"）")
		}
		return PolicyQuote{}, &InputError{Field: "product", Rule: "one of " + strings.Join(ids, ", "), RuleZh: "险种只能是 " + strings.Join(names, "、")}
	}
	if sum.LessThan(p.MinSum.Decimal) || sum.GreaterThan(p.MaxSum.Decimal) || sum.Exponent() < -2 {
		lo, hi := money.FormatReceipt(p.MinSum.Decimal), money.FormatReceipt(p.MaxSum.Decimal)
		return PolicyQuote{}, &InputError{Field: "sum", Rule: fmt.Sprintf("the sum insured of %s is from %s to %s", p.ID, lo, hi),
			RuleZh: fmt.Sprintf("%s的保额要在 %s 到 %s 之间", p.Name, lo, hi)}
	}
	pr, ok := s.Tariff.Pricing(tariff.PolicyIssue)
	if !ok {
		return PolicyQuote{}, ErrNoInsurance
	}
	premium := p.Premium(sum)
	fee := pr.Fee.Apply(premium)
	start := s.Today().AddDate(0, 0, 1)
	return PolicyQuote{
		Product: p, SumInsured: sum, Premium: premium, Fee: fee, Total: premium.Add(fee), Commission: pr.Commission.Apply(premium),
		Start: start.Format(time.DateOnly), End: start.AddDate(1, 0, -1).Format(time.DateOnly),
	}, nil
}

// Check checks an order as far as it can be checked without the insurer:
// the screen calls it before it turns to the customer. Buy makes the same
// checks.
func (s *Insurance) Check(o PolicyOrder) error {
	_, _, err := s.check(o)
	return err
}

// check validates an order and returns its price and the details for
// the insurer.
func (s *Insurance) check(o PolicyOrder) (PolicyQuote, PolicyDetails, error) {
	q, err := s.Quote(o.Product, o.SumInsured)
	if err != nil {
		return PolicyQuote{}, PolicyDetails{}, err
	}
	name := strings.TrimSpace(o.Holder)
	if !personName(name) {
		return PolicyQuote{}, PolicyDetails{}, &InputError{Field: "holder", Rule: "the insured person's name as on the ID card, 2 to 20 letters",
			RuleZh: "请照身份证写被保险人姓名，2 到 20 个字"}
	}
	id, err := idcheck.ResidentID(o.IDNumber, s.Today())
	if err != nil {
		return PolicyQuote{}, PolicyDetails{}, err
	}
	object := strings.TrimSpace(o.Object)
	if object == "" || utf8.RuneCountInString(object) > maxObjectRunes || strings.IndexFunc(object, unicode.IsControl) >= 0 {
		return PolicyQuote{}, PolicyDetails{}, &InputError{Field: "object", Rule: fmt.Sprintf("what is insured, 1 to %d characters, e.g. %s", maxObjectRunes, q.Product.Object),
			RuleZh: fmt.Sprintf("请写保险标的，1 到 %d 个字，%s", maxObjectRunes, q.Product.Object)}
	}
	return q, PolicyDetails{Product: q.Product.ID, Holder: name, IDNumber: id, Object: object,
		SumInsured: money.FormatWire(q.SumInsured), Start: q.Start}, nil
}

// Buy has the insurer issue a policy and takes the premium in cash. A
// declined policy records no money: give the cash back. No answer means
// the request is reversed, which voids any policy the insurer issued:
// give the cash back too (a *ReversedError).
func (s *Insurance) Buy(ctx context.Context, o PolicyOrder) (PolicyResult, error) {
	if err := inForce(s.Tariff, s.Link.Ledger.CurrentDay()); err != nil {
		return PolicyResult{}, err
	}
	q, d, err := s.check(o)
	if err != nil {
		return PolicyResult{}, err
	}
	base := policyPayload{
		Service: SvcPolicyIssue, Product: q.Product.ID, ProductName: q.Product.Name, Holder: d.Holder, ID: idcheck.MaskID(d.IDNumber),
		Object: d.Object, SumInsured: d.SumInsured, Start: q.Start, End: q.End,
		Amount: money.FormatWire(q.Premium), Fee: money.FormatWire(q.Fee), Total: money.FormatWire(q.Total),
		Commission: money.FormatWire(q.Commission), Tariff: s.Tariff.Version,
	}
	r, err := s.Link.do(ctx, request{
		Operator: o.Operator, IdemKey: o.IdemKey,
		Req: HostRequest{Service: SvcPolicyIssue, Amount: base.Amount, Policy: &d},
		Intent: map[string]any{
			"product": base.Product, "holder": base.Holder, "id": base.ID, "object": base.Object, "sum_insured": base.SumInsured,
			"start": base.Start, "amount": base.Amount, "tariff": s.Tariff.Version,
		},
		Approved: func(intent ledger.Entry, reply HostReply) (ledger.Draft, error) {
			if reply.Reference == "" || reply.Until == "" {
				return ledger.Draft{}, errors.New("terminal: the insurer approved a policy without a policy number or cooling-off date")
			}
			if premium, err := money.ParseWire(reply.Amount); err != nil || !premium.Equal(q.Premium) {
				return ledger.Draft{}, fmt.Errorf("terminal: the insurer approved a premium of %q, not the %s asked", reply.Amount, base.Amount)
			}
			postings := []ledger.Posting{ledger.Dr(AccountCash, q.Total), ledger.Cr(AccountSettlement, q.Premium)}
			if q.Fee.IsPositive() {
				postings = append(postings, ledger.Cr(AccountFees, q.Fee))
			}
			if q.Commission.IsPositive() {
				postings = append(postings, ledger.Dr(AccountSettlement, q.Commission), ledger.Cr(AccountCommission+tariff.PolicyIssue, q.Commission))
			}
			pl := base
			pl.Intent, pl.Trace, pl.Policy, pl.Until = intent.Seq, s.Link.Trace(intent.Seq), reply.Reference, reply.Until
			b, err := json.Marshal(pl)
			return ledger.Draft{Kind: SvcPolicyIssue, Payload: b, Postings: postings}, err
		},
	})
	if err != nil {
		return PolicyResult{}, err
	}
	var out policyPayload
	if err := json.Unmarshal(r.Outcome.Payload, &out); err != nil {
		return PolicyResult{}, fmt.Errorf("terminal: policy entry %d: %w", r.Outcome.Seq, err)
	}
	return PolicyResult{Entry: r.Outcome, Intent: r.Intent, Trace: s.Link.Trace(r.Intent.Seq), Policy: out.Policy, Until: out.Until, Quote: q}, nil
}

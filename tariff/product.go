package tariff

import (
	"fmt"
	"regexp"

	"github.com/shopspring/decimal"
)

// PolicyIssue is the service of selling an insurer's property policy. It
// is optional: a tariff that lists insurance products must price it, one
// that lists none may leave it out.
const PolicyIssue = "policy_issue"

// OptionalServices may be priced by a tariff but need not be.
var OptionalServices = []string{PolicyIssue}

// Product is a property insurance product the station sells on behalf of
// the insurer: a one-year policy whose premium is RatePermille of the sum
// insured (per thousand), at least MinPremium, for a sum insured between
// MinSum and MaxSum. The rate is the insurer's published rate; the
// insurer prices every policy again and refuses a premium that differs.
//
//	{"id":"farmhouse","name":"农房保险","object":"房屋结构和间数，例如 砖木结构住房三间",
//	 "rate_permille":"1.5","min_premium":"20.00","min_sum":"10000.00","max_sum":"300000.00"}
type Product struct {
	ID           string          `json:"id"`
	Name         string          `json:"name"`
	Object       string          `json:"object"` // what the shopkeeper writes as the insured object, as a hint
	RatePermille decimal.Decimal `json:"rate_permille"`
	MinPremium   Amount          `json:"min_premium"`
	MinSum       Amount          `json:"min_sum"`
	MaxSum       Amount          `json:"max_sum"`
}

// Premium is the premium of a policy with sum insured sum: the rate per
// thousand of the sum, rounded half up to the fen, and at least the
// minimum premium.
func (p Product) Premium(sum decimal.Decimal) decimal.Decimal {
	out := sum.Mul(p.RatePermille).Div(decimal.NewFromInt(1000)).Round(2)
	if out.LessThan(p.MinPremium.Decimal) {
		out = p.MinPremium.Decimal
	}
	return out
}

// Product finds an insurance product by id.
func (t *Tariff) Product(id string) (Product, bool) {
	for _, p := range t.Insurance {
		if p.ID == id {
			return p, true
		}
	}
	return Product{}, false
}

var productRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)

// maxSumInsured bounds what any product may insure.
var maxSumInsured = MustAmount("10000000.00")

// checkInsurance reports the first field of the insurance products that
// breaks a rule.
func (t *Tariff) checkInsurance() error {
	bad := func(field, format string, args ...any) error {
		return &Error{Field: field, Rule: fmt.Sprintf(format, args...)}
	}
	if len(t.Insurance) == 0 {
		return nil
	}
	if _, ok := t.Services[PolicyIssue]; !ok {
		return bad("services."+PolicyIssue, "missing: a tariff with insurance products needs a fee and a commission for them")
	}
	seen := map[string]bool{}
	thousand := decimal.NewFromInt(1000)
	for i, p := range t.Insurance {
		field := fmt.Sprintf("insurance[%d]", i)
		switch {
		case !productRE.MatchString(p.ID):
			return bad(field+".id", "%q: lower-case letters, digits, '_' or '-'", p.ID)
		case seen[p.ID]:
			return bad(field+".id", "%q is listed twice", p.ID)
		case p.Name == "":
			return bad(field+".name", "missing")
		case !p.RatePermille.IsPositive() || p.RatePermille.GreaterThan(thousand) || p.RatePermille.Exponent() < -4:
			return bad(field+".rate_permille", "above 0 and at most 1000, with at most 4 decimals")
		case p.MinPremium.IsNegative():
			return bad(field+".min_premium", "must not be below zero")
		case !p.MinSum.IsPositive():
			return bad(field+".min_sum", "must be above zero")
		case p.MaxSum.LessThan(p.MinSum.Decimal):
			return bad(field+".max_sum", "%s is below min_sum %s", p.MaxSum, p.MinSum)
		case p.MaxSum.GreaterThan(maxSumInsured.Decimal):
			return bad(field+".max_sum", "at most %s", maxSumInsured)
		}
		seen[p.ID] = true
	}
	return nil
}

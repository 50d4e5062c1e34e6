package tariff

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// Kinds of Rule.
const (
	None    = "none"    // nothing
	Fixed   = "fixed"   // Amount per transaction
	Percent = "percent" // Percent of the amount, then held between Min and Max
	Tiered  = "tiered"  // the first band whose UpTo covers the amount
)

// Rule computes a fee or commission from a transaction's amount.
//
//	{"kind":"fixed","amount":"2.00"}
//	{"kind":"percent","percent":"0.3","min":"1.00","max":"20.00"}   0.3% of the amount
//	{"kind":"tiered","bands":[{"up_to":"500.00","amount":"1.00"},{"percent":"0.2"}]}
type Rule struct {
	Kind    string           `json:"kind"`
	Amount  *Amount          `json:"amount,omitempty"`
	Percent *decimal.Decimal `json:"percent,omitempty"`
	Min     *Amount          `json:"min,omitempty"`
	Max     *Amount          `json:"max,omitempty"`
	Bands   []Band           `json:"bands,omitempty"`
}

// Band is one step of a tiered rule: a fixed amount or a percentage for
// amounts up to UpTo (no UpTo: any amount).
type Band struct {
	UpTo    *Amount          `json:"up_to,omitempty"`
	Amount  *Amount          `json:"amount,omitempty"`
	Percent *decimal.Decimal `json:"percent,omitempty"`
}

var hundred = decimal.NewFromInt(100)

// Apply returns the fee or commission on amount, rounded half up to the
// fen. A rule that passed Check always gives a result that is zero or
// positive.
func (r Rule) Apply(amount decimal.Decimal) decimal.Decimal {
	var out decimal.Decimal
	switch r.Kind {
	case Fixed:
		out = r.Amount.Decimal
	case Percent:
		out = percentOf(amount, *r.Percent)
	case Tiered:
		for _, b := range r.Bands {
			if b.UpTo != nil && amount.GreaterThan(b.UpTo.Decimal) {
				continue
			}
			if b.Amount != nil {
				out = b.Amount.Decimal
			} else {
				out = percentOf(amount, *b.Percent)
			}
			break
		}
	}
	if r.Min != nil && out.LessThan(r.Min.Decimal) {
		out = r.Min.Decimal
	}
	if r.Max != nil && out.GreaterThan(r.Max.Decimal) {
		out = r.Max.Decimal
	}
	return out.Round(2)
}

func percentOf(amount, pct decimal.Decimal) decimal.Decimal {
	return amount.Mul(pct).Div(hundred).Round(2)
}

// check reports the first thing wrong with the rule; field is where it is.
func (r Rule) check(field string) error {
	bad := func(sub, rule string) error { return &Error{Field: field + sub, Rule: rule} }
	pct := func(sub string, p *decimal.Decimal) error {
		if p == nil {
			return bad(sub, "a percent rule needs \"percent\"")
		}
		if p.IsNegative() || p.GreaterThan(hundred) || p.Exponent() < -4 {
			return bad(sub, "percent must be between 0 and 100 with at most 4 decimals")
		}
		return nil
	}
	switch r.Kind {
	case None:
		if r.Amount != nil || r.Percent != nil || r.Min != nil || r.Max != nil || r.Bands != nil {
			return bad(".kind", "\"none\" takes no amounts")
		}
	case Fixed:
		if r.Amount == nil {
			return bad(".amount", "a fixed rule needs \"amount\"")
		}
		if r.Percent != nil || r.Bands != nil {
			return bad(".kind", "a fixed rule has only an amount")
		}
	case Percent:
		if err := pct(".percent", r.Percent); err != nil {
			return err
		}
		if r.Amount != nil || r.Bands != nil {
			return bad(".kind", "a percent rule has a percent, min and max only")
		}
	case Tiered:
		if len(r.Bands) == 0 {
			return bad(".bands", "a tiered rule needs at least one band")
		}
		if r.Amount != nil || r.Percent != nil {
			return bad(".kind", "a tiered rule has bands, min and max only")
		}
		for i, b := range r.Bands {
			sub := fmt.Sprintf(".bands[%d]", i)
			last := i == len(r.Bands)-1
			switch {
			case (b.Amount == nil) == (b.Percent == nil):
				return bad(sub, "a band has either \"amount\" or \"percent\"")
			case b.Percent != nil:
				if err := pct(sub+".percent", b.Percent); err != nil {
					return err
				}
			}
			if b.UpTo == nil && !last {
				return bad(sub+".up_to", "only the last band may leave out \"up_to\"")
			}
			if last && b.UpTo != nil {
				return bad(sub+".up_to", "the last band must cover any amount: leave out \"up_to\"")
			}
			if i > 0 && b.UpTo != nil && !b.UpTo.GreaterThan(r.Bands[i-1].UpTo.Decimal) {
				return bad(sub+".up_to", "bands must rise")
			}
		}
	case "":
		return bad(".kind", "missing: none, fixed, percent or tiered")
	default:
		return bad(".kind", fmt.Sprintf("%q is not none, fixed, percent or tiered", r.Kind))
	}
	if r.Min != nil && r.Max != nil && r.Min.GreaterThan(r.Max.Decimal) {
		return bad(".min", "min is above max")
	}
	return nil
}

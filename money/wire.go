package money

import (
	"strings"

	"github.com/shopspring/decimal"
)

// WireField is the Field of errors returned by ParseWire.
const WireField = "wire"

// ParseWire reads the file form used by settlement and ledger files: an
// optional '-', digits without leading zeros (or a single 0), '.', and
// exactly two digits. "-0.00" is refused, as are spaces, '+' and commas.
// Errors are *Error with Field WireField. The result has exactly two
// decimal places, so FormatWire gives back s.
func ParseWire(s string) (decimal.Decimal, error) {
	fail := func(rule string) (decimal.Decimal, error) {
		return decimal.Decimal{}, &Error{Field: WireField, Input: s, Rule: rule}
	}
	if s == "" {
		return fail(RuleEmpty)
	}
	body, neg := strings.CutPrefix(s, "-")
	if strings.ContainsAny(body, "+-") {
		return fail(RuleSign)
	}
	if isExponent(body) {
		return fail(RuleExponent)
	}
	for i := 0; i < len(body); i++ {
		if c := body[i]; !isDigit(c) && c != '.' && c != ',' {
			return fail(RuleNotNumber)
		}
	}
	if strings.Contains(body, ",") {
		return fail(RuleSeparator)
	}
	intPart, frac, hasPoint := strings.Cut(body, ".")
	if intPart == "" || strings.Contains(frac, ".") {
		return fail(RuleNotNumber)
	}
	if !hasPoint || len(frac) != 2 {
		return fail(RuleDecimals)
	}
	if len(intPart) > 1 && intPart[0] == '0' {
		return fail(RuleLeadingZero)
	}
	if neg && intPart == "0" && frac == "00" {
		return fail(RuleSign)
	}
	d, err := decimal.NewFromString(s)
	if err != nil { // cannot happen: the text was checked above
		return fail(RuleNotNumber)
	}
	return d, nil
}

// FormatWire writes d in the file form read by ParseWire: "1234.50",
// "-3.00", "0.00".
//
// Callers must pass values with at most two decimal places, such as those
// from Parse and ParseWire: FormatWire uses d.StringFixed(2), which would
// round anything finer half away from zero. It never writes "-0.00".
func FormatWire(d decimal.Decimal) string {
	return d.StringFixed(2)
}

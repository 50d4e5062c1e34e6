// Package money parses, checks and formats CNY amounts for the station
// terminals: what a shopkeeper types (Parse), the file form used by
// settlement and ledger files (ParseWire, FormatWire) and the form printed
// on receipts (FormatReceipt).
//
// Amounts are always decimal.Decimal values with exactly two decimal places
// (Exponent() == -2); float64 is never used.
package money

import (
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// Limits bound what Parse accepts.
type Limits struct {
	Max       decimal.Decimal // largest accepted amount; zero value (or any zero) means DefaultMax()
	AllowZero bool            // whether 0.00 is accepted (false: amount must be positive)
}

// DefaultMax returns the largest amount Parse accepts when Limits.Max is
// zero: 99999999.99.
func DefaultMax() decimal.Decimal { return decimal.New(9999999999, -2) }

func (l Limits) max() decimal.Decimal {
	if l.Max.IsZero() {
		return DefaultMax()
	}
	return l.Max
}

// Parse reads an amount a person typed into field (a short English name
// such as "amount", used in errors).
//
// Before checking, Parse trims ASCII and full-width spaces, maps full-width
// digits, "．" and "。" to ".", "，" to ",", strips one leading "¥" or "￥"
// (and spaces after it) and one trailing "元". Commas are accepted only as
// thousands separators in the integer part. At most two decimal places may
// be typed. Every failure is an *Error whose Rule is one of the Rule
// constants. The result always has exactly two decimal places.
func Parse(field, input string, lim Limits) (decimal.Decimal, error) {
	fail := func(rule string) (decimal.Decimal, error) {
		return decimal.Decimal{}, &Error{Field: field, Input: input, Rule: rule}
	}
	s := normalise(input)
	if s == "" {
		return fail(RuleEmpty)
	}
	if strings.ContainsAny(s, "+-＋－−") {
		return fail(RuleSign)
	}
	if isExponent(s) {
		return fail(RuleExponent)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isDigit(c) && c != '.' && c != ',' {
			return fail(RuleNotNumber)
		}
	}
	intPart, frac, hasPoint := strings.Cut(s, ".")
	if intPart == "" || (hasPoint && frac == "") || strings.Contains(frac, ".") {
		return fail(RuleNotNumber)
	}
	if strings.Contains(frac, ",") {
		return fail(RuleSeparator)
	}
	digits, ok := ungroup(intPart)
	if !ok {
		return fail(RuleSeparator)
	}
	if len(frac) > 2 {
		return fail(RuleDecimals)
	}
	if len(digits) > 1 && digits[0] == '0' {
		return fail(RuleLeadingZero)
	}
	max := lim.max()
	tooLarge := func() (decimal.Decimal, error) {
		return decimal.Decimal{}, &Error{Field: field, Input: input, Rule: RuleTooLarge, Limit: max}
	}
	// Cheap bound first, so that a huge input never becomes a decimal.
	if len(digits) > len(max.Abs().Truncate(0).String()) {
		return tooLarge()
	}
	d, err := decimal.NewFromString(digits + "." + (frac + "00")[:2])
	if err != nil { // cannot happen: the text was checked above
		return fail(RuleNotNumber)
	}
	if d.Cmp(max) > 0 {
		return tooLarge()
	}
	if d.IsZero() && !lim.AllowZero {
		return fail(RuleZero)
	}
	return d, nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\v', '\f', '\u3000':
		return true
	}
	return false
}

// normalise applies the input clean-ups described at Parse.
func normalise(s string) string {
	s = strings.TrimFunc(s, isSpace)
	s = strings.Map(func(r rune) rune {
		switch {
		case '０' <= r && r <= '９':
			return r - '０' + '0'
		case r == '．' || r == '。':
			return '.'
		case r == '，':
			return ','
		}
		return r
	}, s)
	if r, n := utf8.DecodeRuneInString(s); r == '¥' || r == '￥' {
		s = strings.TrimLeftFunc(s[n:], isSpace)
	}
	if t, ok := strings.CutSuffix(s, "元"); ok {
		s = strings.TrimRightFunc(t, isSpace)
	}
	return s
}

// isExponent reports whether s looks like a number in exponent notation:
// only digits, points, commas and e/E, with at least one digit and one e.
func isExponent(s string) bool {
	var e, digit bool
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isDigit(c):
			digit = true
		case c == 'e' || c == 'E':
			e = true
		case c == '.' || c == ',':
		default:
			return false
		}
	}
	return e && digit
}

// ungroup removes thousands separators from an integer part made of digits
// and commas. It fails unless the first group has 1-3 digits and every
// later group exactly 3.
func ungroup(s string) (string, bool) {
	if !strings.Contains(s, ",") {
		return s, true
	}
	groups := strings.Split(s, ",")
	if n := len(groups[0]); n < 1 || n > 3 {
		return "", false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 {
			return "", false
		}
	}
	return strings.Join(groups, ""), true
}

package money

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// Rules an amount can break; Error.Rule holds one of them.
const (
	RuleEmpty       = "empty"        // nothing was typed
	RuleSign        = "sign"         // a + or - sign (ParseWire: '+' or "-0.00")
	RuleExponent    = "exponent"     // exponent notation such as 1e3
	RuleNotNumber   = "not_number"   // anything else that is not a plain number
	RuleSeparator   = "separator"    // a comma that is not a thousands separator (ParseWire: any comma)
	RuleDecimals    = "decimals"     // more than two decimal places (ParseWire: not exactly two)
	RuleLeadingZero = "leading_zero" // 0123
	RuleTooLarge    = "too_large"    // above Limits.Max; Error.Limit holds the limit
	RuleZero        = "zero"         // zero when Limits.AllowZero is false
)

// Error says which field broke which rule.
type Error struct {
	Field string          // short English field name, e.g. "amount"; WireField for ParseWire
	Input string          // the input as given, before normalisation
	Rule  string          // one of the Rule constants
	Limit decimal.Decimal // the limit that was exceeded; set for RuleTooLarge
}

// Error returns a one-line English message naming the field, the rule broken
// and what to do.
func (e *Error) Error() string {
	in := shorten(e.Input)
	if e.Field == WireField {
		return fmt.Sprintf("%s amount %q: %s; the file form is an optional '-', digits without leading zeros, '.' and exactly two decimals, like 1234.50 or -3.00",
			e.Field, in, wireProblem(e.Rule))
	}
	var msg string
	switch e.Rule {
	case RuleEmpty:
		msg = "nothing typed; type an amount in yuan, like 12.50"
	case RuleSign:
		msg = "no + or - sign allowed; type the amount without a sign, like 12.50"
	case RuleExponent:
		msg = "exponent notation is not allowed; type all the digits, like 1000.00"
	case RuleNotNumber:
		msg = "not a number; type digits with at most one decimal point, like 12.50"
	case RuleSeparator:
		msg = "commas must separate groups of three digits; leave them out or place them like 1,234.50"
	case RuleDecimals:
		msg = "more than two decimal places; type yuan and at most two digits of fen, like 12.50"
	case RuleLeadingZero:
		msg = "starts with a zero; leave out the zeros in front, like 123.00"
	case RuleTooLarge:
		msg = "more than the limit of " + FormatReceipt(e.Limit) + "; check the amount and type it again"
	case RuleZero:
		msg = "must be more than zero; type the amount, like 12.50"
	default:
		msg = fmt.Sprintf("breaks rule %q; check the amount and type it again", e.Rule)
	}
	return fmt.Sprintf("%s %q: %s", e.Field, in, msg)
}

// Zh returns the message in plain Chinese for the shopkeeper: it names the
// field and says what to do.
func (e *Error) Zh() string {
	in := "“" + zhInput(e.Input) + "”"
	if e.Field == WireField {
		return "文件中的金额" + in + "格式不对，应写成 1234.50 这样的形式，请联系技术支持"
	}
	name := zhField(e.Field)
	switch e.Rule {
	case RuleEmpty:
		return name + "没有填写，请输入" + name + "，例如 12.50"
	case RuleSign:
		return name + in + "不能带正负号，请直接输入数字，例如 12.50"
	case RuleExponent:
		return name + in + "里不能有字母 e，请把数字写完整，例如 1000.00"
	case RuleNotNumber:
		return name + in + "不是数字，请只输入数字和一个小数点，例如 12.50"
	case RuleSeparator:
		return name + in + "里的逗号位置不对，请去掉逗号，例如 1234.50"
	case RuleDecimals:
		return name + in + "小数点后最多两位，请按“元.角分”输入，例如 12.50"
	case RuleLeadingZero:
		return name + in + "前面多了 0，请去掉前面的 0，例如 123.00"
	case RuleTooLarge:
		return name + in + "超过上限 " + FormatReceipt(e.Limit) + "，请核对后重新输入"
	case RuleZero:
		return name + in + "不能为零，请输入大于 0 的" + name
	}
	return name + in + "输入有误，请核对后重新输入"
}

// zhField maps common field names to Chinese; others are used as is.
func zhField(field string) string {
	switch field {
	case "amount":
		return "金额"
	case "counted":
		return "清点金额"
	case "fee":
		return "手续费"
	case "price":
		return "单价"
	case "sum":
		return "保额"
	case "grade":
		return "缴费档次"
	}
	return field
}

func wireProblem(rule string) string {
	switch rule {
	case RuleEmpty:
		return "empty"
	case RuleSign:
		return "'+' sign, second '-' or negative zero"
	case RuleExponent:
		return "exponent notation"
	case RuleSeparator:
		return "comma"
	case RuleDecimals:
		return "not exactly two decimal places"
	case RuleLeadingZero:
		return "leading zero"
	}
	return "not a number"
}

// maxShown is how many runes of the input a message shows.
const maxShown = 24

// shorten keeps messages short when the input is long.
func shorten(s string) string {
	if utf8.RuneCountInString(s) <= maxShown {
		return s
	}
	n := 0
	for i := range s {
		if n == maxShown {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// zhInput shows the input trimmed, shortened and on one line.
func zhInput(s string) string {
	return strings.Map(func(r rune) rune {
		if !unicode.IsGraphic(r) {
			return '?'
		}
		return r
	}, shorten(strings.TrimFunc(s, isSpace)))
}

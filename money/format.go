package money

import (
	"strings"

	"github.com/shopspring/decimal"
)

// FormatReceipt writes d for a printed receipt: "¥1,234.50", "¥0.50",
// "-¥1,234.50" (the sign goes before ¥). Like FormatWire it expects a value
// with at most two decimal places and uses d.StringFixed(2).
func FormatReceipt(d decimal.Decimal) string {
	s, neg := strings.CutPrefix(d.StringFixed(2), "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	b.Grow(len(s) + len(s)/3 + 4)
	if neg {
		b.WriteByte('-')
	}
	b.WriteString("¥")
	for i := 0; i < len(intPart); i++ {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(intPart[i])
	}
	b.WriteByte('.')
	b.WriteString(frac)
	return b.String()
}

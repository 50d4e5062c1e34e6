package money_test

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/money"
)

func TestCapital(t *testing.T) {
	tests := []struct{ amount, want string }{
		{"0.00", "零元整"},
		{"0.01", "壹分"},
		{"0.05", "伍分"},
		{"0.10", "壹角整"},
		{"0.50", "伍角整"},
		{"0.53", "伍角叁分"},
		{"1.00", "壹元整"},
		{"1.01", "壹元零壹分"},
		{"1.10", "壹元壹角整"},
		{"10.00", "壹拾元整"},
		{"11.00", "壹拾壹元整"},
		{"20.00", "贰拾元整"},
		{"100.00", "壹佰元整"},
		{"101.00", "壹佰零壹元整"},
		{"110.00", "壹佰壹拾元整"},
		{"1001.00", "壹仟零壹元整"},
		{"1010.00", "壹仟零壹拾元整"},
		{"1234.50", "壹仟贰佰叁拾肆元伍角整"},
		{"1409.50", "壹仟肆佰零玖元伍角整"},
		{"1680.32", "壹仟陆佰捌拾元叁角贰分"},
		{"10000.00", "壹万元整"},
		{"10001.00", "壹万零壹元整"},
		{"16409.02", "壹万陆仟肆佰零玖元零贰分"},
		{"100100.00", "壹拾万零壹佰元整"},
		{"107000.53", "壹拾万零柒仟元伍角叁分"},
		{"1000000.00", "壹佰万元整"},
		{"10000001.00", "壹仟万零壹元整"},
		{"12345678.90", "壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元玖角整"},
		{"99999999.99", "玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"},
		{"100000000.00", "壹亿元整"},
		{"100000001.00", "壹亿零壹元整"},
		{"100010000.00", "壹亿零壹万元整"},
		{"2.005", "贰元零壹分"}, // rounded half up to the fen
		{"-5.00", "负伍元整"},
	}
	for _, tt := range tests {
		if got := money.Capital(decimal.RequireFromString(tt.amount)); got != tt.want {
			t.Errorf("Capital(%s) = %s, want %s", tt.amount, got, tt.want)
		}
	}
}

// parseCapital reads a capital amount back into fen, as a person would.
func parseCapital(s string) (int64, bool) {
	digit := map[rune]int64{'零': 0, '壹': 1, '贰': 2, '叁': 3, '肆': 4, '伍': 5, '陆': 6, '柒': 7, '捌': 8, '玖': 9}
	small := map[rune]int64{'拾': 10, '佰': 100, '仟': 1000}
	var total, section, last int64
	s = strings.TrimSuffix(s, "整")
	yuan, frac, hasYuan := strings.Cut(s, "元")
	if !hasYuan {
		yuan, frac = "", s
	}
	for _, r := range yuan {
		switch {
		case r == '零':
			last = 0
		case digit[r] > 0:
			last = digit[r]
		case small[r] > 0:
			section += last * small[r]
			last = 0
		case r == '万':
			total += (section + last) * 10000
			section, last = 0, 0
		case r == '亿':
			total = (total + section + last) * 100000000
			section, last = 0, 0
		default:
			return 0, false
		}
	}
	fen := (total + section + last) * 100
	for _, part := range []struct {
		unit string
		mul  int64
	}{{"角", 10}, {"分", 1}} {
		if before, after, ok := strings.Cut(frac, part.unit); ok {
			r := []rune(strings.TrimPrefix(before, "零"))
			if len(r) != 1 {
				return 0, false
			}
			fen += digit[r[0]] * part.mul
			frac = after
		}
	}
	return fen, frac == "" || frac == "零"
}

// FuzzCapital writes every amount up to 99,999,999.99 in capitals and
// reads it back: the capital form says the same amount, and 整 ends it
// exactly when there are no 分.
func FuzzCapital(f *testing.F) {
	for _, s := range []int64{0, 1, 50, 101, 100100, 1640902, 10700053, 9999999999} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, fen int64) {
		if fen < 0 {
			fen = -fen
		}
		fen %= 10000000000
		s := money.Capital(decimal.New(fen, -2))
		got, ok := parseCapital(s)
		if !ok || got != fen {
			t.Fatalf("%d fen → %s → %d (%v)", fen, s, got, ok)
		}
		if strings.HasSuffix(s, "整") != (fen%10 == 0) {
			t.Fatalf("%d fen → %s: 整 only without 分", fen, s)
		}
		if strings.Contains(s, "零零") || strings.HasSuffix(s, "零") {
			t.Fatalf("%d fen → %s: a run of 零", fen, s)
		}
	})
}

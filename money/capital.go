package money

import (
	"strings"

	"github.com/shopspring/decimal"
)

var (
	capitalDigits = [10]string{"零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"}
	capitalSmall  = [4]string{"", "拾", "佰", "仟"}
	capitalLarge  = [3]string{"", "万", "亿"}
)

// Capital writes an amount in Chinese capital numerals (大写) as payment
// slips and receipts carry them, under the People's Bank of China rules
// for writing amounts (《支付结算办法》附件):
//
//	1234.50     壹仟贰佰叁拾肆元伍角整
//	1409.50     壹仟肆佰零玖元伍角整      one 零 for a run of zeros
//	16409.02    壹万陆仟肆佰零玖元零贰分   零 after 元 when the 角 is 0 and the 分 is not
//	107000.53   壹拾万零柒仟元伍角叁分
//	10.00       壹拾元整                 壹 is written before 拾
//	0.50        伍角整
//	0.05        伍分
//	0.00        零元整
//
// 整 follows 元 or 角, never 分. d is rounded to the fen first and a
// negative amount starts with 负. Amounts of 1万亿 and more have no capital
// form here and are written in figures.
func Capital(d decimal.Decimal) string {
	var b strings.Builder
	if d.IsNegative() {
		b.WriteString("负")
		d = d.Neg()
	}
	fen := d.Round(2).Shift(2).BigInt().String() // the amount in fen, all digits
	if len(fen) < 3 {
		fen = strings.Repeat("0", 3-len(fen)) + fen
	}
	yuan, jiao, cent := fen[:len(fen)-2], fen[len(fen)-2]-'0', fen[len(fen)-1]-'0'
	if len(yuan) > 12 {
		return b.String() + d.StringFixed(2)
	}
	hasYuan := yuan != "0"
	if hasYuan {
		writeCapitalInteger(&b, yuan)
		b.WriteString("元")
	}
	switch {
	case jiao == 0 && cent == 0:
		if !hasYuan {
			b.WriteString("零元")
		}
		b.WriteString("整")
	case cent == 0:
		b.WriteString(capitalDigits[jiao] + "角整")
	case jiao == 0:
		if hasYuan {
			b.WriteString("零")
		}
		b.WriteString(capitalDigits[cent] + "分")
	default:
		b.WriteString(capitalDigits[jiao] + "角" + capitalDigits[cent] + "分")
	}
	return b.String()
}

// writeCapitalInteger writes a whole number of yuan (decimal digits, no
// leading zeros) in capitals: each non-zero digit with its place (拾, 佰,
// 仟), 万 and 亿 after each group of four that is not all zeros, and one
// 零 for each run of zeros followed by a non-zero digit.
func writeCapitalInteger(b *strings.Builder, digits string) {
	n := len(digits)
	zero, wrote := false, false
	for i := 0; i < n; i++ {
		pos := n - 1 - i // 0 is the units
		d := digits[i] - '0'
		if d == 0 {
			zero = true
		} else {
			if zero && wrote {
				b.WriteString("零")
			}
			zero, wrote = false, true
			b.WriteString(capitalDigits[d] + capitalSmall[pos%4])
		}
		if pos%4 == 0 && pos > 0 && strings.Trim(digits[max(0, i-3):i+1], "0") != "" {
			b.WriteString(capitalLarge[pos/4])
		}
	}
}

package money_test

import (
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/villagepost/bianmin/money"
)

func ExampleParse() {
	for _, in := range []string{"12.5", "￥1,234.5", "１２３．５０元", "1.234"} {
		d, err := money.Parse("amount", in, money.Limits{})
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(money.FormatWire(d))
	}
	// Output:
	// 12.50
	// 1234.50
	// 123.50
	// amount "1.234": more than two decimal places; type yuan and at most two digits of fen, like 12.50
}

func ExampleParse_limits() {
	lim := money.Limits{Max: decimal.RequireFromString("5000"), AllowZero: true}
	d, err := money.Parse("fee", "0", lim)
	fmt.Println(money.FormatWire(d), err)
	_, err = money.Parse("fee", "5000.01", lim)
	fmt.Println(err)
	// Output:
	// 0.00 <nil>
	// fee "5000.01": more than the limit of ¥5,000.00; check the amount and type it again
}

func ExampleError_Zh() {
	_, err := money.Parse("counted", "12,34", money.Limits{})
	var e *money.Error
	if errors.As(err, &e) {
		fmt.Println(e.Rule)
		fmt.Println(e.Zh())
	}
	// Output:
	// separator
	// 清点金额“12,34”里的逗号位置不对，请去掉逗号，例如 1234.50
}

func ExampleParseWire() {
	d, err := money.ParseWire("-1234.50")
	fmt.Println(money.FormatWire(d), err)
	_, err = money.ParseWire("-0.00")
	fmt.Println(err)
	// Output:
	// -1234.50 <nil>
	// wire amount "-0.00": '+' sign, second '-' or negative zero; the file form is an optional '-', digits without leading zeros, '.' and exactly two decimals, like 1234.50 or -3.00
}

func ExampleFormatReceipt() {
	fmt.Println(money.FormatReceipt(decimal.RequireFromString("1234.5")))
	fmt.Println(money.FormatReceipt(decimal.RequireFromString("0.50")))
	fmt.Println(money.FormatReceipt(decimal.RequireFromString("-1234.50")))
	// Output:
	// ¥1,234.50
	// ¥0.50
	// -¥1,234.50
}

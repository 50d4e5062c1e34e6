package money_test

import (
	"errors"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/villagepost/bianmin/money"
)

func TestParse(t *testing.T) {
	def := money.Limits{}
	zeroOK := money.Limits{AllowZero: true}
	small := money.Limits{Max: decimal.RequireFromString("500")}
	tests := []struct {
		name  string
		input string
		lim   money.Limits
		want  string // wire form of the result; "" when an error is expected
		rule  string
	}{
		// accepted
		{"plain", "12.50", def, "12.50", ""},
		{"integer", "12", def, "12.00", ""},
		{"one decimal", "1.2", def, "1.20", ""},
		{"below one", "0.50", def, "0.50", ""},
		{"one fen", "0.01", def, "0.01", ""},
		{"thousands", "1,234.50", def, "1234.50", ""},
		{"millions", "1,234,567", def, "1234567.00", ""},
		{"small group", "123,456", def, "123456.00", ""},
		{"max", "99999999.99", def, "99999999.99", ""},
		{"max grouped", "99,999,999.99", def, "99999999.99", ""},
		{"zero allowed", "0", zeroOK, "0.00", ""},
		{"zero allowed fen", "0.00", zeroOK, "0.00", ""},
		{"custom max", "500", small, "500.00", ""},
		// normalisation
		{"full-width", "１２３．５０", def, "123.50", ""},
		{"full-width comma", "１，２３４．５", def, "1234.50", ""},
		{"ideographic point", "12。5", def, "12.50", ""},
		{"yen full-width", "￥1,234.5", def, "1234.50", ""},
		{"yen", "¥12", def, "12.00", ""},
		{"yen space yuan", "¥ 12元", def, "12.00", ""},
		{"yuan", "12元", def, "12.00", ""},
		{"space before yuan", "12 元", def, "12.00", ""},
		{"ideographic spaces", "\u300012.00\u3000", def, "12.00", ""},
		{"ascii spaces", "  12.00\t\n", def, "12.00", ""},
		{"all together", "\u3000￥\u3000１，０００。０５元 ", def, "1000.05", ""},
		// empty
		{"empty", "", def, "", money.RuleEmpty},
		{"spaces", "  \u3000 ", def, "", money.RuleEmpty},
		{"only yen", "¥", def, "", money.RuleEmpty},
		{"only yuan", "元", def, "", money.RuleEmpty},
		{"yen and yuan", "￥ 元", def, "", money.RuleEmpty},
		// sign
		{"minus", "-5", def, "", money.RuleSign},
		{"plus", "+5", def, "", money.RuleSign},
		{"minus after yen", "¥-5", def, "", money.RuleSign},
		{"minus before yen", "-¥5", def, "", money.RuleSign},
		{"trailing minus", "5-", def, "", money.RuleSign},
		{"full-width minus", "－5", def, "", money.RuleSign},
		{"minus sign", "−5", def, "", money.RuleSign},
		{"minus zero", "-0", zeroOK, "", money.RuleSign},
		// exponent
		{"exponent", "1e3", def, "", money.RuleExponent},
		{"exponent upper", "1.5E2", def, "", money.RuleExponent},
		// not a number
		{"letters", "abc", def, "", money.RuleNotNumber},
		{"NaN", "NaN", def, "", money.RuleNotNumber},
		{"Inf", "Inf", def, "", money.RuleNotNumber},
		{"Infinity", "Infinity", def, "", money.RuleNotNumber},
		{"two points", "1.2.3", def, "", money.RuleNotNumber},
		{"no integer digit", ".5", def, "", money.RuleNotNumber},
		{"no fraction digit", "5.", def, "", money.RuleNotNumber},
		{"only point", ".", def, "", money.RuleNotNumber},
		{"inner space", "1 234", def, "", money.RuleNotNumber},
		{"two yen", "¥¥5", def, "", money.RuleNotNumber},
		{"two yuan", "5元元", def, "", money.RuleNotNumber},
		{"yuan first", "元5", def, "", money.RuleNotNumber},
		{"jiao", "5元5角", def, "", money.RuleNotNumber},
		{"dollar", "$5", def, "", money.RuleNotNumber},
		{"underscore", "1_000", def, "", money.RuleNotNumber},
		{"bad utf8", "1\xff", def, "", money.RuleNotNumber},
		{"arabic digits", "١٢", def, "", money.RuleNotNumber},
		// separator
		{"bad group", "12,34", def, "", money.RuleSeparator},
		{"leading comma", ",123", def, "", money.RuleSeparator},
		{"first group too long", "1234,567", def, "", money.RuleSeparator},
		{"short group", "1,23", def, "", money.RuleSeparator},
		{"mixed groups", "1,234,56", def, "", money.RuleSeparator},
		{"trailing comma", "123,", def, "", money.RuleSeparator},
		{"double comma", "1,,234", def, "", money.RuleSeparator},
		{"comma in fraction", "1.2,5", def, "", money.RuleSeparator},
		{"comma as point", "12,50", def, "", money.RuleSeparator},
		{"comma before point", "1,234,.50", def, "", money.RuleSeparator},
		// decimals
		{"three decimals", "1.234", def, "", money.RuleDecimals},
		{"trailing zero decimal", "1.230", def, "", money.RuleDecimals},
		{"many decimals", "0.0000001", def, "", money.RuleDecimals},
		// leading zero
		{"leading zero", "0123", def, "", money.RuleLeadingZero},
		{"double zero", "00", zeroOK, "", money.RuleLeadingZero},
		{"zero before point", "00.50", def, "", money.RuleLeadingZero},
		{"grouped leading zero", "0,123", def, "", money.RuleLeadingZero},
		// too large
		{"over max", "100000000", def, "", money.RuleTooLarge},
		{"max with yuan", "99999999.99元", def, "99999999.99", ""},
		{"one fen over", "100,000,000.00", def, "", money.RuleTooLarge},
		{"thirteen digits", "1234567890123", def, "", money.RuleTooLarge},
		{"huge", strings.Repeat("9", 10000), def, "", money.RuleTooLarge},
		{"over custom max", "500.01", small, "", money.RuleTooLarge},
		// zero
		{"zero", "0", def, "", money.RuleZero},
		{"zero fen", "0.00", def, "", money.RuleZero},
		{"zero full-width", "￥０元", def, "", money.RuleZero},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := money.Parse("amount", tt.input, tt.lim)
			if tt.rule == "" {
				if err != nil {
					t.Fatalf("Parse(%q) error: %v", tt.input, err)
				}
				if s := money.FormatWire(got); s != tt.want {
					t.Errorf("Parse(%q) = %s, want %s", tt.input, s, tt.want)
				}
				if got.Exponent() != -2 {
					t.Errorf("Parse(%q) exponent = %d, want -2", tt.input, got.Exponent())
				}
				return
			}
			var e *money.Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q) = %v, %v; want *money.Error with rule %s", tt.input, got, err, tt.rule)
			}
			if e.Rule != tt.rule {
				t.Errorf("Parse(%q) rule = %s, want %s (%v)", tt.input, e.Rule, tt.rule, err)
			}
			if e.Field != "amount" || e.Input != tt.input {
				t.Errorf("Parse(%q) error Field, Input = %q, %q", tt.input, e.Field, e.Input)
			}
			if (e.Rule == money.RuleTooLarge) == e.Limit.IsZero() {
				t.Errorf("Parse(%q) Limit = %s for rule %s", tt.input, e.Limit, e.Rule)
			}
		})
	}
}

func TestErrorMessages(t *testing.T) {
	fields := map[string]string{
		"amount":  "金额",
		"counted": "清点金额",
		"fee":     "手续费",
		"price":   "单价",
		"deposit": "deposit",
	}
	inputs := []string{"", "-5", "1e3", "abc", "12,34", "1.234", "0123", "100000000", "0", strings.Repeat("9", 10000) + "\n"}
	for field, zh := range fields {
		for _, in := range inputs {
			_, err := money.Parse(field, in, money.Limits{})
			var e *money.Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q, %q): no *Error: %v", field, in, err)
			}
			en := err.Error()
			if !strings.HasPrefix(en, field+" ") || strings.Contains(en, "\n") || len(en) > 300 {
				t.Errorf("Error() for %q %q = %q: want one short line starting with the field", field, in, en)
			}
			z := e.Zh()
			if !strings.HasPrefix(z, zh) || strings.Contains(z, "\n") || len(z) > 300 {
				t.Errorf("Zh() for %q %q = %q: want one short line starting with %s", field, in, z, zh)
			}
		}
	}
}

func TestErrorExamples(t *testing.T) {
	tests := []struct {
		field, input, en, zh string
	}{
		{"amount", "1.234",
			`amount "1.234": more than two decimal places; type yuan and at most two digits of fen, like 12.50`,
			`金额“1.234”小数点后最多两位，请按“元.角分”输入，例如 12.50`},
		{"fee", "100000000",
			`fee "100000000": more than the limit of ¥99,999,999.99; check the amount and type it again`,
			`手续费“100000000”超过上限 ¥99,999,999.99，请核对后重新输入`},
		{"counted", " ",
			`counted " ": nothing typed; type an amount in yuan, like 12.50`,
			`清点金额没有填写，请输入清点金额，例如 12.50`},
		{"price", "0",
			`price "0": must be more than zero; type the amount, like 12.50`,
			`单价“0”不能为零，请输入大于 0 的单价`},
	}
	for _, tt := range tests {
		_, err := money.Parse(tt.field, tt.input, money.Limits{})
		var e *money.Error
		if !errors.As(err, &e) {
			t.Fatalf("Parse(%q): %v", tt.input, err)
		}
		if e.Error() != tt.en {
			t.Errorf("Error() = %s\nwant      %s", e.Error(), tt.en)
		}
		if e.Zh() != tt.zh {
			t.Errorf("Zh() = %s\nwant   %s", e.Zh(), tt.zh)
		}
	}
}

func TestErrorsAsWrapped(t *testing.T) {
	_, err := money.Parse("fee", "abc", money.Limits{})
	wrapped := errors.Join(errors.New("saving fee"), err)
	var e *money.Error
	if !errors.As(wrapped, &e) || e.Rule != money.RuleNotNumber || e.Field != "fee" {
		t.Fatalf("errors.As on wrapped error: %v %+v", wrapped, e)
	}
}

func TestParseWire(t *testing.T) {
	tests := []struct {
		input string
		rule  string // "" when valid
	}{
		{"0.00", ""},
		{"0.50", ""},
		{"1234.50", ""},
		{"-3.00", ""},
		{"-0.01", ""},
		{"99999999999999999999.99", ""},
		{"", money.RuleEmpty},
		{"-0.00", money.RuleSign},
		{"+1.00", money.RuleSign},
		{"--1.00", money.RuleSign},
		{"1.00-", money.RuleSign},
		{"1e3", money.RuleExponent},
		{"1,234.50", money.RuleSeparator},
		{" 1.00", money.RuleNotNumber},
		{"1.00 ", money.RuleNotNumber},
		{"¥1.00", money.RuleNotNumber},
		{"-", money.RuleNotNumber},
		{".50", money.RuleNotNumber},
		{"1.2.3", money.RuleNotNumber},
		{"NaN", money.RuleNotNumber},
		{"１.00", money.RuleNotNumber},
		{"1", money.RuleDecimals},
		{"1.", money.RuleDecimals},
		{"1.5", money.RuleDecimals},
		{"1.500", money.RuleDecimals},
		{"01.00", money.RuleLeadingZero},
		{"-00.00", money.RuleLeadingZero},
	}
	for _, tt := range tests {
		got, err := money.ParseWire(tt.input)
		if tt.rule == "" {
			if err != nil {
				t.Errorf("ParseWire(%q): %v", tt.input, err)
				continue
			}
			if s := money.FormatWire(got); s != tt.input {
				t.Errorf("FormatWire(ParseWire(%q)) = %q", tt.input, s)
			}
			continue
		}
		var e *money.Error
		if !errors.As(err, &e) {
			t.Errorf("ParseWire(%q) = %v, %v; want rule %s", tt.input, got, err, tt.rule)
			continue
		}
		if e.Rule != tt.rule || e.Field != money.WireField || e.Input != tt.input {
			t.Errorf("ParseWire(%q) error %+v, want rule %s", tt.input, e, tt.rule)
		}
		if !strings.HasPrefix(e.Error(), "wire ") || !strings.HasPrefix(e.Zh(), "文件中的金额") {
			t.Errorf("ParseWire(%q) messages: %q / %q", tt.input, e.Error(), e.Zh())
		}
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		in, wire, receipt string
	}{
		{"0", "0.00", "¥0.00"},
		{"0.5", "0.50", "¥0.50"},
		{"1", "1.00", "¥1.00"},
		{"12.3", "12.30", "¥12.30"},
		{"999.99", "999.99", "¥999.99"},
		{"1000", "1000.00", "¥1,000.00"},
		{"1234.5", "1234.50", "¥1,234.50"},
		{"123456.78", "123456.78", "¥123,456.78"},
		{"1234567", "1234567.00", "¥1,234,567.00"},
		{"-3", "-3.00", "-¥3.00"},
		{"-0.01", "-0.01", "-¥0.01"},
		{"-1234.5", "-1234.50", "-¥1,234.50"},
		{"-1234567.89", "-1234567.89", "-¥1,234,567.89"},
		{"-0.001", "0.00", "¥0.00"}, // never a negative zero
	}
	for _, tt := range tests {
		d := decimal.RequireFromString(tt.in)
		if got := money.FormatWire(d); got != tt.wire {
			t.Errorf("FormatWire(%s) = %q, want %q", tt.in, got, tt.wire)
		}
		if got := money.FormatReceipt(d); got != tt.receipt {
			t.Errorf("FormatReceipt(%s) = %q, want %q", tt.in, got, tt.receipt)
		}
	}
}

func TestWireRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 10000; i++ {
		var d decimal.Decimal
		switch i % 3 {
		case 0: // small amounts
			d = decimal.New(r.Int64N(2000001)-1000000, -2)
		case 1: // any int64 number of fen
			d = decimal.New(int64(r.Uint64()), -2)
		default: // beyond int64
			c := new(big.Int).SetUint64(r.Uint64())
			c.Lsh(c, 64).Add(c, new(big.Int).SetUint64(r.Uint64()))
			if r.IntN(2) == 0 {
				c.Neg(c)
			}
			d = decimal.NewFromBigInt(c, -2)
		}
		s := money.FormatWire(d)
		got, err := money.ParseWire(s)
		if err != nil {
			t.Fatalf("ParseWire(FormatWire(%s)) = %v", d, err)
		}
		if !got.Equal(d) || got.Exponent() != -2 {
			t.Fatalf("ParseWire(FormatWire(%s)) = %s (exp %d)", d, got, got.Exponent())
		}
	}
}

func TestDefaultMax(t *testing.T) {
	if got := money.FormatWire(money.DefaultMax()); got != "99999999.99" {
		t.Errorf("DefaultMax() = %s", got)
	}
}

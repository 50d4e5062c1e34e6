package money_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/villagepost/bianmin/money"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"12.50", "12", "0.01", "0", "0.00", "1,234.50", "1,234,567", "99999999.99", "100000000",
		"１２３．５０", "￥1,234.5", "¥ 12元", "\u300012.00\u3000", "12。5", "１，０００",
		"", " ", "¥", "元", "-5", "+5", "－5", "1e3", "1E-3", "NaN", "Inf", "1.2.3", ".5", "5.",
		"12,34", ",123", "1234,567", "1,23", "1.2,5", "1.234", "0123", "00.5", "0,123",
		"1234567890123", strings.Repeat("9", 100), "1\xff", "¥¥5", "5元元",
	} {
		f.Add(s)
	}
	max := money.DefaultMax()
	f.Fuzz(func(t *testing.T, in string) {
		d, err := money.Parse("amount", in, money.Limits{})
		if err != nil {
			var e *money.Error
			if !errors.As(err, &e) || e.Rule == "" || e.Field != "amount" || e.Input != in {
				t.Fatalf("Parse(%q): bad error %#v", in, err)
			}
			if msg := e.Error(); msg == "" || strings.Contains(msg, "\n") {
				t.Fatalf("Parse(%q): bad message %q", in, msg)
			}
			if msg := e.Zh(); msg == "" || strings.Contains(msg, "\n") {
				t.Fatalf("Parse(%q): bad Zh message %q", in, msg)
			}
			return
		}
		if d.Exponent() != -2 {
			t.Fatalf("Parse(%q) = %s with exponent %d", in, d, d.Exponent())
		}
		if !d.IsPositive() || d.GreaterThan(max) {
			t.Fatalf("Parse(%q) = %s, outside (0, %s]", in, d, max)
		}
		w := money.FormatWire(d)
		back, err := money.ParseWire(w)
		if err != nil || !back.Equal(d) || back.Exponent() != -2 {
			t.Fatalf("Parse(%q) = %s; ParseWire(%q) = %s, %v", in, d, w, back, err)
		}
		// The wire form is itself a valid typed amount.
		again, err := money.Parse("amount", w, money.Limits{})
		if err != nil || !again.Equal(d) {
			t.Fatalf("Parse(FormatWire(Parse(%q))) = %s, %v", in, again, err)
		}
	})
}

func FuzzParseWire(f *testing.F) {
	for _, s := range []string{
		"0.00", "0.50", "1234.50", "-3.00", "-0.01", "99999999999999999999.99",
		"", "-", "-0.00", "+1.00", "--1.00", "1e3", "1,234.50", " 1.00", "1.00 ",
		".50", "1.", "1", "1.5", "1.500", "01.00", "-00.00", "NaN", "１.00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		d, err := money.ParseWire(in)
		if err != nil {
			var e *money.Error
			if !errors.As(err, &e) || e.Field != money.WireField || e.Input != in || e.Rule == "" {
				t.Fatalf("ParseWire(%q): bad error %#v", in, err)
			}
			return
		}
		if got := money.FormatWire(d); got != in {
			t.Fatalf("FormatWire(ParseWire(%q)) = %q", in, got)
		}
		if d.Exponent() != -2 {
			t.Fatalf("ParseWire(%q) exponent %d", in, d.Exponent())
		}
	})
}

package terminal_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/villagepost/bianmin/terminal"
)

// FuzzParseQuantity: a quantity typed at the counter is either refused
// with an *InputError naming the field, or read as a whole number of
// units, never negative, that its decimal form reads back the same; and
// what was typed, spaces aside, is that number (allowing a + and leading
// zeros).
func FuzzParseQuantity(f *testing.F) {
	for _, s := range []string{"2", " 12 ", "0", "-0", "+3", "007", "-1", "1.5", "1e3", "２", "0x10", "1_000",
		"9223372036854775807", "9223372036854775808", "", " ", "\t5\n", "五"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := terminal.ParseQuantity("qty", s, 0)
		if err != nil {
			var ie *terminal.InputError
			if !errors.As(err, &ie) || ie.Field != "qty" || ie.Rule == "" || ie.RuleZh == "" {
				t.Fatalf("ParseQuantity(%q): error %v does not name the field qty with its rule", s, err)
			}
			return
		}
		if n < 0 {
			t.Fatalf("ParseQuantity(%q) = %d, a negative quantity", s, n)
		}
		back, err := terminal.ParseQuantity("qty", strconv.FormatInt(n, 10), 0)
		if err != nil || back != n {
			t.Fatalf("ParseQuantity(%q) = %d, but its decimal form reads %d, %v", s, n, back, err)
		}
		typed := strings.TrimLeft(strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s), "+"), "-"), "0")
		if typed != strings.TrimLeft(strconv.FormatInt(n, 10), "0") {
			t.Fatalf("ParseQuantity(%q) = %d: not the number typed", s, n)
		}
	})
}

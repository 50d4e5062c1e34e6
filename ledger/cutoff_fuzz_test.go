package ledger_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/villagepost/bianmin/ledger"
)

// FuzzParseCutoff: a business-day cut-off is either refused with a
// *FieldError naming the cutoff field, or read as a time of day, a whole
// number of minutes before midnight, that writes back as exactly the
// HH:MM that was given.
func FuzzParseCutoff(f *testing.F) {
	for _, s := range []string{ledger.DefaultCutoff, "00:00", "23:59", "24:00", "9:05", "09:5", "12:60", "-1:00", "12:00:00", "１２:００", "", " 23:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ledger.ParseCutoff(s)
		if err != nil {
			var fe *ledger.FieldError
			if !errors.As(err, &fe) || fe.Field != "cutoff" {
				t.Fatalf("ParseCutoff(%q): error %v does not name the cutoff field", s, err)
			}
			return
		}
		if d < 0 || d >= 24*time.Hour || d%time.Minute != 0 {
			t.Fatalf("ParseCutoff(%q) = %v, not a time of day in minutes", s, d)
		}
		if back := fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute)); back != s {
			t.Fatalf("ParseCutoff(%q) = %v, which writes back as %q", s, d, back)
		}
	})
}

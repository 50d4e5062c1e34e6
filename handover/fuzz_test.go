package handover_test

import (
	"strings"
	"testing"

	"github.com/villagepost/bianmin/handover"
)

// FuzzParse: Parse never panics, and what it reads is written back to the
// same bytes (each value has one form).
func FuzzParse(f *testing.F) {
	good, _ := handover.Format(example())
	f.Add(good)
	f.Add("bianmin-handover-v1\nfrom T0001\nto T0002\nissued 2026-11-30\nthrough 1 " + "00000000000000000000000000000000000000000000000000000000000000ff" + "\ncarried 0.00\n")
	f.Add("bianmin-handover-v1\nfrom T0001\nto T0002\nissued 2026-11-30\nthrough 0 " + strings.Repeat("0", 64) + "\ncarried 0.00\n")
	f.Add("bianmin-handover-v1\nfrom T0001\nto T0002\nissued 2026-11-30\nthrough 0 " + strings.Repeat("0", 64) + "\ncarried 0.00\nitem 1 delivery 8 - sale 0.00 A:1 - -\n")
	f.Add("item 1 delivery 8 - sale 0.00 A:1 - -")
	f.Fuzz(func(t *testing.T, text string) {
		d, err := handover.Parse(text)
		if err != nil {
			return
		}
		back, err := handover.Format(d)
		if err != nil || back != text {
			t.Fatalf("read %q, wrote %q (%v)", text, back, err)
		}
	})
}

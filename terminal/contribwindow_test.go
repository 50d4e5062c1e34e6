package terminal_test

import (
	"errors"
	"testing"
	"time"

	"github.com/villagepost/bianmin/terminal"
)

// TestContributionWindows: what the screen offers on a day is what the
// payment takes. Per scheme of the demo tariff, the year open on the day
// or, when none is, which year closed when and which opens when; and a
// member of a closed scheme is refused with the same words.
func TestContributionWindows(t *testing.T) {
	r := newContribRig(t)
	zone := time.FixedZone("CST", 8*3600)
	type win struct {
		open                bool
		year                int
		lastYear, nextYear  int
		lastClose, nextOpen string
	}
	for _, tc := range []struct {
		day              time.Time
		medical, pension win
	}{
		{time.Date(2026, 8, 15, 10, 0, 0, 0, zone),
			win{lastYear: 2026, lastClose: "2025-12-31", nextYear: 2027, nextOpen: "2026-09-01"}, win{open: true, year: 2026}},
		{time.Date(2026, 9, 1, 0, 0, 0, 0, zone), win{open: true, year: 2027}, win{open: true, year: 2026}},
		{time.Date(2026, 12, 31, 23, 59, 0, 0, zone), win{open: true, year: 2027}, win{open: true, year: 2026}},
		{time.Date(2027, 1, 1, 0, 0, 0, 0, zone), win{lastYear: 2027, lastClose: "2026-12-31"}, win{open: true, year: 2027}},
		{time.Date(2028, 1, 5, 10, 0, 0, 0, zone),
			win{lastYear: 2027, lastClose: "2026-12-31"}, win{lastYear: 2027, lastClose: "2027-12-31"}},
	} {
		r.now = tc.day
		ws := r.c.Windows()
		if len(ws) != 2 {
			t.Fatalf("%s: %d schemes, want 2", tc.day, len(ws))
		}
		for _, w := range ws {
			want := tc.medical
			if w.Scheme.ID == "pension" {
				want = tc.pension
			}
			var got win
			if got.open = w.Open; w.Open {
				got.year = w.Year.Year
			} else {
				c := w.Closed
				got.lastYear, got.lastClose, got.nextYear, got.nextOpen = c.LastYear, c.LastClose, c.NextYear, c.NextOpen
			}
			if got != want {
				t.Errorf("%s %s: %+v, want %+v", tc.day.Format(time.DateOnly), w.Scheme.ID, got, want)
			}
			// The payment agrees: a member of a closed scheme is refused
			// with the words the screen shows above the form.
			m := medical("王建国", idHead)
			if w.Scheme.ID == "pension" {
				m = pension("王建国", idHead, "300")
			}
			err := r.c.Check(household(m))
			var wc *terminal.WindowClosedError
			if closed := errors.As(err, &wc); closed == w.Open {
				t.Errorf("%s %s: window open %v, but Check says %v", tc.day.Format(time.DateOnly), w.Scheme.ID, w.Open, err)
			} else if closed && wc.Zh() != w.Closed.Zh() {
				t.Errorf("%s %s: the screen says %q, the payment %q", tc.day.Format(time.DateOnly), w.Scheme.ID, w.Closed.Zh(), wc.Zh())
			}
		}
	}
}

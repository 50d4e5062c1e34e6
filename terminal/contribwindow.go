package terminal

import (
	"time"

	"github.com/villagepost/bianmin/tariff"
)

// SchemeWindow is a contribution scheme as the counter sees it today:
// the coverage year whose window is open, or, when none is, why (which
// year closed when, when the next opens).
type SchemeWindow struct {
	Scheme tariff.Scheme
	Open   bool
	Year   tariff.SchemeYear  // Open: the year taken today
	Closed *WindowClosedError // !Open
}

// Windows lists the tariff's schemes with their windows today, in the
// tariff's order: the screen offers the open ones and says of the others
// when they closed and when they open again. It records nothing.
func (s *Contributions) Windows() []SchemeWindow {
	today := s.Today().Format(time.DateOnly)
	out := make([]SchemeWindow, 0, len(s.Tariff.Contributions))
	for _, sc := range s.Tariff.Contributions {
		y, closed := window(sc, today, 0)
		out = append(out, SchemeWindow{Scheme: sc, Open: closed == nil, Year: y, Closed: closed})
	}
	return out
}

// window is the year of sc open on today, or, for member row, why none is.
func window(sc tariff.Scheme, today string, row int) (tariff.SchemeYear, *WindowClosedError) {
	if y, ok := sc.OpenYear(today); ok {
		return y, nil
	}
	e := &WindowClosedError{Row: row, Scheme: sc.ID, SchemeName: sc.Name, Today: today}
	if l, ok := sc.LastClosed(today); ok {
		e.LastYear, e.LastClose = l.Year, l.Close
	}
	if n, ok := sc.NextOpen(today); ok {
		e.NextYear, e.NextOpen = n.Year, n.Open
	}
	return tariff.SchemeYear{}, e
}

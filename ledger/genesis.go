package ledger

import (
	"crypto/ed25519"
	"fmt"
	"time"
)

// Format names this ledger format in genesis entries.
const Format = "bianmin-ledger-v1"

// Genesis is the payload of entry 1: who the station is and the key that
// signs its entries.
type Genesis struct {
	Format    string            `json:"format"`
	Terminal  string            `json:"terminal"`
	Name      string            `json:"name"`
	Zone      string            `json:"zone"`   // IANA name, e.g. Asia/Shanghai
	Cutoff    string            `json:"cutoff"` // business-day cut-off, "HH:MM" local time
	PublicKey ed25519.PublicKey `json:"public_key"`

	// PostOfficeKey is the regional post office's note verifier key
	// (golang.org/x/mod/sumdb/note), learned at init: the station trusts
	// tariffs and acknowledgements signed by it and by nothing else.
	PostOfficeKey string `json:"postoffice_key,omitempty"`

	// Phone is the station's service phone, printed on every receipt.
	Phone string `json:"phone,omitempty"`
}

// DefaultCutoff is the business-day cut-off acquirers use.
const DefaultCutoff = "23:00"

// ParseCutoff reads an "HH:MM" cut-off as the time after local midnight.
func ParseCutoff(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return 0, &FieldError{Field: "cutoff", Rule: fmt.Sprintf("%q is not a time like 23:00", s)}
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// BusinessDay returns the business day that time t belongs to at a station
// in zone with the given cut-off: from the cut-off on, it is the next day.
// A cut-off of zero means midnight.
func BusinessDay(t time.Time, zone *time.Location, cutoff time.Duration) string {
	l := t.In(zone)
	day := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
	since := time.Duration(l.Hour())*time.Hour + time.Duration(l.Minute())*time.Minute +
		time.Duration(l.Second())*time.Second + time.Duration(l.Nanosecond())
	if cutoff > 0 && since >= cutoff {
		day = day.AddDate(0, 0, 1)
	}
	return day.Format(time.DateOnly)
}

// NextDay returns the calendar day after day (YYYY-MM-DD).
func NextDay(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return t.AddDate(0, 0, 1).Format(time.DateOnly)
}

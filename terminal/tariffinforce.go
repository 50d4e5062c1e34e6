package terminal

import (
	"fmt"

	"github.com/villagepost/bianmin/tariff"
)

// TariffExpiredError says the tariff the station holds does not apply on
// the business day: no service is priced by a stale tariff, also when the
// screen was started while it still applied.
type TariffExpiredError struct {
	Version, ValidFrom, ValidUntil string
	Day                            string // the business day
}

func (e *TariffExpiredError) Error() string {
	return fmt.Sprintf("terminal: tariff %s is valid from %s to %s, not on %s", e.Version, e.ValidFrom, e.ValidUntil, e.Day)
}

// inForce refuses a tariff that does not apply on business day day.
func inForce(t *tariff.Tariff, day string) error {
	if t.ValidOn(day) {
		return nil
	}
	return &TariffExpiredError{Version: t.Version, ValidFrom: t.ValidFrom, ValidUntil: t.ValidUntil, Day: day}
}

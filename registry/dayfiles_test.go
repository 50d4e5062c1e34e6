package registry_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/villagepost/bianmin/registry"
)

// TestDayFilesKept: each accepted day's file is kept in the registry as
// the station sent it, on every store, for any server on the same store
// (reopened here); a held day's only once it is accepted; a day accepted
// before the registry kept files gets its file once, and only its own.
func TestDayFilesKept(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		where := b.fresh(t)
		o := newOfficeAt(t, b, where)
		o.enrol("T0001", stationKey)
		ctx := t.Context()
		day1, day2, day3 := scenario(t, "intact-day1.bms"), scenario(t, "intact-day2.bms"), scenario(t, "intact-day3.bms")
		o.mustImport(day2, registry.Held)
		if _, found, err := o.reg.DayFile(ctx, "T0001", "2026-11-21"); err != nil || found {
			t.Fatalf("a held day's file: found %v, %v; want none until it is accepted", found, err)
		}
		o.mustImport(day1, registry.Accepted, registry.Accepted)
		o.mustImport(day1, registry.Replay)

		// A file is refused unless it is the day's accepted one.
		var re *registry.Error
		if err := o.reg.KeepDayFile(ctx, "T0001", "2026-11-22", day3); !errors.As(err, &re) || re.Kind != registry.ErrInput {
			t.Errorf("the file of a day not accepted: %v", err)
		}
		if err := o.reg.KeepDayFile(ctx, "T0001", "2026-11-20", day2); !errors.As(err, &re) || re.Kind != registry.ErrInput {
			t.Errorf("another day's file for day 1: %v", err)
		}
		// Keeping the same file again changes nothing.
		if err := o.reg.KeepDayFile(ctx, "T0001", "2026-11-20", day1); err != nil {
			t.Errorf("day 1's own file again: %v", err)
		}
		o.reg.Close()

		other := registry.New(b.open(t, where), nil)
		defer other.Close()
		for day, want := range map[string][]byte{"2026-11-20": day1, "2026-11-21": day2} {
			got, found, err := other.DayFile(ctx, "T0001", day)
			if err != nil || !found || !bytes.Equal(got, want) {
				t.Errorf("day %s's file read back: found %v, %d bytes, %v; want the %d bytes sent", day, found, len(got), err, len(want))
			}
		}
		for _, c := range []struct{ station, day string }{{"T0001", "2026-11-22"}, {"T0009", "2026-11-20"}, {"T0001", "2026-13-01"}} {
			if _, found, err := other.DayFile(ctx, c.station, c.day); err != nil || found {
				t.Errorf("%s %s: found %v, %v; want none", c.station, c.day, found, err)
			}
		}
	})
}

package registry_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/villagepost/bianmin/registry"
)

// A day's reconciliation is kept in the registry, where every server
// sharing it sees the same findings; running it again replaces the day's.
func TestReconciliationsAreKeptPerDay(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		r := registry.New(b.open(t, b.fresh(t)), nil)
		defer r.Close()
		ctx := t.Context()
		at := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
		found := func(day string, stations ...string) []registry.Exception {
			var list []registry.Exception
			for i, s := range stations {
				list = append(list, registry.Exception{Station: s, Day: day, N: i, Kind: "amount_mismatch",
					Trace: fmt.Sprintf("%s-%06d", s, i+1), Service: "withdrawal", StationAmount: "500.00", HostAmount: "50.00",
					Journal: "bank.jsonl", Line: i + 3, Detail: "金额不符"})
			}
			return list
		}
		save := func(day string, stations ...string) {
			t.Helper()
			list := found(day, stations...)
			if err := r.SaveReconciliation(ctx, registry.Reconciliation{Day: day, At: at, Exceptions: len(list)}, list); err != nil {
				t.Fatal(err)
			}
		}
		save("2026-11-20", "T0001", "T0002", "T0001")
		save("2026-11-21")
		save("2026-12-01", "T0002")
		save("2026-11-20", "T0002", "T0001") // run again: replaces the day's

		days, err := r.Reconciliations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range days {
			got = append(got, fmt.Sprintf("%s:%d", d.Day, d.Exceptions))
			if !d.At.Equal(at) {
				t.Errorf("%s reconciled at %v, want %v", d.Day, d.At, at)
			}
		}
		if strings.Join(got, " ") != "2026-11-20:2 2026-11-21:0 2026-12-01:1" {
			t.Errorf("days reconciled: %v", got)
		}
		for _, tc := range []struct {
			station, from, to string
			want              []registry.Exception
		}{
			{"", "2026-11-01", "2026-11-30", found("2026-11-20", "T0002", "T0001")},
			{"T0001", "2026-11-01", "2026-11-30", found("2026-11-20", "T0002", "T0001")[1:]},
			{"T0002", "2026-11-20", "2026-12-31", append(found("2026-11-20", "T0002"), found("2026-12-01", "T0002")...)},
			{"T0003", "2026-11-01", "2026-12-31", nil},
			{"", "2026-11-21", "2026-11-21", nil},
		} {
			list, err := r.Exceptions(ctx, tc.station, tc.from, tc.to)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(list) != fmt.Sprint(tc.want) {
				t.Errorf("exceptions of %q from %s to %s:\n got %v\nwant %v", tc.station, tc.from, tc.to, list, tc.want)
			}
		}
	})
}

func TestReconciliationRefusesWhatItCannotKeep(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		r := registry.New(b.open(t, b.fresh(t)), nil)
		defer r.Close()
		ctx := t.Context()
		ok := registry.Exception{Station: "T0001", Day: "2026-11-20", Kind: "no_file"}
		for _, tc := range []struct {
			name  string
			rec   registry.Reconciliation
			found []registry.Exception
			want  string
		}{
			{"a day not written YYYY-MM-DD", registry.Reconciliation{Day: "20261120", Exceptions: 1}, []registry.Exception{ok}, "day"},
			{"a count that is not the list's", registry.Reconciliation{Day: "2026-11-20", Exceptions: 2}, []registry.Exception{ok}, "says 2"},
			{"a finding of another day", registry.Reconciliation{Day: "2026-11-21", Exceptions: 1}, []registry.Exception{ok}, "exception 0"},
			{"a finding of no station", registry.Reconciliation{Day: "2026-11-20", Exceptions: 1}, []registry.Exception{{Day: "2026-11-20"}}, "exception 0"},
		} {
			if err := r.SaveReconciliation(ctx, tc.rec, tc.found); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: %v, want an error naming %q", tc.name, err, tc.want)
			}
		}
		if days, err := r.Reconciliations(ctx); err != nil || len(days) != 0 {
			t.Errorf("after refusals: %v, %v; want nothing recorded", days, err)
		}
		if _, err := r.Exceptions(ctx, "", "2026-11", "2026-11-30"); err == nil {
			t.Errorf("exceptions from a month, not a day: no error")
		}
	})
}

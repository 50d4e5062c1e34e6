package registry_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/villagepost/bianmin/registry"
)

// A decision on a dispute is kept once: a second, whatever it says, is
// refused with the first, which stays; the decisions are listed per
// station and for all, in order.
func TestDecisionsAreKeptOnce(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		o := newOffice(t, b)
		ctx := t.Context()
		save := func(station string, dispute uint64, note string) (registry.Decision, error) {
			return o.reg.SaveDecision(ctx, station, dispute, []byte(note))
		}
		for _, d := range []struct {
			station string
			dispute uint64
		}{{"T0002", 7}, {"T0001", 12}, {"T0001", 3}} {
			got, err := save(d.station, d.dispute, fmt.Sprintf("note %s %d\n", d.station, d.dispute))
			if err != nil || got.Station != d.station || got.Dispute != d.dispute || got.At.IsZero() {
				t.Fatalf("save %s %d: %+v, %v", d.station, d.dispute, got, err)
			}
		}
		first, err := save("T0001", 12, "another note\n")
		var de *registry.DecidedError
		if !errors.As(err, &de) || string(de.First.Note) != "note T0001 12\n" || string(first.Note) != "note T0001 12\n" {
			t.Fatalf("a second decision on T0001-000012: %+v, %v; want refused naming the first", first, err)
		}
		if !strings.Contains(err.Error(), "T0001-000012") {
			t.Errorf("the refusal %q does not name the dispute", err)
		}
		for _, tc := range []struct {
			station string
			want    string
		}{
			{"T0001", "T0001/3 T0001/12"},
			{"T0002", "T0002/7"},
			{"T0003", ""},
			{"", "T0001/3 T0001/12 T0002/7"},
		} {
			var got []string
			err := o.reg.Decisions(ctx, tc.station, func(d registry.Decision) error {
				if want := fmt.Sprintf("note %s %d\n", d.Station, d.Dispute); string(d.Note) != want {
					t.Errorf("%s %d: note %q, want %q", d.Station, d.Dispute, d.Note, want)
				}
				got = append(got, fmt.Sprintf("%s/%d", d.Station, d.Dispute))
				return nil
			})
			if err != nil || strings.Join(got, " ") != tc.want {
				t.Errorf("decisions of %q: %v, %v; want %s", tc.station, got, err, tc.want)
			}
		}
		for _, bad := range []struct {
			station string
			dispute uint64
			note    string
		}{{"", 1, "x"}, {"T0001", 0, "x"}, {"T0001", 5, ""}} {
			if _, err := save(bad.station, bad.dispute, bad.note); err == nil {
				t.Errorf("save %+v: no error", bad)
			}
		}
	})
}

// Several servers deciding the same dispute at once (on PostgreSQL each
// a registry of its own on the shared database) record one decision:
// every other is refused with that one.
func TestDecisionRaceRecordsOne(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		where := b.fresh(t)
		first := newOfficeAt(t, b, where)
		regs := []*registry.Registry{first.reg}
		for range 3 {
			if b.name == "bbolt" { // one bbolt file, one process
				regs = append(regs, first.reg)
			} else {
				regs = append(regs, newOfficeAt(t, b, where).reg)
			}
		}
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			won     [][]byte
			refused []registry.Decision
		)
		for i, r := range regs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				note := []byte(fmt.Sprintf("decision by server %d\n", i))
				_, err := r.SaveDecision(t.Context(), "T0001", 12, note)
				var de *registry.DecidedError
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					won = append(won, note)
				case errors.As(err, &de):
					refused = append(refused, de.First)
				default:
					t.Errorf("server %d: %v", i, err)
				}
			}()
		}
		wg.Wait()
		if len(won) != 1 || len(refused) != len(regs)-1 {
			t.Fatalf("%d recorded, %d refused; want 1 and %d", len(won), len(refused), len(regs)-1)
		}
		for _, d := range refused {
			if !bytes.Equal(d.Note, won[0]) {
				t.Errorf("refused naming %q; recorded %q", d.Note, won[0])
			}
		}
	})
}

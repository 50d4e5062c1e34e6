package registry_test

import (
	"encoding/json"
	"errors"
	"sync"
	"testing"

	"github.com/villagepost/bianmin/registry"
	"golang.org/x/mod/sumdb/note"
)

// TestConcurrentImports: several importers take the same station's days
// at once, each in its own order: on PostgreSQL each is a registry of its
// own on the shared database (as several postoffice processes are), on
// bbolt they share the one registry a process has. Every day is accepted
// exactly once (counting the held days taken up), none is lost, no
// importer sees an error, and the acknowledgements are the same.
func TestConcurrentImports(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		days := []string{"intact-day1.bms", "intact-day2.bms", "intact-day3.bms"}
		orders := [][]int{{0, 1, 2}, {2, 1, 0}, {1, 2, 0}, {0, 2, 1}}
		for round := range 4 {
			where := b.fresh(t)
			first := newOfficeAt(t, b, where)
			first.enrol("T0001", stationKey)
			importers := []*office{first}
			for range len(orders) - 1 {
				o := first
				if b.name != "bbolt" { // one bbolt file, one process
					o = newOfficeAt(t, b, where)
					o.im.Signer, o.im.Verifier = first.im.Signer, first.im.Verifier
				}
				importers = append(importers, o)
			}
			var (
				mu       sync.Mutex
				accepted = map[string][]string{} // day → its acknowledgements
				errs     []error
				wg       sync.WaitGroup
			)
			for i, o := range importers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					order := orders[(i+round)%len(orders)]
					for _, d := range order {
						outs, err := o.importFile(scenario(t, days[d]))
						mu.Lock()
						if err != nil {
							errs = append(errs, err)
						}
						for _, out := range outs {
							if out.Status == registry.Accepted {
								accepted[out.Day] = append(accepted[out.Day], string(out.Ack))
							}
						}
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			if len(accepted) != 3 {
				t.Errorf("round %d: accepted days %v; want each of the three", round, accepted)
			}
			for day, acks := range accepted {
				if len(acks) != 1 {
					t.Errorf("round %d: day %s accepted %d times", round, day, len(acks))
				}
			}
			s, err := first.reg.Station(t.Context(), "T0001")
			if err != nil || s.LastDay != "2026-11-22" || s.Held != 0 || s.Forks != 0 {
				t.Errorf("round %d: station after the imports: %+v %v", round, s, err)
			}
			var got []string
			first.reg.Days(t.Context(), "T0001", "", "", func(d registry.Day) error {
				got = append(got, d.Day)
				if acks := accepted[d.Day]; len(acks) == 0 || acks[0] != string(d.Ack) {
					t.Errorf("round %d: day %s keeps an acknowledgement that was not the one given", round, d.Day)
				}
				return nil
			})
			if len(got) != 3 {
				t.Errorf("round %d: days recorded %v", round, got)
			}
		}
	})
}

// TestStoresAgree: the same files and commands on every store leave the
// same registry (compared as the JSON of everything it holds): the
// stores keep what they are given, exactly.
func TestStoresAgree(t *testing.T) {
	var want []byte
	var wantName string
	forked := forkedDay1(t)
	eachStore(t, func(t *testing.T, b backend) {
		o := newOffice(t, b)
		o.im.Signer, o.im.Verifier = fixedSigner(t)
		o.enrol("T0001", stationKey)
		o.mustImport(scenario(t, "intact-day1.bms"), registry.Accepted)
		o.mustImport(scenario(t, "intact-day3.bms"), registry.Held)
		o.mustImport(forked, registry.Fork)
		o.mustImport(scenario(t, "intact-day2.bms"), registry.Accepted, registry.Accepted)
		o.now = o.now.Add(36e11 + 1234) // an hour and a few nanoseconds on
		rot := registry.Rotation{Station: "T0001", New: verifierKey(t, "T0001", newKey), From: 25}
		if _, err := o.reg.RotateKey(t.Context(), "T0001", vouch(t, rot, stationKey)); err != nil {
			t.Fatal(err)
		}
		staff, err := registry.NewStaff("alice", "李丽", registry.Manager, "long enough pw", zeros{})
		if err != nil {
			t.Fatal(err)
		}
		if err := o.reg.AddStaff(t.Context(), staff); err != nil {
			t.Fatal(err)
		}
		signer, _ := fixedSigner(t)
		if _, err := o.reg.Retire(t.Context(), "T0001", signer); err != nil {
			t.Fatal(err)
		}
		list, err := o.reg.StaffList(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		tariffs, err := o.reg.Tariffs(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		got, err := json.MarshalIndent([]any{o.state(), list, tariffs}, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		if want == nil {
			want, wantName = got, b.name
			return
		}
		if string(got) != string(want) {
			t.Errorf("%s holds\n%s\n%s holds\n%s", b.name, got, wantName, want)
		}
	})
}

// fixedSigner is a post office key made from a fixed seed, so that two
// registries sign the same acknowledgements.
func fixedSigner(t *testing.T) (note.Signer, note.Verifier) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(zeros{}, "xinyang-postoffice")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return signer, v
}

// zeros is a reader of zero bytes: a fixed salt.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

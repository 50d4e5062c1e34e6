package registry_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/villagepost/bianmin/registry"
)

// decided is what an import made of one file, in words a test compares.
func decided(outs []registry.Outcome, err error) string {
	var re *registry.Error
	if errors.As(err, &re) {
		return "refused:" + re.Kind
	}
	if err != nil {
		return "error:" + err.Error()
	}
	var s []string
	for _, o := range outs {
		s = append(s, o.Status+" "+o.Day)
	}
	return strings.Join(s, ", ")
}

// TestImportManyDecidesAsImportDoes: files committed many to a
// transaction are decided exactly as when each is imported on its own, in
// the same order: the same outcomes (held files taken up, replays, forks,
// refusals) and the same registry afterwards.
func TestImportManyDecidesAsImportDoes(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		for _, tc := range []struct {
			name  string
			files []string
		}{
			{"InOrder", []string{"intact-day1.bms", "intact-day2.bms", "intact-day3.bms"}},
			{"MissingDayComesLater", []string{"intact-day1.bms", "intact-day3.bms", "intact-day2.bms", "intact-day3.bms"}},
			{"FirstDayLast", []string{"intact-day3.bms", "intact-day2.bms", "intact-day1.bms"}},
			{"Replays", []string{"intact-day1.bms", "intact-day1.bms", "intact-day2.bms", "intact-day1.bms", "intact-day2.bms"}},
			{"ForksAndReplays", []string{"intact-day1.bms", "fork", "fork", "broken-chain.bms", "intact-day2.bms", "intact-day3.bms"}},
			{"RefusedAmongAccepted", []string{"unbalanced.bms", "intact-day1.bms", "figures.bms", "wrong-key.bms", "intact-day2.bms", "truncated.bms", "intact-day3.bms"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				fork := forkedDay1(t)
				data := make([][]byte, len(tc.files))
				for i, name := range tc.files {
					if name == "fork" {
						data[i] = fork
					} else {
						data[i] = scenario(t, name)
					}
				}
				one, many := newOffice(t, b), newOffice(t, b)
				many.im.Signer, many.im.Verifier = one.im.Signer, one.im.Verifier // the same acknowledgements
				one.enrol("T0001", stationKey)
				many.enrol("T0001", stationKey)

				var want, got []string
				var checked []*registry.Checked
				for _, d := range data {
					want = append(want, decided(one.importFile(d)))
					checked = append(checked, many.reg.Check(t.Context(), d))
				}
				for _, r := range many.im.ImportMany(t.Context(), checked) {
					got = append(got, decided(r.Outcomes, r.Err))
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("ImportMany decided\n%s\nImport one by one decided\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
				if !reflect.DeepEqual(many.state(), one.state()) {
					t.Errorf("the registries differ:\n%+v\n%+v", many.state(), one.state())
				}
			})
		}
	})
}

// TestImportCrashLosesNothing: the import program killed (SIGKILL) inside
// a transaction that decided two days, just before it commits. The day
// committed before is kept, the two are not recorded at all, and the same
// files imported again accept each day exactly once: the first is a
// replay, the two are accepted.
func TestImportCrashLosesNothing(t *testing.T) {
	if dir := os.Getenv("REGISTRY_CRASH_CHILD"); dir != "" {
		crashChild(t, backendNamed(t, os.Getenv("REGISTRY_TEST_STORE")), os.Getenv("REGISTRY_TEST_WHERE"), dir)
		return
	}
	eachStore(t, func(t *testing.T, b backend) {
		dir := t.TempDir()
		where := b.fresh(t)
		o := newOfficeAt(t, b, where)
		o.enrol("T0001", stationKey)
		o.reg.Close()

		cmd := exec.Command(os.Args[0], "-test.run=^TestImportCrashLosesNothing$", "-test.v")
		cmd.Env = append(openEnv(b, where), "REGISTRY_CRASH_CHILD="+dir)
		out, err := os.Create(filepath.Join(dir, "child.log"))
		if err != nil {
			t.Fatal(err)
		}
		defer out.Close()
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		marker := filepath.Join(dir, "in-commit")
		for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(20 * time.Millisecond) {
			if _, err := os.Stat(marker); err == nil {
				break
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				cmd.Wait()
				log, _ := os.ReadFile(filepath.Join(dir, "child.log"))
				t.Fatalf("the child never reached the commit:\n%s", log)
			}
		}
		cmd.Process.Kill() // SIGKILL: no deferred work, no rollback, nothing flushed
		cmd.Wait()

		o = newOfficeAt(t, b, where)
		var days []string
		o.reg.Days(t.Context(), "T0001", "", "", func(d registry.Day) error { days = append(days, d.Day); return nil })
		if fmt.Sprint(days) != "[2026-11-20]" {
			t.Fatalf("after the crash the registry holds days %v; want only the day committed before it", days)
		}
		var got []string
		for _, name := range []string{"intact-day1.bms", "intact-day2.bms", "intact-day3.bms"} {
			got = append(got, decided(o.importFile(scenario(t, name))))
		}
		want := []string{"replay 2026-11-20", "accepted 2026-11-21", "accepted 2026-11-22"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("imported again: %v; want %v", got, want)
		}
		days = nil
		o.reg.Days(t.Context(), "T0001", "", "", func(d registry.Day) error { days = append(days, d.Day); return nil })
		if fmt.Sprint(days) != "[2026-11-20 2026-11-21 2026-11-22]" {
			t.Errorf("days %v; want each day once", days)
		}
	})
}

// crashChild is the program that is killed: it commits day 1, then stops
// for good inside the transaction that decided days 2 and 3.
func crashChild(t *testing.T, b backend, where, dir string) {
	o := newOfficeAt(t, b, where)
	ctx := t.Context()
	if r := o.im.ImportMany(ctx, []*registry.Checked{o.reg.Check(ctx, scenario(t, "intact-day1.bms"))}); r[0].Err != nil {
		t.Fatal(r[0].Err)
	}
	o.im.BeforeCommit = func(files int) {
		if err := os.WriteFile(filepath.Join(dir, "in-commit"), nil, 0o644); err != nil {
			t.Error(err)
		}
		select {} // killed here
	}
	o.im.ImportMany(ctx, []*registry.Checked{o.reg.Check(ctx, scenario(t, "intact-day2.bms")), o.reg.Check(ctx, scenario(t, "intact-day3.bms"))})
	t.Error("the transaction committed")
}

// TestImportManyWriteFailure: when a write of a group fails (here the
// archive folder cannot be made), nothing of the group is recorded and
// its files are committed one to a transaction, each failing or not on
// its own, as one-by-one imports do.
func TestImportManyWriteFailure(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		o := newOffice(t, b)
		o.enrol("T0001", stationKey)
		// A file where the station's archive folder should be.
		if err := os.MkdirAll(o.im.Archive, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(o.im.Archive, "T0001"), []byte("in the way"), 0o644); err != nil {
			t.Fatal(err)
		}
		var checked []*registry.Checked
		for _, name := range []string{"intact-day1.bms", "unbalanced.bms", "intact-day2.bms"} {
			checked = append(checked, o.reg.Check(t.Context(), scenario(t, name)))
		}
		res := o.im.ImportMany(t.Context(), checked)
		var got []string
		for _, r := range res {
			switch {
			case r.Err == nil:
				got = append(got, "ok")
			case errors.As(r.Err, new(*registry.Error)):
				got = append(got, "refused")
			default:
				got = append(got, "failed")
			}
		}
		// Day 1 cannot be archived, so it is not recorded; the unbalanced
		// file is refused; day 2 does not follow on from a recorded day 1,
		// so it is held (and its copy is not archived: only accepted files
		// are).
		if want := []string{"failed", "refused", "ok"}; !reflect.DeepEqual(got, want) {
			t.Fatalf("results %v (%+v); want %v", got, res, want)
		}
		if res[2].Outcomes[0].Status != registry.Held {
			t.Errorf("day 2: %+v; want held", res[2].Outcomes)
		}
		s, _ := o.reg.Station(t.Context(), "T0001")
		if s.LastDay != "" || s.Held != 1 {
			t.Errorf("station %+v; want no day accepted and day 2 held", s)
		}
	})
}

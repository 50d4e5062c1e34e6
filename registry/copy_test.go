package registry_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/villagepost/bianmin/registry"
)

// TestCopyAndCompare: a bbolt registry with every kind of record (days,
// traces, a held file, a fork, two stations' keys, a staff account, a tariff)
// is copied into an empty PostgreSQL database; Compare finds the two the
// same and counts every record, and finds any record changed afterwards.
func TestCopyAndCompare(t *testing.T) {
	bolt, pg := backends[0], backends[1]
	o := newOffice(t, bolt)
	o.enrol("T0001", stationKey)
	o.mustImport(scenario(t, "intact-day1.bms"), registry.Accepted)
	o.mustImport(scenario(t, "intact-day3.bms"), registry.Held)
	o.mustImport(forkedDay1(t), registry.Fork)
	o.enrol("T0002", newKey)
	staff, err := registry.NewStaff("alice", "李丽", registry.Clerk, "long enough pw", zeros{})
	if err != nil {
		t.Fatal(err)
	}
	if err := o.reg.AddStaff(t.Context(), staff); err != nil {
		t.Fatal(err)
	}
	// A station recorded by an older program, to the nanosecond.
	old := &registry.Station{ID: "T0003", Franchisee: "张大山", Tariff: "DEMO-2026-11", Key: verifierKey(t, "T0003", newKey), Status: registry.Active,
		Enrolled: time.Date(2026, 11, 2, 3, 4, 5, 123456789, time.UTC)}
	old.Keys = []registry.KeyChange{{Key: old.Key, From: 1, At: old.Enrolled}}
	if err := o.reg.Store().Update(t.Context(), func(tx registry.Tx) error { _, err := tx.AddStation(old); return err }); err != nil {
		t.Fatal(err)
	}

	for _, d := range []uint64{12, 3} {
		if _, err := o.reg.SaveDecision(t.Context(), "T0001", d, []byte(fmt.Sprintf("decision %d\n", d))); err != nil {
			t.Fatal(err)
		}
	}

	where := pg.fresh(t)
	dst := pg.open(t, where)
	defer dst.Close()
	if empty, err := registry.Empty(t.Context(), dst); err != nil || !empty {
		t.Fatalf("a fresh database: empty %v, %v", empty, err)
	}
	copied, err := registry.Copy(t.Context(), o.reg.Store(), dst)
	if err != nil {
		t.Fatal(err)
	}
	want := registry.Counts{Stations: 3, Keys: 3, Days: 1, Traces: 1, Files: 3, Held: 1, Evidence: 1, Staff: 1, Tariffs: 1, Decisions: 2, DayFiles: 1}
	if copied != want {
		t.Errorf("copied %+v, want %+v", copied, want)
	}
	checked, err := registry.Compare(t.Context(), o.reg.Store(), dst)
	if err != nil || checked != copied {
		t.Fatalf("compare: %+v %v; want %+v and no difference", checked, err, copied)
	}
	if empty, err := registry.Empty(t.Context(), dst); err != nil || empty {
		t.Errorf("after the copy: empty %v, %v", empty, err)
	}
	// The copy goes on as the registry: day 2 comes, and day 3 held in
	// bbolt is taken up from the database.
	moved := newOfficeAt(t, pg, where)
	moved.im.Signer, moved.im.Verifier = o.im.Signer, o.im.Verifier
	moved.mustImport(scenario(t, "intact-day2.bms"), registry.Accepted, registry.Accepted)

	for _, c := range []struct{ kind, sql string }{
		{"traces", "UPDATE traces SET amount = '1.00' WHERE seq = (SELECT min(seq) FROM traces)"},
		{"held files", "INSERT INTO held SELECT station_id, 'x', prev_seq, file FROM held LIMIT 1"},
		{"stations", "UPDATE stations SET franchisee = '王秀英 ' WHERE station_id = 'T0002'"},
		{"decisions", "UPDATE decisions SET note = 'forged' WHERE dispute = 3"},
	} {
		fresh := pg.fresh(t)
		d := pg.open(t, fresh)
		if _, err := registry.Copy(t.Context(), o.reg.Store(), d); err != nil {
			t.Fatal(err)
		}
		p, err := pgxpool.New(t.Context(), fresh)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Exec(t.Context(), c.sql); err != nil {
			t.Fatal(err)
		}
		p.Close()
		if _, err := registry.Compare(t.Context(), o.reg.Store(), d); err == nil || !strings.Contains(err.Error(), c.kind) {
			t.Errorf("%s changed after the copy: compare says %v", c.kind, err)
		}
		d.Close()
	}
}

package reconcile_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/villagepost/bianmin/internal/pgtest"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/reconcile"
	"github.com/villagepost/bianmin/registry"
	"github.com/villagepost/bianmin/registry/pgstore"
)

// source is a place the reconciliation reads the stations' side from.
type source struct {
	name string
	src  reconcile.Source
}

// sources are the stand-in region with traces, and the same region
// written into a registry on each store: bbolt, whose reconciliation
// reads station by station, and PostgreSQL, which pairs the traces with
// the journal in SQL (reconcile.Matcher); the PostgreSQL one is skipped
// without a test database and fails without one under CI=true.
func sources(t *testing.T, traces []registry.Trace) []source {
	t.Helper()
	list := []source{{"stand-in", &region{traces: traces}}}
	bolt, err := registry.OpenBolt(filepath.Join(t.TempDir(), "registry.db"), false)
	if err != nil {
		t.Fatal(err)
	}
	list = append(list, source{"bbolt", fill(t, bolt, traces)})
	if os.Getenv("POSTOFFICE_TEST_DB") == "" && os.Getenv("CI") != "true" {
		t.Log("no PostgreSQL (POSTOFFICE_TEST_DB): the stand-in and bbolt only")
		return list
	}
	url := pgtest.DB(t)
	pool, err := pgstore.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pgstore.Migrate(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
	pg, err := pgstore.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	list = append(list, source{"postgres", fill(t, pg, traces)})
	return list
}

// fill writes the stand-in region into a store: T0001 with its days of
// 2026-11-20 (entries 1 to 99) and 2026-11-21 (100 to 199) and the
// traces, T0002 enrolled with nothing.
func fill(t *testing.T, st registry.Store, traces []registry.Trace) *registry.Registry {
	t.Helper()
	r := registry.New(st, nil)
	t.Cleanup(func() { r.Close() })
	err := st.Update(t.Context(), func(tx registry.Tx) error {
		for _, id := range []string{"T0001", "T0002"} {
			s := &registry.Station{ID: id, Franchisee: "王秀英", Tariff: "DEMO-2026-11", Key: id + "+00000000+AA", Zone: "Asia/Shanghai",
				Enrolled: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Status: registry.Active}
			if _, err := tx.AddStation(s); err != nil {
				return err
			}
		}
		for _, d := range []registry.Day{
			{Station: "T0001", Day: "2026-11-20", Prev: ledger.Checkpoint{Seq: 0}, Last: ledger.Checkpoint{Seq: 99}, Ack: []byte("ack")},
			{Station: "T0001", Day: "2026-11-21", Prev: ledger.Checkpoint{Seq: 99}, Last: ledger.Checkpoint{Seq: 199}, Ack: []byte("ack")},
		} {
			if err := tx.AddDay(&d); err != nil {
				return err
			}
		}
		var added []*registry.Trace
		for i := range traces {
			added = append(added, &traces[i])
		}
		return tx.PutTraces("T0001", added, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// runEverywhere reconciles on every source; every report must be the
// stand-in's, field for field. It returns that report.
func runEverywhere(t *testing.T, traces []registry.Trace, journals func() []reconcile.Journal) *reconcile.Report {
	t.Helper()
	var want *reconcile.Report
	var wantJSON []byte
	for _, s := range sources(t, traces) {
		rep, err := reconcile.Run(t.Context(), s.src, "2026-11-20", journals())
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		got, _ := json.MarshalIndent(rep, "", " ")
		if want == nil {
			want, wantJSON = rep, got
			continue
		}
		if string(got) != string(wantJSON) {
			t.Errorf("%s reports\n%s\nthe stand-in\n%s", s.name, got, wantJSON)
		}
	}
	return want
}

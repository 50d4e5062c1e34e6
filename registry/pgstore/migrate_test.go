package pgstore_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/villagepost/bianmin/internal/pgtest"
	"github.com/villagepost/bianmin/registry/pgstore"
)

func open(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), pgtest.DB(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func TestMigrateOnceInOrder(t *testing.T) {
	ctx := context.Background()
	pool := open(t)
	if err := pgstore.Check(ctx, pool); err == nil {
		t.Fatal("an empty database passed the check")
	} else if !errors.As(err, new(*pgstore.OlderError)) {
		t.Fatalf("an empty database: %v", err)
	}
	// Two programs start at once: each version is applied once.
	var wg sync.WaitGroup
	applied := make([][]string, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() { defer wg.Done(); applied[i], errs[i] = pgstore.Migrate(ctx, pool) }()
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatal(errs)
	}
	if n := len(applied[0]) + len(applied[1]); n != pgstore.Version() {
		t.Errorf("applied %v and %v, want %d versions in all", applied[0], applied[1], pgstore.Version())
	}
	if err := pgstore.Check(ctx, pool); err != nil {
		t.Fatal(err)
	}
	if again, err := pgstore.Migrate(ctx, pool); err != nil || len(again) != 0 {
		t.Errorf("migrate again: %v, %v", again, err)
	}
}

func TestNewerDatabaseRefused(t *testing.T) {
	ctx := context.Background()
	pool := open(t)
	if _, err := pgstore.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, "INSERT INTO schema_version (version, name) VALUES ($1, 'from_the_future')", pgstore.Version()+1); err != nil {
		t.Fatal(err)
	}
	var ne *pgstore.NewerError
	if err := pgstore.Check(ctx, pool); !errors.As(err, &ne) || ne.Database != pgstore.Version()+1 {
		t.Errorf("check: %v", err)
	}
	if _, err := pgstore.Migrate(ctx, pool); !errors.As(err, &ne) {
		t.Errorf("migrate: %v", err)
	}
}

// referenceTables are the post office's own tables, replicated to every
// node; every other table holds stations' data.
var referenceTables = map[string]bool{"tariffs": true, "staff": true, "schema_version": true, "reconciliations": true}

// Every table of a station's data has station_id leading its primary key
// (its distribution column), and docs/scale-out.md distributes exactly
// those tables and makes the others reference tables.
func TestSchemaShardsByStation(t *testing.T) {
	ctx := context.Background()
	pool := open(t)
	if _, err := pgstore.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	rows, err := pool.Query(ctx, `
		SELECT tc.table_name, kcu.column_name, kcu.ordinal_position
		FROM information_schema.table_constraints tc
		JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
		WHERE tc.table_schema = 'public' AND tc.constraint_type IN ('PRIMARY KEY', 'UNIQUE')
		ORDER BY tc.table_name, tc.constraint_name, kcu.ordinal_position`)
	if err != nil {
		t.Fatal(err)
	}
	first := map[string][]string{} // table → first column of each key
	for rows.Next() {
		var table, column string
		var pos int
		if err := rows.Scan(&table, &column, &pos); err != nil {
			t.Fatal(err)
		}
		if pos == 1 {
			first[table] = append(first[table], column)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var distributed, reference []string
	for table, cols := range first {
		if referenceTables[table] {
			reference = append(reference, table)
			continue
		}
		distributed = append(distributed, table)
		for _, c := range cols {
			if c != "station_id" {
				t.Errorf("table %s has a key that does not lead with station_id (%s): it cannot be distributed by station", table, c)
			}
		}
	}
	sort.Strings(distributed)
	sort.Strings(reference)
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "scale-out.md"))
	if err != nil {
		t.Fatal(err)
	}
	var docDist, docRef []string
	for _, m := range regexp.MustCompile(`create_distributed_table\('(\w+)', 'station_id'`).FindAllStringSubmatch(string(doc), -1) {
		docDist = append(docDist, m[1])
	}
	for _, m := range regexp.MustCompile(`create_reference_table\('(\w+)'\)`).FindAllStringSubmatch(string(doc), -1) {
		docRef = append(docRef, m[1])
	}
	sort.Strings(docDist)
	sort.Strings(docRef)
	if strings.Join(docDist, " ") != strings.Join(distributed, " ") {
		t.Errorf("docs/scale-out.md distributes %v; the schema's station tables are %v", docDist, distributed)
	}
	if strings.Join(docRef, " ") != strings.Join(reference, " ") {
		t.Errorf("docs/scale-out.md makes %v reference tables; the schema's are %v", docRef, reference)
	}
}

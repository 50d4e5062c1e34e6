package registry_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/villagepost/bianmin/internal/pgtest"
	"github.com/villagepost/bianmin/registry"
	"github.com/villagepost/bianmin/registry/pgstore"
)

// backend is one kind of store the registry's tests run on: the rules
// are the same code on each, so every test must decide the same on each.
type backend struct {
	name string
	// fresh returns where a new, empty store is: a file's path, a
	// database's URL.
	fresh func(t *testing.T) string
	// open opens the store at where; the same where holds the same
	// records.
	open func(t *testing.T, where string) registry.Store
}

// backends are the stores: bbolt always; PostgreSQL on a database of its
// own for each test on the cluster POSTOFFICE_TEST_DB names (the test
// skips without one, and fails under CI=true: internal/pgtest).
var backends = []backend{
	{
		name:  "bbolt",
		fresh: func(t *testing.T) string { return filepath.Join(t.TempDir(), "registry.db") },
		open: func(t *testing.T, where string) registry.Store {
			t.Helper()
			st, err := registry.OpenBolt(where, false)
			if err != nil {
				t.Fatal(err)
			}
			return st
		},
	},
	{
		name: "postgres",
		fresh: func(t *testing.T) string {
			t.Helper()
			url := pgtest.DB(t)
			pool, err := pgstore.Connect(t.Context(), url)
			if err != nil {
				t.Fatal(err)
			}
			defer pool.Close()
			if _, err := pgstore.Migrate(t.Context(), pool); err != nil {
				t.Fatal(err)
			}
			return url
		},
		open: func(t *testing.T, where string) registry.Store {
			t.Helper()
			st, err := pgstore.Open(t.Context(), where)
			if err != nil {
				t.Fatal(err)
			}
			return st
		},
	},
}

// eachStore runs fn as a subtest on every store.
func eachStore(t *testing.T, fn func(t *testing.T, b backend)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { fn(t, b) })
	}
}

// backendNamed is the store a child process of a test runs on.
func backendNamed(t *testing.T, name string) backend {
	for _, b := range backends {
		if b.name == name {
			return b
		}
	}
	t.Fatalf("no store %q", name)
	return backend{}
}

// openEnv is where a child process finds the store of its parent test.
func openEnv(b backend, where string) []string {
	return append(os.Environ(), "REGISTRY_TEST_STORE="+b.name, "REGISTRY_TEST_WHERE="+where)
}

package pgstore_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/villagepost/bianmin/internal/pgtest"
	"github.com/villagepost/bianmin/registry"
	"github.com/villagepost/bianmin/registry/pgstore"
)

// store is a migrated database of the test's own.
func store(t *testing.T) *pgstore.Store {
	t.Helper()
	url := pgtest.DB(t)
	pool, err := pgstore.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pgstore.Migrate(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
	pool.Close()
	s, err := pgstore.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestDeadlockIsRetried: two transactions lock two stations in opposite
// orders, each holding its first while it asks for the second. PostgreSQL
// breaks the deadlock by failing one of them (SQLSTATE 40P01); Update
// runs that one again, and both succeed: the caller never sees it.
func TestDeadlockIsRetried(t *testing.T) {
	s := store(t)
	for _, id := range []string{"T0001", "T0002"} {
		st := &registry.Station{ID: id, Franchisee: "王秀英", Tariff: "DEMO", Key: id + "+00000000+AA", Status: registry.Active,
			Enrolled: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)}
		if err := s.Update(t.Context(), func(tx registry.Tx) error { _, err := tx.AddStation(st); return err }); err != nil {
			t.Fatal(err)
		}
	}
	var attempts atomic.Int32
	var holding sync.WaitGroup
	holding.Add(2)
	lock := func(first, second string, once *sync.Once) error {
		return s.Update(t.Context(), func(tx registry.Tx) error {
			attempts.Add(1)
			st, _, err := tx.Station(first)
			if err != nil {
				return err
			}
			once.Do(func() { holding.Done(); holding.Wait() }) // both hold their first
			if _, _, err := tx.Station(second); err != nil {
				return err
			}
			st.Forks++
			return tx.PutStation(&st)
		})
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	var once1, once2 sync.Once
	wg.Add(2)
	go func() { defer wg.Done(); errs[0] = lock("T0001", "T0002", &once1) }()
	go func() { defer wg.Done(); errs[1] = lock("T0002", "T0001", &once2) }()
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("a deadlock reached the caller: %v", err)
	}
	if n := attempts.Load(); n < 3 {
		t.Errorf("%d attempts: the deadlock was not met (want one transaction run again)", n)
	}
	for _, id := range []string{"T0001", "T0002"} {
		st, _, err := s.Station(t.Context(), id)
		if err != nil || st.Forks != 1 {
			t.Errorf("%s after both: forks %d, %v; want each transaction's change once", id, st.Forks, err)
		}
	}
}

// TestOtherErrorsAreNotRetried: a refusal or any other error ends the
// transaction at once, and a serialization failure is retried only a
// bounded number of times.
func TestOtherErrorsAreNotRetried(t *testing.T) {
	s := store(t)
	n := 0
	refusal := errors.New("refused")
	if err := s.Update(t.Context(), func(registry.Tx) error { n++; return refusal }); !errors.Is(err, refusal) || n != 1 {
		t.Errorf("a refusal: %v after %d runs; want it returned after one", err, n)
	}
	n = 0
	busy := &pgconn.PgError{Code: "40001", Message: "could not serialize access"}
	err := s.Update(t.Context(), func(registry.Tx) error {
		n++
		if n < 4 {
			return busy
		}
		return nil
	})
	if err != nil || n != 4 {
		t.Errorf("three serialization failures: %v after %d runs; want success on the fourth", err, n)
	}
	n = 0
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	if err := s.Update(ctx, func(registry.Tx) error { n++; return busy }); !pgstore.Retryable(err) || n < 2 || n > 50 {
		t.Errorf("endless serialization failures: %v after %d runs; want it returned after a bounded number", err, n)
	}
}

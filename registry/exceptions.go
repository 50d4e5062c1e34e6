package registry

import (
	"context"
	"fmt"
	"time"
)

// Reconciliation is a business day's reconciliation against the hosts'
// journals, as last run.
type Reconciliation struct {
	Day        string    `json:"day"` // YYYY-MM-DD
	At         time.Time `json:"at"`  // when it was run
	Exceptions int       `json:"exceptions"`
}

// Exception is one disagreement a reconciliation found between a
// station's records and a host's journal (reconcile.Exception, kept with
// its day and its position in the day's list). Every post office server
// sharing a store sees the same ones: the staff's pages and the station
// API's results read them here.
type Exception struct {
	Station       string `json:"station"`
	Day           string `json:"day"`
	N             int    `json:"n"` // its position in the day's list, from 0
	Kind          string `json:"kind"`
	Trace         string `json:"trace"`
	Service       string `json:"service"`
	StationState  string `json:"station_state"`
	StationAmount string `json:"station_amount"`
	HostState     string `json:"host_state"`
	HostAmount    string `json:"host_amount"`
	Journal       string `json:"journal"`
	Line          int    `json:"line"`
	Detail        string `json:"detail"`
}

// SaveReconciliation records a day's reconciliation and its exceptions in
// place of an earlier run's, in one transaction: every server sharing the
// store then shows the same ones.
func (r *Registry) SaveReconciliation(ctx context.Context, rec Reconciliation, found []Exception) error {
	if err := checkReconciliation(rec, found); err != nil {
		return err
	}
	return r.store.Update(ctx, func(tx Tx) error { return tx.PutReconciliation(rec, found) })
}

// Reconciliations returns the business days reconciled, in order.
func (r *Registry) Reconciliations(ctx context.Context) ([]Reconciliation, error) {
	return r.store.Reconciliations(ctx)
}

// Exceptions returns what the last reconciliation of each day from from
// to to (inclusive) found, of one station or of all (station "").
func (r *Registry) Exceptions(ctx context.Context, station, from, to string) ([]Exception, error) {
	for _, d := range []string{from, to} {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return nil, fmt.Errorf("registry: exceptions: day %q: want YYYY-MM-DD", d)
		}
	}
	return r.store.Exceptions(ctx, station, from, to)
}

// checkReconciliation refuses a reconciliation a store must not record:
// a day not in the form both stores compare and sort, or an exception of
// another day or out of order.
func checkReconciliation(r Reconciliation, found []Exception) error {
	if _, err := time.Parse(time.DateOnly, r.Day); err != nil {
		return fmt.Errorf("registry: reconciliation: day %q: want YYYY-MM-DD", r.Day)
	}
	if r.Exceptions != len(found) {
		return fmt.Errorf("registry: reconciliation of %s: says %d exceptions, has %d", r.Day, r.Exceptions, len(found))
	}
	for i, e := range found {
		if e.Day != r.Day || e.N != i || e.Station == "" {
			return fmt.Errorf("registry: reconciliation of %s: exception %d is of day %q, station %q, position %d", r.Day, i, e.Day, e.Station, e.N)
		}
	}
	return nil
}

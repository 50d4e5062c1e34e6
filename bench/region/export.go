package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"path/filepath"
	"strconv"

	"github.com/villagepost/bianmin/registry"
)

// runExport writes the registry's view of the stations as CSV for
// PostgreSQL: every accepted day (pg/days.csv) and every trace the
// registry derived from the imported files (pg/traces.csv), the very rows
// reconcile.Run reads.
func runExport(args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	path := fs.String("registry", "", "the post office's registry file")
	out := fs.String("out", "", "folder to write days.csv and traces.csv into")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *path == "" || *out == "" {
		return fmt.Errorf("export: want --registry and --out")
	}
	r, err := registry.Open(*path, nil)
	if err != nil {
		return err
	}
	defer r.Close()
	df, days, err := newCSV(filepath.Join(*out, "days.csv"), "station", "day", "first", "last")
	if err != nil {
		return err
	}
	defer df.Close()
	tf, traces, err := newCSV(filepath.Join(*out, "traces.csv"), "trace", "station", "seq", "day", "service", "amount", "state", "refund")
	if err != nil {
		return err
	}
	defer tf.Close()
	ctx := context.Background()
	stations, err := r.Stations(ctx)
	if err != nil {
		return err
	}
	nd, nt := 0, 0
	u := func(n uint64) string { return strconv.FormatUint(n, 10) }
	for _, s := range stations {
		err := r.Days(ctx, s.ID, "", "", func(d registry.Day) error {
			nd++
			return days.Write([]string{d.Station, d.Day, u(d.First()), u(d.Last.Seq)})
		})
		if err != nil {
			return err
		}
		err = r.Traces(ctx, s.ID, 1, math.MaxUint64, func(t registry.Trace) error {
			nt++
			return traces.Write([]string{t.Trace, t.Station, u(t.Seq), t.Day, t.Service, t.Amount, t.State, t.Refund})
		})
		if err != nil {
			return err
		}
	}
	days.Flush()
	traces.Flush()
	if err := days.Error(); err != nil {
		return err
	}
	if err := traces.Error(); err != nil {
		return err
	}
	fmt.Printf("exported stations %d days %d traces %d\n", len(stations), nd, nt)
	return nil
}

package main

import (
	"context"
	"crypto/ed25519"
	"encoding/csv"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/tariff"
)

// runGenerate writes a region's stations' settlement files and the hosts'
// journals for them.
func runGenerate(args []string) error {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	out := fs.String("out", "", "folder to write into (created)")
	stations := fs.Int("stations", 300, "stations in the region")
	days := fs.Int("days", 365, "business days per station")
	entries := fs.Int("entries", 50, "ledger entries per station and day, the close included")
	end := fs.String("end", "", "the last business day, YYYY-MM-DD (default: yesterday in China)")
	work := fs.String("work", "", "scratch folder for the stations' ledgers (default: /dev/shm if present, else under --out)")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "stations generated at once")
	per := fs.Int("inject", 5, "discrepancies of each kind to inject into the host journals (dropped line, altered amount, duplicated line, line for an entry that is no request)")
	profile := fs.String("cpuprofile", "", "write a CPU profile here")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	debug.SetGCPercent(400) // the heap is small; collect less often
	if *out == "" || *stations < 1 || *days < 1 || *entries < 12 {
		return fmt.Errorf("generate: want --out, --stations ≥ 1, --days ≥ 1, --entries ≥ 12")
	}
	last := time.Now().In(cst).AddDate(0, 0, -1)
	if *end != "" {
		var err error
		if last, err = time.ParseInLocation(time.DateOnly, *end, cst); err != nil {
			return fmt.Errorf("generate: --end: %w", err)
		}
	}
	first := time.Date(last.Year(), last.Month(), last.Day(), 8, 0, 0, 0, cst).AddDate(0, 0, -(*days - 1))
	if *work == "" {
		*work = filepath.Join(*out, "work")
		if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
			*work = "/dev/shm"
		}
	}
	scratch, err := os.MkdirTemp(*work, "region-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(scratch)

	// The demo tariff, in force over the whole year.
	demo := strings.Replace(string(tariff.DemoJSON), `"valid_from": "2026-01-01"`,
		fmt.Sprintf(`"valid_from": "%d-01-01"`, first.Year()), 1)
	tf, err := tariff.Parse([]byte(demo))
	if err != nil {
		return fmt.Errorf("generate: tariff: %w", err)
	}

	for _, d := range []string{"settlements", "journals", "pg"} {
		if err := os.MkdirAll(filepath.Join(*out, d), 0o755); err != nil {
			return err
		}
	}
	ids := make([]string, *stations)
	var keys strings.Builder
	for i := range ids {
		ids[i] = fmt.Sprintf("T%04d", i+1)
		vkey, err := keyfile.VerifierKey(ids[i], stationKey(ids[i]).Public().(ed25519.PublicKey))
		if err != nil {
			return err
		}
		fmt.Fprintf(&keys, "%s %s\n", ids[i], vkey)
	}
	if err := os.WriteFile(filepath.Join(*out, "keys.txt"), []byte(keys.String()), 0o644); err != nil {
		return err
	}
	j, err := newJournals(*out, *stations, *days, *per)
	if err != nil {
		return err
	}

	started := time.Now()
	var done, made atomic.Int64
	next := make(chan int)
	errs := make(chan error, *workers)
	var wg sync.WaitGroup
	for range *workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				n, err := generateStation(ids[i], i, scratch, tf, first, *days, *entries, *out, j)
				if err != nil {
					errs <- err
					return
				}
				made.Add(n)
				if d := done.Add(1); d%10 == 0 || int(d) == *stations {
					fmt.Fprintf(os.Stderr, "region: %d/%d stations, %d entries, %s\n", d, *stations, made.Load(), time.Since(started).Round(time.Second))
				}
			}
		}()
	}
	go func() {
		defer close(next)
		for i := range ids {
			select {
			case next <- i:
			case err := <-errs:
				errs <- err
				return
			}
		}
	}()
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	if err := j.Close(); err != nil {
		return err
	}
	fmt.Printf("generated stations %d days %d entries %d files %d host_lines %d first %s last %s seconds %.1f\n",
		*stations, *days, made.Load(), *stations**days, j.total, first.Format(time.DateOnly), last.Format(time.DateOnly), time.Since(started).Seconds())
	for _, k := range kinds {
		fmt.Printf("injected %s %d\n", k.exception, j.injected[k.name])
	}
	return nil
}

// generateStation makes one station's year and returns how many entries
// it wrote.
func generateStation(id string, index int, scratch string, tf *tariff.Tariff, first time.Time, days, entries int, out string, j *journals) (int64, error) {
	s, err := openStation(id, index, scratch, tf, first)
	if err != nil {
		return 0, err
	}
	ctx := context.Background()
	var n int64
	for d := range days {
		res, err := s.runDay(ctx, first.AddDate(0, 0, d), entries)
		if err != nil {
			s.Close()
			return n, err
		}
		n += int64(res.Close - res.First + 1)
		name := filepath.Join(out, "settlements", id+"-"+strings.ReplaceAll(res.Day, "-", "")+".bms")
		if err := os.WriteFile(name, res.File, 0o644); err != nil {
			s.Close()
			return n, err
		}
		if err := j.add(index, d, id, res); err != nil {
			s.Close()
			return n, err
		}
	}
	return n, s.Close()
}

// kinds of discrepancy injected into the host journals, and the exception
// the reconciliation must report for each.
var kinds = []struct{ name, exception string }{
	{"drop", "missing_at_host"},       // an approved withdrawal's line removed
	{"alter", "amount_mismatch"},      // an approved bill payment's amount raised by 1.00
	{"duplicate", "duplicate"},        // an approved top-up's line written twice
	{"phantom", "missing_at_station"}, // a line for the day_close entry's number, which is no request
}

// pickInjections chooses distinct station-days for each kind.
func pickInjections(stations, days, per int) map[[2]int]string {
	rng := rand.New(rand.NewPCG(42, 6))
	out := map[[2]int]string{}
	for _, k := range kinds {
		for n := 0; n < per && len(out) < stations*days; {
			at := [2]int{rng.IntN(stations), rng.IntN(days)}
			if _, taken := out[at]; !taken {
				out[at] = k.name
				n++
			}
		}
	}
	return out
}

// newCSV creates a CSV file with a header.
func newCSV(path string, header ...string) (*os.File, *csv.Writer, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, err
	}
	w := csv.NewWriter(f)
	return f, w, w.Write(header)
}

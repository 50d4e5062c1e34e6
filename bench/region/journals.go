package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/hostsim"
	"github.com/villagepost/bianmin/money"
)

// journals writes the hosts' journal lines into one journal per business
// day (journals/host-20260101.jsonl), injects the chosen discrepancies,
// and keeps the same lines as CSV for PostgreSQL (pg/host.csv).
type journals struct {
	out    string
	inject map[[2]int]string

	mu       sync.Mutex
	lines    map[string]int // lines written per journal file
	total    int
	injected map[string]int
	hostF    *os.File
	host     *csv.Writer
	expF     *os.File
	exp      *csv.Writer
}

func newJournals(out string, stations, days, per int) (*journals, error) {
	j := &journals{out: out, inject: pickInjections(stations, days, per), lines: map[string]int{}, injected: map[string]int{}}
	var err error
	j.hostF, j.host, err = newCSV(filepath.Join(out, "pg", "host.csv"),
		"journal", "line", "time", "event", "host", "trace", "station", "seq", "service", "status", "amount", "refund")
	if err != nil {
		return nil, err
	}
	j.expF, j.exp, err = newCSV(filepath.Join(out, "expected.csv"), "day", "station", "trace", "kind", "exception")
	if err != nil {
		return nil, err
	}
	return j, nil
}

// Close flushes the CSV files.
func (j *journals) Close() error {
	j.host.Flush()
	j.exp.Flush()
	var errs []error
	for _, e := range []error{j.host.Error(), j.exp.Error(), j.hostF.Close(), j.expF.Close()} {
		if e != nil {
			errs = append(errs, e)
		}
	}
	if len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// add passes on one station-day's host lines, injecting a discrepancy
// when one was chosen for it.
func (j *journals) add(station, day int, id string, r dayResult) error {
	lines := make([]hostsim.JournalLine, len(r.Lines))
	for i, b := range r.Lines {
		l, err := hostsim.ParseJournalLine(b)
		if err != nil {
			return fmt.Errorf("%s %s: host journal line %d: %w", id, r.Day, i+1, err)
		}
		lines[i] = l
	}
	kind := j.inject[[2]int{station, day}]
	var trace string
	if kind != "" {
		var err error
		lines, trace, err = inject(kind, id, r.Close, lines)
		if err != nil {
			return fmt.Errorf("%s %s: %w", id, r.Day, err)
		}
	}
	var buf bytes.Buffer
	for _, l := range lines {
		b, err := hostsim.FormatJournalLine(l)
		if err != nil {
			return err
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	name := "host-" + strings.ReplaceAll(r.Day, "-", "") + ".jsonl"

	j.mu.Lock()
	defer j.mu.Unlock()
	f, err := os.OpenFile(filepath.Join(j.out, "journals", name), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(buf.Bytes()); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	for _, l := range lines {
		j.lines[name]++
		j.total++
		st, seq, _ := strings.Cut(l.Trace, "-")
		n, _ := strconv.ParseUint(seq, 10, 64)
		err := j.host.Write([]string{name, strconv.Itoa(j.lines[name]), l.Time.Format("2006-01-02T15:04:05.999999999Z07:00"),
			l.Event, l.Host, l.Trace, st, strconv.FormatUint(n, 10), l.Service, l.Status, l.Amount, l.Refund})
		if err != nil {
			return err
		}
	}
	if trace != "" {
		j.injected[kind]++
		for _, k := range kinds {
			if k.name == kind {
				return j.exp.Write([]string{r.Day, id, trace, kind, k.exception})
			}
		}
	}
	return nil
}

// inject applies one discrepancy to a station-day's lines and returns the
// trace it affects ("" if the day had no line to apply it to).
func inject(kind, id string, closeSeq uint64, lines []hostsim.JournalLine) ([]hostsim.JournalLine, string, error) {
	find := func(service string) int {
		for i, l := range lines {
			if l.Event == hostsim.EventSend && l.Status == "approved" && l.Service == service {
				return i
			}
		}
		return -1
	}
	switch kind {
	case "drop":
		if i := find("withdrawal"); i >= 0 {
			return append(lines[:i:i], lines[i+1:]...), lines[i].Trace, nil
		}
	case "alter":
		if i := find("bill_payment"); i >= 0 {
			a, err := money.ParseWire(lines[i].Amount)
			if err != nil {
				return nil, "", err
			}
			lines[i].Amount = money.FormatWire(a.Add(decimal.New(1, 0)))
			return lines, lines[i].Trace, nil
		}
	case "duplicate":
		if i := find("topup"); i >= 0 {
			out := append(lines[:i+1:i+1], lines[i])
			return append(out, lines[i+1:]...), lines[i].Trace, nil
		}
	case "phantom":
		if i := find("withdrawal"); i >= 0 {
			l := lines[i]
			l.Trace = fmt.Sprintf("%s-%06d", id, closeSeq)
			return append(lines, l), l.Trace, nil
		}
	}
	return lines, "", nil
}

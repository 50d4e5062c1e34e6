package reconcile_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/villagepost/bianmin/hostsim"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/reconcile"
	"github.com/villagepost/bianmin/registry"
)

// region is a registry stand-in: T0001 has an accepted file for
// 2026-11-20 (entries 1 to 99) and 2026-11-21 (100 to 199); T0002 is
// enrolled and sent nothing.
type region struct{ traces []registry.Trace }

func (r *region) Stations(context.Context) ([]registry.Station, error) {
	return []registry.Station{{ID: "T0001", Zone: "Asia/Shanghai"}, {ID: "T0002", Zone: "Asia/Shanghai"}}, nil
}

func (r *region) Day(_ context.Context, station, day string) (registry.Day, bool, error) {
	if station != "T0001" {
		return registry.Day{}, false, nil
	}
	switch day {
	case "2026-11-20":
		return registry.Day{Station: station, Day: day, Prev: ledger.Checkpoint{Seq: 0}, Last: ledger.Checkpoint{Seq: 99}}, true, nil
	case "2026-11-21":
		return registry.Day{Station: station, Day: day, Prev: ledger.Checkpoint{Seq: 99}, Last: ledger.Checkpoint{Seq: 199}}, true, nil
	}
	return registry.Day{}, false, nil
}

func (r *region) Traces(_ context.Context, station string, from, to uint64, fn func(registry.Trace) error) error {
	for _, t := range r.traces {
		if t.Station == station && t.Seq >= from && t.Seq <= to {
			if err := fn(t); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r *region) DayOf(_ context.Context, station string, seq uint64) (string, bool, error) {
	switch {
	case station != "T0001" || seq > 199:
		return "", false, nil
	case seq > 99:
		return "2026-11-21", true, nil
	}
	return "2026-11-20", true, nil
}

var at = time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC) // 10:00 in the stations' zone

func trace(seq uint64, service, state, amount string) *registry.Trace {
	return &registry.Trace{Trace: registry.TraceOf("T0001", seq), Station: "T0001", Seq: seq, Day: "2026-11-20", Service: service, State: state, Amount: amount}
}

func line(event, trace, service, status, amount string) hostsim.JournalLine {
	host := map[string]string{"withdrawal": "bank", "bill_payment": "biller", "ticket_order": "carrier", "ticket_cancel": "carrier"}[service]
	return hostsim.JournalLine{Time: at, Event: event, Host: host, Trace: trace, Terminal: strings.Split(trace, "-")[0], Service: service, Status: status, Code: "00", Amount: amount}
}

func TestClassification(t *testing.T) {
	for _, c := range []struct {
		name    string
		station *registry.Trace
		host    []hostsim.JournalLine
		want    string // "" for matched
	}{
		{"both approved, same amount", trace(2, "withdrawal", registry.StateApproved, "500.00"),
			[]hostsim.JournalLine{line("send", "T0001-000002", "withdrawal", "approved", "500.00")}, ""},
		{"both declined", trace(2, "withdrawal", registry.StateDeclined, "500.00"),
			[]hostsim.JournalLine{line("send", "T0001-000002", "withdrawal", "declined", "500.00")}, ""},
		{"reversed on both sides", trace(2, "withdrawal", registry.StateReversed, "500.00"),
			[]hostsim.JournalLine{line("send", "T0001-000002", "withdrawal", "approved", "500.00"), line("reverse", "T0001-000002", "withdrawal", "reversed", "500.00")}, ""},
		{"not sent, host never saw it", trace(2, "withdrawal", registry.StateNotSent, "500.00"), nil, ""},
		{"queued payment confirmed later", trace(2, "bill_payment", registry.StateConfirmed, "45.00"),
			[]hostsim.JournalLine{line("send", "T0001-000002", "bill_payment", "approved", "45.00")}, ""},
		{"the host lost an approved withdrawal", trace(2, "withdrawal", registry.StateApproved, "500.00"), nil, reconcile.MissingAtHost},
		{"the host approved what the station has not", nil,
			[]hostsim.JournalLine{line("send", "T0001-000002", "withdrawal", "approved", "500.00")}, reconcile.MissingAtStation},
		{"the host approved another amount", trace(2, "withdrawal", registry.StateApproved, "500.00"),
			[]hostsim.JournalLine{line("send", "T0001-000002", "withdrawal", "approved", "5000.00")}, reconcile.AmountMismatch},
		{"decided twice at the host", trace(2, "withdrawal", registry.StateApproved, "500.00"),
			[]hostsim.JournalLine{line("send", "T0001-000002", "withdrawal", "approved", "500.00"), line("send", "T0001-000002", "withdrawal", "approved", "500.00")}, reconcile.Duplicate},
		{"the station reversed, the host kept it", trace(2, "withdrawal", registry.StateReversed, "500.00"),
			[]hostsim.JournalLine{line("send", "T0001-000002", "withdrawal", "approved", "500.00")}, reconcile.ReversedApproved},
		{"reversal still owed, the host kept it", trace(2, "withdrawal", registry.StateReverseDue, "500.00"),
			[]hostsim.JournalLine{line("send", "T0001-000002", "withdrawal", "approved", "500.00")}, reconcile.ReversedApproved},
		{"the station approved, the host reversed", trace(2, "withdrawal", registry.StateApproved, "500.00"),
			[]hostsim.JournalLine{line("send", "T0001-000002", "withdrawal", "approved", "500.00"), line("reverse", "T0001-000002", "withdrawal", "reversed", "500.00")}, reconcile.ReversedApproved},
		{"queued and never sent", trace(2, "bill_payment", registry.StateQueued, "45.00"), nil, reconcile.QueuedNotConfirmed},
		{"queued, approved at the host, not yet booked", trace(2, "bill_payment", registry.StateQueued, "45.00"),
			[]hostsim.JournalLine{line("send", "T0001-000002", "bill_payment", "approved", "45.00")}, reconcile.QueuedNotConfirmed},
		{"the station says declined, the host approved", trace(2, "withdrawal", registry.StateDeclined, "500.00"),
			[]hostsim.JournalLine{line("send", "T0001-000002", "withdrawal", "approved", "500.00")}, reconcile.StatusMismatch},
		{"the station booked it, the host declined", trace(2, "bill_payment", registry.StateApproved, "45.00"),
			[]hostsim.JournalLine{line("send", "T0001-000002", "bill_payment", "declined", "45.00")}, reconcile.StatusMismatch},
		{"a station that sent no file", nil,
			[]hostsim.JournalLine{line("send", "T0002-000002", "withdrawal", "approved", "500.00")}, reconcile.NoFile},
		{"a station never enrolled", nil,
			[]hostsim.JournalLine{line("send", "T0099-000002", "withdrawal", "approved", "500.00")}, reconcile.UnknownStation},
	} {
		t.Run(c.name, func(t *testing.T) {
			var traces []registry.Trace
			if c.station != nil {
				traces = append(traces, *c.station)
			}
			var j bytes.Buffer
			for _, l := range c.host {
				b, err := hostsim.FormatJournalLine(l)
				if err != nil {
					t.Fatal(err)
				}
				j.Write(b)
				j.WriteByte('\n')
			}
			rep := runEverywhere(t, traces, func() []reconcile.Journal {
				return []reconcile.Journal{{Name: "host.jsonl", R: bytes.NewReader(j.Bytes())}}
			})
			switch {
			case c.want == "" && (!rep.Clean() || rep.Matched != 1):
				t.Errorf("want matched, got %+v", rep)
			case c.want != "" && (len(rep.Exceptions) != 1 || rep.Exceptions[0].Kind != c.want):
				t.Errorf("want one %s, got %+v", c.want, rep.Exceptions)
			}
		})
	}
}

// Host lines of other days are left to those days' reconciliations, and
// a bad line is reported with its number while the rest are read.
func TestJournalLinesOfOtherDaysAndBadRows(t *testing.T) {
	next := line("send", "T0001-000150", "withdrawal", "approved", "100.00")
	next.Time = at.AddDate(0, 0, 1)
	late := line("send", "T0002-000007", "withdrawal", "approved", "100.00")
	late.Time = at.AddDate(0, 0, 1)
	var j bytes.Buffer
	for _, l := range []hostsim.JournalLine{line("send", "T0001-000002", "withdrawal", "approved", "500.00"), next, late} {
		b, _ := hostsim.FormatJournalLine(l)
		j.Write(b)
		j.WriteByte('\n')
	}
	j.WriteString("{\"time\":\"not a time\"}\n")
	j.WriteString("\n")
	rep := runEverywhere(t, []registry.Trace{*trace(2, "withdrawal", registry.StateApproved, "500.00")}, func() []reconcile.Journal {
		return []reconcile.Journal{{Name: "bank.jsonl", R: bytes.NewReader(j.Bytes())}}
	})
	if rep.Matched != 1 || len(rep.Exceptions) != 0 {
		t.Errorf("matched %d, exceptions %+v: want the day's one trace matched and nothing else", rep.Matched, rep.Exceptions)
	}
	if len(rep.BadRows) != 1 || rep.BadRows[0].Line != 4 || rep.BadRows[0].Journal != "bank.jsonl" {
		t.Errorf("bad rows %+v, want line 4 of bank.jsonl", rep.BadRows)
	}
	var csv bytes.Buffer
	if err := rep.WriteCSV(&csv); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(csv.String(), "2026-11-20,bad_row,,,,,,,,bank.jsonl,4,") {
		t.Errorf("CSV lacks the bad row:\n%s", csv.String())
	}
}

// FuzzJournal: any bytes as a journal never stop a reconciliation; a line
// that does not read is counted, with its number.
func FuzzJournal(f *testing.F) {
	b, _ := hostsim.FormatJournalLine(line("send", "T0001-000002", "withdrawal", "approved", "500.00"))
	f.Add(append(b, '\n'))
	f.Add([]byte("not json\n{}\n"))
	f.Add([]byte(`{"time":"2026-11-20T02:00:00Z","event":"reverse","trace":"T0001-000011","status":"none","code":"25"}` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		src := &region{traces: []registry.Trace{*trace(2, "withdrawal", registry.StateApproved, "500.00")}}
		rep, err := reconcile.Run(t.Context(), src, "2026-11-20", []reconcile.Journal{{Name: "j", R: bytes.NewReader(data)}})
		if err != nil {
			return // a line longer than any journal holds
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		if len(rep.BadRows) > lines || rep.Matched+len(rep.Exceptions) == 0 {
			t.Fatalf("report %+v for %d lines", rep, lines)
		}
	})
}

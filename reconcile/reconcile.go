// Package reconcile matches what stations say they asked of the hosts on a
// business day against what the hosts' own journals say they decided, by
// trace number, and lists every disagreement.
//
// The station side comes from the post office's registry (the traces of
// every accepted day file); the host side from journals as cmd/hostsim
// writes them (docs/host-protocol.md), read line by line, so a journal of
// any length is streamed. Memory holds one business day's traces of the
// region and the host lines that belong to it.
package reconcile

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/villagepost/bianmin/hostsim"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/registry"
)

// Kinds of Exception.
const (
	MissingAtHost      = "missing_at_host"       // the station booked money; the host has no record of the trace
	MissingAtStation   = "missing_at_station"    // the host has the trace; the station's accepted file does not
	NoFile             = "no_file"               // the host has the trace; no file from the station covering it was accepted
	UnknownStation     = "unknown_station"       // the host has the trace of a station not enrolled
	AmountMismatch     = "amount_mismatch"       // both approved, for different amounts
	Duplicate          = "duplicate"             // the host decided the same trace more than once
	ReversedApproved   = "reversed_but_approved" // one side reversed what the other approved
	QueuedNotConfirmed = "queued_not_confirmed"  // a queued payment or waitlisted order the station has not settled
	StatusMismatch     = "status_mismatch"       // any other disagreement on the outcome
)

// Source is what reconciliation reads from the registry.
type Source interface {
	Stations() ([]registry.Station, error)
	Day(station, day string) (registry.Day, bool, error)
	Traces(station string, from, to uint64, fn func(registry.Trace) error) error
	DayOf(station string, seq uint64) (string, bool, error)
}

var _ Source = (*registry.Registry)(nil)

// Journal is one host journal to read.
type Journal struct {
	Name string
	R    io.Reader
}

// Exception is one disagreement.
type Exception struct {
	Kind          string
	Station       string
	Trace         string
	Service       string
	StationState  string // registry.State…, or "" when the station has none
	StationAmount string
	HostState     string // the host's last word: approved, declined, pending, reversed, none; "" when it has none
	HostAmount    string
	Journal       string // where the host's first line on the trace is
	Line          int
	Detail        string
}

// BadRow is a journal line that could not be read; the rest were.
type BadRow struct {
	Journal string
	Line    int
	Err     string
}

// Report is the result of a reconciliation.
type Report struct {
	Date       string
	Stations   int // stations with an accepted file for the day
	Traces     int // station traces of the day
	HostLines  int // journal lines read that belong to the day
	Matched    int
	Exceptions []Exception
	BadRows    []BadRow
}

// Clean says nothing needs a person's attention.
func (r *Report) Clean() bool { return len(r.Exceptions) == 0 && len(r.BadRows) == 0 }

// host is what the journals say about a trace.
type host struct {
	sends   int
	status  string // the last word
	amount  string // the first send's amount
	refund  string
	journal string
	line    int
}

func (h *host) apply(l hostsim.JournalLine, journal string, n int) {
	if h.journal == "" {
		h.journal, h.line = journal, n
	}
	switch l.Event {
	case "send":
		h.sends++
		if h.sends == 1 {
			h.amount, h.refund = l.Amount, l.Refund
		}
		h.status = l.Status
	case "issue":
		h.status = l.Status
	case "reverse":
		h.status = l.Status
	}
}

type item struct {
	st      *registry.Trace
	h       *host
	station string
	kind    string // for a trace only the host has: MissingAtStation, NoFile or UnknownStation
}

// Run reconciles business day date (YYYY-MM-DD) across every station with
// the given journals.
func Run(src Source, date string, journals []Journal) (*Report, error) {
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		return nil, fmt.Errorf("reconcile: date %q: want YYYY-MM-DD", date)
	}
	rep := &Report{Date: date}
	stations, err := src.Stations()
	if err != nil {
		return nil, err
	}
	zones := map[string]*time.Location{}
	items := map[string]*item{}
	for _, s := range stations {
		zones[s.ID] = zoneOf(s.Zone)
		d, ok, err := src.Day(s.ID, date)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		rep.Stations++
		err = src.Traces(s.ID, d.First(), d.Last.Seq, func(t registry.Trace) error {
			items[t.Trace] = &item{st: &t, station: s.ID}
			rep.Traces++
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	for _, j := range journals {
		if err := rep.read(src, j, date, zones, items); err != nil {
			return nil, err
		}
	}
	keys := make([]string, 0, len(items))
	for k := range items {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if ex, ok := classify(k, items[k]); ok {
			rep.Exceptions = append(rep.Exceptions, ex)
		} else {
			rep.Matched++
		}
	}
	return rep, nil
}

func zoneOf(name string) *time.Location {
	if name == "" {
		name = "Asia/Shanghai"
	}
	if loc, err := time.LoadLocation(name); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*3600)
}

// maxLine bounds a journal line; hostsim writes far shorter ones.
const maxLine = 64 << 10

// read streams one journal. A line that does not read is noted with its
// number and skipped; the rest are read.
func (rep *Report) read(src Source, j Journal, date string, zones map[string]*time.Location, items map[string]*item) error {
	sc := bufio.NewScanner(j.R)
	sc.Buffer(make([]byte, 0, 4096), maxLine)
	covered := map[string]string{} // trace → the day its station's file says, for traces not of the day
	for n := 1; sc.Scan(); n++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		l, err := hostsim.ParseJournalLine(b)
		if err != nil {
			rep.BadRows = append(rep.BadRows, BadRow{j.Name, n, err.Error()})
			continue
		}
		station, seq, ok := splitTrace(l.Trace)
		if !ok {
			rep.BadRows = append(rep.BadRows, BadRow{j.Name, n, fmt.Sprintf("trace %q is not STATION-NNNNNN", l.Trace)})
			continue
		}
		if it, ok := items[l.Trace]; ok {
			if it.h == nil {
				it.h = &host{}
			}
			it.h.apply(l, j.Name, n)
			rep.HostLines++
			continue
		}
		if _, seen := covered[l.Trace]; seen {
			continue
		}
		loc, known := zones[station]
		kind := UnknownStation
		if known {
			day, found, err := src.DayOf(station, seq)
			if err != nil {
				return err
			}
			switch {
			case found && day != date:
				covered[l.Trace] = day
				continue
			case found:
				kind = MissingAtStation
			default:
				kind = NoFile
			}
		} else {
			loc = zoneOf("")
		}
		if kind != MissingAtStation && l.Time.In(loc).Format(time.DateOnly) != date {
			covered[l.Trace] = ""
			continue
		}
		it := &item{station: station, kind: kind, h: &host{}}
		it.h.apply(l, j.Name, n)
		items[l.Trace] = it
		rep.HostLines++
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reconcile: journal %s: %w", j.Name, err)
	}
	return nil
}

// splitTrace reads T0001-000042.
func splitTrace(trace string) (string, uint64, bool) {
	i := strings.LastIndexByte(trace, '-')
	if i <= 0 {
		return "", 0, false
	}
	seq, err := strconv.ParseUint(trace[i+1:], 10, 64)
	if err != nil || seq == 0 {
		return "", 0, false
	}
	return trace[:i], seq, true
}

// classify says whether the two sides agree, and if not how.
func classify(trace string, it *item) (Exception, bool) {
	ex := Exception{Station: it.station, Trace: trace}
	if st := it.st; st != nil {
		ex.Service, ex.StationState, ex.StationAmount = st.Service, st.State, st.Amount
	}
	h := it.h
	if h != nil {
		ex.HostState, ex.HostAmount, ex.Journal, ex.Line = h.status, h.amount, h.journal, h.line
	}
	st := it.st
	switch {
	case st == nil:
		ex.Kind = it.kind
		switch it.kind {
		case NoFile:
			ex.Detail = "no file from the station covering this trace has been accepted"
		case UnknownStation:
			ex.Detail = "no station " + it.station + " is enrolled"
		default:
			ex.Detail = "the station's accepted file has no request with this trace"
		}
	case h != nil && h.sends > 1:
		ex.Kind, ex.Detail = Duplicate, fmt.Sprintf("the host decided this trace %d times", h.sends)
	case st.State == registry.StateQueued || st.State == registry.StateWaitlisted:
		ex.Kind, ex.Detail = QueuedNotConfirmed, "the station still holds the cash; the host says "+orNothing(h)
	case h == nil:
		if !st.MovedMoney() {
			return ex, false
		}
		ex.Kind, ex.Detail = MissingAtHost, "the station booked it as "+st.State+"; the host has no record"
	case h.status == "approved":
		switch {
		case st.MovedMoney():
			if !sameAmount(st.Amount, h.amount) {
				ex.Kind, ex.Detail = AmountMismatch, "station "+st.Amount+", host "+h.amount
			} else if (st.Service == "ticket_cancel" || st.Service == "policy_cancel") && !sameAmount(st.Refund, h.refund) {
				ex.Kind, ex.Detail = AmountMismatch, "refund: station "+st.Refund+", host "+h.refund
			} else {
				return ex, false
			}
		case st.State == registry.StateReversed || st.State == registry.StateReverseDue || st.State == registry.StateOpen:
			ex.Kind, ex.Detail = ReversedApproved, "the station reversed it; the host has it approved"
		default:
			ex.Kind, ex.Detail = StatusMismatch, "the station says "+st.State+"; the host approved it"
		}
	case st.MovedMoney() && h.status == "reversed":
		ex.Kind, ex.Detail = ReversedApproved, "the station booked it as "+st.State+"; the host reversed it"
	case st.MovedMoney():
		ex.Kind, ex.Detail = StatusMismatch, "the station booked it as "+st.State+"; the host says "+h.status
	default:
		return ex, false
	}
	return ex, true
}

func orNothing(h *host) string {
	if h == nil {
		return "nothing"
	}
	return h.status
}

func sameAmount(a, b string) bool {
	if a == b {
		return true
	}
	x, err1 := money.ParseWire(a)
	y, err2 := money.ParseWire(b)
	return err1 == nil && err2 == nil && x.Equal(y)
}

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
	"context"
	"fmt"
	"io"
	"iter"
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
	Stations(ctx context.Context) ([]registry.Station, error)
	Day(ctx context.Context, station, day string) (registry.Day, bool, error)
	Traces(ctx context.Context, station string, from, to uint64, fn func(registry.Trace) error) error
	DayOf(ctx context.Context, station string, seq uint64) (string, bool, error)
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

// Host is what the journals say about a trace.
type Host struct {
	Sends   int    // how many times the host decided it
	Status  string // the last word
	Amount  string // the first send's amount
	Refund  string // and refund
	Journal string // where its first line is
	Line    int
}

// Apply adds a journal line about the trace.
func (h *Host) Apply(l HostLine) {
	if h.Journal == "" {
		h.Journal, h.Line = l.Name, l.Line
	}
	switch l.Event {
	case "send":
		h.Sends++
		if h.Sends == 1 {
			h.Amount, h.Refund = l.Amount, l.Refund
		}
		h.Status = l.Status
	case "issue":
		h.Status = l.Status
	case "reverse":
		h.Status = l.Status
	}
}

// Pair is one trace of the day as the two sides tell it.
type Pair struct {
	Trace   string
	Station string
	Mine    *registry.Trace // the station's, nil when it has none
	Host    *Host           // the host's, nil when it has none
	Kind    string          // for a trace only the host has: MissingAtStation, NoFile or UnknownStation
}

// HostLine is one readable journal line, in terms of the stations it
// names.
type HostLine struct {
	Journal int    // which journal, in the order given
	Name    string // the journal's name
	Line    int    // its line number there
	Trace   string
	Station string // the trace's station and entry
	Seq     uint64
	Event   string
	Status  string
	Amount  string
	Refund  string
	// Local is the line's date in its station's zone (the stations'
	// default zone for a station not enrolled); Enrolled says the
	// station is enrolled.
	Local    string
	Enrolled bool
}

// Matcher is a store that pairs a day's traces with the host lines
// itself (a database: one query for the whole region, rather than two
// for every station). It must return exactly the pairs Run's own
// reading finds:
//
//   - every trace of the stations' accepted files of the day, with all the
//     host lines about it;
//   - every trace only the hosts have, decided by its first line (in the
//     journals' order): when its entry lies in the station's accepted file
//     of the day, MissingAtStation; when no accepted file covers it,
//     NoFile (or UnknownStation when the station is not enrolled), but
//     only if that first line falls on the day in the station's zone;
//     when it lies in another day's file, not at all.
//
// stations counts the stations with a file of the day, hostLines the
// lines of the pairs.
type Matcher interface {
	MatchDay(ctx context.Context, date string, lines iter.Seq[HostLine]) (pairs []Pair, stations, hostLines int, err error)
}

// matcher returns src's store when it is a Matcher.
func matcher(src Source) (Matcher, bool) {
	if m, ok := src.(Matcher); ok {
		return m, true
	}
	if r, ok := src.(interface{ Store() registry.Store }); ok {
		m, ok := r.Store().(Matcher)
		return m, ok
	}
	return nil, false
}

// Run reconciles business day date (YYYY-MM-DD) across every station with
// the given journals. On a store that is a Matcher the pairing is done
// there; the rules that decide each pair are the same.
func Run(ctx context.Context, src Source, date string, journals []Journal) (*Report, error) {
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		return nil, fmt.Errorf("reconcile: date %q: want YYYY-MM-DD", date)
	}
	rep := &Report{Date: date}
	stations, err := src.Stations(ctx)
	if err != nil {
		return nil, err
	}
	zones := map[string]*time.Location{}
	for _, s := range stations {
		zones[s.ID] = zoneOf(s.Zone)
	}
	var readErr error
	lines := rep.hostLines(journals, zones, &readErr)
	var pairs []Pair
	if m, ok := matcher(src); ok {
		pairs, rep.Stations, rep.HostLines, err = m.MatchDay(ctx, date, lines)
		if err != nil {
			return nil, fmt.Errorf("reconcile: %w", err)
		}
		for _, p := range pairs {
			if p.Mine != nil {
				rep.Traces++
			}
		}
	} else if pairs, err = rep.pair(ctx, src, stations, date, lines); err != nil {
		return nil, err
	}
	if readErr != nil {
		return nil, readErr
	}
	sort.Slice(pairs, func(i, j int) bool { return pairs[i].Trace < pairs[j].Trace })
	for i := range pairs {
		if ex, ok := classify(&pairs[i]); ok {
			rep.Exceptions = append(rep.Exceptions, ex)
		} else {
			rep.Matched++
		}
	}
	return rep, nil
}

// pair reads the day's traces station by station and pairs them with the
// host lines.
func (rep *Report) pair(ctx context.Context, src Source, stations []registry.Station, date string, lines iter.Seq[HostLine]) ([]Pair, error) {
	items := map[string]*Pair{}
	for _, s := range stations {
		d, ok, err := src.Day(ctx, s.ID, date)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		rep.Stations++
		err = src.Traces(ctx, s.ID, d.First(), d.Last.Seq, func(t registry.Trace) error {
			items[t.Trace] = &Pair{Trace: t.Trace, Mine: &t, Station: s.ID}
			rep.Traces++
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	covered := map[string]bool{} // traces decided not to be the day's
	var err error
	lines(func(l HostLine) bool {
		if it, ok := items[l.Trace]; ok {
			if it.Host == nil {
				it.Host = &Host{}
			}
			it.Host.Apply(l)
			rep.HostLines++
			return true
		}
		if covered[l.Trace] {
			return true
		}
		kind := UnknownStation
		if l.Enrolled {
			var day string
			var found bool
			if day, found, err = src.DayOf(ctx, l.Station, l.Seq); err != nil {
				return false
			}
			switch {
			case found && day != date:
				covered[l.Trace] = true
				return true
			case found:
				kind = MissingAtStation
			default:
				kind = NoFile
			}
		}
		if kind != MissingAtStation && l.Local != date {
			covered[l.Trace] = true
			return true
		}
		it := &Pair{Trace: l.Trace, Station: l.Station, Kind: kind, Host: &Host{}}
		it.Host.Apply(l)
		items[l.Trace] = it
		rep.HostLines++
		return true
	})
	if err != nil {
		return nil, err
	}
	pairs := make([]Pair, 0, len(items))
	for _, it := range items {
		pairs = append(pairs, *it)
	}
	return pairs, nil
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

// hostLines streams the journals' lines, one journal after the other. A
// line that does not read is noted with its number and skipped; the rest
// are yielded. A journal that cannot be read to its end sets *readErr.
func (rep *Report) hostLines(journals []Journal, zones map[string]*time.Location, readErr *error) iter.Seq[HostLine] {
	return func(yield func(HostLine) bool) {
		for jn, j := range journals {
			sc := bufio.NewScanner(j.R)
			sc.Buffer(make([]byte, 0, 4096), maxLine)
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
				loc, enrolled := zones[station]
				if !enrolled {
					loc = zoneOf("")
				}
				hl := HostLine{Journal: jn, Name: j.Name, Line: n, Trace: l.Trace, Station: station, Seq: seq, Event: l.Event,
					Status: l.Status, Amount: l.Amount, Refund: l.Refund, Local: l.Time.In(loc).Format(time.DateOnly), Enrolled: enrolled}
				if !yield(hl) {
					return
				}
			}
			if err := sc.Err(); err != nil {
				*readErr = fmt.Errorf("reconcile: journal %s: %w", j.Name, err)
				return
			}
		}
	}
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
func classify(it *Pair) (Exception, bool) {
	ex := Exception{Station: it.Station, Trace: it.Trace}
	if st := it.Mine; st != nil {
		ex.Service, ex.StationState, ex.StationAmount = st.Service, st.State, st.Amount
	}
	h := it.Host
	if h != nil {
		ex.HostState, ex.HostAmount, ex.Journal, ex.Line = h.Status, h.Amount, h.Journal, h.Line
	}
	st := it.Mine
	switch {
	case st == nil:
		ex.Kind = it.Kind
		switch it.Kind {
		case NoFile:
			ex.Detail = "no file from the station covering this trace has been accepted"
		case UnknownStation:
			ex.Detail = "no station " + it.Station + " is enrolled"
		default:
			ex.Detail = "the station's accepted file has no request with this trace"
		}
	case h != nil && h.Sends > 1:
		ex.Kind, ex.Detail = Duplicate, fmt.Sprintf("the host decided this trace %d times", h.Sends)
	case st.State == registry.StateQueued || st.State == registry.StateWaitlisted:
		ex.Kind, ex.Detail = QueuedNotConfirmed, "the station still holds the cash; the host says "+orNothing(h)
	case h == nil:
		if !st.MovedMoney() {
			return ex, false
		}
		ex.Kind, ex.Detail = MissingAtHost, "the station booked it as "+st.State+"; the host has no record"
	case h.Status == "approved":
		switch {
		case st.MovedMoney():
			if !sameAmount(st.Amount, h.Amount) {
				ex.Kind, ex.Detail = AmountMismatch, "station "+st.Amount+", host "+h.Amount
			} else if (st.Service == "ticket_cancel" || st.Service == "policy_cancel") && !sameAmount(st.Refund, h.Refund) {
				ex.Kind, ex.Detail = AmountMismatch, "refund: station "+st.Refund+", host "+h.Refund
			} else {
				return ex, false
			}
		case st.State == registry.StateReversed || st.State == registry.StateReverseDue || st.State == registry.StateOpen:
			ex.Kind, ex.Detail = ReversedApproved, "the station reversed it; the host has it approved"
		default:
			ex.Kind, ex.Detail = StatusMismatch, "the station says "+st.State+"; the host approved it"
		}
	case st.MovedMoney() && h.Status == "reversed":
		ex.Kind, ex.Detail = ReversedApproved, "the station booked it as "+st.State+"; the host reversed it"
	case st.MovedMoney():
		ex.Kind, ex.Detail = StatusMismatch, "the station booked it as "+st.State+"; the host says "+h.Status
	default:
		return ex, false
	}
	return ex, true
}

func orNothing(h *Host) string {
	if h == nil {
		return "nothing"
	}
	return h.Status
}

func sameAmount(a, b string) bool {
	if a == b {
		return true
	}
	x, err1 := money.ParseWire(a)
	y, err2 := money.ParseWire(b)
	return err1 == nil && err2 == nil && x.Equal(y)
}

package office

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/decision"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/reconcile"
	"github.com/villagepost/bianmin/registry"
	"github.com/villagepost/bianmin/settlement"
)

// States of a dispute at the post office.
const (
	DisputeOpen     = "open"     // registered; the post office has not decided
	DisputeDecided  = "decided"  // decided; the station has not recorded the decision yet
	DisputeLoaded   = "loaded"   // the station recorded the decision (a refund may still be unpaid)
	DisputeRefunded = "refunded" // the station paid the refund owed
	DisputeForged   = "forged"   // the station recorded a decision this post office did not sign
)

// Dispute is a villager's dispute as the post office sees it: the
// station's dispute entry from an accepted day file, the post office's
// decision (signed, kept in the registry), and what the station's later
// files say became of it.
type Dispute struct {
	Station      string
	Seq          uint64 // the dispute entry
	Day          string // the business day it was registered
	Disputed     uint64
	DisputedKind string
	Intent       uint64
	Trace        string
	Service      string
	Amount       string
	Says         string
	StationState string // what the station's records showed then
	HostStatus   string // the host's answer to the station's inquiry then
	HostAmount   string
	AnswerBy     string

	State    string
	Decision *decision.Decision // the post office's, once decided
	Note     []byte             // the signed decision
	Loaded   uint64             // the station's dispute_decided entry
	Paid     uint64             // its refund_paid entry
}

// DecisionsDir is where a server exports the decisions it signs, for a
// USB stick to a station that is not online:
// DIR/disputes/T0001-000012.decision. The registry's are the ones that
// count: every server hands them to the station with its results.
func (o *Office) DecisionsDir() string { return filepath.Join(o.Dir, "disputes") }

// DecisionPath is the export of the decision on a station's dispute entry.
func (o *Office) DecisionPath(station string, dispute uint64) string {
	return filepath.Join(o.DecisionsDir(), registry.TraceOf(station, dispute)+".decision")
}

// decisionNotes returns the signed decisions the registry keeps on a
// station's disputes, by dispute entry. A decision this folder holds as
// a file (signed before decisions were kept in the registry) and the
// registry does not is recorded there first; one the registry holds
// already wins.
func (o *Office) decisionNotes(ctx context.Context, station string) (map[uint64][]byte, error) {
	notes := map[uint64][]byte{}
	err := o.use(func(r *registry.Registry) error {
		err := r.Decisions(ctx, station, func(d registry.Decision) error {
			notes[d.Dispute] = d.Note
			return nil
		})
		if err != nil {
			return err
		}
		names, err := filepath.Glob(filepath.Join(o.DecisionsDir(), station+"-*.decision"))
		if err != nil {
			return err
		}
		for _, name := range names {
			msg, err := os.ReadFile(name)
			if err != nil {
				return err
			}
			// A station whose id has a '-' in it matches another's
			// pattern: keep only this station's.
			d, err := decision.Open(msg, o.Verifier)
			if err != nil || d.Station != station || notes[d.Dispute] != nil {
				continue
			}
			first, err := r.SaveDecision(ctx, station, d.Dispute, msg)
			var de *registry.DecidedError
			if err != nil && !errors.As(err, &de) {
				return err
			}
			notes[d.Dispute] = first.Note
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("office: decisions of %s: %w", station, err)
	}
	return notes, nil
}

// Disputes returns the disputes of a station registered in its accepted
// files of day from on ("" for all), oldest first, with the post office's
// decisions and what the station did with them. They are read from the
// registry, so every server sharing it lists the same; a registry that
// kept dispute entries before it kept what they say is read from this
// folder's archive, as before.
func (o *Office) Disputes(ctx context.Context, station, from string) ([]Dispute, error) {
	if _, err := o.Station(ctx, station); err != nil {
		return nil, err
	}
	out, ok, err := o.disputesFromRegistry(ctx, station, from)
	if err != nil {
		return nil, err
	}
	if !ok {
		if out, err = o.disputesFromArchive(ctx, station, from); err != nil {
			return nil, err
		}
	}
	return o.withDecisions(ctx, station, out)
}

// disputesFromRegistry reads the station's disputes from the registry's
// dispute entries; ok is false when one of them was kept without what
// it says.
func (o *Office) disputesFromRegistry(ctx context.Context, station, from string) (out []Dispute, ok bool, err error) {
	var entries []registry.DisputeEntry
	err = o.use(func(r *registry.Registry) error {
		return r.DisputeEntries(ctx, station, func(d registry.DisputeEntry) error {
			entries = append(entries, d)
			return nil
		})
	})
	if err != nil {
		return nil, false, fmt.Errorf("office: disputes of %s: %w", station, err)
	}
	decided := map[uint64]registry.DisputeEntry{}
	for _, d := range entries {
		switch {
		case d.Kind == registry.DisputeKindDecided:
			decided[d.Seq] = d
		case len(d.Payload) == 0:
			return nil, false, nil
		}
	}
	for _, d := range entries {
		if d.Kind != registry.DisputeKindDispute || (from != "" && d.Day < from) {
			continue
		}
		dp, err := disputeOf(station, d.Seq, d.Day, d.Payload)
		if err != nil {
			return nil, false, fmt.Errorf("office: dispute %s: %w", registry.TraceOf(station, d.Seq), err)
		}
		if dd, found := decided[d.Decided]; d.Decided != 0 && found {
			dp.Loaded, dp.State = dd.Seq, DisputeLoaded
			if dd.Paid != 0 {
				dp.Paid, dp.State = dd.Paid, DisputeRefunded
			}
		}
		out = append(out, dp)
	}
	return out, true, nil
}

// disputeOf reads a dispute entry's payload.
func disputeOf(station string, seq uint64, day string, payload []byte) (Dispute, error) {
	var p struct {
		Intent       uint64 `json:"intent"`
		Trace        string `json:"trace"`
		Service      string `json:"service"`
		Disputed     uint64 `json:"disputed"`
		DisputedKind string `json:"disputed_kind"`
		Amount       string `json:"amount"`
		Says         string `json:"says"`
		StationState string `json:"station_state"`
		HostStatus   string `json:"host_status"`
		HostAmount   string `json:"host_amount"`
		AnswerBy     string `json:"answer_by"`
	}
	if err := json.Unmarshal(payload, &p); err != nil {
		return Dispute{}, err
	}
	return Dispute{Station: station, Seq: seq, Day: day, Disputed: p.Disputed, DisputedKind: p.DisputedKind,
		Intent: p.Intent, Trace: p.Trace, Service: p.Service, Amount: p.Amount, Says: p.Says, StationState: p.StationState,
		HostStatus: p.HostStatus, HostAmount: p.HostAmount, AnswerBy: p.AnswerBy, State: DisputeOpen}, nil
}

// disputesFromArchive reads the station's disputes from its accepted
// files of day from on (DayFile: the registry, or this folder's archive
// for days accepted before the registry kept files).
func (o *Office) disputesFromArchive(ctx context.Context, station, from string) ([]Dispute, error) {
	var out []Dispute
	at := map[uint64]int{}     // dispute entry → index
	loaded := map[uint64]int{} // dispute_decided entry → index
	err := o.dayFiles(ctx, station, from, func(day string, data []byte) error {
		f, err := settlement.Parse(data)
		if err != nil {
			return fmt.Errorf("office: the file of %s day %s: %w", station, day, err)
		}
		for _, r := range f.Records {
			e, err := ledger.DecodeRecord(r.Raw)
			if err != nil {
				return fmt.Errorf("office: the file of %s day %s, entry %d: %w", station, day, r.Seq, err)
			}
			o.readDisputeEntry(station, e, &out, at, loaded)
		}
		return nil
	})
	return out, err
}

// withDecisions adds the post office's decisions the registry keeps.
func (o *Office) withDecisions(ctx context.Context, station string, out []Dispute) ([]Dispute, error) {
	notes, err := o.decisionNotes(ctx, station)
	if err != nil {
		return nil, err
	}
	for i := range out {
		dp := &out[i]
		msg, ok := notes[dp.Seq]
		if !ok {
			continue
		}
		d, err := decision.Open(msg, o.Verifier)
		if err != nil {
			return nil, fmt.Errorf("office: decision on %s: %w", registry.TraceOf(station, dp.Seq), err)
		}
		if dp.Note != nil && !bytes.Equal(dp.Note, msg) {
			dp.State = DisputeForged
		}
		dp.Decision, dp.Note = &d, msg
		if dp.State == DisputeOpen {
			dp.State = DisputeDecided
		}
	}
	return out, nil
}

// readDisputeEntry notes what one entry of an accepted file says about
// the station's disputes.
func (o *Office) readDisputeEntry(station string, e ledger.Entry, out *[]Dispute, at, loaded map[uint64]int) {
	switch e.Kind {
	case "dispute":
		dp, err := disputeOf(station, e.Seq, e.Day, e.Payload)
		if err != nil {
			return
		}
		at[e.Seq] = len(*out)
		*out = append(*out, dp)
	case "dispute_decided":
		var p struct {
			Dispute  uint64 `json:"dispute"`
			Decision string `json:"decision"`
		}
		if json.Unmarshal(e.Payload, &p) != nil {
			return
		}
		i, ok := at[p.Dispute]
		if !ok {
			return
		}
		dp := &(*out)[i]
		msg, err := base64.StdEncoding.DecodeString(p.Decision)
		dp.Loaded, dp.State = e.Seq, DisputeLoaded
		if err != nil {
			dp.State = DisputeForged
			return
		}
		d, err := decision.Open(msg, o.Verifier)
		if err != nil || d.Station != station || d.Dispute != dp.Seq || !postsRefund(e, d.Refund) {
			dp.State = DisputeForged
		}
		dp.Note = msg
		loaded[e.Seq] = i
	case "refund_paid":
		var p struct {
			RefundOf uint64 `json:"refund_of"`
		}
		if json.Unmarshal(e.Payload, &p) != nil {
			return
		}
		if i, ok := loaded[p.RefundOf]; ok && (*out)[i].State == DisputeLoaded {
			(*out)[i].Paid, (*out)[i].State = e.Seq, DisputeRefunded
		}
	}
}

// postsRefund says a dispute_decided entry owes exactly the decision's
// refund to the villager through the post office.
func postsRefund(e ledger.Entry, refund decimal.Decimal) bool {
	var owed, due decimal.Decimal
	for _, p := range e.Postings {
		if p.Commodity != ledger.Currency {
			return false
		}
		switch {
		case p.Account == "postoffice:settlement" && p.Side == ledger.Debit:
			owed = owed.Add(p.Amount)
		case p.Account == "liabilities:refunds-due" && p.Side == ledger.Credit:
			due = due.Add(p.Amount)
		default:
			return false
		}
	}
	return owed.Equal(refund) && due.Equal(refund)
}

// DecideError refuses a decision; nothing was written.
type DecideError struct {
	Field    string
	Rule, Zh string
}

func (e *DecideError) Error() string { return "office: decide a dispute: " + e.Field + ": " + e.Rule }

// Decide records the post office's decision on a station's dispute: a
// note signed by the post office, kept in the registry, that the station
// gets with its results from any server sharing it, or on a USB stick
// (the export at DecisionPath). The refund is at most the disputed
// amount; a dispute is decided once, across servers (the same decision
// again returns the first; another is refused naming it).
func (o *Office) Decide(ctx context.Context, station string, dispute uint64, outcome string, refund decimal.Decimal, reason string) (Dispute, error) {
	list, err := o.Disputes(ctx, station, "")
	if err != nil {
		return Dispute{}, err
	}
	var dp *Dispute
	for i := range list {
		if list[i].Seq == dispute {
			dp = &list[i]
		}
	}
	if dp == nil {
		return Dispute{}, &DecideError{"dispute", fmt.Sprintf("no accepted file of %s has a dispute at entry %d", station, dispute),
			fmt.Sprintf("服务站 %s 交来的账里第 %d 笔不是业务纠纷（或那一天的账还没有收到）", station, dispute)}
	}
	amount, err := money.ParseWire(dp.Amount)
	if err != nil {
		amount = decimal.Zero
	}
	if outcome == decision.RefundOwed && refund.GreaterThan(amount) {
		return Dispute{}, &DecideError{"refund", fmt.Sprintf("%s is above the disputed amount %s", money.FormatWire(refund), dp.Amount),
			fmt.Sprintf("退款 %s 元比有争议的金额 %s 元还多", money.FormatWire(refund), dp.Amount)}
	}
	d := decision.Decision{Station: station, Dispute: dp.Seq, Entry: dp.Disputed, Trace: dp.Trace, Outcome: outcome, Refund: refund,
		Decided: o.today(ctx, station), Reason: strings.TrimSpace(reason)}
	if err := d.Check(); err != nil {
		var fe *decision.FormatError
		errors.As(err, &fe)
		field := map[int]string{6: "outcome", 7: "refund", 9: "reason"}[fe.Line]
		return Dispute{}, &DecideError{field, err.Error(), decideZh(field)}
	}
	if dp.Decision != nil {
		return o.decidedAlready(*dp, d)
	}
	msg, err := decision.Sign(d, o.Signer)
	if err != nil {
		return Dispute{}, err
	}
	// The registry decides once for every server sharing it: another
	// server may have decided this dispute since it was read above.
	err = o.use(func(r *registry.Registry) error {
		_, err := r.SaveDecision(ctx, station, dp.Seq, msg)
		return err
	})
	var de *registry.DecidedError
	if errors.As(err, &de) {
		first, oerr := decision.Open(de.First.Note, o.Verifier)
		if oerr != nil {
			return Dispute{}, fmt.Errorf("office: decision on %s: %w", registry.TraceOf(station, dp.Seq), oerr)
		}
		dp.Decision, dp.Note, dp.State = &first, de.First.Note, DisputeDecided
		return o.decidedAlready(*dp, d)
	}
	if err != nil {
		return Dispute{}, fmt.Errorf("office: decide %s: %w", registry.TraceOf(station, dp.Seq), err)
	}
	dp.Decision, dp.Note, dp.State = &d, msg, DisputeDecided
	if err := o.exportDecision(*dp); err != nil {
		return *dp, err
	}
	return *dp, nil
}

// decidedAlready answers a decision on a dispute decided before: the
// same decision again is the first (its export written if this server
// has none); another is refused, naming the first.
func (o *Office) decidedAlready(dp Dispute, d decision.Decision) (Dispute, error) {
	if dp.Decision.Outcome == d.Outcome && dp.Decision.Refund.Equal(d.Refund) && dp.Decision.Reason == d.Reason {
		return dp, o.exportDecision(dp)
	}
	first := outcomeOf(dp.Decision)
	return Dispute{}, &DecideError{"dispute",
		fmt.Sprintf("dispute %s was decided on %s already (%s: %s)", registry.TraceOf(dp.Station, dp.Seq), dp.Decision.Decided, first.En, dp.Decision.Reason),
		fmt.Sprintf("这笔纠纷 %s 已经在 %s 答复过了（%s：%s），不能再改", registry.TraceOf(dp.Station, dp.Seq), dp.Decision.Decided, first.Zh, dp.Decision.Reason)}
}

// outcomeOf says a decision's outcome in both languages.
func outcomeOf(d *decision.Decision) struct{ Zh, En string } {
	if d.Outcome == decision.RefundOwed {
		return struct{ Zh, En string }{"要退 " + money.FormatWire(d.Refund) + " 元", "refund " + money.FormatWire(d.Refund) + " owed"}
	}
	return struct{ Zh, En string }{"不用退钱", "none owed"}
}

// exportDecision writes the signed decision to DecisionPath, for a USB
// stick, unless it is there.
func (o *Office) exportDecision(dp Dispute) error {
	path := o.DecisionPath(dp.Station, dp.Seq)
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, dp.Note) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("office: decisions folder: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, dp.Note, 0o644); err != nil {
		return fmt.Errorf("office: export decision %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("office: export decision %s: %w", path, err)
	}
	return nil
}

func decideZh(field string) string {
	switch field {
	case "outcome":
		return "要说明是“要退钱”还是“不用退钱”"
	case "refund":
		return "要退钱时退款要大于 0，最多两位小数；不用退钱时不填退款"
	case "reason":
		return fmt.Sprintf("“答复”要写给顾客看的理由，一行，1 到 %d 个字", decision.MaxReason)
	}
	return "答复填得不对"
}

// today is the date in the station's zone.
func (o *Office) today(ctx context.Context, station string) string {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if s, serr := o.Station(ctx, station); serr == nil && s.Zone != "" {
		if l, lerr := time.LoadLocation(s.Zone); lerr == nil {
			loc, err = l, nil
		}
	}
	if err != nil {
		loc = time.FixedZone("CST", 8*3600)
	}
	return o.now().In(loc).Format(time.DateOnly)
}

// Decisions returns every decision the post office signed on the
// station's disputes, in order of dispute, as the registry keeps them:
// every server sharing it returns the same.
func (o *Office) Decisions(ctx context.Context, station string) ([][]byte, error) {
	notes, err := o.decisionNotes(ctx, station)
	if err != nil {
		return nil, err
	}
	seqs := make([]uint64, 0, len(notes))
	for seq := range notes {
		seqs = append(seqs, seq)
	}
	sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
	out := make([][]byte, 0, len(seqs))
	for _, seq := range seqs {
		out = append(out, notes[seq])
	}
	return out, nil
}

// DayDispute is a dispute shown beside the reconciliation of the day its
// request was made: what the reconciliation found on that trace ("" when
// both sides agree, or the trace is not of the day).
type DayDispute struct {
	Dispute
	Exception string // the reconcile.Exception kind on the same trace
}

// DisputesOfDay returns the disputes about the requests of business day
// date, and those registered on it, of every station with an accepted
// file for that day, each beside the exception rep found on its trace.
// Only files of that day on are read.
func (o *Office) DisputesOfDay(ctx context.Context, date string, rep *reconcile.Report) ([]DayDispute, error) {
	stations, err := o.Stations(ctx)
	if err != nil {
		return nil, err
	}
	found := map[string]string{}
	if rep != nil {
		for _, ex := range rep.Exceptions {
			found[ex.Trace] = ex.Kind
		}
	}
	var out []DayDispute
	for _, s := range stations {
		var day registry.Day
		var ok bool
		err := o.use(func(r *registry.Registry) (err error) {
			day, ok, err = r.Day(ctx, s.ID, date)
			return err
		})
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		list, err := o.Disputes(ctx, s.ID, date)
		if err != nil {
			return nil, err
		}
		for _, dp := range list {
			if dp.Day == date || (dp.Intent >= day.First() && dp.Intent <= day.Last.Seq) {
				out = append(out, DayDispute{Dispute: dp, Exception: found[dp.Trace]})
			}
		}
	}
	return out, nil
}

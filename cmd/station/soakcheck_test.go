package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/hostsim"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/reconcile"
	"github.com/villagepost/bianmin/registry"
	"github.com/villagepost/bianmin/shopfront"
	"github.com/villagepost/bianmin/tariff"
	"github.com/villagepost/bianmin/terminal"
	"golang.org/x/mod/sumdb/note"
)

// soakHost is what the host's journal says about one trace.
type soakHost struct {
	sends  int
	last   string // the last word: approved, declined, pending, reversed, none
	amount string // the first send's amount
	refund string
	lines  [][]byte
}

// soakIntent is what the ledger says became of one intent.
type soakIntent struct {
	seq     uint64
	day     string
	service string
	amount  string
	state   string // approved, declined, not_sent, reversed, refused, voided; open states are a failure
}

// check recovers nothing more (finish did), then proves nothing was lost:
// the ledger verifies, the queue is empty, every trace agrees between the
// ledger and the host's journal both ways, no withdrawal paid cash the
// bank did not keep, the balances equal an independent model, and the
// post office reconciles every day's file against the journal with no
// exception.
func (s *soak) check(stationKey string) {
	t, l := s.t, s.d.Counter.Ledger
	if _, err := l.VerifyAll(); err != nil {
		t.Errorf("seed %d: the ledger does not verify: %v", s.seed, err)
	}
	if items, err := s.d.Counter.Link.Pending.List(); err != nil || len(items) != 0 {
		t.Errorf("seed %d: the queue is not empty: %d item(s), %v", s.seed, len(items), err)
	}

	// The host's journal, by trace.
	hosts := map[string]*soakHost{}
	data, err := os.ReadFile(s.h.journal)
	if err != nil {
		t.Fatal(err)
	}
	for _, raw := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(raw)) == 0 {
			continue
		}
		line, err := hostsim.ParseJournalLine(raw)
		if err != nil {
			t.Fatalf("host journal: %v: %s", err, raw)
		}
		h := hosts[line.Trace]
		if h == nil {
			h = &soakHost{}
			hosts[line.Trace] = h
		}
		h.lines = append(h.lines, raw)
		switch line.Event {
		case "send":
			h.sends++
			if h.sends == 1 {
				h.amount, h.refund = line.Amount, line.Refund
			}
		}
		h.last = line.Status
	}

	// The ledger's intents and what became of each.
	intents := map[uint64]*soakIntent{}
	err = l.Range(1, 0, func(e ledger.Entry) error {
		if e.Kind != terminal.KindIntent {
			return nil
		}
		var p struct{ Service, Amount string }
		json.Unmarshal(e.Payload, &p)
		intents[e.Seq] = &soakIntent{seq: e.Seq, day: e.Day, service: p.Service, amount: p.Amount}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	byKey := func(key string) (ledger.Entry, bool) {
		e, err := l.ByIdemKey(key)
		if errors.Is(err, ledger.ErrNotFound) {
			return e, false
		} else if err != nil {
			t.Fatal(err)
		}
		return e, true
	}
	var bad []string
	problem := func(format string, args ...any) {
		if len(bad) < 30 {
			bad = append(bad, fmt.Sprintf(format, args...))
		}
	}
	for seq, in := range intents {
		out, ok := byKey(fmt.Sprintf("outcome:%d", seq))
		if !ok {
			problem("intent %d (%s) has no outcome", seq, in.service)
			continue
		}
		var p struct{ Status string }
		json.Unmarshal(out.Payload, &p)
		switch out.Kind {
		case terminal.KindDeclined:
			in.state = "declined"
		case terminal.KindNotSent:
			in.state = "not_sent"
		case terminal.KindReversalDue:
			in.state = "reversal_due"
			if _, ok := byKey(fmt.Sprintf("reversal:%d", seq)); ok {
				in.state = "reversed"
			}
		default:
			in.state = "approved"
			if p.Status == "queued" || p.Status == "pending" {
				in.state = "held"
				if _, ok := byKey(fmt.Sprintf("void:%d", out.Seq)); ok {
					in.state = "voided"
				} else if fin, ok := byKey(fmt.Sprintf("final:%d", seq)); ok {
					switch fin.Kind {
					case terminal.KindConfirmed, terminal.KindIssued:
						in.state = "approved"
					case terminal.KindRefundDue, terminal.KindFailed:
						in.state = "refused"
					}
				}
			}
		}
	}

	// Both ways: every intent against the host, every host trace against
	// an intent.
	trace := func(seq uint64) string { return fmt.Sprintf("T0001-%06d", seq) }
	states := map[string]int{}
	for seq, in := range intents {
		states[in.service+"/"+in.state]++
		h := hosts[trace(seq)]
		hostMoved := h != nil && h.last == "approved"
		if h != nil && h.sends > 1 {
			problem("trace %s: the host decided it %d times", trace(seq), h.sends)
		}
		switch in.state {
		case "approved":
			if !hostMoved {
				problem("trace %s (%s): the ledger has it approved, the host says %v", trace(seq), in.service, soakLast(h))
			} else if in.service != terminal.SvcTicketCancel && in.service != terminal.SvcBalanceInquiry && !soakSame(in.amount, h.amount) {
				problem("trace %s (%s): ledger amount %s, host %s", trace(seq), in.service, in.amount, h.amount)
			}
		case "declined", "reversed", "refused", "voided":
			if hostMoved {
				problem("trace %s (%s): the ledger has it %s, the host approved it:\n%s", trace(seq), in.service, in.state, bytes.Join(h.lines, []byte("\n")))
			}
		case "not_sent":
			if h != nil {
				problem("trace %s (%s): recorded as not sent, but the host has it: %s", trace(seq), in.service, soakLast(h))
			}
		default:
			problem("trace %s (%s): still %s at the end", trace(seq), in.service, in.state)
		}
	}
	for tr, h := range hosts {
		i := strings.LastIndexByte(tr, '-')
		seq, err := strconv.ParseUint(tr[i+1:], 10, 64)
		if err != nil || tr[:i] != "T0001" {
			problem("host trace %q is not the station's", tr)
			continue
		}
		if intents[seq] == nil {
			problem("host trace %s (%s) has no intent in the ledger", tr, soakLast(h))
		}
	}

	// The independent model: what the driver did without a host, plus,
	// for every request the host approved and did not reverse, the
	// postings the tariff gives it.
	model := ledger.Balances{}
	for k, v := range s.moves {
		model[k] = v
	}
	paidWithdrawals, unknownWithdrawals := 0, 0
	for _, rq := range s.reqs {
		e, ok := byKey(rq.idem)
		if !ok {
			if rq.paid {
				problem("request %s was paid but has no intent", rq.idem)
			}
			continue // refused before asking: a limit, or a reversal still owed to that host
		}
		h := hosts[trace(e.Seq)]
		approved := h != nil && h.last == "approved"
		if rq.kind == terminal.SvcWithdrawal {
			if rq.paid {
				paidWithdrawals++
			}
			if intents[e.Seq] != nil && intents[e.Seq].state == "reversed" {
				unknownWithdrawals++
			}
			if rq.paid != approved {
				problem("withdrawal %s (trace %s): cash paid %v, the bank says %s", rq.idem, trace(e.Seq), rq.paid, soakLast(h))
			}
		}
		if approved && !rq.paid {
			problem("%s %s (trace %s): the host approved it, the station took no cash", rq.kind, rq.idem, trace(e.Seq))
		}
		if !approved {
			continue
		}
		dr := func(a string, v decimal.Decimal) { s.post(model, ledger.Dr(a, v)) }
		cr := func(a string, v decimal.Decimal) { s.post(model, ledger.Cr(a, v)) }
		switch rq.kind {
		case terminal.SvcWithdrawal:
			cr(terminal.AccountCash, rq.amount.Sub(rq.fee))
			dr(terminal.AccountSettlement, rq.amount.Add(rq.commission))
			cr(terminal.AccountFees, rq.fee)
			cr(terminal.AccountCommission+tariff.Withdrawal, rq.commission)
		case terminal.SvcBillPayment, terminal.SvcTopup, terminal.SvcTicketOrder, terminal.SvcPolicyIssue, terminal.SvcSIMSale, terminal.SvcContribution:
			dr(terminal.AccountCash, rq.amount.Add(rq.fee))
			cr(terminal.AccountSettlement, rq.amount.Sub(rq.commission))
			cr(terminal.AccountFees, rq.fee)
			cr(terminal.AccountCommission+rq.kind, rq.commission)
			if rq.commodity != "" { // the card leaves the shelf, back to the carrier's account
				s.post(model, soakUnits(rq.commodity, ledger.Debit, terminal.AccountConsignment, 1), soakUnits(rq.commodity, ledger.Credit, terminal.AccountStock, 1))
			}
		case terminal.SvcTicketCancel:
			r := h.refund
			if r == "" {
				r = h.amount
			}
			refund, err := money.ParseWire(r)
			if err != nil {
				problem("ticket cancel %s: the host's refund %q: %v", trace(e.Seq), r, err)
				continue
			}
			dr(terminal.AccountSettlement, refund)
			cr(terminal.AccountCash, refund)
		case terminal.SvcPolicyCancel:
			refund, err := money.ParseWire(h.refund)
			if err != nil {
				problem("policy cancel %s: the host's refund %q: %v", trace(e.Seq), h.refund, err)
				continue
			}
			dr(terminal.AccountSettlement, refund)
			cr(terminal.AccountCash, refund)
			dr(terminal.AccountCommission+tariff.PolicyIssue, rq.commission)
			cr(terminal.AccountSettlement, rq.commission)
		}
	}
	got, err := l.Balances()
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(model) {
		keys := map[ledger.Account]bool{}
		for k := range got {
			keys[k] = true
		}
		for k := range model {
			keys[k] = true
		}
		for k := range keys {
			if !got[k].Equal(model[k]) {
				problem("balance %s %s: ledger %s, model %s", k.Name, k.Commodity, got[k], model[k])
			}
		}
	}
	if cash := got.Get(terminal.AccountCash); !cash.Equal(s.drawer) {
		problem("the drawer holds %s, the ledger says %s", s.drawer, cash)
	}
	for _, a := range []string{terminal.AccountQueued, terminal.AccountDeposits, terminal.AccountRefundsDue, terminal.AccountVariance} {
		if v := got.Get(a); !v.IsZero() {
			problem("%s is %s at the end, want 0", a, v)
		}
	}
	for _, b := range bad {
		t.Errorf("seed %d: %s", s.seed, b)
	}
	for _, o := range s.other {
		t.Errorf("seed %d: unexpected error: %s", s.seed, o)
	}
	var sk []string
	for k, v := range states {
		sk = append(sk, fmt.Sprintf("%s=%d", k, v))
	}
	sort.Strings(sk)
	t.Logf("soak: %d intents, %d host traces; final states: %s", len(intents), len(hosts), strings.Join(sk, " "))
	t.Logf("soak: %d withdrawals paid out, each approved by the bank; %d withdrawals with an unknown outcome reversed, none paid", paidWithdrawals, unknownWithdrawals)

	s.reconcile(stationKey, intents, hosts)
}

func soakLast(h *soakHost) string {
	if h == nil {
		return "nothing"
	}
	return h.last
}

func soakSame(a, b string) bool {
	x, err1 := money.ParseWire(a)
	y, err2 := money.ParseWire(b)
	return err1 == nil && err2 == nil && x.Equal(y)
}

// reconcile imports every day file the station wrote into a post office
// registry and reconciles each business day against the host's journal:
// there must be no exception. Each day is given the journal lines of its
// own traces (and any line of a trace the station does not have, by its
// date), as a day's journal would hold them.
func (s *soak) reconcile(stationKey string, intents map[uint64]*soakIntent, hosts map[string]*soakHost) {
	t := s.t
	t0 := time.Now()
	reg, err := registry.Open(filepath.Join(t.TempDir(), "registry.db"), &registry.Options{Now: func() time.Time { return s.clk.Now().Add(72 * time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	if err := reg.Issue(t.Context(), s.tariff); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Enrol(t.Context(), registry.Enrolment{Station: "T0001", Key: stationKey, Franchisee: "张大山", Deposit: decimal.NewFromInt(5000), Tariff: "TEST-2026-11"}); err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(tariff.DemoPostOfficeSignerKey)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := note.NewVerifier(tariff.DemoPostOfficeVerifierKey)
	if err != nil {
		t.Fatal(err)
	}
	im := &registry.Importer{Registry: reg, Signer: signer, Verifier: verifier}
	files, err := filepath.Glob(filepath.Join(s.dir, shopfront.SettlementsDir, "*.bms"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		outs, err := im.Import(t.Context(), reg.Check(t.Context(), data))
		if err != nil {
			t.Fatalf("seed %d: import %s: %v", s.seed, filepath.Base(f), err)
		}
		if outs[0].Status != registry.Accepted {
			t.Fatalf("seed %d: import %s: %s %s", s.seed, filepath.Base(f), outs[0].Status, outs[0].Detail)
		}
	}
	byDay := map[string][][]byte{}
	for tr, h := range hosts {
		i := strings.LastIndexByte(tr, '-')
		seq, _ := strconv.ParseUint(tr[i+1:], 10, 64)
		day := ""
		if in := intents[seq]; in != nil {
			day = in.day
		} else if line, err := hostsim.ParseJournalLine(h.lines[0]); err == nil {
			day = line.Time.In(s.loc).Format(time.DateOnly)
		}
		byDay[day] = append(byDay[day], h.lines...)
	}
	days, err := s.d.Counter.Ledger.Days()
	if err != nil {
		t.Fatal(err)
	}
	matched, exceptions := 0, 0
	for _, day := range days {
		j := bytes.Join(byDay[day], []byte("\n"))
		rep, err := reconcile.Run(t.Context(), reg, day, []reconcile.Journal{{Name: "hostsim-" + day, R: bytes.NewReader(j)}})
		if err != nil {
			t.Fatalf("reconcile %s: %v", day, err)
		}
		matched += rep.Matched
		exceptions += len(rep.Exceptions) + len(rep.BadRows)
		for i, ex := range rep.Exceptions {
			if i < 5 {
				t.Errorf("seed %d: reconcile %s: %s %s %s: station %s %s, host %s %s: %s", s.seed, day, ex.Kind, ex.Trace, ex.Service,
					ex.StationState, ex.StationAmount, ex.HostState, ex.HostAmount, ex.Detail)
			}
		}
		for _, br := range rep.BadRows {
			t.Errorf("seed %d: reconcile %s: bad journal row %d: %s", s.seed, day, br.Line, br.Err)
		}
	}
	t.Logf("soak: post office imported %d day files, reconciled %d days: %d traces matched, %d exceptions (%s)",
		len(files), len(days), matched, exceptions, time.Since(t0).Round(time.Millisecond))
}

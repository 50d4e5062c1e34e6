package terminal_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/villagepost/bianmin/hostsim"
	"github.com/villagepost/bianmin/idcheck"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/tariff"
	"github.com/villagepost/bianmin/terminal"
)

const insuredID = "411523198001011234"

// insureRig is a station selling policies through the host simulator's
// insurer (its real rules: price check, cooling-off period, a reversal
// voids the policy), with an opening float of 2,000.00.
type insureRig struct {
	*rig
	sim  *hostsim.Sim
	ins  *terminal.Insurance
	hnow time.Time // the insurer's clock
}

func newInsureRig(t *testing.T) *insureRig {
	t.Helper()
	r := &insureRig{rig: &rig{t: t, now: time.Date(2026, 11, 20, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))}}
	r.hnow = r.now
	s, err := ledger.Create(filepath.Join(t.TempDir(), "ledger.db"),
		ledger.Genesis{Terminal: "T0001", Name: "test", Zone: "Asia/Shanghai"}, "init", ed25519.NewKeyFromSeed(make([]byte, 32)), &ledger.Options{Now: r.clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	sim, err := hostsim.Open(filepath.Join(t.TempDir(), "journal.jsonl"), &hostsim.Options{Now: func() time.Time { return r.hnow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	tf, err := tariff.Parse(tariff.DemoJSON)
	if err != nil {
		t.Fatal(err)
	}
	p, err := terminal.OpenPending(filepath.Join(t.TempDir(), "pending.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	r.ledger, r.pending, r.tariff, r.sim = s, p, tf, sim
	r.link = &terminal.Link{Ledger: s, Host: sim, Pending: p, Terminal: "T0001", Timeout: 200 * time.Millisecond, Retries: 2, Now: r.clock}
	r.ins = &terminal.Insurance{Link: r.link, Tariff: tf, Today: func() time.Time { return r.now.In(s.Zone()) }}
	d := &terminal.Drawer{Ledger: s}
	if _, err := d.In(terminal.CashMove{Operator: "OP1", Amount: dec("2000.00"), Reason: terminal.ReasonFloat, IdemKey: "float"}); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *insureRig) faults(specs ...string) {
	r.t.Helper()
	fs, err := hostsim.ParseFaults(strings.Join(specs, ","))
	if err != nil {
		r.t.Fatal(err)
	}
	if err := r.sim.SetFaults(fs...); err != nil {
		r.t.Fatal(err)
	}
}

func (r *insureRig) buy(mod func(*terminal.PolicyOrder)) (terminal.PolicyResult, error) {
	o := terminal.PolicyOrder{Operator: "OP1", Product: "farmhouse", Holder: "王秀英", IDNumber: insuredID,
		Object: "砖木结构住房三间", SumInsured: dec("100000.00"), IdemKey: r.key()}
	if mod != nil {
		mod(&o)
	}
	return r.ins.Buy(context.Background(), o)
}

// hostWord is the insurer's last word on trace.
func (r *insureRig) hostWord(trace string) string {
	r.t.Helper()
	st, err := r.sim.Status(context.Background(), trace)
	if err != nil {
		r.t.Fatal(err)
	}
	return st.Status
}

func TestPolicyIssued(t *testing.T) {
	r := newInsureRig(t)
	res, err := r.buy(nil)
	if err != nil {
		t.Fatal(err)
	}
	q := res.Quote
	if !q.Premium.Equal(dec("150.00")) || !q.Total.Equal(dec("150.00")) || !q.Commission.Equal(dec("22.50")) ||
		q.Start != "2026-11-21" || q.End != "2027-11-20" || res.Until != "2026-12-05" || !strings.HasPrefix(res.Policy, "PH2026") {
		t.Errorf("result %+v", res)
	}
	p := payload(t, res.Entry)
	if p["id"] != "4115**********1234" || strings.Contains(string(res.Entry.Payload), insuredID) || p["policy"] != res.Policy {
		t.Errorf("the entry: %s", res.Entry.Payload)
	}
	r.balances(map[string]string{"assets:cash": "2150.00", "equity:owner": "-2000.00",
		"postoffice:settlement": "-127.50", "income:commission:policy_issue": "-22.50"})
	open, err := r.ins.Open()
	if err != nil || len(open) != 1 || open[0].Sale != res.Entry.Seq || open[0].Policy != res.Policy {
		t.Errorf("open policies %+v, %v", open, err)
	}
	// The same request again (a double click) makes no second policy.
	again, err := r.ins.Buy(context.Background(), terminal.PolicyOrder{Operator: "OP1", Product: "farmhouse", Holder: "王秀英", IDNumber: insuredID,
		Object: "砖木结构住房三间", SumInsured: dec("100000.00"), IdemKey: "req-1"})
	if err != nil || again.Entry.Seq != res.Entry.Seq {
		t.Errorf("a repeat: %+v, %v", again, err)
	}
}

// TestPolicyRefusedBeforeTheInsurer: bad input names the field and
// records nothing.
func TestPolicyRefusedBeforeTheInsurer(t *testing.T) {
	tests := []struct {
		name, field string
		mod         func(*terminal.PolicyOrder)
	}{
		{"Product", "product", func(o *terminal.PolicyOrder) { o.Product = "car" }},
		{"SumAboveLimit", "sum", func(o *terminal.PolicyOrder) { o.SumInsured = dec("300000.01") }},
		{"SumBelowLimit", "sum", func(o *terminal.PolicyOrder) { o.SumInsured = dec("9999.99") }},
		{"SumFenths", "sum", func(o *terminal.PolicyOrder) { o.SumInsured = dec("10000.001") }},
		{"Holder", "holder", func(o *terminal.PolicyOrder) { o.Holder = "王" }},
		{"IDCheckDigit", idcheck.FieldID, func(o *terminal.PolicyOrder) { o.IDNumber = "411523198001011235" }},
		{"NoObject", "object", func(o *terminal.PolicyOrder) { o.Object = "  " }},
		{"ObjectTooLong", "object", func(o *terminal.PolicyOrder) { o.Object = strings.Repeat("房", 33) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newInsureRig(t)
			before := r.ledger.Last().Seq
			_, err := r.buy(tc.mod)
			var in *terminal.InputError
			var id *idcheck.InputError
			switch {
			case errors.As(err, &in):
				if in.Field != tc.field || in.RuleZh == "" {
					t.Errorf("field %q (%s), want %q", in.Field, in.RuleZh, tc.field)
				}
			case errors.As(err, &id):
				if id.Field != tc.field {
					t.Errorf("field %q, want %q", id.Field, tc.field)
				}
			default:
				t.Fatalf("err = %v, want an input error on %s", err, tc.field)
			}
			if r.ledger.Last().Seq != before {
				t.Error("a refused policy recorded something")
			}
		})
	}
}

// TestPolicyDeclined: the insurer's price differs (the station's tariff
// is out of date): declined, nothing charged.
func TestPolicyDeclined(t *testing.T) {
	r := newInsureRig(t)
	r.tariff.Insurance[0].RatePermille = dec("1.2")
	before := r.ledger.Last().Seq
	_, err := r.buy(nil)
	var de *terminal.DeclineError
	if !errors.As(err, &de) || de.Code != hostsim.CodePremium {
		t.Fatalf("err = %v, want a P2 decline", err)
	}
	if got := r.kinds(before); strings.Join(got, " ") != "intent declined" {
		t.Errorf("entries %v", got)
	}
	r.balances(map[string]string{"assets:cash": "2000.00", "equity:owner": "-2000.00"})
}

// TestPolicyLostReply is the insurer's reply lost after it issued the
// policy: the station asks Status (approved), reverses, and the insurer
// voids the policy. Nothing is charged, and no policy is left issued.
func TestPolicyLostReply(t *testing.T) {
	for _, fault := range []string{"policy_issue=drop#1", "policy_issue=hang#1", "insurer=timeout#1"} {
		t.Run(fault, func(t *testing.T) {
			r := newInsureRig(t)
			r.faults(fault)
			before := r.ledger.Last().Seq
			_, err := r.buy(nil)
			var rv *terminal.ReversedError
			if !errors.As(err, &rv) || !rv.Acked || rv.Service != terminal.SvcPolicyIssue {
				t.Fatalf("err = %v, want an acknowledged reversal", err)
			}
			if got := r.kinds(before); strings.Join(got, " ") != "intent reversal_due reversal" {
				t.Errorf("entries %v", got)
			}
			if w := r.hostWord(rv.Trace); w != terminal.StatusReversed && w != terminal.StatusNone {
				t.Errorf("the insurer says %s: a policy is left issued and unpaid", w)
			}
			r.balances(map[string]string{"assets:cash": "2000.00", "equity:owner": "-2000.00"})
			if open, _ := r.ins.Open(); len(open) != 0 {
				t.Errorf("open policies %+v", open)
			}
			if items, _ := r.pending.List(); len(items) != 0 {
				t.Errorf("pending %+v", items)
			}
		})
	}
}

// TestPolicyLostReplyInsurerDown: the reply is lost and then the insurer
// cannot be reached: the reversal stays owed, no new policy is sold until
// it is delivered, and when it is, the policy is void.
func TestPolicyLostReplyInsurerDown(t *testing.T) {
	r := newInsureRig(t)
	r.faults("policy_issue=drop#1", "insurer=down#100")
	_, err := r.buy(nil)
	var rv *terminal.ReversedError
	if !errors.As(err, &rv) || rv.Acked {
		t.Fatalf("err = %v, want a reversal not yet delivered", err)
	}
	var rp *terminal.ReversalPendingError
	if _, err := r.buy(nil); !errors.As(err, &rp) {
		t.Fatalf("a new policy while a reversal is owed: %v", err)
	}
	r.faults()
	if _, err := r.link.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if w := r.hostWord(rv.Trace); w != terminal.StatusReversed {
		t.Errorf("the insurer says %s, want reversed", w)
	}
	r.balances(map[string]string{"assets:cash": "2000.00", "equity:owner": "-2000.00"})
}

func TestPolicyCancel(t *testing.T) {
	r := newInsureRig(t)
	res, err := r.buy(nil)
	if err != nil {
		t.Fatal(err)
	}
	// The last day of the cooling-off period.
	r.now = r.now.AddDate(0, 0, 15)
	r.hnow = r.now
	c, err := r.ins.Cancel(context.Background(), "OP1", res.Entry.Seq, r.key())
	if err != nil {
		t.Fatal(err)
	}
	if !c.Refund.Equal(dec("150.00")) || c.Policy.Policy != res.Policy {
		t.Errorf("cancel %+v", c)
	}
	r.balances(map[string]string{"assets:cash": "2000.00", "equity:owner": "-2000.00"})
	if _, err := r.ins.Cancel(context.Background(), "OP1", res.Entry.Seq, r.key()); !errors.Is(err, terminal.ErrNotOpenPolicy) {
		t.Errorf("a second cancel: %v", err)
	}
}

func TestPolicyCancelAfterCoolingOff(t *testing.T) {
	r := newInsureRig(t)
	res, err := r.buy(nil)
	if err != nil {
		t.Fatal(err)
	}
	// The station still lists it on the last day; the insurer's day has
	// turned (its clock is later): it declines, and nothing moves.
	r.now = r.now.AddDate(0, 0, 15)
	r.hnow = r.now.AddDate(0, 0, 1)
	before := r.ledger.Last().Seq
	_, err = r.ins.Cancel(context.Background(), "OP1", res.Entry.Seq, r.key())
	var de *terminal.DeclineError
	if !errors.As(err, &de) || de.Code != hostsim.CodeCoolingOffOver {
		t.Fatalf("err = %v, want a P5 decline", err)
	}
	if got := r.kinds(before); strings.Join(got, " ") != "intent declined" {
		t.Errorf("entries %v", got)
	}
	// The day after, the station no longer offers it.
	r.now = r.now.AddDate(0, 0, 1)
	if open, _ := r.ins.Open(); len(open) != 0 {
		t.Errorf("open policies after the cooling-off period: %+v", open)
	}
	r.balances(map[string]string{"assets:cash": "2150.00", "equity:owner": "-2000.00",
		"postoffice:settlement": "-127.50", "income:commission:policy_issue": "-22.50"})
}

func TestPolicyNotVoidable(t *testing.T) {
	r := newInsureRig(t)
	res, err := r.buy(nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = (&terminal.Voids{Link: r.link}).Void("OP1", "OP1", res.Entry.Seq, "不要了")
	var ve *terminal.VoidError
	if !errors.As(err, &ve) || !strings.Contains(ve.RuleZh, "退保") {
		t.Errorf("void of a policy: %v", err)
	}
}

// A dispute about a policy sale finds what the station recorded of it
// (approved, the policy_issue entry) as it does for a withdrawal.
func TestDisputeAboutAPolicy(t *testing.T) {
	r := newInsureRig(t)
	res, err := r.buy(nil)
	if err != nil {
		t.Fatal(err)
	}
	ds := &terminal.Disputes{Ledger: r.ledger, Link: r.link, PostOffice: newPostOffice(t).verifier}
	dp, added, err := ds.Open(context.Background(), terminal.DisputeRequest{Operator: "OP1", Entry: res.Entry.Seq, Says: "交了保费，保险公司说没有这张保单"})
	if err != nil || !added {
		t.Fatalf("Open: %v (added %v)", err, added)
	}
	if dp.Trace != res.Trace || dp.StationState != "approved" || dp.StationEntry != res.Entry.Seq || dp.HostStatus != "approved" {
		t.Fatalf("dispute: %+v", dp)
	}
}

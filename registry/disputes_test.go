package registry_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/decision"
	"github.com/villagepost/bianmin/hostsim"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/registry"
	"github.com/villagepost/bianmin/settlement"
	"github.com/villagepost/bianmin/tariff"
	"github.com/villagepost/bianmin/terminal"
	"golang.org/x/mod/sumdb/note"
)

// disputeShop is station T0001 with a villager's dispute: day 1 a 500.00
// withdrawal and the dispute about it; later days record what the test
// writes, each closed into a signed day file.
type disputeShop struct {
	t       *testing.T
	ledger  *ledger.Store
	days    *terminal.Days
	dispute terminal.Dispute
	files   [][]byte
}

func newDisputeShop(t *testing.T) *disputeShop {
	t.Helper()
	now := time.Date(2026, 11, 20, 8, 0, 0, 0, cst)
	clock := func() time.Time { now = now.Add(41 * time.Second); return now }
	s, err := ledger.Create(filepath.Join(t.TempDir(), "ledger.db"),
		ledger.Genesis{Terminal: "T0001", Name: "山前村便民服务站", Zone: "Asia/Shanghai"}, "init", stationKey, &ledger.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	sim, err := hostsim.Open("", &hostsim.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	pending, err := terminal.OpenPending(filepath.Join(t.TempDir(), "pending.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pending.Close() })
	tf, err := tariff.Parse(tariff.DemoJSON)
	if err != nil {
		t.Fatal(err)
	}
	link := &terminal.Link{Ledger: s, Host: sim, Pending: pending, Terminal: "T0001", Timeout: time.Second, Retries: 1, Now: clock}
	sh := &disputeShop{t: t, ledger: s, days: &terminal.Days{Ledger: s, Pending: pending, Tariff: tf.Version}}
	if _, err := (&terminal.Drawer{Ledger: s}).In(terminal.CashMove{Operator: "OP1", Amount: decimal.RequireFromString("3000.00"), Reason: terminal.ReasonFloat, IdemKey: "float"}); err != nil {
		t.Fatal(err)
	}
	cards := &terminal.Cards{Link: link, Tariff: tf, CardKey: []byte("0123456789abcdef0123456789abcdef")}
	w, err := cards.Withdraw(context.Background(), terminal.Withdrawal{Operator: "OP1", Card: "6228480402564890018", PIN: "147258", Amount: decimal.RequireFromString("500.00"), IdemKey: "w1"})
	if err != nil {
		t.Fatal(err)
	}
	ds := &terminal.Disputes{Ledger: s, Link: link}
	if sh.dispute, _, err = ds.Open(context.Background(), terminal.DisputeRequest{Operator: "OP1", Entry: w.Entry.Seq, Says: "卡上扣了钱，没拿到现金"}); err != nil {
		t.Fatal(err)
	}
	sh.close()
	return sh
}

// close closes the business day and keeps its signed file.
func (sh *disputeShop) close() []byte {
	sh.t.Helper()
	e, _, err := sh.days.Close(terminal.CloseRequest{Operator: "OP1"})
	if err != nil {
		sh.t.Fatal(err)
	}
	f, err := settlement.FromLedger(sh.ledger, e.Seq, "")
	if err != nil {
		sh.t.Fatal(err)
	}
	b, err := f.Sign(stationKey)
	if err != nil {
		sh.t.Fatal(err)
	}
	sh.files = append(sh.files, b)
	return b
}

// decision is the post office's decision on the shop's dispute, as
// signer signs it, after change.
func (sh *disputeShop) decision(signer note.Signer, outcome, refund string, change func(*decision.Decision)) []byte {
	sh.t.Helper()
	d := decision.Decision{Station: "T0001", Dispute: sh.dispute.Seq, Entry: sh.dispute.Disputed, Trace: sh.dispute.Trace,
		Outcome: outcome, Refund: decimal.RequireFromString(refund), Decided: "2026-11-21", Reason: "银行确认当时没有出钞"}
	if change != nil {
		change(&d)
	}
	msg, err := decision.Sign(d, signer)
	if err != nil {
		sh.t.Fatal(err)
	}
	return msg
}

// record appends a dispute_decided entry carrying msg, booking refund as
// owed: what a station's own program would write, or a forger's.
func (sh *disputeShop) record(msg []byte, dispute uint64, refund string) ledger.Entry {
	sh.t.Helper()
	payload, _ := json.Marshal(map[string]any{"dispute": dispute, "intent": sh.dispute.Intent, "trace": sh.dispute.Trace, "service": sh.dispute.Service,
		"outcome": decision.RefundOwed, "refund": refund, "reason": "银行确认当时没有出钞", "decided": "2026-11-21",
		"decision": base64.StdEncoding.EncodeToString(msg)})
	amount := decimal.RequireFromString(refund)
	var postings []ledger.Posting
	if amount.IsPositive() {
		postings = []ledger.Posting{ledger.Dr(terminal.AccountSettlement, amount), ledger.Cr(terminal.AccountRefundsDue, amount)}
	}
	e, _, err := sh.ledger.Append(ledger.Draft{Operator: "OP1", Kind: terminal.KindDisputeDecided, IdemKey: "decided-" + jsonNumber(sh.ledger.Last().Seq+1), Payload: payload, Postings: postings})
	if err != nil {
		sh.t.Fatal(err)
	}
	return e
}

// pay appends a refund_paid entry of amount on the decision at entry of,
// under its own idempotency key: the terminal pays once, a forger twice.
func (sh *disputeShop) pay(of uint64, amount, key string) {
	sh.t.Helper()
	payload, _ := json.Marshal(map[string]any{"refund_of": of, "service": sh.dispute.Service, "trace": sh.dispute.Trace, "amount": amount})
	a := decimal.RequireFromString(amount)
	_, _, err := sh.ledger.Append(ledger.Draft{Operator: "OP1", Kind: terminal.KindRefundPaid, IdemKey: key, Payload: payload,
		Postings: []ledger.Posting{ledger.Dr(terminal.AccountRefundsDue, a), ledger.Cr(terminal.AccountCash, a)}})
	if err != nil {
		sh.t.Fatal(err)
	}
}

// A decision the post office signed on the dispute, recorded by the
// station, and its refund paid once, are accepted over three days; a
// fourth day that pays the same refund again is refused, naming the rule,
// and changes nothing.
func TestDecisionAndRefundAccepted(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		o := newOffice(t, b)
		o.enrol("T0001", stationKey)
		sh := newDisputeShop(t)
		ds := &terminal.Disputes{Ledger: sh.ledger, PostOffice: o.v}
		dp, _, err := ds.Decide("OP1", sh.decision(o.im.Signer, decision.RefundOwed, "500.00", nil))
		if err != nil {
			t.Fatal(err)
		}
		sh.close()
		if _, err := (&terminal.Refunds{Ledger: sh.ledger}).Pay("OP1", dp.Decided); err != nil {
			t.Fatal(err)
		}
		sh.close()
		for _, f := range sh.files {
			o.mustImport(f, registry.Accepted)
		}
		var got []registry.DisputeEntry
		o.reg.DisputeEntries(t.Context(), "T0001", func(d registry.DisputeEntry) error { got = append(got, d); return nil })
		if len(got) != 2 || got[0].Seq != dp.Seq || got[0].Decided != dp.Decided || got[1].Seq != dp.Decided || got[1].Refund != "500.00" || got[1].Paid == 0 {
			t.Fatalf("dispute entries %+v, want the dispute %d decided at %d and its refund paid", got, dp.Seq, dp.Decided)
		}

		sh.pay(dp.Decided, "500.00", "again")
		before := o.disputeState()
		_, err = o.importFile(sh.close())
		wantRefusal(t, err, "was paid already at entry")
		if !reflect.DeepEqual(before, o.disputeState()) {
			t.Error("a refused file changed the registry")
		}
	})
}

func wantRefusal(t *testing.T, err error, detail string) {
	t.Helper()
	var re *registry.Error
	if !errors.As(err, &re) || re.Kind != registry.ErrDecision || !strings.Contains(re.Detail, detail) {
		t.Fatalf("import: %v, want a refusal of kind %s saying %q", err, registry.ErrDecision, detail)
	}
}

// Every way a station's file can record a decision the post office did
// not make, or a refund it did not decide, is refused at import with the
// rule named, and changes nothing.
func TestForgedDecisionRefused(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		skey, _, err := note.GenerateKey(rand.Reader, "xinyang-postoffice")
		if err != nil {
			t.Fatal(err)
		}
		forger, _ := note.NewSigner(skey)
		for _, c := range []struct {
			name   string
			write  func(sh *disputeShop, po note.Signer)
			detail string
		}{
			{"signed by another key under the post office's name", func(sh *disputeShop, po note.Signer) {
				sh.record(sh.decision(forger, decision.RefundOwed, "500.00", nil), sh.dispute.Seq, "500.00")
			}, "not signed by this post office"},
			{"the signed note changed after signing", func(sh *disputeShop, po note.Signer) {
				msg := sh.decision(po, decision.RefundOwed, "50.00", nil)
				sh.record([]byte(strings.Replace(string(msg), "refund 50.00", "refund 500.00", 1)), sh.dispute.Seq, "500.00")
			}, "not signed by this post office"},
			{"the amount booked above the decision's", func(sh *disputeShop, po note.Signer) {
				sh.record(sh.decision(po, decision.RefundOwed, "50.00", nil), sh.dispute.Seq, "500.00")
			}, "the post office decided 50.00"},
			{"a decision for another station", func(sh *disputeShop, po note.Signer) {
				sh.record(sh.decision(po, decision.RefundOwed, "500.00", func(d *decision.Decision) { d.Station = "T0002" }), sh.dispute.Seq, "500.00")
			}, "for station T0002"},
			{"a decision on an entry that is no dispute", func(sh *disputeShop, po note.Signer) {
				sh.record(sh.decision(po, decision.RefundOwed, "500.00", func(d *decision.Decision) { d.Dispute = sh.dispute.Seq + 1 }), sh.dispute.Seq+1, "500.00")
			}, "no dispute of this station"},
			{"a decision on another request", func(sh *disputeShop, po note.Signer) {
				sh.record(sh.decision(po, decision.RefundOwed, "1.00", func(d *decision.Decision) { d.Entry, d.Trace = 1, "T0001-000001" }), sh.dispute.Seq, "1.00")
			}, "the decision names entry 1, trace T0001-000001"},
			{"one dispute's decision filed as another's", func(sh *disputeShop, po note.Signer) {
				sh.record(sh.decision(po, decision.RefundOwed, "500.00", nil), sh.dispute.Seq+1, "500.00")
			}, "as the decision on dispute"},
			{"a dispute decided twice", func(sh *disputeShop, po note.Signer) {
				msg := sh.decision(po, decision.RefundOwed, "500.00", nil)
				sh.record(msg, sh.dispute.Seq, "500.00")
				sh.record(msg, sh.dispute.Seq, "500.00")
			}, "was decided already at entry"},
			{"a refund paid when none is owed", func(sh *disputeShop, po note.Signer) {
				d := sh.decision(po, decision.NoneOwed, "0.00", nil)
				e := sh.record(d, sh.dispute.Seq, "0.00")
				sh.pay(e.Seq, "500.00", "paid")
			}, "which owes none"},
			{"a refund paid above the decision's", func(sh *disputeShop, po note.Signer) {
				e := sh.record(sh.decision(po, decision.RefundOwed, "50.00", nil), sh.dispute.Seq, "50.00")
				sh.pay(e.Seq, "500.00", "paid")
			}, "it pays 500.00; the decision at entry"},
			{"a refund paid twice in one day", func(sh *disputeShop, po note.Signer) {
				e := sh.record(sh.decision(po, decision.RefundOwed, "500.00", nil), sh.dispute.Seq, "500.00")
				sh.pay(e.Seq, "500.00", "paid")
				sh.pay(e.Seq, "500.00", "paid again")
			}, "was paid already at entry"},
		} {
			t.Run(c.name, func(t *testing.T) {
				o := newOffice(t, b)
				o.enrol("T0001", stationKey)
				sh := newDisputeShop(t)
				o.mustImport(sh.files[0], registry.Accepted)
				c.write(sh, o.im.Signer)
				before := o.disputeState()
				_, err := o.importFile(sh.close())
				wantRefusal(t, err, c.detail)
				if !reflect.DeepEqual(before, o.disputeState()) {
					t.Error("a refused file changed the registry")
				}
			})
		}
	})
}

func jsonNumber(n uint64) string { b, _ := json.Marshal(n); return string(b) }

// disputeState is the registry's state with T0001's dispute entries.
func (o *office) disputeState() any {
	o.t.Helper()
	var list []registry.DisputeEntry
	if err := o.reg.DisputeEntries(o.t.Context(), "T0001", func(d registry.DisputeEntry) error { list = append(list, d); return nil }); err != nil {
		o.t.Fatal(err)
	}
	return []any{o.state(), list}
}

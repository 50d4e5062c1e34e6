package terminal_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/decision"
	"github.com/villagepost/bianmin/terminal"
	"golang.org/x/mod/sumdb/note"
)

// postOffice is a post office key that signs decisions for the rig.
type postOffice struct {
	signer   note.Signer
	verifier note.Verifier
}

func newPostOffice(t *testing.T) postOffice {
	t.Helper()
	skey, vkey, err := note.GenerateKey(nil, "test-postoffice")
	if err != nil {
		t.Fatal(err)
	}
	s, _ := note.NewSigner(skey)
	v, _ := note.NewVerifier(vkey)
	return postOffice{s, v}
}

func (po postOffice) decide(t *testing.T, dp terminal.Dispute, outcome, refund string) []byte {
	t.Helper()
	msg, err := decision.Sign(decision.Decision{Station: "T0001", Dispute: dp.Seq, Entry: dp.Disputed, Trace: dp.Trace, Outcome: outcome,
		Refund: decimal.RequireFromString(refund), Decided: "2026-11-22", Reason: "银行确认当时没有出钞"}, po.signer)
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func TestDisputeRefundOwed(t *testing.T) {
	r := newRig(t)
	po := newPostOffice(t)
	w, err := r.withdraw("6228480402564890018", "500")
	if err != nil {
		t.Fatal(err)
	}
	ds := &terminal.Disputes{Ledger: r.ledger, Link: r.link, PostOffice: po.verifier}
	dp, added, err := ds.Open(context.Background(), terminal.DisputeRequest{Operator: "OP1", Entry: w.Entry.Seq, Says: "卡上扣了钱，没拿到现金"})
	if err != nil || !added {
		t.Fatalf("Open: %v (added %v)", err, added)
	}
	if dp.Trace != w.Trace || dp.StationState != "approved" || dp.StationEntry != w.Entry.Seq || dp.HostStatus != "approved" || dp.State != terminal.DisputeWaiting {
		t.Fatalf("dispute: %+v", dp)
	}
	if !dp.Amount.Equal(dec("500.00")) {
		t.Fatalf("amount %s, want the 500.00 asked of the bank", dp.Amount)
	}
	// The intent of the same request, disputed again, is the same dispute.
	again, added, err := ds.Open(context.Background(), terminal.DisputeRequest{Operator: "OP1", Entry: w.Intent.Seq, Says: "又来问了"})
	if err != nil || added || again.Seq != dp.Seq {
		t.Fatalf("second Open: %+v added %v, %v", again, added, err)
	}
	before := r.ledger.Last().Seq

	// Refused decisions record nothing.
	other := newPostOffice(t)
	for name, msg := range map[string][]byte{
		"other key":     other.decide(t, dp, decision.RefundOwed, "500.00"),
		"above amount":  po.decide(t, dp, decision.RefundOwed, "500.01"),
		"wrong entry":   po.decide(t, terminal.Dispute{Seq: dp.Seq, Disputed: dp.Disputed - 1, Trace: dp.Trace}, decision.RefundOwed, "1.00"),
		"not a dispute": po.decide(t, terminal.Dispute{Seq: dp.Disputed, Disputed: 1, Trace: dp.Trace}, decision.RefundOwed, "1.00"),
		"garbage":       []byte("hello\n"),
	} {
		var de *terminal.DisputeError
		if _, _, err := ds.Decide("OP1", msg); !errors.As(err, &de) || de.Field != "decision" {
			t.Errorf("%s: %v, want a refusal of the decision", name, err)
		}
	}
	if got := r.ledger.Last().Seq; got != before {
		t.Fatalf("a refused decision recorded entries %d to %d", before+1, got)
	}

	msg := po.decide(t, dp, decision.RefundOwed, "500.00")
	dp, added, err = ds.Decide("OP1", msg)
	if err != nil || !added || dp.State != terminal.DisputeRefund || !dp.Refund.Equal(dec("500")) {
		t.Fatalf("Decide: %+v added %v, %v", dp, added, err)
	}
	if _, added, err := ds.Decide("OP1", msg); err != nil || added {
		t.Fatalf("the same decision again: added %v, %v", added, err)
	}
	due, err := r.refunds.Due()
	if err != nil || len(due) != 1 || due[0].Entry != dp.Decided {
		t.Fatalf("refunds due: %+v, %v", due, err)
	}
	r.balances(map[string]string{"assets:cash": "1500.00", "postoffice:settlement": "1001.00",
		"income:commission:withdrawal": "-1.00", "liabilities:refunds-due": "-500.00", "equity:owner": "-2000.00"})
	paid, err := r.refunds.Pay("OP1", dp.Decided)
	if err != nil || !paid.Amount.Equal(dec("500")) {
		t.Fatalf("Pay: %+v, %v", paid, err)
	}
	if again, err := r.refunds.Pay("OP1", dp.Decided); err != nil || again.Entry.Seq != paid.Entry.Seq {
		t.Fatalf("paying twice: %+v, %v", again, err)
	}
	r.balances(map[string]string{"assets:cash": "1000.00", "postoffice:settlement": "1001.00",
		"income:commission:withdrawal": "-1.00", "equity:owner": "-2000.00"})
	list, err := ds.List()
	if err != nil || len(list) != 1 || list[0].State != terminal.DisputeRefunded || list[0].Paid != paid.Entry.Seq {
		t.Fatalf("List: %+v, %v", list, err)
	}
}

func TestDisputeNoneOwedAndReversed(t *testing.T) {
	r := newRig(t)
	po := newPostOffice(t)
	r.host.next(drop) // the bank pays, the answer is lost: the station reverses
	_, err := r.withdraw("6228480402564890018", "300")
	var rev *terminal.ReversedError
	if !errors.As(err, &rev) {
		t.Fatalf("withdraw: %v, want a reversal", err)
	}
	ds := &terminal.Disputes{Ledger: r.ledger, Link: r.link, PostOffice: po.verifier}
	dp, _, err := ds.Open(context.Background(), terminal.DisputeRequest{Operator: "OP1", Entry: rev.Reversal, Says: "卡上被扣了 300 元"})
	if err != nil {
		t.Fatal(err)
	}
	if dp.StationState != "reversed" || dp.HostStatus != "reversed" {
		t.Fatalf("dispute of a reversed withdrawal: %+v", dp)
	}
	dp, _, err = ds.Decide("OP1", po.decide(t, dp, decision.NoneOwed, "0.00"))
	if err != nil || dp.State != terminal.DisputeNoneOwed {
		t.Fatalf("Decide: %+v, %v", dp, err)
	}
	if due, _ := r.refunds.Due(); len(due) != 0 {
		t.Fatalf("nothing owed, yet refunds due: %+v", due)
	}
	if _, err := r.refunds.Pay("OP1", dp.Decided); !errors.Is(err, terminal.ErrNoRefundDue) {
		t.Fatalf("paying a none-owed decision: %v", err)
	}
}

func TestDisputeRefused(t *testing.T) {
	r := newRig(t)
	ds := &terminal.Disputes{Ledger: r.ledger, Link: r.link}
	before := r.ledger.Last().Seq
	for _, tc := range []struct {
		name  string
		req   terminal.DisputeRequest
		field string
	}{
		{"no such entry", terminal.DisputeRequest{Operator: "OP1", Entry: 999, Says: "钱不对"}, "entry"},
		{"cash in has no trace", terminal.DisputeRequest{Operator: "OP1", Entry: before, Says: "钱不对"}, "entry"},
		{"says nothing", terminal.DisputeRequest{Operator: "OP1", Entry: before, Says: "  "}, "says"},
		{"says too much", terminal.DisputeRequest{Operator: "OP1", Entry: before, Says: strings.Repeat("钱", terminal.MaxSays+1)}, "says"},
	} {
		var de *terminal.DisputeError
		if _, _, err := ds.Open(context.Background(), tc.req); !errors.As(err, &de) || de.Field != tc.field {
			t.Errorf("%s: %v, want a refusal naming %s", tc.name, err, tc.field)
		}
	}
	if got := r.ledger.Last().Seq; got != before {
		t.Fatalf("refused disputes recorded entries %d to %d", before+1, got)
	}
}

func TestDisputeHostDown(t *testing.T) {
	r := newRig(t)
	w, err := r.withdraw("6228480402564890018", "100")
	if err != nil {
		t.Fatal(err)
	}
	r.host.setOffline(true)
	ds := &terminal.Disputes{Ledger: r.ledger, Link: r.link}
	dp, added, err := ds.Open(context.Background(), terminal.DisputeRequest{Operator: "OP1", Entry: w.Entry.Seq, Says: "钱不对"})
	if err != nil || !added || dp.HostStatus != terminal.HostNoAnswer {
		t.Fatalf("Open with the bank down: %+v, %v", dp, err)
	}
}

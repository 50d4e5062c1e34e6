package main

import (
	"fmt"
	"strings"
	"testing"
)

// TestSoakVoidAfterLostForward reproduces what the soak found: a queued
// payment whose forwarding reached the biller but whose answer was lost
// could still be voided at the counter: the villager got the cash back
// while the biller kept the payment. It is refused now, and the next
// drain settles the payment as the biller has it.
func TestSoakVoidAfterLostForward(t *testing.T) {
	c, dir, h := faultStation(t)
	h.faults("biller=down")
	n := len(entries(t, c, dir))
	out := c.must("pay-bill", "--dir", dir, "--operator", "OP1", "--biller", "state-grid", "--account", "5100123456", "--amount", "80")
	if !strings.Contains(out, "排队") {
		t.Fatalf("not queued:\n%s", out)
	}
	intent, queued := n+1, n+2
	trace := fmt.Sprintf("T0001-%06d", intent)
	h.faults("bill_payment=drop#1")
	c.must("queue", "--dir", dir, "--operator", "OP1") // forwarded: the biller takes it, the answer is lost
	if st := h.statuses(trace); strings.Join(st, " ") != "approved" {
		t.Fatalf("the biller's journal: %v", st)
	}
	h.faults("biller=down") // the network drops again before the next drain
	r := c.run("void", "--dir", dir, "--operator", "OP1", "--entry", fmt.Sprint(queued), "--reason", "顾客不缴了")
	if r.code == 0 {
		t.Fatalf("the payment was voided (cash handed back) although the biller has it approved:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout+r.stderr, "还没有收到回复") {
		t.Errorf("the refusal does not say why:\n%s%s", r.stdout, r.stderr)
	}
	// The biller is back: the next drain learns it has the payment.
	h.faults()
	c.must("queue", "--dir", dir, "--operator", "OP1")
	if got := kindsAfter(t, c, dir, n); got != "intent bill_payment queued_confirmed" {
		t.Errorf("entries: %s", got)
	}
	c.must("ledger", "verify", "--dir", dir)
}

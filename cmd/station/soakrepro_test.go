package main

import (
	"flag"
	"fmt"
	"strings"
	"testing"
)

var soakRepro = flag.Bool("soak.repro", false, "run the reproductions of bugs the soak found that are not fixed yet")

// TestSoakVoidAfterLostForward reproduces what the soak found: a queued
// payment whose forwarding reached the biller but whose answer was lost
// can still be voided at the counter. The villager gets the cash back
// while the biller keeps the payment. Skipped until terminal is fixed;
// run with -soak.repro.
func TestSoakVoidAfterLostForward(t *testing.T) {
	if !*soakRepro {
		t.Skip("known terminal bug (void of a queued payment after a forward with an unknown outcome); run with -soak.repro")
	}
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
		t.Errorf("the payment was voided (cash handed back) although the biller has it approved:\n%s", r.stdout)
	}
}

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/villagepost/bianmin/tariff"
	"golang.org/x/mod/sumdb/note"
)

// faultStation is a station with the test tariff, 3,000.00 in the drawer
// and its hosts at a running cmd/hostsim. Its clock is the real one, as
// the station program's is.
func faultStation(t *testing.T) (*cli, string, *hostsimProc) {
	t.Helper()
	h := startHostsim(t)
	c, dir := newStation(t)
	c.now = time.Now()
	signer, err := note.NewSigner(tariff.DemoPostOfficeSignerKey)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := tariff.Sign(testTariff(), signer)
	if err != nil {
		t.Fatal(err)
	}
	c.env["STATION_HOST"] = h.url
	c.env["STATION_PIN"] = ownerPIN
	c.env["STATION_CARD_PIN"] = "147258"
	c.must("tariff", "load", "--dir", dir, "--operator", "OP1", writeSigned(t, signed))
	c.must("cash", "in", "--dir", dir, "--operator", "OP1", "--amount", "3000", "--reason", "float")
	return c, dir, h
}

// kindsAfter lists the kinds of the entries after seq.
func kindsAfter(t *testing.T, c *cli, dir string, seq int) string {
	t.Helper()
	var kinds []string
	for _, e := range entries(t, c, dir)[seq:] {
		kinds = append(kinds, e["kind"].(string))
	}
	return strings.Join(kinds, " ")
}

func cashIs(t *testing.T, c *cli, dir, want string) {
	t.Helper()
	if out := c.must("cash", "--dir", dir); !strings.Contains(out, want) {
		t.Errorf("drawer: %s, want %s", strings.TrimSpace(out), want)
	}
}

// TestReplyDropped: the bank approves and the answer is lost. The station
// reverses it, says not to pay out, and the bank's journal agrees.
func TestReplyDropped(t *testing.T) {
	c, dir, h := faultStation(t)
	h.faults("withdrawal=drop#1")
	before := len(entries(t, c, dir))
	c.refused(exitFailed, "不要付现金", "withdraw", "--dir", dir, "--operator", "OP1", "--card", "6228480402564890018", "--amount", "300")
	if got := kindsAfter(t, c, dir, before); got != "intent reversal_due reversal" {
		t.Errorf("entries: %s", got)
	}
	if st := h.statuses(fmt.Sprintf("T0001-%06d", before+1)); strings.Join(st, " ") != "approved reversed" {
		t.Errorf("the bank's journal: %v", st)
	}
	cashIs(t, c, dir, "¥3,000.00")
	c.must("ledger", "verify", "--dir", dir)
}

// TestReplyDuplicated: the answer arrives twice; the station records one
// withdrawal.
func TestReplyDuplicated(t *testing.T) {
	c, dir, h := faultStation(t)
	h.faults("withdrawal=duplicate#1")
	before := len(entries(t, c, dir))
	out := c.must("withdraw", "--dir", dir, "--operator", "OP1", "--card", "6228480402564890018", "--amount", "300")
	if !strings.Contains(out, "请付给顾客现金 ¥300.00") {
		t.Errorf("output: %s", out)
	}
	if got := kindsAfter(t, c, dir, before); got != "intent withdrawal" {
		t.Errorf("entries: %s", got)
	}
	if st := h.statuses(fmt.Sprintf("T0001-%06d", before+1)); strings.Join(st, " ") != "approved" {
		t.Errorf("the bank's journal: %v", st)
	}
	cashIs(t, c, dir, "¥2,700.00")
}

// TestKilledMidRequest: the station program is killed (SIGKILL) after its
// intent is recorded and the host has approved, before the answer comes
// back. The next start settles it: one outcome, the host's approval
// reversed, no cash out.
func TestKilledMidRequest(t *testing.T) {
	for _, tc := range []struct {
		name, fault string
		args        []string
	}{
		{"Withdrawal", "withdrawal=hang#1", []string{"withdraw", "--card", "6228480402564890018", "--amount", "300"}},
		{"BillPayment", "bill_payment=hang#1", []string{"pay-bill", "--biller", "state-grid", "--account", "5100123456", "--amount", "80"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, dir, h := faultStation(t)
			h.faults(tc.fault)
			before := len(entries(t, c, dir))
			trace := fmt.Sprintf("T0001-%06d", before+1)

			cmd := exec.Command(binary(t, "station"), append(tc.args, "--dir", dir, "--operator", "OP1")...)
			cmd.Env = append(os.Environ(), "STATION_PASSPHRASE="+passphrase, "STATION_PIN="+ownerPIN,
				"STATION_CARD_PIN=147258", "STATION_HOST="+h.url)
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			h.waitFor(trace) // the intent is in the ledger and the host approved
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			cmd.Wait()
			if got := kindsAfter(t, c, dir, before); got != "intent" {
				t.Fatalf("after the kill: %s\n%s", got, out.String())
			}

			// The next start settles it before anything else.
			if out := c.must("queue", "--dir", dir, "--operator", "OP1"); !strings.Contains(out, "先处理完了 1 笔") {
				t.Errorf("restart said:\n%s", out)
			}
			if got := kindsAfter(t, c, dir, before); got != "intent reversal_due reversal" {
				t.Errorf("entries: %s", got)
			}
			if st := h.statuses(trace); strings.Join(st, " ") != "approved reversed" {
				t.Errorf("the host's journal: %v", st)
			}
			cashIs(t, c, dir, "¥3,000.00")
			c.must("queue", "--dir", dir, "--operator", "OP1")
			if got := kindsAfter(t, c, dir, before); got != "intent reversal_due reversal" {
				t.Errorf("a second start changed something: %s", got)
			}
			c.must("ledger", "verify", "--dir", dir)
			if data, err := os.ReadFile(filepath.Join(dir, "pending.db")); err == nil && bytes.Contains(data, []byte("147258")) {
				t.Error("the pending store holds the card PIN")
			}
		})
	}
}

package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/shopfront"
	"github.com/villagepost/bianmin/terminal"
)

// clientFrom is a browser whose connections come from the local IP
// address from (another machine on the shop's network, as far as the
// screen can tell).
func clientFrom(t *testing.T, from string) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 30 * time.Second}
	return &http.Client{Jar: jar, Transport: &http.Transport{DialContext: d.DialContext},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// TestLockoutCannotShutTheShop: wrong PINs typed from one address lock
// the operator at that address only, so the owner signs in at the
// counter while a guesser is locked out elsewhere; across all addresses
// MaxPINFailuresPerDay wrong PINs in a day lock the operator everywhere,
// until the owner unlocks them with the station key's passphrase on the
// screen's unlock page, which a guesser does not have (and cannot guess
// for long either). The unlock is recorded in the ledger.
func TestLockoutCannotShutTheShop(t *testing.T) {
	now := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	var out bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out, Getenv: func(string) string { return "" },
		Now: func() time.Time { return now }, KeyParams: keyfile.FastParams()}
	dir := filepath.Join(t.TempDir(), "demo")
	if err := m.ensureDemo(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	srv, d, stop := servedDemo(t, m, dir)
	defer stop()
	const wrong = "864209"
	counter := "127.0.0.1"

	// A guesser on another address locks OP1 there, not at the counter.
	guesser := clientFrom(t, "127.0.0.2")
	for i := 1; i <= terminal.MaxPINFailures; i++ {
		webSignIn(t, guesser, srv.URL, "OP1", wrong)
	}
	if r, page := webSignIn(t, guesser, srv.URL, "OP1", demoOwnerPIN); r.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "已锁定到") {
		t.Errorf("the guesser's address after %d wrong PINs: %s, want locked", terminal.MaxPINFailures, r.Status)
	}
	if r, _ := webSignIn(t, clientFrom(t, counter), srv.URL, "OP1", demoOwnerPIN); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("the owner at the counter while a guesser is locked elsewhere: %s, want signed in", r.Status)
	}

	// Guessers on more addresses reach the day's limit: OP1 is locked
	// everywhere, the counter included, even with the right PIN.
	tried := terminal.MaxPINFailures
	var last string
	for a := 3; tried < terminal.MaxPINFailuresPerDay; a++ {
		g := clientFrom(t, fmt.Sprintf("127.0.0.%d", a))
		for i := 0; i < terminal.MaxPINFailures && tried < terminal.MaxPINFailuresPerDay; i++ {
			_, last = webSignIn(t, g, srv.URL, "OP1", wrong)
			tried++
		}
	}
	if !strings.Contains(last, fmt.Sprintf("今天已输错密码 %d 次", terminal.MaxPINFailuresPerDay)) || !strings.Contains(last, "店主解锁") {
		t.Errorf("the %dth wrong PIN of the day does not say the operator is locked until the owner unlocks", terminal.MaxPINFailuresPerDay)
	}
	owner := clientFrom(t, counter)
	if r, page := webSignIn(t, owner, srv.URL, "OP1", demoOwnerPIN); r.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "今天已输错密码") {
		t.Fatalf("OP1's right PIN after the day's limit: %s, want locked", r.Status)
	}
	now = now.Add(terminal.LockoutFor)
	if r, _ := webSignIn(t, owner, srv.URL, "OP1", demoOwnerPIN); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("the day's lock ended by itself after %v: %s", terminal.LockoutFor, r.Status)
	}

	// A guesser cannot unlock: the passphrase is tried MaxPINFailures
	// times from an address, then refused there whatever it is.
	unlock := func(c *http.Client, pass string) (*http.Response, string) {
		t.Helper()
		_, page := get(t, c, srv.URL+"/unlock")
		tok := csrfRE.FindStringSubmatch(page)
		if tok == nil {
			t.Fatalf("the unlock page has no form:\n%s", page)
		}
		return postPage(t, c, srv.URL+"/unlock", url.Values{"csrf": {tok[1]}, "operator": {"OP1"}, "passphrase": {pass}})
	}
	for i := 1; i <= terminal.MaxPINFailures; i++ {
		if r, page := unlock(guesser, "guess-"+fmt.Sprint(i)); r.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "口令不对") {
			t.Errorf("wrong passphrase %d: %s", i, r.Status)
		}
	}
	if r, _ := unlock(guesser, shopfront.DemoPassphrase); r.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the passphrase from an address after %d wrong ones: %s, want 429", terminal.MaxPINFailures, r.Status)
	}
	if e, _ := d.Entry(d.Counter.Ledger.Last().Seq); e.Kind == "operator_unlock" {
		t.Fatal("a refused unlock was recorded")
	}

	// The owner, at the counter, with the passphrase.
	r, page := unlock(owner, shopfront.DemoPassphrase)
	if r.StatusCode != http.StatusOK || !strings.Contains(page, "操作员 OP1 已解锁") {
		t.Fatalf("unlock with the passphrase: %s", r.Status)
	}
	e, err := d.Entry(d.Counter.Ledger.Last().Seq)
	if err != nil {
		t.Fatal(err)
	}
	if e.Kind != "operator_unlock" || !strings.Contains(string(e.Payload), `"id":"OP1"`) || !strings.Contains(page, fmt.Sprintf("账本第 %d 笔", e.Seq)) {
		t.Errorf("the unlock is not recorded: last entry %d %s %s", e.Seq, e.Kind, e.Payload)
	}
	if r, _ := webSignIn(t, owner, srv.URL, "OP1", demoOwnerPIN); r.StatusCode != http.StatusSeeOther {
		t.Errorf("the owner after the unlock: %s, want signed in", r.Status)
	}
}

// TestOperatorUnlockCLI: station operator unlock, with the station key's
// passphrase, lifts an operator's lockout (the day's limit included) and
// records it in the ledger; a wrong passphrase changes nothing.
func TestOperatorUnlockCLI(t *testing.T) {
	c, dir := newStation(t)
	c.must("operator", "add", "--dir", dir, "--id", "OP2", "--role", "clerk", "--pin-file", writeSecret(t, "clerk", clerkPIN),
		"--by", "OP1", "--by-pin-file", writeSecret(t, "owner", ownerPIN))
	cashIn := []string{"cash", "in", "--dir", dir, "--operator", "OP2", "--pin-file", writeSecret(t, "pin", clerkPIN), "--amount", "10", "--reason", "owner"}
	for i := 0; i < terminal.MaxPINFailures; i++ {
		c.run("cash", "in", "--dir", dir, "--operator", "OP2", "--pin-file", writeSecret(t, "bad", "864209"), "--amount", "10", "--reason", "owner")
	}
	c.refused(exitFailed, "已锁定到", cashIn...)
	before := len(entries(t, c, dir))
	c.refused(exitFailed, "口令不对", "operator", "unlock", "--dir", dir, "--id", "OP2", "--passphrase-file", writeSecret(t, "pass", "not the passphrase at all"))
	c.refused(exitFailed, "已锁定到", cashIn...)
	if after := len(entries(t, c, dir)); after != before {
		t.Errorf("a refused unlock recorded %d entries", after-before)
	}
	if out := c.must("operator", "unlock", "--dir", dir, "--id", "OP2"); !strings.Contains(out, "已解锁操作员 OP2") {
		t.Errorf("operator unlock says %q", out)
	}
	list := entries(t, c, dir)
	if last := list[len(list)-1]; last["kind"] != "operator_unlock" {
		t.Errorf("the last entry is %v, want operator_unlock", last["kind"])
	}
	c.must(cashIn...)
}

// TestGuessingUnknownOperatorsShutsTheAddress: names of operators that do
// not exist lock no operator but cost a PIN hash each; after
// 2×MaxPINFailures wrong PINs or unknown names in a row, an address gets
// no more PIN checks for LockoutFor (said in words), while the counter at
// another address signs in as usual.
func TestGuessingUnknownOperatorsShutsTheAddress(t *testing.T) {
	now := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	var out bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out, Getenv: func(string) string { return "" },
		Now: func() time.Time { return now }, KeyParams: keyfile.FastParams()}
	dir := filepath.Join(t.TempDir(), "demo")
	if err := m.ensureDemo(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	srv, _, stop := servedDemo(t, m, dir)
	defer stop()
	guesser := clientFrom(t, "127.0.0.2")
	for i := 1; i <= 2*terminal.MaxPINFailures; i++ {
		if r, page := webSignIn(t, guesser, srv.URL, fmt.Sprintf("X%d", i), demoOwnerPIN); r.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "没有这个操作员") {
			t.Fatalf("unknown operator %d: %s", i, r.Status)
		}
	}
	until := now.Add(terminal.LockoutFor).Format("15:04")
	if r, page := webSignIn(t, guesser, srv.URL, "OP1", demoOwnerPIN); r.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "到 "+until+" 之前这台设备不能再输密码") {
		t.Errorf("the guessing address with the owner's right PIN: %s, want refused until %s", r.Status, until)
	}
	if r, _ := webSignIn(t, clientFrom(t, "127.0.0.1"), srv.URL, "OP1", demoOwnerPIN); r.StatusCode != http.StatusSeeOther {
		t.Errorf("the counter while another address is shut out: %s", r.Status)
	}
	now = now.Add(terminal.LockoutFor)
	if r, _ := webSignIn(t, guesser, srv.URL, "OP1", demoOwnerPIN); r.StatusCode != http.StatusSeeOther {
		t.Errorf("the address after %v: %s", terminal.LockoutFor, r.Status)
	}
}

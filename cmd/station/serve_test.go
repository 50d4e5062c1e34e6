package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/hostsim"
	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/shopfront"
	"github.com/villagepost/bianmin/terminal"
	"github.com/villagepost/bianmin/web"
)

// TestServeAddr: the screen stays on this machine unless HTTPS is set up
// or the operator accepts plain HTTP.
func TestServeAddr(t *testing.T) {
	var errOut bytes.Buffer
	m := &Main{Stderr: &errOut}
	for _, tc := range []struct {
		o  serveOptions
		ok bool
	}{
		{serveOptions{addr: "127.0.0.1:8080"}, true},
		{serveOptions{addr: "localhost:8080"}, true},
		{serveOptions{addr: "[::1]:8080"}, true},
		{serveOptions{addr: "0.0.0.0:8080"}, false},
		{serveOptions{addr: "192.168.1.20:8080"}, false},
		{serveOptions{addr: "0.0.0.0:8080", cert: "c.pem"}, false}, // a key is needed too
		{serveOptions{addr: "0.0.0.0:8080", cert: "c.pem", key: "k.pem"}, true},
		{serveOptions{addr: "0.0.0.0:8080", plainHTTP: true}, true},
		{serveOptions{addr: "8080"}, false},
	} {
		if err := m.checkAddr(tc.o); (err == nil) != tc.ok {
			t.Errorf("%+v: %v, want ok=%v", tc.o, err, tc.ok)
		}
	}
	if !strings.Contains(errOut.String(), "警告") {
		t.Errorf("plain HTTP off loopback gave no warning: %q", errOut.String())
	}
}

// desked is a demo station opened for the screen, with a clock the test
// moves.
type desked struct {
	m   *Main
	d   *shopfront.Desk
	now *time.Time
	srv *httptest.Server
}

func openDesked(t *testing.T) *desked {
	t.Helper()
	now := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	var out bytes.Buffer
	x := &desked{now: &now}
	x.m = &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out, Getenv: func(string) string { return "" },
		Now: func() time.Time { return *x.now }, KeyParams: keyfile.FastParams()}
	dir := filepath.Join(t.TempDir(), "demo")
	if err := x.m.ensureDemo(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	d, err := x.m.openDesk(context.Background(), serveOptions{dir: dir, demo: true})
	if err != nil {
		t.Fatal(err)
	}
	x.d = d
	srv, err := web.New(d, &web.Options{Now: x.m.Now, Idle: 10 * time.Minute, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	x.srv = httptest.NewServer(srv) // listens on 127.0.0.1
	t.Cleanup(func() { x.srv.Close(); d.Counter.Close() })
	return x
}

func client(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	r, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(r.Body)
	return r, b.String()
}

func post(t *testing.T, c *http.Client, u string, v url.Values) *http.Response {
	t.Helper()
	r, err := c.PostForm(u, v)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	return r
}

// TestScreenSession: every form needs the session's CSRF token, and a
// session unused for longer than its idle time ends.
func TestScreenSession(t *testing.T) {
	x := openDesked(t)
	c := client(t)
	_, page := get(t, c, x.srv.URL+"/signin")
	tok := csrfRE.FindStringSubmatch(page)
	if tok == nil {
		t.Fatal("the sign-in form has no CSRF token")
	}
	signIn := url.Values{"operator": {"OP1"}, "pin": {demoOwnerPIN}}
	if r := post(t, c, x.srv.URL+"/signin", signIn); r.StatusCode != http.StatusForbidden {
		t.Errorf("sign-in without a token: %s, want 403", r.Status)
	}
	wrong := "0"
	if tok[1][0] == '0' {
		wrong = "1" // another first character, always: else the "wrong" token is the right one
	}
	signIn.Set("csrf", wrong+tok[1][1:])
	if r := post(t, c, x.srv.URL+"/signin", signIn); r.StatusCode != http.StatusForbidden {
		t.Errorf("sign-in with a wrong token: %s, want 403", r.Status)
	}
	signIn.Set("csrf", tok[1])
	if r := post(t, c, x.srv.URL+"/signin", signIn); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/" {
		t.Fatalf("sign-in: %s to %q", r.Status, r.Header.Get("Location"))
	}
	r, page := get(t, c, x.srv.URL+"/")
	if r.StatusCode != http.StatusOK || !strings.Contains(page, "go-withdraw") {
		t.Fatalf("start screen after sign-in: %s", r.Status)
	}
	// English by a switch, back to the page it was on.
	tok2 := csrfRE.FindStringSubmatch(page)
	if r := post(t, c, x.srv.URL+"/lang", url.Values{"csrf": {tok2[1]}, "lang": {"en"}, "back": {"/cash"}}); r.Header.Get("Location") != "/cash" {
		t.Errorf("the language switch went to %q, want /cash", r.Header.Get("Location"))
	}
	if _, page := get(t, c, x.srv.URL+"/cash"); !strings.Contains(page, "Count the drawer") || !strings.Contains(page, "Back to start") {
		t.Error("the cash drawer page is not in English after the switch")
	}
	// The token changed at sign-in: the old one no longer works.
	before := x.d.Counter.Ledger.Last().Seq
	cashIn := url.Values{"csrf": {tok[1]}, "dir": {"in"}, "reason": {"owner"}, "amount": {"100"}, "in_key": {"k1"}}
	if r := post(t, c, x.srv.URL+"/cash/move", cashIn); r.StatusCode != http.StatusForbidden {
		t.Errorf("a form with the token from before sign-in: %s, want 403", r.Status)
	}
	if after := x.d.Counter.Ledger.Last().Seq; after != before {
		t.Errorf("a refused form recorded entries %d to %d", before+1, after)
	}
	*x.now = x.now.Add(11 * time.Minute)
	if r, _ := get(t, c, x.srv.URL+"/"); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/signin?expired=1" {
		t.Errorf("after the idle time: %s to %q, want the sign-in screen saying the session ended", r.Status, r.Header.Get("Location"))
	}
}

// TestServeDrains: a payment queued while the biller was down is sent by
// the server's own loop once the biller answers, with no command typed.
func TestServeDrains(t *testing.T) {
	x := openDesked(t)
	sim := x.d.Host().(*hostsim.Sim)
	if err := sim.SetFaults(hostsim.Fault{Target: "biller", Mode: hostsim.FaultDown}); err != nil {
		t.Fatal(err)
	}
	r, err := x.d.Services().Bills.Pay(context.Background(), terminal.BillPayment{Operator: "OP1", Biller: "state-grid", Account: "5100123456",
		Amount: mustDecimal(t, "100.00"), IdemKey: "test:queued"})
	if err != nil || !r.Queued {
		t.Fatalf("pay while the biller is down: queued=%v, %v", r.Queued, err)
	}
	if st, _ := x.d.Status(); st.Pending != 1 || st.Network != web.NetDown {
		t.Fatalf("status after queueing: %+v, want 1 pending and the network down", st)
	}
	sim.SetFaults()
	tick := make(chan time.Time)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan terminal.Drained)
	go x.d.Drain(ctx, tick, func(d terminal.Drained, err error) {
		if err != nil {
			t.Error(err)
		}
		done <- d
	})
	tick <- *x.now
	if d := <-done; d.Settled != 1 || len(d.Remaining) != 0 {
		t.Errorf("drain: %+v, want one settled", d)
	}
	if st, _ := x.d.Status(); st.Pending != 0 || st.Network != web.NetUp {
		t.Errorf("status after the drain: %+v, want nothing pending and the network up", st)
	}
}

func mustDecimal(t *testing.T, s string) decimal.Decimal {
	t.Helper()
	d, err := money.ParseWire(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestScreenUntold: a withdrawal the bank approved but no screen showed
// (the program stopped in between) is on the start screen of the next
// station serve, with what to do, until the shopkeeper confirms it; then
// no start shows it again.
func TestScreenUntold(t *testing.T) {
	x := openDesked(t)
	dir := x.d.Counter.Dir
	// Recorded and not shown: what the program leaves when it stops
	// between the two.
	r, err := x.d.Services().Cards.Withdraw(context.Background(), terminal.Withdrawal{Operator: "OP1", Card: "6228480402564890018", PIN: "147258",
		Amount: mustDecimal(t, "300.00"), IdemKey: "test:untold"})
	if err != nil {
		t.Fatal(err)
	}
	x.srv.Close()
	x.d.Counter.Close()
	reopen := func() *shopfront.Desk {
		d, err := x.m.openDesk(context.Background(), serveOptions{dir: dir, demo: true})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	d := reopen()
	srv, err := web.New(d, &web.Options{Now: x.m.Now, Idle: 10 * time.Minute, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	c := client(t)
	_, page := get(t, c, hs.URL+"/signin")
	tok := csrfRE.FindStringSubmatch(page)
	post(t, c, hs.URL+"/signin", url.Values{"csrf": {tok[1]}, "operator": {"OP1"}, "pin": {demoOwnerPIN}})
	_, page = get(t, c, hs.URL+"/")
	id := fmt.Sprintf("untold-%d", r.Entry.Seq)
	for _, want := range []string{id, "¥300.00", r.Card, "请现在付给他", fmt.Sprintf("/receipt/%d", r.Entry.Seq)} {
		if !strings.Contains(page, want) {
			t.Errorf("the start screen after the restart lacks %q", want)
		}
	}
	tok = csrfRE.FindStringSubmatch(page)
	post(t, c, hs.URL+fmt.Sprintf("/shown/%d", r.Entry.Seq), url.Values{"csrf": {tok[1]}})
	if _, page = get(t, c, hs.URL+"/"); strings.Contains(page, id) {
		t.Error("the start screen still shows the withdrawal after it was confirmed")
	}
	hs.Close()
	d.Counter.Close()
	d = reopen()
	defer d.Counter.Close()
	if st, _ := d.Status(); len(st.Untold) != 0 {
		t.Errorf("a start after the confirmation shows %+v", st.Untold)
	}
}

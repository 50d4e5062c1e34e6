package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/villagepost/bianmin/keyfile"
)

// TestClerkCannotTakeCashForTheOwner: on the screen a clerk hands cash to
// the courier on their own, but cash taken out "for the owner" needs the
// owner's PIN, as a void and the day close do; without it, or with a
// wrong one, nothing is recorded.
func TestClerkCannotTakeCashForTheOwner(t *testing.T) {
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
	c := client(t)
	if r, _ := webSignIn(t, c, srv.URL, "OP2", demoClerkPIN); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("clerk sign-in: %s", r.Status)
	}
	n := 0
	takeOut := func(reason, ownerPIN string) (*http.Response, string) {
		t.Helper()
		_, page := get(t, c, srv.URL+"/cash")
		tok := csrfRE.FindStringSubmatch(page)
		if tok == nil {
			t.Fatal("the cash page has no form")
		}
		n++
		v := url.Values{"csrf": {tok[1]}, "dir": {"out"}, "reason": {reason}, "amount": {"100"}, "out_key": {fmt.Sprintf("%048x", n)}}
		if ownerPIN != "" {
			v.Set("owner", "OP1")
			v.Set("owner_pin", ownerPIN)
		}
		return postPage(t, c, srv.URL+"/cash/move", v)
	}
	last := func() uint64 { return d.Counter.Ledger.Last().Seq }
	before := last()
	for _, pinCode := range []string{"", "864209"} {
		if r, page := takeOut("owner", pinCode); r.StatusCode == http.StatusSeeOther || strings.Contains(page, "已取出") {
			t.Errorf("a clerk took cash out for the owner with owner PIN %q: %s", pinCode, r.Status)
		}
	}
	if after := last(); after != before {
		t.Fatalf("refused cash-outs recorded entries %d to %d", before+1, after)
	}
	if r, _ := takeOut("courier", ""); r.StatusCode != http.StatusSeeOther {
		t.Errorf("the clerk's hand-over to the courier: %s", r.Status)
	}
	if r, _ := takeOut("owner", demoOwnerPIN); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("cash out for the owner with the owner's PIN: %s", r.Status)
	}
	e, err := d.Entry(last())
	if err != nil {
		t.Fatal(err)
	}
	if e.Kind != "cash_out" || e.Operator != "OP2" || !strings.Contains(string(e.Payload), `"approved_by":"OP1"`) {
		t.Errorf("the approved cash-out is %s by %s: %s", e.Kind, e.Operator, e.Payload)
	}
}

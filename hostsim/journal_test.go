package hostsim_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/villagepost/bianmin/hostsim"
	"github.com/villagepost/bianmin/terminal"
)

var update = flag.Bool("update", false, "rewrite testdata/journal.jsonl")

// scenario runs one of everything the hosts journal and returns the
// traces it used, by name.
func scenario(t *testing.T, s *sim) map[string]string {
	t.Helper()
	tr := map[string]string{}
	next := func(name string) string { tr[name] = s.trace(); return tr[name] }
	s.send(t, withdrawal(next("withdrawal"), "500.00"))
	r := withdrawal(next("wrong-pin"), "100.00")
	r.PIN = hostsim.WrongPIN
	s.send(t, r)
	s.send(t, withdrawal(next("reversed"), "200.00"))
	s.reverse(t, tr["reversed"])
	s.send(t, inquiry(next("inquiry")))
	s.send(t, payment(next("payment"), "5100123456", "30.00"))
	s.send(t, payment(next("no-account"), "5100120000", "30.00"))
	q := payment(next("queued"), "5100123456", "1.00")
	q.Queued = true
	s.send(t, q)
	s.reverse(t, tr["queued"])
	issued := s.send(t, order(next("ticket"), "rail", date(10), "153.50"))
	s.send(t, cancel(next("cancel"), issued.Reference))
	s.fault(t, "ticket_order=waitlist#1")
	s.send(t, order(next("waitlist"), "air", date(20), "980.00"))
	s.status(t, tr["waitlist"])
	s.reverse(t, next("never-seen"))
	pol := s.send(t, policyIssue(next("policy"), "farmhouse", "100000.00", "150.00"))
	s.send(t, policyCancel(next("policy-cancel"), pol.Reference))
	s.send(t, policyIssue(next("policy-voided"), "home", "30000.00", "60.00"))
	s.reverse(t, tr["policy-voided"])
	s.send(t, contribution(next("contribution"), "400.00", member("medical", 2027, testID, "400.00")))
	s.send(t, contribution(next("contribution-reversed"), "300.00", member("pension", 2026, testID, "300.00")))
	s.reverse(t, tr["contribution-reversed"])
	return tr
}

func TestJournalGolden(t *testing.T) {
	s := MustOpen(t)
	scenario(t, s)
	got, err := os.ReadFile(s.path)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "journal.jsonl")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("journal differs from %s (go test -run TestJournalGolden -update rewrites it):\n%s", golden, got)
	}
	// Every line parses back, and formats to the same bytes.
	n := 0
	err = hostsim.ReadJournal(bytes.NewReader(got), func(i int, l hostsim.JournalLine) error {
		n++
		b, err := hostsim.FormatJournalLine(l)
		if err != nil {
			return err
		}
		if line := bytes.Split(got, []byte("\n"))[i-1]; !bytes.Equal(b, line) {
			t.Errorf("line %d formats as\n%s\nnot\n%s", i, b, line)
		}
		return nil
	})
	if err != nil || n != bytes.Count(got, []byte("\n")) {
		t.Fatalf("ReadJournal: %v after %d lines", err, n)
	}
}

func TestJournalHoldsNoSecrets(t *testing.T) {
	s := MustOpen(t)
	scenario(t, s)
	b, err := os.ReadFile(s.path)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{testCard, testPIN, testID, testCard[6:15], "张三"} {
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("the journal holds %q", secret)
		}
	}
	if !bytes.Contains(b, []byte(`"card":"622848*********0018"`)) || !bytes.Contains(b, []byte(`"id_number":"1101**********1234"`)) {
		t.Errorf("the journal lacks the masked card or ID:\n%s", b)
	}
}

func TestReplay(t *testing.T) {
	s := MustOpen(t)
	tr := scenario(t, s)
	ctx := context.Background()
	before := map[string]terminal.HostReply{}
	for name, trace := range tr {
		before[name] = s.status(t, trace)
	}
	s.reopen(t)
	for name, trace := range tr {
		if got := s.status(t, trace); got != before[name] {
			t.Errorf("%s: status after reopening %+v, want %+v", name, got, before[name])
		}
	}
	// The same request answers as before, and moves nothing.
	if rep := s.send(t, withdrawal(tr["withdrawal"], "500.00")); rep != before["withdrawal"] {
		t.Errorf("repeat after reopening: %+v, want %+v", rep, before["withdrawal"])
	}
	if got := s.balance(t); got != "4500.00" {
		t.Errorf("balance after reopening %s, want 4500.00", got)
	}
	b, _ := s.LookupBill(ctx, "state-grid", "5100123456")
	s2 := MustOpen(t)
	fresh := mustWire(t, s2.due(t, "5100123456"))
	if want := fresh.Sub(mustWire(t, "30.00")).StringFixed(2); b.Due != want {
		t.Errorf("due after reopening %s, want %s", b.Due, want)
	}
	// The cancelled ticket stays cancelled.
	ticket := before["ticket"].Reference
	wantStatus(t, "cancel after reopening", s.send(t, cancel(s.trace(), ticket)), terminal.StatusDeclined, hostsim.CodeCancelled)
	// A trace reversed before it was seen is still refused.
	wantStatus(t, "late request", s.send(t, withdrawal(tr["never-seen"], "1.00")), terminal.StatusDeclined, hostsim.CodeReversedFirst)
}

func TestMalformedJournalLine(t *testing.T) {
	tests := []struct {
		name string
		line string
	}{
		{"not JSON", `{"time":`},
		{"unknown field", `{"time":"2026-11-20T02:00:00Z","event":"send","host":"bank","trace":"T1","service":"withdrawal","status":"approved","pin":"1234"}`},
		{"full card number", `{"time":"2026-11-20T02:00:00Z","event":"send","host":"bank","trace":"T1","service":"withdrawal","status":"declined","card":"` + testCard + `"}`},
		{"empty line", ``},
		{"host does not match", `{"time":"2026-11-20T02:00:00Z","event":"send","host":"biller","trace":"T1","service":"withdrawal","status":"declined"}`},
		{"trace decided twice", `{"time":"2026-11-20T02:00:00Z","event":"send","host":"bank","trace":"T0001-000001","service":"withdrawal","status":"declined","code":"05"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := MustOpen(t)
			s.send(t, withdrawal(s.trace(), "1.00"))
			s.send(t, withdrawal(s.trace(), "2.00"))
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			appendFile(t, s.path, tt.line+"\n")
			appendFile(t, s.path, "")
			_, err := hostsim.Open(s.path, &hostsim.Options{Now: s.clock.Now})
			var je *hostsim.JournalError
			if !errors.As(err, &je) || je.Line != 3 || je.Path != s.path {
				t.Fatalf("Open: %v, want a *JournalError for line 3", err)
			}
			if !strings.Contains(err.Error(), "line 3") {
				t.Errorf("message %q does not name line 3", err)
			}
		})
	}
}

func TestTornLastLine(t *testing.T) {
	s := MustOpen(t)
	s.send(t, withdrawal(s.trace(), "1.00"))
	s.Close()
	before, _ := os.ReadFile(s.path)
	appendFile(t, s.path, `{"time":"2026-11-20T02:00:00Z","event":"se`) // cut short, no newline
	s.Sim = nil
	s.reopen(t)
	after, _ := os.ReadFile(s.path)
	if !bytes.Equal(before, after) {
		t.Errorf("the torn line was not cut off:\n%s", after)
	}
	s.send(t, withdrawal(s.trace(), "2.00"))
	s.reopen(t)
	if got := s.balance(t); got != "4997.00" {
		t.Errorf("balance %s, want 4997.00", got)
	}
}

func TestParseJournalLineTime(t *testing.T) {
	l, err := hostsim.ParseJournalLine([]byte(`{"time":"2026-11-20T10:00:00+08:00","event":"reverse","trace":"T1","status":"none"}`))
	if err != nil {
		t.Fatal(err)
	}
	if !l.Time.Equal(start()) || l.Time.Location() != time.UTC {
		t.Errorf("time %v, want %v in UTC", l.Time, start())
	}
}

func appendFile(tb testing.TB, path, s string) {
	tb.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		tb.Fatal(err)
	}
}

package hostsim_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/villagepost/bianmin/hostsim"
	"github.com/villagepost/bianmin/terminal"
)

func TestParseFault(t *testing.T) {
	tests := []struct {
		in   string
		want hostsim.Fault
	}{
		{"withdrawal=decline:51", hostsim.Fault{Target: "withdrawal", Mode: hostsim.FaultDecline, Code: "51"}},
		{"withdrawal=decline", hostsim.Fault{Target: "withdrawal", Mode: hostsim.FaultDecline, Code: "05"}},
		{"bank=down", hostsim.Fault{Target: "bank", Mode: hostsim.FaultDown}},
		{"withdrawal=slow:3s", hostsim.Fault{Target: "withdrawal", Mode: hostsim.FaultSlow, Delay: 3 * time.Second}},
		{"bill_payment=drop#1", hostsim.Fault{Target: "bill_payment", Mode: hostsim.FaultDrop, Count: 1}},
		{" *=duplicate#20 ", hostsim.Fault{Target: "*", Mode: hostsim.FaultDuplicate, Count: 20}},
		{"carrier=waitlist-fail", hostsim.Fault{Target: "carrier", Mode: hostsim.FaultWaitlistFail}},
		{"biller=timeout", hostsim.Fault{Target: "biller", Mode: hostsim.FaultTimeout}},
		{"ticket_cancel=hang#2", hostsim.Fault{Target: "ticket_cancel", Mode: hostsim.FaultHang, Count: 2}},
	}
	for _, tt := range tests {
		got, err := hostsim.ParseFault(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseFault(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			continue
		}
		if again, err := hostsim.ParseFault(got.String()); err != nil || again != got {
			t.Errorf("ParseFault(%q.String() = %q) = %+v, %v", tt.in, got.String(), again, err)
		}
	}
}

func TestParseFaultErrors(t *testing.T) {
	for _, in := range []string{
		"", "bank", "=down", "atm=down", "bank=explode", "bank=down:1", "withdrawal=slow",
		"withdrawal=slow:0s", "withdrawal=slow:-1s", "withdrawal=slow:2h", "withdrawal=decline:abc",
		"withdrawal=decline:", "withdrawal=decline:12345", "bank=drop#0", "bank=drop#01", "bank=drop#",
		"bank=drop#x", "bank=drop#-1", "bank=waitlist", "withdrawal=waitlist", "bank=drop#1#2",
	} {
		_, err := hostsim.ParseFault(in)
		var fe *hostsim.FaultError
		if !errors.As(err, &fe) {
			t.Errorf("ParseFault(%q): %v, want a *FaultError", in, err)
		}
	}
}

func TestFaultJSON(t *testing.T) {
	var fs []hostsim.Fault
	if err := json.Unmarshal([]byte(`["bank=down#2", {"target":"withdrawal","mode":"slow","delay":"250ms"}, {"target":"*","mode":"decline"}]`), &fs); err != nil {
		t.Fatal(err)
	}
	want := []hostsim.Fault{
		{Target: "bank", Mode: "down", Count: 2},
		{Target: "withdrawal", Mode: "slow", Delay: 250 * time.Millisecond},
		{Target: "*", Mode: "decline", Code: "05"},
	}
	for i := range want {
		if fs[i] != want[i] {
			t.Errorf("fault %d = %+v, want %+v", i, fs[i], want[i])
		}
	}
	b, _ := json.Marshal(fs[1])
	if string(b) != `{"target":"withdrawal","mode":"slow","delay":"250ms"}` {
		t.Errorf("JSON %s", b)
	}
	if err := json.Unmarshal([]byte(`[{"target":"bank","mode":"boom"}]`), &fs); err == nil {
		t.Error("an unknown mode was accepted")
	}
}

func TestParseFaults(t *testing.T) {
	fs, err := hostsim.ParseFaults("bank=down#1, withdrawal=decline:51,")
	if err != nil || len(fs) != 2 || fs[1].Code != "51" {
		t.Fatalf("ParseFaults = %+v, %v", fs, err)
	}
	if fs, err := hostsim.ParseFaults(""); err != nil || len(fs) != 0 {
		t.Errorf("ParseFaults(\"\") = %+v, %v", fs, err)
	}
}

// journalLines counts the lines of the sim's journal.
func journalLines(t *testing.T, s *sim) int {
	t.Helper()
	b, err := os.ReadFile(s.path)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range b {
		if c == '\n' {
			n++
		}
	}
	return n
}

// shortCtx is a context that ends soon, for calls that never answer.
func shortCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	t.Cleanup(cancel)
	return ctx
}

func TestFaultDecline(t *testing.T) {
	s := MustOpen(t, "withdrawal=decline:51")
	tr := s.trace()
	wantStatus(t, "send", s.send(t, withdrawal(tr, "1.00")), terminal.StatusDeclined, "51")
	wantStatus(t, "status", s.status(t, tr), terminal.StatusDeclined, "51")
	s.SetFaults()
	if got := s.balance(t); got != "5000.00" {
		t.Errorf("balance %s after a declined withdrawal", got)
	}
}

func TestFaultPrecedence(t *testing.T) {
	s := MustOpen(t, "*=decline:01", "bank=decline:02", "withdrawal=decline:03")
	wantStatus(t, "withdrawal", s.send(t, withdrawal(s.trace(), "1.00")), terminal.StatusDeclined, "03")
	wantStatus(t, "inquiry", s.send(t, inquiry(s.trace())), terminal.StatusDeclined, "02")
	wantStatus(t, "payment", s.send(t, payment(s.trace(), "5100123456", "1.00")), terminal.StatusDeclined, "01")
}

func TestFaultCount(t *testing.T) {
	s := MustOpen(t, "withdrawal=decline#2")
	wantStatus(t, "first", s.send(t, withdrawal(s.trace(), "1.00")), terminal.StatusDeclined, "05")
	if fs := s.Faults(); len(fs) != 1 || fs[0].Count != 1 {
		t.Errorf("faults after one use: %v", fs)
	}
	wantStatus(t, "second", s.send(t, withdrawal(s.trace(), "1.00")), terminal.StatusDeclined, "05")
	wantStatus(t, "third", s.send(t, withdrawal(s.trace(), "1.00")), terminal.StatusApproved, "00")
	if fs := s.Faults(); len(fs) != 0 {
		t.Errorf("faults after the count ran out: %v", fs)
	}
}

func TestFaultDown(t *testing.T) {
	s := MustOpen(t)
	tr := s.trace()
	s.send(t, withdrawal(tr, "1.00"))
	lines := journalLines(t, s)
	s.fault(t, "bank=down")
	ctx := context.Background()
	if _, err := s.Send(ctx, withdrawal(s.trace(), "1.00")); !errors.Is(err, terminal.ErrUnreachable) {
		t.Errorf("Send: %v, want ErrUnreachable", err)
	}
	if _, err := s.Status(ctx, tr); !errors.Is(err, terminal.ErrUnreachable) {
		t.Errorf("Status: %v, want ErrUnreachable", err)
	}
	if _, err := s.Reverse(ctx, tr); !errors.Is(err, terminal.ErrUnreachable) {
		t.Errorf("Reverse: %v, want ErrUnreachable", err)
	}
	// Other hosts still answer.
	if _, err := s.LookupBill(ctx, "state-grid", "5100123456"); err != nil {
		t.Errorf("LookupBill with the bank down: %v", err)
	}
	if got := journalLines(t, s); got != lines {
		t.Errorf("the journal grew from %d to %d lines while the bank was down", lines, got)
	}
	s.fault(t, "biller=down")
	if _, err := s.LookupBill(ctx, "state-grid", "5100123456"); !errors.Is(err, terminal.ErrUnreachable) {
		t.Errorf("LookupBill: %v, want ErrUnreachable", err)
	}
	s.SetFaults()
	wantStatus(t, "status when back", s.status(t, tr), terminal.StatusApproved, "00")
}

func TestFaultTimeout(t *testing.T) {
	s := MustOpen(t, "withdrawal=timeout#1")
	tr := s.trace()
	_, err := s.Send(shortCtx(t), withdrawal(tr, "100.00"))
	wantUnknown(t, "Send", err)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Send: %v, want the context's error", err)
	}
	wantStatus(t, "status", s.status(t, tr), terminal.StatusNone, hostsim.CodeNoRecord)
	if got := s.balance(t); got != "5000.00" {
		t.Errorf("balance %s: a lost request moved money", got)
	}
	// The fault layer knows where the lost request was going: a bank that
	// is down refuses its reversal.
	s.fault(t, "bank=down")
	if _, err := s.Reverse(context.Background(), tr); !errors.Is(err, terminal.ErrUnreachable) {
		t.Errorf("Reverse with the bank down: %v, want ErrUnreachable", err)
	}
}

func TestFaultDrop(t *testing.T) {
	s := MustOpen(t, "withdrawal=drop#1")
	tr := s.trace()
	_, err := s.Send(context.Background(), withdrawal(tr, "100.00"))
	wantUnknown(t, "Send", err)
	wantStatus(t, "status", s.status(t, tr), terminal.StatusApproved, "00")
	if got := s.balance(t); got != "4900.00" {
		t.Errorf("balance %s: the dropped withdrawal was processed, want 4900.00", got)
	}
}

func TestFaultHang(t *testing.T) {
	s := MustOpen(t, "withdrawal=hang#1")
	tr := s.trace()
	_, err := s.Send(shortCtx(t), withdrawal(tr, "100.00"))
	wantUnknown(t, "Send", err)
	wantStatus(t, "status", s.status(t, tr), terminal.StatusApproved, "00")
}

// openWatched opens a Sim without a journal whose log, once a line holds
// watch, closes the returned channel: a test can wait for a request to
// reach a given point without sleeping.
func openWatched(t *testing.T, watch string, faults ...hostsim.Fault) (*hostsim.Sim, <-chan struct{}) {
	t.Helper()
	seen := make(chan struct{})
	var once sync.Once
	logf := func(format string, args ...any) {
		if strings.Contains(fmt.Sprintf(format, args...), watch) {
			once.Do(func() { close(seen) })
		}
	}
	s, err := hostsim.Open("", &hostsim.Options{Now: start, Logf: logf, Faults: faults})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, seen
}

func TestFaultHangEndsOnClose(t *testing.T) {
	s, processed := openWatched(t, "T9-1 approved", hostsim.Fault{Target: "bank", Mode: hostsim.FaultHang})
	errc := make(chan error, 1)
	go func() {
		_, err := s.Send(context.Background(), withdrawal("T9-1", "1.00"))
		errc <- err
	}()
	<-processed
	s.Close()
	wantUnknown(t, "Send", <-errc)
}

func TestFaultDuplicate(t *testing.T) {
	s := MustOpen(t, "withdrawal=duplicate")
	wantStatus(t, "send", s.send(t, withdrawal(s.trace(), "100.00")), terminal.StatusApproved, "00")
	if got := s.balance(t); got != "4900.00" {
		t.Errorf("balance %s: want the withdrawal processed once", got)
	}
}

func TestFaultSlow(t *testing.T) {
	s := MustOpen(t, "withdrawal=slow:10ms")
	wantStatus(t, "send", s.send(t, withdrawal(s.trace(), "100.00")), terminal.StatusApproved, "00")
}

func TestFaultSlowProcessesAfterCallerGaveUp(t *testing.T) {
	s, waiting := openWatched(t, "fault withdrawal=slow", hostsim.Fault{Target: "withdrawal", Mode: hostsim.FaultSlow, Delay: 20 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-waiting; cancel() }()
	_, err := s.Send(ctx, withdrawal("T9-1", "100.00"))
	wantUnknown(t, "Send", err)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Send: %v, want the context's error", err)
	}
	// The request arrives later and is processed: poll until it is.
	for {
		rep, err := s.Status(context.Background(), "T9-1")
		if err != nil {
			t.Fatal(err)
		}
		if rep.Status != terminal.StatusNone {
			wantStatus(t, "status", rep, terminal.StatusApproved, "00")
			return
		}
		time.Sleep(time.Millisecond)
	}
}

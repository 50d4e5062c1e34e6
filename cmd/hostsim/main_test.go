package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"github.com/villagepost/bianmin/hostproto"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/villagepost/bianmin/hostsim"
	"github.com/villagepost/bianmin/terminal"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// run starts the command with args and returns its URL, a function that
// stops it and returns its exit status, and its standard error.
func run(t *testing.T, args ...string) (url string, stop func() int, stderr *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, w := io.Pipe()
	stderr = &syncBuffer{}
	m := &Main{Stdout: w, Stderr: stderr, Args: args, Now: func() time.Time { return time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC) }}
	done := make(chan int, 1)
	go func() {
		code := m.Run(ctx)
		w.Close()
		done <- code
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	go io.Copy(io.Discard, out)
	if err != nil {
		cancel()
		t.Fatalf("no first line (exit %d): %v; stderr: %s", <-done, err, stderr)
	}
	url, ok := strings.CutPrefix(strings.TrimSuffix(line, "\n"), "hostsim listening on ")
	if !ok || !strings.HasPrefix(url, "http://127.0.0.1:") || strings.HasSuffix(url, ":0") {
		t.Fatalf("first line %q", line)
	}
	stopped := false
	stop = func() int {
		if stopped {
			return 0
		}
		stopped = true
		cancel()
		return <-done
	}
	t.Cleanup(func() { stop() })
	return url, stop, stderr
}

func TestMainServes(t *testing.T) {
	journal := filepath.Join(t.TempDir(), "journal.jsonl")
	url, stop, stderr := run(t, "--addr", "127.0.0.1:0", "--journal", journal, "--fault", "withdrawal=decline:51#1", "--card-balance", "800")
	resp, err := http.Get(url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	var h struct{ Status string }
	json.NewDecoder(resp.Body).Decode(&h)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || h.Status != "ok" {
		t.Fatalf("healthz: %d %+v", resp.StatusCode, h)
	}
	c := &hostproto.Client{BaseURL: url}
	ctx := context.Background()
	req := terminal.HostRequest{Trace: "T0001-000001", Terminal: "T0001", Service: terminal.SvcWithdrawal, Amount: "100.00", Card: "6228480402564890018", PIN: "739154"}
	if rep, err := c.Send(ctx, req); err != nil || rep.Code != "51" {
		t.Fatalf("first withdrawal, under the fault: %+v, %v", rep, err)
	}
	req.Trace, req.Amount = "T0001-000002", "800.01"
	if rep, err := c.Send(ctx, req); err != nil || rep.Code != hostsim.CodeNoFunds {
		t.Fatalf("withdrawal above the --card-balance: %+v, %v", rep, err)
	}
	if code := stop(); code != exitOK {
		t.Fatalf("exit status %d; stderr: %s", code, stderr)
	}
	b, err := os.ReadFile(journal)
	if err != nil || bytes.Count(b, []byte("\n")) != 2 {
		t.Errorf("journal %q, %v: want two lines", b, err)
	}
	for _, secret := range []string{"6228480402564890018", "739154"} {
		if strings.Contains(stderr.String(), secret) || bytes.Contains(b, []byte(secret)) {
			t.Errorf("the log or journal holds %s", secret)
		}
	}
}

func TestMainRefuses(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"not loopback", []string{"--addr", "0.0.0.0:0"}, "not a loopback address"},
		{"all interfaces", []string{"--addr", ":0"}, "not a loopback address"},
		{"bad fault", []string{"--addr", "127.0.0.1:0", "--fault", "bank=explode"}, "unknown mode"},
		{"bad balance", []string{"--card-balance", "-5"}, "card-balance"},
		{"argument", []string{"serve"}, "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			m := &Main{Stdout: &stdout, Stderr: &stderr, Args: tt.args}
			if code := m.Run(context.Background()); code != exitUsage {
				t.Errorf("exit status %d, want %d", code, exitUsage)
			}
			if !strings.Contains(stderr.String(), tt.want) || stdout.Len() != 0 {
				t.Errorf("stdout %q, stderr %q: want %q in stderr", stdout.String(), stderr.String(), tt.want)
			}
		})
	}
}

func TestLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8090": true, "[::1]:8090": true, "localhost:8090": true, "127.1.2.3:0": true,
		"0.0.0.0:8090": false, ":8090": false, "192.168.1.5:8090": false, "example.com:80": false, "127.0.0.1": false,
	} {
		if got := loopback(addr); got != want {
			t.Errorf("loopback(%q) = %v, want %v", addr, got, want)
		}
	}
}

// TestVersion: hostsim --version prints one line naming the program and
// serves nothing.
func TestVersion(t *testing.T) {
	var out, errOut bytes.Buffer
	m := &Main{Stdout: &out, Stderr: &errOut, Args: []string{"--version", "--journal", filepath.Join(t.TempDir(), "j.jsonl")}}
	if code := m.Run(context.Background()); code != exitOK {
		t.Fatalf("hostsim --version: exit %d %s", code, errOut.String())
	}
	if s := out.String(); !strings.HasPrefix(s, "hostsim ") || strings.Count(s, "\n") != 1 {
		t.Errorf("hostsim --version printed %q", s)
	}
}

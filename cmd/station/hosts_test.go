package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/villagepost/bianmin/hostsim"
	"github.com/villagepost/bianmin/tariff"
)

// The programs the end-to-end tests run as separate processes, built once.
var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// binary returns the path of a program of this module (station, hostsim,
// postoffice), building them on first use.
func binary(t *testing.T, name string) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "bianmin-bin-")
		if buildErr != nil {
			return
		}
		gobin, err := exec.LookPath("go") // the go that runs these tests
		if err != nil {
			buildErr = err
			return
		}
		out, err := exec.Command(gobin, "build", "-o", binDir+string(os.PathSeparator),
			"github.com/villagepost/bianmin/cmd/station", "github.com/villagepost/bianmin/cmd/hostsim",
			"github.com/villagepost/bianmin/cmd/postoffice").CombinedOutput()
		if err != nil {
			buildErr = &buildError{err, out}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(binDir, name)
}

type buildError struct {
	err error
	out []byte
}

func (e *buildError) Error() string { return "go build: " + e.err.Error() + "\n" + string(e.out) }

// hostsimProc is cmd/hostsim running on a loopback port.
type hostsimProc struct {
	t       *testing.T
	url     string
	journal string
	cmd     *exec.Cmd
}

func startHostsim(t *testing.T) *hostsimProc {
	t.Helper()
	h := &hostsimProc{t: t, journal: filepath.Join(t.TempDir(), "host-journal.jsonl")}
	h.cmd = exec.Command(binary(t, "hostsim"), "--addr", "127.0.0.1:0", "--journal", h.journal)
	stdout, err := h.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	h.cmd.Stderr = &logs
	if err := h.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		h.cmd.Process.Signal(syscall.SIGTERM)
		h.cmd.Wait()
		if t.Failed() {
			t.Logf("hostsim log:\n%s", logs.String())
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "hostsim listening on ")
	if err != nil || !ok || !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("hostsim said %q, %v", line, err)
	}
	h.url = url
	return h
}

// faults replaces the faults in force, e.g. "*=down" or "withdrawal=hang#1".
func (h *hostsimProc) faults(specs ...string) {
	h.t.Helper()
	if specs == nil {
		specs = []string{}
	}
	h.put("/admin/faults", specs)
}

// put sends v as JSON to an admin path of the simulator.
func (h *hostsimProc) put(path string, v any) {
	h.t.Helper()
	body, _ := json.Marshal(v)
	req, _ := http.NewRequest(http.MethodPut, h.url+path, bytes.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("PUT %s %s: %s", path, body, resp.Status)
	}
}

// lines returns the host's journal for one trace, oldest first.
func (h *hostsimProc) lines(trace string) []hostsim.JournalLine {
	h.t.Helper()
	f, err := os.Open(h.journal)
	if err != nil {
		h.t.Fatal(err)
	}
	defer f.Close()
	var out []hostsim.JournalLine
	err = hostsim.ReadJournal(f, func(_ int, l hostsim.JournalLine) error {
		if l.Trace == trace {
			out = append(out, l)
		}
		return nil
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return out
}

// statuses lists the journal's statuses for one trace.
func (h *hostsimProc) statuses(trace string) []string {
	var out []string
	for _, l := range h.lines(trace) {
		out = append(out, l.Status)
	}
	return out
}

// waitFor polls the journal until trace has a line, the sign that the
// host has the request.
func (h *hostsimProc) waitFor(trace string) {
	h.t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if data, err := os.ReadFile(h.journal); err == nil && bytes.Contains(data, []byte(`"`+trace+`"`)) {
			return
		}
	}
	h.t.Fatalf("the host never saw %s", trace)
}

// testTariff is the demo tariff with a host timeout short enough for
// tests (5 s, the least a tariff may set) and one retry.
func testTariff() []byte {
	b := bytes.Replace(tariff.DemoJSON, []byte(`"host": {"timeout_seconds": 60, "retries": 3}`), []byte(`"host": {"timeout_seconds": 5, "retries": 1}`), 1)
	return bytes.Replace(b, []byte(`"version": "DEMO-2026-11"`), []byte(`"version": "TEST-2026-11"`), 1)
}

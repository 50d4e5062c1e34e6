package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/villagepost/bianmin/keyfile"
)

// TestMissingFlagIsNamed: a command without a flag it needs says which
// flag is missing, in Chinese and with --lang en, and changes nothing.
func TestMissingFlagIsNamed(t *testing.T) {
	c, dir := newStation(t)
	c.env["STATION_PIN"] = ownerPIN
	for _, tc := range []struct {
		flag string
		args []string
	}{
		{"dir", []string{"operator", "list"}},
		{"dir", []string{"ack", "some.ack"}},
		{"dir", []string{"ledger", "verify"}},
		{"operator", []string{"cash", "in", "--dir", dir, "--amount", "10", "--reason", "owner"}},
		{"reason", []string{"cash", "in", "--dir", dir, "--operator", "OP1", "--amount", "10"}},
		{"format", []string{"ledger", "export", "--dir", dir}},
		{"id", []string{"init", "--dir", filepath.Join(t.TempDir(), "new"), "--postoffice-key", poKey}},
		{"role", []string{"operator", "add", "--dir", dir, "--id", "OP2"}},
		{"by", []string{"operator", "add", "--dir", dir, "--id", "OP2", "--role", "clerk"}},
	} {
		t.Run(strings.Join(tc.args[:2], "-")+"-"+tc.flag, func(t *testing.T) {
			before := len(entries(t, c, dir))
			c.refused(exitUsage, "缺少必填选项 --"+tc.flag+"：", tc.args...)
			c.refused(exitUsage, "missing required flag --"+tc.flag+":", append([]string{"--lang", "en"}, tc.args...)...)
			if after := len(entries(t, c, dir)); after != before {
				t.Errorf("the ledger grew from %d to %d entries", before, after)
			}
		})
	}
}

// TestVersion: station --version prints one line naming the program.
func TestVersion(t *testing.T) {
	c := newCLI(t)
	for _, arg := range []string{"--version", "version"} {
		out := c.must(arg)
		if !strings.HasPrefix(out, "station ") || strings.Count(out, "\n") != 1 {
			t.Errorf("station %s printed %q, want one line starting with the program's name", arg, out)
		}
	}
}

// TestQuickVerifyNothingNew: a quick check right after a full one says
// that nothing new was there, with no backwards range.
func TestQuickVerifyNothingNew(t *testing.T) {
	c, dir := newStation(t)
	c.must("ledger", "verify", "--dir", dir)
	out := c.must("ledger", "verify", "--dir", dir, "--quick")
	if !strings.Contains(out, "没有新的账目") {
		t.Errorf("quick verify with nothing new printed %q", out)
	}
	out = c.must("--lang", "en", "ledger", "verify", "--dir", dir, "--quick")
	if !strings.Contains(out, "nothing new since the last check") || strings.Contains(out, "0 new entries") {
		t.Errorf("quick verify with nothing new printed %q", out)
	}
}

// TestDemoStationNeedsNoPassphrase: a station made by station demo opens
// its key with the public demo passphrase, on the screen and on the
// command line, without asking; a real station still needs its own.
func TestDemoStationNeedsNoPassphrase(t *testing.T) {
	c := newCLI(t)
	dir := filepath.Join(t.TempDir(), "demo")
	c.must("demo", "--dir", dir)
	c.env["STATION_PIN"] = demoOwnerPIN
	c.must("cash", "in", "--dir", dir, "--operator", "OP1", "--amount", "100", "--reason", "owner")

	m := &Main{Stdin: strings.NewReader(""), Stdout: &strings.Builder{}, Stderr: &strings.Builder{},
		Getenv: func(string) string { return "" }, Now: func() time.Time { return c.now }, KeyParams: keyfile.FastParams()}
	d, err := m.openDesk(context.Background(), serveOptions{dir: dir})
	if err != nil {
		t.Fatalf("serve --dir on a demo station: %v", err)
	}
	defer d.Counter.Close()
	if !d.Demo() {
		t.Error("the screen of a demo station does not say it is a demo")
	}

	real, rdir := newStation(t)
	delete(real.env, "STATION_PASSPHRASE")
	real.env["STATION_PIN"] = ownerPIN
	real.refused(exitUsage, "STATION_PASSPHRASE", "cash", "in", "--dir", rdir, "--operator", "OP1", "--amount", "100", "--reason", "float")
}

// TestNoTariffSuggestsAWorkingCommand: a station without a tariff names
// the command that loads one, with the folder and the owner it needs.
func TestNoTariffSuggestsAWorkingCommand(t *testing.T) {
	c, dir := newStation(t)
	c.refused(exitFailed, "station tariff load --dir "+dir+" --operator OP1 FILE", "tariff", "show", "--dir", dir)
}

// TestCashHelpListsReasons: the help lists every reason cash in and out
// accept.
func TestCashHelpListsReasons(t *testing.T) {
	out := newCLI(t).must("help")
	for _, want := range []string{"--reason float|owner", "--reason courier|owner"} {
		if !strings.Contains(out, want) {
			t.Errorf("station help does not show %q", want)
		}
	}
}

// TestKeyPrintsTheVerifierKey: station key prints the line station init
// printed for the post office, and nothing else.
func TestKeyPrintsTheVerifierKey(t *testing.T) {
	c := newCLI(t)
	dir := filepath.Join(t.TempDir(), "T0001")
	c.env["STATION_PASSPHRASE"] = passphrase
	init := c.must("init", "--dir", dir, "--id", "T0001", "--name", "山前村便民服务站", "--postoffice-key", poKey)
	got := strings.TrimSpace(c.must("key", "--dir", dir))
	if !strings.HasPrefix(got, "T0001+") || !strings.Contains(init, "登记用公钥："+got+"\n") {
		t.Errorf("station key printed %q; station init printed:\n%s", got, init)
	}
}

// TestHelpExamplesNameTheFolder: every command works on a station folder,
// so every example in the help gives --dir, as the command needs it.
func TestHelpExamplesNameTheFolder(t *testing.T) {
	for _, c := range (&Main{}).commands() {
		if !strings.Contains(c.example, "--dir") {
			t.Errorf("the help's example of %s lacks --dir: %s", c.name, c.example)
		}
	}
}

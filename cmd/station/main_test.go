package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/villagepost/bianmin/internal/toolcheck"
	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/tariff"
	bolt "go.etcd.io/bbolt"
)

// cli runs the real station commands in-process with a fixed clock, a
// cheap key derivation and its own environment.
type cli struct {
	t   *testing.T
	env map[string]string
	now time.Time
}

func newCLI(t *testing.T) *cli {
	return &cli{t: t, env: map[string]string{}, now: time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)}
}

type result struct {
	code           int
	stdout, stderr string
}

func (c *cli) run(args ...string) result {
	c.t.Helper()
	var out, errOut bytes.Buffer
	m := &Main{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut,
		Getenv: func(k string) string { return c.env[k] }, Now: func() time.Time { return c.now },
		KeyParams: keyfile.FastParams(),
	}
	code := m.Run(context.Background(), args)
	return result{code, out.String(), errOut.String()}
}

// must runs a command that has to succeed.
func (c *cli) must(args ...string) string {
	c.t.Helper()
	r := c.run(args...)
	if r.code != 0 {
		c.t.Fatalf("station %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// refused runs a command that has to fail with status code and print a
// single line containing want.
func (c *cli) refused(code int, want string, args ...string) {
	c.t.Helper()
	r := c.run(args...)
	if r.code != code {
		c.t.Fatalf("station %s: exit %d, want %d\n%s%s", strings.Join(args, " "), r.code, code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, want) {
		c.t.Errorf("station %s: message %q does not say %q", strings.Join(args, " "), r.stderr, want)
	}
	if n := strings.Count(strings.TrimSpace(r.stderr), "\n"); code != exitUsage && n > 0 {
		c.t.Errorf("station %s: message is %d lines, want one:\n%s", strings.Join(args, " "), n+1, r.stderr)
	}
}

func writeSecret(t *testing.T, name, value string) string {
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(value+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// poKey is the post office key test stations trust.
const poKey = tariff.DemoPostOfficeVerifierKey

const (
	passphrase = "correct horse battery"
	ownerPIN   = "480137"
	clerkPIN   = "913572"
)

// newStation initialises a station and adds its owner OP1.
func newStation(t *testing.T) (*cli, string) {
	c := newCLI(t)
	dir := filepath.Join(t.TempDir(), "T0001")
	c.env["STATION_PASSPHRASE"] = passphrase
	out := c.must("init", "--dir", dir, "--id", "T0001", "--name", "山前村便民服务站", "--postoffice-key", poKey)
	for _, want := range []string{"T0001", "山前村便民服务站", "印章编号", "登记用公钥：T0001+"} {
		if !strings.Contains(out, want) {
			t.Errorf("init output lacks %q:\n%s", want, out)
		}
	}
	c.must("operator", "add", "--dir", dir, "--id", "OP1", "--role", "owner", "--pin-file", writeSecret(t, "pin", ownerPIN))
	return c, dir
}

func entries(t *testing.T, c *cli, dir string) []map[string]any {
	t.Helper()
	var list []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(c.must("ledger", "show", "--dir", dir, "--json")), "\n") {
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("ledger show --json line %q: %v", line, err)
		}
		list = append(list, e)
	}
	return list
}

func TestStationDay(t *testing.T) {
	c, dir := newStation(t)

	t.Run("SecondInitRefused", func(t *testing.T) {
		before := entries(t, c, dir)
		c.refused(exitFailed, "已经开通过", "init", "--dir", dir, "--id", "T0001", "--name", "x", "--postoffice-key", poKey)
		if after := entries(t, c, dir); len(after) != len(before) {
			t.Errorf("a refused init changed the ledger: %d entries, was %d", len(after), len(before))
		}
	})
	t.Run("ClerkNeedsOwner", func(t *testing.T) {
		pinFile := writeSecret(t, "clerk", clerkPIN)
		c.refused(exitUsage, "--by", "operator", "add", "--dir", dir, "--id", "OP2", "--role", "clerk", "--pin-file", pinFile)
		c.refused(exitFailed, "密码不对", "operator", "add", "--dir", dir, "--id", "OP2", "--role", "clerk",
			"--pin-file", pinFile, "--by", "OP1", "--by-pin-file", writeSecret(t, "bad", "111112"))
		c.refused(exitFailed, "连续的数字", "operator", "add", "--dir", dir, "--id", "OP2", "--role", "clerk",
			"--pin-file", writeSecret(t, "weak", "123456"), "--by", "OP1", "--by-pin-file", writeSecret(t, "owner", ownerPIN))
		c.must("operator", "add", "--dir", dir, "--id", "OP2", "--role", "clerk",
			"--pin-file", pinFile, "--by", "OP1", "--by-pin-file", writeSecret(t, "owner", ownerPIN))
		c.refused(exitFailed, "已经有了", "operator", "add", "--dir", dir, "--id", "OP2", "--role", "clerk",
			"--pin-file", pinFile, "--by", "OP1", "--by-pin-file", writeSecret(t, "owner", ownerPIN))
		if out := c.must("operator", "list", "--dir", dir); !strings.Contains(out, "OP2") || !strings.Contains(out, "店员") {
			t.Errorf("operator list:\n%s", out)
		}
	})
	t.Run("WrongPassphraseChangesNothing", func(t *testing.T) {
		before := entries(t, c, dir)
		c.env["STATION_PASSPHRASE"] = "not the passphrase"
		defer func() { c.env["STATION_PASSPHRASE"] = passphrase }()
		c.refused(exitFailed, "口令不对", "operator", "add", "--dir", dir, "--id", "OP3", "--role", "clerk",
			"--pin-file", writeSecret(t, "p", "550372"), "--by", "OP1", "--by-pin-file", writeSecret(t, "owner", ownerPIN))
		if after := entries(t, c, dir); len(after) != len(before) {
			t.Errorf("a wrong passphrase changed the ledger")
		}
		if out := c.must("operator", "list", "--dir", dir); strings.Contains(out, "OP3") {
			t.Errorf("OP3 was added without the key")
		}
	})
	t.Run("ShowVerifyBalance", func(t *testing.T) {
		list := entries(t, c, dir)
		if len(list) != 3 || list[0]["kind"] != "genesis" || list[2]["operator"] != "OP1" {
			t.Fatalf("ledger: %v", list)
		}
		out := c.must("ledger", "verify", "--dir", dir)
		if !strings.Contains(out, "账本完好") || strings.Count(out, "\n") != 1 {
			t.Errorf("verify output %q, want one line saying the ledger is intact", out)
		}
		out = c.must("balance", "--dir", dir)
		if !strings.Contains(out, "还没有任何资金往来") {
			t.Errorf("balance of a new station:\n%s", out)
		}
		out = c.must("ledger", "show", "--dir", dir, "--from", "2", "--to", "2", "--lang", "en")
		if !strings.Contains(out, "operator_add") || strings.Contains(out, "genesis") {
			t.Errorf("show --from 2 --to 2:\n%s", out)
		}
	})
	t.Run("NoSecretsOnDisk", func(t *testing.T) {
		for _, name := range []string{"ledger.db", "station.key", "operators.db"} {
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			for _, secret := range []string{passphrase, ownerPIN, clerkPIN} {
				if bytes.Contains(data, []byte(secret)) {
					t.Errorf("%s contains the secret %q", name, secret)
				}
			}
		}
		if err := keyfile.CheckMode(filepath.Join(dir, "station.key")); err != nil {
			t.Error(err)
		}
	})
}

func TestFirstOperatorMustBeOwner(t *testing.T) {
	c := newCLI(t)
	dir := filepath.Join(t.TempDir(), "st")
	c.env["STATION_PASSPHRASE"] = passphrase
	c.must("init", "--dir", dir, "--id", "T0002", "--name", "下河村", "--postoffice-key", poKey)
	c.refused(exitFailed, "第一个操作员必须是店主", "operator", "add", "--dir", dir, "--id", "OP1", "--role", "clerk",
		"--pin-file", writeSecret(t, "p", ownerPIN))
}

func TestBadInput(t *testing.T) {
	c := newCLI(t)
	tmp := t.TempDir()
	c.refused(exitUsage, "STATION_PASSPHRASE", "init", "--dir", filepath.Join(tmp, "a"), "--id", "T0001", "--name", "x", "--postoffice-key", poKey)
	c.env["STATION_PASSPHRASE"] = "short"
	c.refused(exitFailed, "口令太短", "init", "--dir", filepath.Join(tmp, "b"), "--id", "T0001", "--name", "x", "--postoffice-key", poKey)
	if _, err := os.Stat(filepath.Join(tmp, "b", "station.key")); err == nil {
		t.Errorf("a refused init left a key file")
	}
	c.env["STATION_PASSPHRASE"] = passphrase
	c.refused(exitFailed, "terminal", "init", "--dir", filepath.Join(tmp, "c"), "--id", "T 0001", "--name", "x", "--postoffice-key", poKey)
	c.refused(exitFailed, "站名", "init", "--dir", filepath.Join(tmp, "d"), "--id", "T0001", "--name", " ", "--postoffice-key", poKey)
	c.refused(exitFailed, "zone", "init", "--dir", filepath.Join(tmp, "e"), "--id", "T0001", "--name", "x", "--zone", "Mars/Base", "--postoffice-key", poKey)
	c.refused(exitUsage, "--postoffice-key", "init", "--dir", filepath.Join(tmp, "f"), "--id", "T0001", "--name", "x")
	c.refused(exitFailed, "邮政支局公钥", "init", "--dir", filepath.Join(tmp, "f"), "--id", "T0001", "--name", "x", "--postoffice-key", "postoffice+1234+xyz")
	os.MkdirAll(filepath.Join(tmp, "busy"), 0o755)
	os.WriteFile(filepath.Join(tmp, "busy", "photo.jpg"), []byte("x"), 0o644)
	c.refused(exitFailed, "已经有别的文件", "init", "--dir", filepath.Join(tmp, "busy"), "--id", "T0001", "--name", "x", "--postoffice-key", poKey)

	c.refused(exitFailed, "没有找到服务站数据文件夹", "balance", "--dir", filepath.Join(tmp, "nowhere"))
	c.refused(exitFailed, "不是服务站的数据文件夹", "balance", "--dir", filepath.Join(tmp, "busy"))
	c.refused(exitUsage, "--dir", "balance")
	c.refused(exitUsage, "没有“fly”这个命令", "fly")
	c.refused(exitUsage, "--format hledger", "ledger", "export", "--dir", tmp, "--format", "csv")

	os.MkdirAll(filepath.Join(tmp, "junk"), 0o755)
	os.WriteFile(filepath.Join(tmp, "junk", "ledger.db"), bytes.Repeat([]byte("not a database "), 1000), 0o600)
	c.refused(exitTampered, "已损坏", "balance", "--dir", filepath.Join(tmp, "junk"))

	r := c.run("fly", "--lang", "en")
	if !strings.Contains(r.stderr, `there is no command "fly"`) {
		t.Errorf("English message: %q", r.stderr)
	}
}

func TestTruncatedLedger(t *testing.T) {
	c, dir := newStation(t)
	path := filepath.Join(dir, "ledger.db")
	data, _ := os.ReadFile(path)
	// Cut the file after its two meta pages and the next: the pages
	// holding the entries are gone, wherever bbolt put them.
	os.WriteFile(path, data[:3*4096], 0o600)
	r := c.run("ledger", "verify", "--dir", dir)
	if r.code == 0 {
		t.Fatalf("a truncated ledger verified:\n%s", r.stdout)
	}
	if strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || r.stderr == "" {
		t.Errorf("message is not one line: %q", r.stderr)
	}
}

func TestVerifyNamesTheTamperedEntry(t *testing.T) {
	c, dir := newStation(t)
	db, err := bolt.Open(filepath.Join(dir, "ledger.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("entries"))
		k := []byte{0, 0, 0, 0, 0, 0, 0, 2}
		rec := append([]byte(nil), b.Get(k)...)
		rec[40] ^= 0x20
		return b.Put(k, rec)
	})
	db.Close()
	c.refused(exitTampered, "第 2 笔", "ledger", "verify", "--dir", dir)
	r := c.run("ledger", "verify", "--dir", dir, "--lang", "en")
	if !strings.Contains(r.stderr, "entry 2: hash") {
		t.Errorf("English verify message: %q", r.stderr)
	}
}

func TestDemoIsIdempotent(t *testing.T) {
	c := newCLI(t)
	dir := filepath.Join(t.TempDir(), "demo")
	first := c.must("demo", "--dir", dir)
	second := c.must("demo", "--dir", dir)
	for _, out := range []string{first, second} {
		if !strings.Contains(out, "账本共 9 笔") || !strings.Contains(out, "¥2,000.00") || !strings.Contains(out, "演示站") {
			t.Errorf("demo output:\n%s", out)
		}
	}
}

// TestExportMatchesBalance has hledger read the exported journal and
// checks its balances against station balance.
func TestExportMatchesBalance(t *testing.T) {
	hledger := toolcheck.Require(t, "hledger", "hledger")
	c := newCLI(t)
	dir := filepath.Join(t.TempDir(), "demo")
	c.must("demo", "--dir", dir)
	journal := filepath.Join(t.TempDir(), "x.journal")
	c.must("ledger", "export", "--dir", dir, "--format", "hledger", "--out", journal)
	out, err := exec.Command(hledger, "-f", journal, "balance", "--flat", "--no-total", "-O", "csv").CombinedOutput()
	if err != nil {
		t.Fatalf("hledger: %v\n%s", err, out)
	}
	var bal struct {
		Balances []struct{ Account, Commodity, Amount string }
	}
	json.Unmarshal([]byte(c.must("balance", "--dir", dir, "--json")), &bal)
	if len(bal.Balances) == 0 {
		t.Fatal("no balances")
	}
	lines := map[string]string{} // account -> its hledger CSV line
	for _, l := range strings.Split(string(out), "\n") {
		if acct, _, ok := strings.Cut(l, ","); ok {
			lines[strings.Trim(acct, `"`)] = l
		}
	}
	for _, b := range bal.Balances {
		want := b.Amount + " CNY" // money; goods are written as 20 "SKU", quoted again in CSV
		if b.Commodity != "CNY" {
			want = b.Amount + ` ""` + b.Commodity + `""`
		}
		if !strings.Contains(lines[b.Account], want) {
			t.Errorf("hledger's %s lacks %s:\n%s", b.Account, want, out)
		}
	}
}

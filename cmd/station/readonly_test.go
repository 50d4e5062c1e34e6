package main

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/shopfront"
	"github.com/villagepost/bianmin/web"
)

// serving is station serve of a station running in this process on
// loopback, as a shop runs it all day.
type serving struct {
	stop func()
}

// startServe serves the screen of the station in dir with the clock of
// c; stop ends it as Ctrl+C does.
func startServe(t *testing.T, c *cli, dir string) *serving {
	t.Helper()
	var out bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out, Getenv: func(k string) string { return c.env[k] },
		Now: func() time.Time { return c.now }, KeyParams: keyfile.FastParams()}
	ctx, cancel := context.WithCancel(context.Background())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() {
		o := serveOptions{dir: dir, drainEvery: time.Hour}
		d, err := m.openDesk(ctx, o)
		if err != nil {
			ln.Close()
			served <- err
			return
		}
		defer d.Counter.Close()
		srv, err := web.New(d, &web.Options{Now: m.Now, Logf: t.Logf})
		if err != nil {
			ln.Close()
			served <- err
			return
		}
		served <- m.serveOn(ctx, d, srv, ln, o)
	}()
	// Serving once the socket answers.
	sock := filepath.Join(dir, shopfront.SocketFile)
	for i := 0; ; i++ {
		if conn, err := net.Dial("unix", sock); err == nil {
			conn.Close()
			break
		}
		select {
		case err := <-served:
			t.Fatalf("serve: %v\n%s", err, out.String())
		case <-time.After(20 * time.Millisecond):
		}
		if i > 500 {
			t.Fatalf("serve does not answer on %s\n%s", sock, out.String())
		}
	}
	s := &serving{}
	s.stop = func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v\n%s", err, out.String())
		}
	}
	return s
}

// TestReadOnlyBesideServe: while station serve holds the ledger, the
// accountant's commands that only read (the books, the report, a verify,
// the day files, a backup) work and print exactly what they print once
// serve is stopped; every command that records something is still
// refused with the clear message, and changes nothing.
func TestReadOnlyBesideServe(t *testing.T) {
	c := newCLI(t)
	dir := filepath.Join(t.TempDir(), "demo")
	c.must("demo", "--dir", dir)
	c.env["STATION_PIN"] = "135790" // the demo owner
	c.env["STATION_CARD_PIN"] = "123456"
	op := func(args ...string) []string { return append(args, "--dir", dir, "--operator", "OP1") }
	c.must(op("withdraw", "--card", "6228480402564890018", "--amount", "200")...)
	c.must(op("sell", "--item", "DAILY-SOAP:2")...)
	c.must(op("pay-bill", "--biller", "state-grid", "--account", "5100123456", "--amount", "88.50")...)
	var cash map[string]any
	jsonUnmarshal(t, c.must("cash", "--dir", dir, "--json"), &cash)
	c.must(op("close-day", "--counted", cash["cash"].(string))...)
	c.now = c.now.Add(24 * time.Hour)
	c.must(op("sell", "--item", "DAILY-SOAP:1")...)

	out := t.TempDir()
	views := [][]string{
		{"ledger", "export", "--format", "hledger", "--dir", dir},
		{"ledger", "export", "--format", "hledger", "--dir", dir, "--out", "OUT/books.journal"},
		{"ledger", "verify", "--dir", dir, "--quick"},
		{"ledger", "verify", "--dir", dir, "--json"},
		{"ledger", "show", "--dir", dir},
		{"ledger", "show", "--dir", dir, "--json", "--day", "2026-11-20"},
		{"report", "--dir", dir},
		{"report", "--dir", dir, "--json"},
		{"balance", "--dir", dir},
		{"balance", "--dir", dir, "--at", "5", "--json"},
		{"key", "--dir", dir},
		{"tariff", "show", "--dir", dir},
		{"ticket", "list", "--dir", dir},
		{"cash", "--dir", dir},
		{"stock", "--dir", dir},
		{"queue", "--dir", dir},
		{"operator", "list", "--dir", dir},
		{"export", "--dir", dir, "--to", "OUT/usb"},
	}
	// see runs every view with its files written under folder, and
	// returns what each printed and wrote.
	see := func(folder string) []string {
		t.Helper()
		if err := os.MkdirAll(folder, 0o700); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, v := range views {
			args := make([]string, len(v))
			for i, a := range v {
				args[i] = strings.ReplaceAll(a, "OUT", folder)
			}
			r := c.run(args...)
			if r.code != 0 {
				t.Fatalf("station %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
			}
			got = append(got, strings.ReplaceAll(r.stdout, folder, "OUT"))
		}
		filepath.WalkDir(folder, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				data, _ := os.ReadFile(path)
				rel, _ := filepath.Rel(folder, path)
				got = append(got, rel+":\n"+string(data))
			}
			return err
		})
		return got
	}

	s := startServe(t, c, dir)
	if fi, err := os.Lstat(filepath.Join(dir, shopfront.SocketFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the socket: %v %v, want mode 0600", fi, err)
	}
	// The ledger is held: a plain open is refused, as before.
	plain := &Main{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, Getenv: func(string) string { return "" }, Now: func() time.Time { return c.now }}
	if _, err := plain.openStation(dir, true); err == nil {
		t.Fatal("the ledger opened beside serve: this test would prove nothing")
	}
	during := see(filepath.Join(out, "during"))
	backup := c.must("backup", "--dir", dir, "--to", filepath.Join(out, "backup"))

	// What records something is refused, and nothing is recorded.
	for _, args := range [][]string{
		op("sell", "--item", "DAILY-SOAP:1"),
		op("cash", "in", "--amount", "10", "--reason", "owner"),
		op("stock", "in", "--sku", "DAILY-SOAP", "--qty", "1"),
		op("receipt", "--seq", "3", "--text"),
		op("queue"),
		op("close-day", "--counted", "1"),
	} {
		c.refused(exitFailed, "账本正被另一个 station 程序使用", args...)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, shopfront.CopyPrefix+"*")); len(left) != 0 {
		t.Errorf("copies left in the station's folder: %v", left)
	}
	s.stop()
	if _, err := os.Lstat(filepath.Join(dir, shopfront.SocketFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the socket outlived serve: %v", err)
	}

	// A socket left behind by a serve that was killed: the views open the
	// station's own files.
	stale, err := net.ListenUnix("unix", &net.UnixAddr{Name: filepath.Join(dir, shopfront.SocketFile), Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	stale.SetUnlinkOnClose(false)
	stale.Close()
	after := see(filepath.Join(out, "after"))
	if len(during) != len(after) {
		t.Fatalf("%d outputs beside serve, %d after", len(during), len(after))
	}
	for i := range during {
		if during[i] != after[i] {
			name := "a file"
			if i < len(views) {
				name = strings.Join(views[i], " ")
			}
			t.Errorf("%s differs beside serve:\n%s\nafter serve stopped:\n%s", name, during[i], after[i])
		}
	}
	if !strings.Contains(after[0], "assets:cash") || !strings.Contains(after[2], "账本完好") {
		t.Errorf("the books: %.200s\nverify: %s", after[0], after[2])
	}

	// The backup made beside serve restores into a station whose ledger
	// and operators are those of the shop.
	var made string
	if m, _ := filepath.Glob(filepath.Join(out, "backup", "*-backup-*")); len(m) == 1 {
		made = m[0]
	} else {
		t.Fatalf("backup: %s, made %v", backup, m)
	}
	restored := filepath.Join(out, "restored")
	c.must("restore", "--from", made, "--dir", restored)
	if got, want := c.must("operator", "list", "--dir", restored), c.must("operator", "list", "--dir", dir); got != want {
		t.Errorf("restored operators:\n%s\nwant:\n%s", got, want)
	}
	var a, b map[string]any
	jsonUnmarshal(t, c.must("ledger", "verify", "--dir", restored, "--json"), &a)
	jsonUnmarshal(t, c.must("ledger", "verify", "--dir", dir, "--json"), &b)
	if a["last_hash"] != b["last_hash"] {
		t.Errorf("restored ledger %v, the shop's %v", a, b)
	}
}

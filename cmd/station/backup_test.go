package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/villagepost/bianmin/settlement"
	"github.com/villagepost/bianmin/shopfront"
	"github.com/villagepost/bianmin/tariff"
	"golang.org/x/mod/sumdb/note"
)

// closeAndAck closes the business day with cash counted and returns the
// post office's signed acknowledgement of its file.
func closeAndAck(t *testing.T, c *cli, dir, day, counted string) string {
	t.Helper()
	c.must("close-day", "--dir", dir, "--operator", "OP1", "--counted", counted)
	f := readFile(t, filepath.Join(dir, "settlements", "T0001-"+strings.ReplaceAll(day, "-", "")+".bms"))
	signer, err := note.NewSigner(tariff.DemoPostOfficeSignerKey)
	if err != nil {
		t.Fatal(err)
	}
	ack, err := settlement.SignAck(settlement.Ack{Station: "T0001", Last: f.Last, Day: f.Day}, signer)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), day+".ack")
	if err := os.WriteFile(path, ack, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBackupRestore: a station backed up to a USB stick is restored into a
// new folder, verified and checked against the post office's
// acknowledgements; a live station is never overwritten, a changed byte in
// the backup is refused, and a backup older than what the post office has
// since acknowledged is refused and reported.
func TestBackupRestore(t *testing.T) {
	c, dir := newStation(t)
	c.env["STATION_PIN"] = ownerPIN
	op := func(args ...string) []string { return append(args, "--dir", dir, "--operator", "OP1") }
	c.must("tariff", "load", "--dir", dir, "--operator", "OP1", signedTariff(t, tariff.DemoPostOfficeSignerKey, "", ""))
	c.must(op("cash", "in", "--amount", "3000", "--reason", "float")...)
	ack1 := closeAndAck(t, c, dir, "2026-11-20", "3000.00")
	c.must("ack", "--dir", dir, "--operator", "OP1", ack1)

	usb := t.TempDir()
	out := c.must("backup", "--dir", dir, "--to", usb)
	backups, _ := filepath.Glob(filepath.Join(usb, "T0001-backup-*"))
	if len(backups) != 1 || !strings.Contains(out, backups[0]) {
		t.Fatalf("backup said %q; the stick holds %v", out, backups)
	}
	backup := backups[0]
	for _, f := range []string{manifestFile, shopfront.LedgerFile, shopfront.KeyFile, shopfront.OperatorsFile, shopfront.TariffFile, "acks/000005.ack"} {
		if _, err := os.Stat(filepath.Join(backup, f)); err != nil {
			t.Errorf("the backup lacks %s: %v", f, err)
		}
	}

	c.refused(exitFailed, "已经有服务站的账本，没有覆盖", "restore", "--from", backup, "--dir", dir)

	restored := filepath.Join(t.TempDir(), "T0001")
	out = c.must("restore", "--from", backup, "--dir", restored)
	if !strings.Contains(out, "全部核验通过") {
		t.Errorf("restore: %s", out)
	}
	c.must("ledger", "verify", "--dir", restored)
	if a, b := c.must("balance", "--dir", dir), c.must("balance", "--dir", restored); a != b {
		t.Errorf("balances differ after restore:\n%s\n%s", a, b)
	}
	c.must("cash", "in", "--amount", "10", "--reason", "float", "--dir", restored, "--operator", "OP1")

	// A changed byte anywhere in the backup is refused, and nothing is made.
	bad := filepath.Join(t.TempDir(), "bad")
	copyTree(t, backup, bad)
	data, _ := os.ReadFile(filepath.Join(bad, shopfront.LedgerFile))
	data[len(data)/2] ^= 1
	os.WriteFile(filepath.Join(bad, shopfront.LedgerFile), data, 0o600)
	again := filepath.Join(t.TempDir(), "T0001")
	c.refused(exitFailed, "坏了或被改过", "restore", "--from", bad, "--dir", again)
	if _, err := os.Stat(again); !os.IsNotExist(err) {
		t.Errorf("a refused restore left %s: %v", again, err)
	}

	// The station works on; the post office acknowledges a later day. The
	// old backup is behind that acknowledgement.
	c.now = c.now.Add(24 * time.Hour)
	c.must(op("cash", "in", "--amount", "500", "--reason", "float")...)
	ack2 := closeAndAck(t, c, dir, "2026-11-21", "3500.00")
	c.refused(exitFailed, "备份比邮政支局已确认的旧", "restore", "--from", backup, "--dir", again, "--acks", filepath.Dir(ack2))
	if _, err := os.Stat(again); !os.IsNotExist(err) {
		t.Errorf("a refused restore left %s: %v", again, err)
	}
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.Walk(from, func(path string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		if fi.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o700)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

package main

import (
	"bytes"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/villagepost/bianmin/shopfront"
	"github.com/villagepost/bianmin/tariff"
	bolt "go.etcd.io/bbolt"
	"golang.org/x/mod/sumdb/note"
)

// editMeta rewrites a record of the ledger file's meta bucket directly, as
// a franchisee with a bbolt editor could.
func editMeta(t *testing.T, dir, key string, edit func([]byte) []byte) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(dir, shopfront.LedgerFile), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("meta"))
		return b.Put([]byte(key), edit(bytes.Clone(b.Get([]byte(key)))))
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRogueKeyInMeta: overwriting the post office key in the meta copy of
// the genesis with another post office's key neither lets a tariff signed
// by that key in (its limit raised from 1,000 to 1,500) nor passes
// ledger verify. The station's trusted key comes from the signed genesis
// entry.
func TestRogueKeyInMeta(t *testing.T) {
	c, dir := newStation(t)
	c.env["STATION_PIN"] = ownerPIN
	c.env["STATION_CARD_PIN"] = "147258"
	c.must("tariff", "load", "--dir", dir, "--operator", "OP1", signedTariff(t, tariff.DemoPostOfficeSignerKey, "", ""))

	rogueSigner, rogueVerifier, err := note.GenerateKey(rand.Reader, "demo-postoffice")
	if err != nil {
		t.Fatal(err)
	}
	editMeta(t, dir, "genesis", func(g []byte) []byte {
		if !bytes.Contains(g, []byte(poKey)) {
			t.Fatalf("the meta genesis does not hold the post office key: %s", g)
		}
		return bytes.Replace(g, []byte(poKey), []byte(rogueVerifier), 1)
	})
	raised := signedTariff(t, rogueSigner, `"per_transaction": "1000.00"`, `"per_transaction": "1500.00"`)
	// The check at every start already finds the edited copy: nothing is
	// done on this ledger at all until it is restored.
	c.refused(exitTampered, "账本核验没有通过", "tariff", "load", "--dir", dir, "--operator", "OP1", raised)
	c.refused(exitTampered, "账本核验没有通过", "withdraw", "--dir", dir, "--operator", "OP1", "--card", "6228480402564890018", "--amount", "1200")
	c.refused(exitTampered, "旁边记的索引或余额与账目不符", "ledger", "verify", "--dir", dir)
}

// TestDamagedLedgerIsExplained: a ledger file whose pages are overwritten
// is explained to the shopkeeper in plain Chinese (damaged, restore the
// last backup, call the post office) without Go's runtime text, and the
// details go to the technician's log in the station folder.
func TestDamagedLedgerIsExplained(t *testing.T) {
	for _, tc := range []struct {
		name string
		at   int64 // where the damage starts
	}{
		{"the tree's pages", 2 * 4096},
		{"a meta page and beyond", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, dir := newStation(t)
			path := filepath.Join(dir, shopfront.LedgerFile)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for i := tc.at; i < int64(len(data)); i++ {
				data[i] = byte(i*7 + 3)
			}
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{{"ledger", "verify", "--dir", dir}, {"balance", "--dir", dir}} {
				r := c.run(args...)
				if r.code != exitTampered {
					t.Fatalf("station %v: exit %d, want %d\n%s%s", args, r.code, exitTampered, r.stdout, r.stderr)
				}
				for _, want := range []string{"损坏", "备份", "邮政支局", damageLog} {
					if !strings.Contains(r.stderr, want) {
						t.Errorf("station %v: %q does not say %q", args, r.stderr, want)
					}
				}
				for _, internal := range []string{"runtime", "panic", "nil pointer", "slice bounds", "assertion", "bbolt", "ledger:", "invalid"} {
					if strings.Contains(r.stderr, internal) {
						t.Errorf("station %v: the shopkeeper is shown %q: %s", args, internal, r.stderr)
					}
				}
			}
			log, err := os.ReadFile(filepath.Join(dir, damageLog))
			if err != nil || !strings.Contains(string(log), "ledger") {
				t.Errorf("technician's log: %v\n%s", err, log)
			}
		})
	}
}

// TestDamagedPendingStoreIsExplained: a pending store whose pages are
// overwritten stops the work that needs it with a plain explanation (no
// money moved, call support, the file can be moved aside) and the details
// in the technician's log; moved aside, the station finds the open
// requests again from the ledger.
func TestDamagedPendingStoreIsExplained(t *testing.T) {
	c, dir := newStation(t)
	c.must("queue", "--dir", dir) // creates the store
	path := filepath.Join(dir, shopfront.PendingFile)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := int64(2 * 4096); i < int64(len(data)); i++ {
		data[i] = byte(i*7 + 3)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	r := c.run("queue", "--dir", dir)
	if r.code != exitTampered {
		t.Fatalf("station queue: exit %d, want %d\n%s%s", r.code, exitTampered, r.stdout, r.stderr)
	}
	for _, want := range []string{"pending.db", "已损坏", "没有动", "技术支持", damageLog} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("%q does not say %q", r.stderr, want)
		}
	}
	for _, internal := range []string{"runtime", "panic", "bbolt", "terminal:", "invalid"} {
		if strings.Contains(r.stderr, internal) {
			t.Errorf("the shopkeeper is shown %q: %s", internal, r.stderr)
		}
	}
	if log, err := os.ReadFile(filepath.Join(dir, damageLog)); err != nil || !strings.Contains(string(log), "pending store") {
		t.Errorf("technician's log: %v\n%s", err, log)
	}
	if err := os.Rename(path, path+".damaged"); err != nil {
		t.Fatal(err)
	}
	c.must("queue", "--dir", dir)
}

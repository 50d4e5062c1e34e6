package main

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/villagepost/bianmin/tariff"
	"golang.org/x/mod/sumdb/note"
)

// signedTariff writes the demo tariff, edited by replacing old with new,
// signed by signerKey, and returns its path.
func signedTariff(t *testing.T, signerKey, old, new string) string {
	t.Helper()
	signer, err := note.NewSigner(signerKey)
	if err != nil {
		t.Fatal(err)
	}
	file, err := tariff.Sign([]byte(strings.Replace(string(tariff.DemoJSON), old, new, 1)), signer)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tariff.signed")
	if err := os.WriteFile(path, file, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestTariffLoad(t *testing.T) {
	c, dir := newStation(t)
	c.env["STATION_PIN"] = ownerPIN
	c.refused(exitFailed, "还没有载入价目表", "tariff", "show", "--dir", dir)

	otherKey, _, _ := note.GenerateKey(rand.Reader, "demo-postoffice")
	c.refused(exitFailed, "不是本站所属邮政支局签发的", "tariff", "load", "--dir", dir, "--operator", "OP1",
		signedTariff(t, otherKey, "", ""))
	c.refused(exitFailed, "有效期", "tariff", "load", "--dir", dir, "--operator", "OP1",
		signedTariff(t, tariff.DemoPostOfficeSignerKey, `"valid_until": "2027-12-31"`, `"valid_until": "2026-06-30"`))
	c.env["STATION_PIN"] = "999999"
	good := signedTariff(t, tariff.DemoPostOfficeSignerKey, "", "")
	c.refused(exitFailed, "密码不对", "tariff", "load", "--dir", dir, "--operator", "OP1", good)
	c.env["STATION_PIN"] = ownerPIN

	out := c.must("tariff", "load", "--dir", dir, "--operator", "OP1", good)
	if !strings.Contains(out, "DEMO-2026-11") || !strings.Contains(out, "第 3 笔") {
		t.Errorf("tariff load:\n%s", out)
	}
	again := c.must("tariff", "load", "--dir", dir, "--operator", "OP1", good)
	if !strings.Contains(again, "第 3 笔") {
		t.Errorf("loading the same file again made a new entry:\n%s", again)
	}
	show := c.must("tariff", "show", "--dir", dir)
	for _, want := range []string{"DEMO-2026-11", "助农取款", "尿素", "¥135.00", "国网电费", "断网可先收款", "每笔¥5.00"} {
		if !strings.Contains(show, want) {
			t.Errorf("tariff show lacks %q:\n%s", want, show)
		}
	}
	list := entries(t, c, dir)
	if last := list[len(list)-1]; last["kind"] != "tariff_load" || last["operator"] != "OP1" {
		t.Errorf("last entry: %v", last)
	}
}

package main

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	for _, want := range []string{"DEMO-2026-11", "助农取款", "尿素", "¥135.00", "国网电费", "断网可先收款", "每笔¥5.00",
		"cmcc-39  中国移动 畅享卡  ¥50.00  含首充¥30.00  佣金¥15.00",
		"财产保险", "农房保险", "保费为保额的1.5‰，最低¥20.00", "保额¥10,000.00到¥300,000.00", "家庭财产保险"} {
		if !strings.Contains(show, want) {
			t.Errorf("tariff show lacks %q:\n%s", want, show)
		}
	}
	list := entries(t, c, dir)
	if last := list[len(list)-1]; last["kind"] != "tariff_load" || last["operator"] != "OP1" {
		t.Errorf("last entry: %v", last)
	}
}

// TestStaleTariffAndRoles: a tariff that has run out prices nothing, and
// only the owner loads tariffs.
func TestStaleTariffAndRoles(t *testing.T) {
	c, dir := newStation(t)
	c.env["STATION_PIN"] = ownerPIN
	c.must("tariff", "load", "--dir", dir, "--operator", "OP1", signedTariff(t, tariff.DemoPostOfficeSignerKey, "", ""))
	c.must("operator", "add", "--dir", dir, "--id", "OP2", "--role", "clerk", "--pin-file", writeSecret(t, "c", clerkPIN),
		"--by", "OP1", "--by-pin-file", writeSecret(t, "o", ownerPIN))
	c.env["STATION_PIN"] = clerkPIN
	c.refused(exitFailed, "只有店主才能载入价目表", "tariff", "load", "--dir", dir, "--operator", "OP2",
		signedTariff(t, tariff.DemoPostOfficeSignerKey, `"version": "DEMO-2026-11"`, `"version": "DEMO-2026-12"`))

	c.now = time.Date(2028, 1, 2, 9, 0, 0, 0, time.UTC) // after valid_until 2027-12-31
	before := len(entries(t, c, dir))
	c.env["STATION_PIN"] = ownerPIN
	c.env["STATION_CARD_PIN"] = "147258"
	for _, args := range [][]string{
		{"withdraw", "--card", "6228480402564890018", "--amount", "100"},
		{"pay-bill", "--biller", "state-grid", "--account", "5100123456"},
		{"sell", "--item", "DAILY-SOAP:1"},
	} {
		c.refused(exitFailed, "不能用，什么都没有办理", append(args, "--dir", dir, "--operator", "OP1")...)
	}
	if len(entries(t, c, dir)) != before {
		t.Error("a stale tariff priced something")
	}
}

package main

import (
	"crypto/ed25519"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/villagepost/bianmin/keyfile"
)

// TestReceipts: every service prints its receipt at once, a reprint says
// so and is recorded, and the post office checks the code from the paper.
func TestReceipts(t *testing.T) {
	c, dir := newStation(t)
	c.env["STATION_PIN"] = ownerPIN
	c.env["STATION_CARD_PIN"] = "147258"
	c.must("tariff", "load", "--dir", dir, "--operator", "OP1", signedTariff(t, "PRIVATE+KEY+demo-postoffice+9c666a86+AcJNhevQKpw7R3lhrDsSbJgAJESXk+z0EQ6tVOvJkOD3", "", ""))
	op := []string{"--dir", dir, "--operator", "OP1"}
	out := c.must(append([]string{"cash", "in", "--amount", "2000", "--reason", "float"}, op...)...)
	if !strings.Contains(out, "收据：") {
		t.Errorf("cash in printed no receipt:\n%s", out)
	}
	var w map[string]any
	if err := json.Unmarshal([]byte(c.must(append([]string{"withdraw", "--card", "6228480402564890018", "--amount", "300", "--json"}, op...)...)), &w); err != nil {
		t.Fatal(err)
	}
	pdf, _ := w["receipt"].(string)
	if fi, err := os.Stat(pdf); err != nil || fi.Size() < 5000 {
		t.Fatalf("withdrawal receipt %q: %v", pdf, err)
	}
	seq := jsonNumber(w["seq"])

	text := c.must(append([]string{"receipt", "--seq", seq, "--text"}, op...)...)
	for _, s := range []string{"重打 第 1 次", "助农取款 · 顾客联", "商户存根", "叁佰元整", "BMR1|T0001|"} {
		if !strings.Contains(text, s) {
			t.Errorf("reprint lacks %q:\n%s", s, text)
		}
	}
	again := c.must(append([]string{"receipt", "--seq", seq, "--text", "--lang", "en"}, op...)...)
	if !strings.Contains(again, "REPRINT #2") || !strings.Contains(again, "MERCHANT COPY") {
		t.Errorf("second reprint:\n%s", again)
	}
	reprints := 0
	for _, e := range entries(t, c, dir) {
		if e["kind"] == "receipt_reprint" {
			reprints++
		}
	}
	if reprints != 2 {
		t.Errorf("%d reprints recorded, want 2", reprints)
	}
	out = c.must(append([]string{"receipt", "--seq", seq, "--pdf", filepath.Join(t.TempDir(), "r.pdf"), "--width", "58"}, op...)...)
	if !strings.Contains(out, "第 3 次重打") {
		t.Errorf("pdf reprint: %s", out)
	}
	c.refused(exitFailed, "没有动钱", append([]string{"receipt", "--seq", "1"}, op...)...)
	c.refused(exitFailed, "没有第 999 笔", append([]string{"receipt", "--seq", "999"}, op...)...)
	c.refused(exitFailed, "58 或 80", append([]string{"receipt", "--seq", seq, "--width", "76"}, op...)...)

	// The post office checks the code printed on the paper.
	lines := strings.Split(text, "\n")
	var code string
	for i, l := range lines {
		if strings.HasPrefix(l, "验证码") {
			for _, part := range lines[i+1:] {
				if part == "" {
					break
				}
				code += part
			}
			break
		}
	}
	key := entries(t, c, dir)[0]["payload"].(map[string]any)["public_key"].(string)
	po := binary(t, "postoffice")
	ok, err := exec.Command(po, "verify-receipt", "--pubkey", key, code).CombinedOutput()
	if err != nil || !strings.Contains(string(ok), "有效") || !strings.Contains(string(ok), "¥300.00") {
		t.Errorf("verify-receipt: %v\n%s", err, ok)
	}
	altered := strings.Replace(code, "|300.00|", "|900.00|", 1)
	bad, err := exec.Command(po, "verify-receipt", "--pubkey", key, altered).CombinedOutput()
	if err == nil || !strings.Contains(string(bad), "无效") {
		t.Errorf("an altered code: %v\n%s", err, bad)
	}
	other, _ := keyfile.VerifierKey("T0001", ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey))
	foreign, err := exec.Command(po, "verify-receipt", "--pubkey", other, code).CombinedOutput()
	if err == nil || !strings.Contains(string(foreign), "无效") {
		t.Errorf("another station's key: %v\n%s", err, foreign)
	}
}

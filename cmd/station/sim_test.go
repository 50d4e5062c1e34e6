package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSIMCLI sells phone-number cards through the command line against
// cmd/hostsim over HTTP: a consignment received, refusals that name their
// field and record nothing, a sale, a registration the carrier declines,
// a reply lost after the carrier registered the card (reversed: the
// registration is cancelled, the card stays in stock), a return. At the
// end the ledger verifies and every account holds what the test's books
// say.
func TestSIMCLI(t *testing.T) {
	h := startHostsim(t)
	c := newCLI(t)
	h.put("/admin/clock", map[string]string{"time": c.now.Format(time.RFC3339)})
	tmp := t.TempDir()
	po := filepath.Join(tmp, "postoffice")
	poEnv := append(os.Environ(), "POSTOFFICE_PASSPHRASE=the regional office")
	run(t, poEnv, binary(t, "postoffice"), "init", "--dir", po, "--name", "xinyang-postoffice")
	poKey := strings.TrimSpace(run(t, poEnv, binary(t, "postoffice"), "key", "--dir", po))
	tariffJSON := filepath.Join(tmp, "tariff.json")
	os.WriteFile(tariffJSON, testTariff(), 0o644)
	run(t, poEnv, binary(t, "postoffice"), "tariff", "sign", "--dir", po, tariffJSON)
	dir := filepath.Join(tmp, "T0001")
	c.env["STATION_PASSPHRASE"] = passphrase
	c.must("init", "--dir", dir, "--id", "T0001", "--name", "山前村便民服务站", "--postoffice-key", poKey)
	c.must("operator", "add", "--dir", dir, "--id", "OP1", "--role", "owner", "--pin-file", writeSecret(t, "pin", ownerPIN))
	c.must("tariff", "load", "--dir", dir, "--operator", "OP1", "--pin-file", writeSecret(t, "p", ownerPIN), strings.TrimSuffix(tariffJSON, ".json")+".signed")
	c.env["STATION_HOST"] = h.url
	c.env["STATION_PIN"] = ownerPIN
	at := []string{"--dir", dir, "--operator", "OP1"}
	cmd := func(args ...string) []string { return append(args, at...) }
	b := books{}
	c.must(cmd("cash", "in", "--amount", "1000", "--reason", "float")...)
	b.move("1000.00", "assets:cash", "equity:owner")

	out := c.must(cmd("sim", "receive", "--plan", "cmcc-39", "--card", "89860012345678901238,13812345670",
		"--card", "89860012345678901246,13812345671", "--card", "89860012345678901253,13812345672", "--note", "移动交接单0007")...)
	if !strings.Contains(out, "收到中国移动 畅享卡 3 张（寄售）") || !strings.Contains(out, "现有号卡库存 3 张") {
		t.Errorf("receive:\n%s", out)
	}
	if out := c.must("sim", "stock", "--dir", dir); !strings.Contains(out, "13812345670  中国移动 畅享卡  ICCID 898600**********1238  ¥50.00") {
		t.Errorf("stock:\n%s", out)
	}
	sell := func(args ...string) []string { return cmd(append([]string{"sim", "sell"}, args...)...) }

	// Bad input: one line naming the field, nothing recorded, no host asked.
	before := len(entries(t, c, dir))
	c.refused(exitFailed, "身份证号码校验位不对", sell("--number", "13812345670", "--name", "王秀英", "--id", "411523198001011235")...)
	c.refused(exitFailed, "“手机号码”填得不对：号码 13912345678 不在号卡库存里", sell("--number", "13912345678", "--name", "王秀英", "--id", "411523198001011234")...)
	c.refused(exitFailed, "“买卡人姓名”填得不对", sell("--number", "13812345670", "--name", " ", "--id", "411523198001011234")...)
	c.refused(exitFailed, "ICCID 最后一位校验位不对", cmd("sim", "receive", "--plan", "cmcc-39", "--card", "89860012345678901239,13812345679")...)
	c.refused(exitFailed, "“号卡套餐”填得不对", cmd("sim", "receive", "--plan", "cmcc-99", "--card", "89860112345678901237,13812345679")...)
	if n := len(entries(t, c, dir)); n != before {
		t.Errorf("refused input recorded %d entries", n-before)
	}

	// A sale.
	p := c.jsonOut(sell("--number", "13812345670", "--name", "王秀英", "--id", "411523198001011234")...)
	if p["price"] != "50.00" || p["commission"] != "15.00" || p["iccid"] != "898600**********1238" || !strings.HasPrefix(p["registration"].(string), "RN2026") {
		t.Fatalf("sale %v", p)
	}
	b.move("50.00", "assets:cash", "postoffice:settlement")
	b.move("15.00", "postoffice:settlement", "income:commission:sim_sale")
	if st := h.statuses(p["trace"].(string)); strings.Join(st, " ") != "approved" {
		t.Errorf("the carrier's journal for the sale: %v", st)
	}

	// A registration the carrier declines: said plainly, nothing charged.
	r := c.run(sell("--number", "13812345671", "--name", "李四", "--id", "411523198001010004")...)
	if r.code != exitFailed || !strings.Contains(r.stderr, "运营商拒绝了这笔号卡实名登记（代码 S2：这个身份证在运营商的黑名单上") || !strings.Contains(r.stderr, "没有收钱，卡还在库存") {
		t.Fatalf("a decline: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// The reply lost after the carrier registered the card.
	h.faults("sim_sale=drop#1")
	r = c.run(sell("--number", "13812345671", "--name", "王秀英", "--id", "411523198001011234")...)
	if r.code != exitFailed || !strings.Contains(r.stderr, "没有收到运营商的回音，这笔号卡实名登记已冲正") || !strings.Contains(r.stderr, "不要把卡交给顾客") {
		t.Fatalf("a lost reply: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var lost string
	for _, e := range entries(t, c, dir) {
		if e["kind"] == "reversal_due" {
			lost = e["payload"].(map[string]any)["trace"].(string)
		}
	}
	if st := h.statuses(lost); strings.Join(st, " ") != "approved reversed" {
		t.Errorf("the carrier's journal for the lost reply %s: %v, want registered then cancelled", lost, st)
	}
	h.faults()
	if out := c.must("sim", "stock", "--dir", dir); !strings.Contains(out, "13812345671") || strings.Contains(out, "13812345670") {
		t.Errorf("stock after the lost reply:\n%s", out)
	}

	// An unsold card goes back.
	if out := c.must(cmd("sim", "return", "--number", "13812345672", "--note", "退回单0009")...); !strings.Contains(out, "已把号卡 1 张退回运营商：13812345672") {
		t.Errorf("return:\n%s", out)
	}
	c.refused(exitFailed, "不在号卡库存里", cmd("sim", "return", "--number", "13812345672")...)

	c.must("ledger", "verify", "--dir", dir)
	checkBooks(t, c, dir, b)
	for _, f := range []string{"ledger.db", "pending.db"} {
		data, _ := os.ReadFile(filepath.Join(dir, f))
		if strings.Contains(string(data), "411523198001011234") {
			t.Errorf("%s holds the full ID number", f)
		}
	}
}

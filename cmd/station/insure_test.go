package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestInsuranceCLI sells property insurance through the command line
// against cmd/hostsim over HTTP: a quote, a sale, the refusals that name
// their field and record nothing, a reply lost after the insurer issued
// the policy (reversed: the insurer voids it, the cash goes back), a
// cancel in the cooling-off period. At the end the ledger verifies, every
// account holds what the test's books say, and the insurer's journal has
// exactly one policy in force.
func TestInsuranceCLI(t *testing.T) {
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
	buy := func(args ...string) []string {
		return cmd(append([]string{"insure", "buy", "--product", "farmhouse", "--holder", "王秀英", "--id", "411523198001011234",
			"--object", "砖木结构住房三间"}, args...)...)
	}

	out := c.must("insure", "quote", "--dir", dir, "--product", "farmhouse", "--sum", "100000")
	for _, want := range []string{"农房保险", "¥100,000.00", "保费 ¥150.00", "1.5‰", "保险期间 2026-11-21 至 2027-11-20"} {
		if !strings.Contains(out, want) {
			t.Errorf("quote lacks %q:\n%s", want, out)
		}
	}

	// Bad input: one line naming the field, nothing recorded, no host asked.
	before := len(entries(t, c, dir))
	c.refused(exitFailed, "身份证号码校验位不对", buy("--id", "411523198001011235", "--sum", "100000")...)
	c.refused(exitFailed, "“保额”填得不对：农房保险的保额要在 ¥10,000.00 到 ¥300,000.00 之间", buy("--sum", "300000.01")...)
	c.refused(exitFailed, "“险种”填得不对：险种只能是 农房保险（farmhouse）", cmd("insure", "buy", "--product", "car", "--holder", "王秀英",
		"--id", "411523198001011234", "--object", "轿车", "--sum", "100000")...)
	c.refused(exitFailed, "“保险标的”填得不对", buy("--object", " ", "--sum", "100000")...)
	c.refused(exitFailed, "保额", buy("--sum", "十万")...)
	if n := len(entries(t, c, dir)); n != before {
		t.Errorf("refused input recorded %d entries", n-before)
	}

	// A sale.
	p := c.jsonOut(buy("--sum", "100000")...)
	if p["total"] != "150.00" || p["commission"] != "22.50" || p["until"] != "2026-12-05" || !strings.HasPrefix(p["policy"].(string), "PH2026") {
		t.Fatalf("policy %v", p)
	}
	b.move("150.00", "assets:cash", "postoffice:settlement")
	b.move("22.50", "postoffice:settlement", "income:commission:policy_issue")
	if st := h.statuses(p["trace"].(string)); strings.Join(st, " ") != "approved" {
		t.Errorf("the insurer's journal for the sale: %v", st)
	}

	// The reply lost after the insurer issued the policy.
	h.faults("policy_issue=drop#1")
	r := c.run(buy("--sum", "50000")...)
	if r.code != exitFailed || !strings.Contains(r.stderr, "没有收到保险公司的回音，这笔投保已冲正") || !strings.Contains(r.stderr, "请把现金退还顾客") {
		t.Fatalf("a lost reply: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var lost string
	for _, e := range entries(t, c, dir) {
		if e["kind"] == "reversal_due" {
			lost = e["payload"].(map[string]any)["trace"].(string)
		}
	}
	if st := h.statuses(lost); strings.Join(st, " ") != "approved reversed" {
		t.Errorf("the insurer's journal for the lost reply %s: %v, want the policy issued then voided", lost, st)
	}
	h.faults()

	// The list, and a cancel inside the cooling-off period.
	sale := jsonNumber(p["seq"])
	if out := c.must("insure", "list", "--dir", dir); !strings.Contains(out, p["policy"].(string)) || !strings.Contains(out, "2026-12-05") {
		t.Errorf("insure list:\n%s", out)
	}
	x := c.jsonOut(cmd("insure", "cancel", "--policy", sale)...)
	if x["refund"] != "150.00" {
		t.Errorf("cancel %v", x)
	}
	b.move("150.00", "postoffice:settlement", "assets:cash")
	b.move("22.50", "income:commission:policy_issue", "postoffice:settlement")
	if out := c.must("insure", "list", "--dir", dir); !strings.Contains(out, "没有还在犹豫期内的保单") {
		t.Errorf("after the cancel:\n%s", out)
	}
	c.refused(exitFailed, "不是还在犹豫期内的保单", cmd("insure", "cancel", "--policy", sale)...)

	c.must("ledger", "verify", "--dir", dir)
	checkBooks(t, c, dir, b)
	for _, f := range []string{"ledger.db", "pending.db"} {
		data, _ := os.ReadFile(filepath.Join(dir, f))
		if strings.Contains(string(data), "411523198001011234") {
			t.Errorf("%s holds the full ID number", f)
		}
	}
}

// TestInsuranceReconciled: a station sells policies for a day (one sold,
// one lost reply reversed, one sold and cancelled, one the insurer
// declines), closes it, and the post office imports the file and
// reconciles it against the insurer's own journal: every trace matches.
// Then in a copy of the journal the insurer's premium of the sale is
// altered and the cancel's line dropped: reconciliation names exactly
// those two.
func TestInsuranceReconciled(t *testing.T) {
	h := startHostsim(t)
	po := startPostOffice(t)
	s := newRegionStation(t, po, h.url, "T0001", "山前村便民服务站")
	h.setClock(s.c.now)
	buy := func(sum string) []string {
		return s.op("insure", "buy", "--product", "farmhouse", "--holder", "王秀英", "--id", "411523198001011234", "--object", "砖木结构住房三间", "--sum", sum)
	}
	s.c.must(s.op("cash", "in", "--amount", "3000", "--reason", "float")...)
	sold := s.c.jsonOut(buy("100000")...)
	h.faults("policy_issue=drop#1")
	if r := s.c.run(buy("50000")...); r.code != exitFailed {
		t.Fatalf("a lost reply: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	h.faults("policy_issue=decline:P2#1")
	if r := s.c.run(buy("60000")...); r.code != exitFailed || !strings.Contains(r.stderr, "价目表可能过期了") {
		t.Fatalf("a decline: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	h.faults()
	other := s.c.jsonOut(buy("200000")...)
	s.c.jsonOut(s.op("insure", "cancel", "--policy", jsonNumber(other["seq"]))...)
	s.closeDay(t)
	day := "2026-11-20"
	if out := po.expect(0, "import", s.file(day)); !strings.Contains(out, "接受 1 个营业日") {
		t.Errorf("import:\n%s", out)
	}
	services := s.traces(t, day)
	if n := len(services); n != 5 {
		t.Errorf("%d traces, want 5 (four sales and a cancel): %v", n, services)
	}
	if out := po.expect(0, "reconcile", "--date", day, "--host-journal", h.journal); !strings.Contains(out, "相符 5 笔，异常 0 笔") || !strings.Contains(out, "全部相符") {
		t.Errorf("reconcile against the insurer's own journal:\n%s", out)
	}

	cancel := only(t, services, "policy_cancel")
	journal := editJournal(t, h.journal, cancel, "")
	data, err := os.ReadFile(journal)
	if err != nil {
		t.Fatal(err)
	}
	sale := sold["trace"].(string)
	var lines []string
	for _, l := range strings.SplitAfter(string(data), "\n") {
		if strings.Contains(l, `"trace":"`+sale+`"`) {
			l = strings.Replace(l, `"amount":"150.00"`, `"amount":"15.00"`, 1)
		}
		lines = append(lines, l)
	}
	if err := os.WriteFile(journal, []byte(strings.Join(lines, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	po.expect(poAttention, "reconcile", "--date", day, "--host-journal", journal)
	got := exceptions(t, filepath.Join(po.dir, "reconcile", "reconcile-20261120.csv"))
	want := map[string]string{sale: "amount_mismatch", cancel: "missing_at_host"}
	if !sameMap(got, want) {
		t.Errorf("exceptions %v, want %v", got, want)
	}
}

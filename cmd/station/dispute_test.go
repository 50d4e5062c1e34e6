package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// receiptCode is the verification code printed on the receipt of entry
// seq, as the villager's paper carries it.
func receiptCode(t *testing.T, s *regionStation, seq uint64) string {
	t.Helper()
	m := &Main{Getenv: func(k string) string { return s.c.env[k] }, Now: func() time.Time { return s.c.now }}
	st, err := m.openStation(s.dir, false)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := m.unlockOnly(st, ""); err != nil {
		t.Fatal(err)
	}
	r, err := st.Receipt(seq)
	if err != nil {
		t.Fatal(err)
	}
	return r.Code.String()
}

func mustContain(t *testing.T, what, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("%s says\n%s\nwant %q", what, out, w)
		}
	}
}

// TestDisputeThroughThePostOffice: a villager disputes a withdrawal (by
// its entry number) and a bill payment (by the code on the receipt); the
// disputes travel in the day file, the post office lists them, decides
// (a refund owed, none owed), the decisions come back over the network
// and on a USB stick, and the refund is paid once, with a receipt.
func TestDisputeThroughThePostOffice(t *testing.T) {
	h := startHostsim(t)
	po := startPostOffice(t)
	url := po.serve(t)
	s := newRegionStation(t, po, h.url, "T0001", "山前村便民服务站")
	h.setClock(s.c.now)
	s.c.must(s.op("cash", "in", "--amount", "3000", "--reason", "float")...)
	var w, b map[string]any
	jsonUnmarshal(t, s.c.must(s.op("withdraw", "--card", "6228480402564890018", "--amount", "500", "--json")...), &w)
	jsonUnmarshal(t, s.c.must(s.op("pay-bill", "--biller", "state-grid", "--account", "5100123456", "--amount", "80", "--json")...), &b)
	wSeq, bSeq := uint64(w["seq"].(float64)), uint64(b["seq"].(float64))

	out := s.c.must(s.op("dispute", "open", "--entry", strconv.FormatUint(wSeq, 10), "--says", "卡上扣了钱，没拿到现金")...)
	mustContain(t, "dispute open", out, "业务纠纷（第", "取款 ¥500.00", "顾客说：卡上扣了钱，没拿到现金", "本站账上：成功", "银行当时说：成功，¥500.00", "等邮政支局答复（2026-11-27 前）", "收据：")
	wDispute, _ := strconv.ParseUint(regexp.MustCompile(`记在账本第 (\d+) 笔`).FindStringSubmatch(out)[1], 10, 64)
	if _, err := os.Stat(filepath.Join(s.dir, "receipts", fmt.Sprintf("%06d.pdf", wDispute))); err != nil {
		t.Errorf("no receipt of the dispute: %v", err)
	}
	out = s.c.must(s.op("dispute", "open", "--entry", strconv.FormatUint(wSeq-1, 10), "--says", "再问一次")...)
	mustContain(t, "the same request disputed again", out, "已经登记过纠纷")

	// Refused: a code changed after printing, an entry with no trace, no
	// words; nothing recorded.
	before := len(entries(t, s.c, s.dir))
	code := receiptCode(t, s, bSeq)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--code", strings.Replace(code, "|80.00|", "|90.00|", 1), "--says", "钱不对"}, "对不上本站的印章"},
		{[]string{"--code", "BMR1|garbage", "--says", "钱不对"}, "读不出来"},
		{[]string{"--entry", "2", "--says", "钱不对"}, "没有流水号"},
		{[]string{"--entry", strconv.FormatUint(bSeq, 10)}, "--says"},
	} {
		r := s.c.run(s.op(append([]string{"dispute", "open"}, tc.args...)...)...)
		if r.code == 0 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("dispute open %v: exit %d\n%s%s\nwant %q", tc.args, r.code, r.stdout, r.stderr, tc.want)
		}
	}
	if after := len(entries(t, s.c, s.dir)); after != before {
		t.Fatalf("refused disputes recorded %d entries", after-before)
	}
	out = s.c.must(s.op("dispute", "open", "--code", code, "--says", "供电所说没收到")...)
	bDispute, _ := strconv.ParseUint(regexp.MustCompile(`记在账本第 (\d+) 笔`).FindStringSubmatch(out)[1], 10, 64)
	mustContain(t, "dispute open by code", out, "缴费", "¥80.00")

	s.closeDay(t)
	mustContain(t, "upload", s.c.must("upload", "--dir", s.dir, "--postoffice", url), "邮政已接收")

	// The reconciliation of the day shows both beside their requests, and
	// needs a person while they are open.
	out = po.expect(poAttention, "reconcile", "--date", "2026-11-20", "--host-journal", h.journal)
	mustContain(t, "postoffice reconcile", out, "业务纠纷（这一天的业务）", "T0001-000005：对账相符", "卡上扣了钱，没拿到现金", "未答复")

	// The post office sees both, refuses a refund above the amount, and
	// decides.
	mustContain(t, "postoffice dispute list", po.expect(0, "dispute", "list", "--open"), "T0001 第 "+strconv.FormatUint(wDispute, 10)+" 笔", "卡上扣了钱，没拿到现金", "供电所说没收到", "未答复")
	ws := strconv.FormatUint(wDispute, 10)
	mustContain(t, "a refund above the amount", po.expect(1, "dispute", "decide", "--station", "T0001", "--dispute", ws, "--refund", "500.01", "--reason", "多退"), "比有争议的金额 500.00 元还多")
	po.expect(2, "dispute", "decide", "--station", "T0001", "--dispute", ws, "--refund", "500", "--none", "--reason", "两个都给")
	mustContain(t, "decide", po.expect(0, "dispute", "decide", "--station", "T0001", "--dispute", ws, "--refund", "500.00", "--reason", "银行确认当时没有出钞"), "退 ¥500.00", "station dispute load")
	po.expect(0, "dispute", "decide", "--station", "T0001", "--dispute", strconv.FormatUint(bDispute, 10), "--none", "--reason", "供电所已于当天收到这笔电费")

	// The decisions come back over the network.
	s.c.now = s.c.now.Add(24 * time.Hour)
	out = s.c.must("upload", "--dir", s.dir)
	mustContain(t, "upload with decisions", out, "邮政支局答复了第 "+ws+" 笔纠纷：邮政支局答复：要退给顾客 ¥500.00", "不用退钱")
	// And on a USB stick: the same decision again changes nothing; a
	// changed one is refused.
	decisionFile := filepath.Join(po.dir, "disputes", "T0001-"+strings.Repeat("0", 6-len(ws))+ws+".decision")
	mustContain(t, "dispute load again", s.c.must("dispute", "load", "--dir", s.dir, "--operator", "OP1", decisionFile), "已经收下过了")
	data, _ := os.ReadFile(decisionFile)
	forged := filepath.Join(t.TempDir(), "forged.decision")
	os.WriteFile(forged, []byte(strings.Replace(string(data), "refund 500.00", "refund 400.00", 1)), 0o644)
	r := s.c.run("dispute", "load", "--dir", s.dir, "--operator", "OP1", forged)
	if r.code == 0 || !strings.Contains(r.stderr, "不是本站所属邮政支局签发的") {
		t.Errorf("a changed decision: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	var list struct {
		Disputes []struct {
			Seq, Decided uint64
			State        string
		}
	}
	jsonUnmarshal(t, s.c.must("dispute", "list", "--dir", s.dir, "--json"), &list)
	if len(list.Disputes) != 2 || list.Disputes[0].State != "refund" || list.Disputes[1].State != "none_owed" {
		t.Fatalf("dispute list: %+v", list)
	}
	mustContain(t, "dispute list", s.c.must("dispute", "list", "--dir", s.dir), "station refund --entry "+strconv.FormatUint(list.Disputes[0].Decided, 10), "不用退钱")
	cashBefore := s.cash(t)
	out = s.c.must(s.op("refund", "--entry", strconv.FormatUint(list.Disputes[0].Decided, 10))...)
	mustContain(t, "refund", out, "请退给顾客现金 ¥500.00", "收据：")
	// A second time records nothing and says no cash goes out again.
	again := s.c.must(s.op("refund", "--entry", strconv.FormatUint(list.Disputes[0].Decided, 10))...)
	mustContain(t, "refund again", again, "已经在第", "不要再给顾客现金")
	if strings.Contains(again, "请退给顾客现金") {
		t.Errorf("a refund paid already tells the shopkeeper to pay again:\n%s", again)
	}
	if got := s.cash(t); got != "2080.00" || cashBefore != "2580.00" {
		t.Errorf("cash %s before the refund and %s after (paid twice?), want 2580.00 and 2080.00", cashBefore, got)
	}
	mustContain(t, "dispute list after the refund", s.c.must("dispute", "list", "--dir", s.dir), "已退给顾客 ¥500.00")

	s.closeDay(t)
	s.c.must("upload", "--dir", s.dir)
	mustContain(t, "postoffice dispute list at the end", po.expect(0, "dispute", "list", "--station", "T0001"), "已退款给顾客", "服务站已收下答复（不用退钱）")
	s.c.must("ledger", "verify", "--dir", s.dir)
}

// cash is what the drawer should hold.
func (s *regionStation) cash(t *testing.T) string {
	t.Helper()
	var c map[string]any
	if err := json.Unmarshal([]byte(s.c.must("cash", "--dir", s.dir, "--json")), &c); err != nil {
		t.Fatal(err)
	}
	return c["cash"].(string)
}

// TestDisputeByHouseholdReceipt: a villager brings the one receipt printed
// for a household's contributions. Each member's payment went to the
// social-insurance host as a request of its own, so the shopkeeper is
// asked which member (the receipt's numbers), shown those the host was
// asked about; a member it refused, a number not on the receipt, and
// --member on another receipt are refused with nothing recorded. The
// member chosen is disputed; a household of one needs no choice.
func TestDisputeByHouseholdReceipt(t *testing.T) {
	h := startHostsim(t)
	po := startPostOffice(t)
	s := newRegionStation(t, po, h.url, "T0001", "山前村便民服务站")
	h.setClock(s.c.now)
	c := s.c
	c.must(s.op("cash", "in", "--amount", "1000", "--reason", "float")...)
	p := c.jsonOut(s.op("contribute", "pay", "--head", "王建国", "--member", "王建国,"+idHead+",medical",
		"--member", "李秀兰,"+idWife+",medical", "--member", "赵四,"+idOutsider+",medical")...)
	household, _ := strconv.ParseUint(jsonNumber(p["seq"]), 10, 64)
	code := receiptCode(t, s, household)
	var b map[string]any
	jsonUnmarshal(t, c.must(s.op("pay-bill", "--biller", "state-grid", "--account", "5100123456", "--amount", "80", "--json")...), &b)
	bill := jsonNumber(b["seq"])

	before := len(entries(t, c, s.dir))
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--code", code}, []string{"一户人家的缴费回执", "有 2 位家庭成员交给了社保", "1. 王建国（4115**********1234）城乡居民基本医疗保险 2027 年度，已缴 ¥400.00",
			"2. 李秀兰", "已缴 ¥100.00", "--member 1", "什么都没有记"}},
		{[]string{"--entry", strconv.FormatUint(household, 10)}, []string{"一户人家的缴费回执", "--member"}},
		{[]string{"--code", code, "--member", "3"}, []string{"第 3 位家庭成员（赵四）没有交给社保系统"}},
		{[]string{"--code", code, "--member", "9"}, []string{"没有第 9 位"}},
		{[]string{"--entry", bill, "--member", "1"}, []string{"不是一户人家的医保养老缴费回执"}},
	} {
		r := c.run(s.op(append([]string{"dispute", "open", "--says", "社保说没收到"}, tc.args...)...)...)
		if r.code == 0 {
			t.Errorf("dispute open %v: exit 0\n%s", tc.args, r.stdout)
			continue
		}
		mustContain(t, fmt.Sprint("dispute open ", tc.args), r.stderr, tc.want...)
		if strings.Contains(r.stderr, "没有流水号") {
			t.Errorf("dispute open %v is refused for want of a trace number:\n%s", tc.args, r.stderr)
		}
	}
	if n := len(entries(t, c, s.dir)); n != before {
		t.Fatalf("refused disputes recorded %d entries", n-before)
	}

	// The customer means 李秀兰.
	var dp map[string]any
	jsonUnmarshal(t, c.must(s.op("dispute", "open", "--code", code, "--member", "2", "--says", "社保说没收到", "--json")...), &dp)
	if dp["service"] != "contribution" || dp["amount"] != "100.00" || dp["station_state"] != "approved" || dp["added"] != true {
		t.Errorf("the dispute about member 2: %v", dp)
	}
	out := c.must(s.op("dispute", "open", "--code", code, "--member", "2", "--says", "再问一次")...)
	mustContain(t, "the same member again", out, "已经登记过纠纷")

	// A household of one: its receipt names the member.
	one := c.jsonOut(s.op("contribute", "pay", "--member", "王建国,"+idHead+",pension,300")...)
	seq, _ := strconv.ParseUint(jsonNumber(one["seq"]), 10, 64)
	out = c.must(s.op("dispute", "open", "--code", receiptCode(t, s, seq), "--says", "档次不对")...)
	mustContain(t, "a household of one", out, "业务纠纷（第", "顾客说：档次不对")
	c.must("ledger", "verify", "--dir", s.dir)
}

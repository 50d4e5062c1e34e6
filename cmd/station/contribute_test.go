package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/terminal"
)

// A household of the tests; the order codes (15th-17th characters) make
// the social host's categories (hostsim/social.go).
const (
	idHead     = "411523198001011234" // standard, born 1980
	idWife     = "411523198203159069" // 低保
	idGrandma  = "411523195207089260" // 特困, born 1952
	idOutsider = "411523198501019996" // not registered in this county
)

// TestContributionCLI collects a household's residents' insurance
// contributions through the command line against cmd/hostsim over HTTP:
// a quote, the refusals that name the member's row and the field and
// record nothing (a wrong check digit, a member twice, a grade the tariff
// has not, a closed window), a payment whose first member's reply is lost
// after the host took it (reversed, not charged) while the others are
// charged, the villagers the host refuses on the receipt uncharged. The
// day is closed and the post office reconciles every member against the
// social host's own journal; an amount altered in a copy of the journal
// is named.
func TestContributionCLI(t *testing.T) {
	h := startHostsim(t)
	po := startPostOffice(t)
	s := newRegionStation(t, po, h.url, "T0001", "山前村便民服务站")
	h.setClock(s.c.now)
	c := s.c
	b := books{}
	c.must(s.op("cash", "in", "--amount", "1000", "--reason", "float")...)
	b.move("1000.00", "assets:cash", "equity:owner")
	member := func(ms ...string) []string {
		var out []string
		for _, m := range ms {
			out = append(out, "--member", m)
		}
		return out
	}
	household := member("王建国,"+idHead+",medical", "李秀兰,"+idWife+",医保", "张桂英,"+idGrandma+",medical",
		"王建国,"+idHead+",pension,300", "赵四,"+idOutsider+",medical")
	contribute := func(verb string, args ...string) []string {
		return s.op(append([]string{"contribute", verb, "--head", "王建国"}, args...)...)
	}

	out := c.must(contribute("quote", household...)...)
	for _, want := range []string{"户主 王建国", "1. 王建国（4115**********1234）城乡居民基本医疗保险 2027 年度：一般人员，应缴 ¥400.00",
		"2. 李秀兰", "低保人员，应缴 ¥100.00", "特困人员，应缴 ¥0.00", "城乡居民基本养老保险 2026 年度：一般人员，档次 ¥300.00，应缴 ¥300.00",
		"5. 赵四", "社保系统不收（代码 C1：这个人不在本县参保登记", "共 4 人可以缴，合计 ¥800.00", "什么都没有记"} {
		if !strings.Contains(out, want) {
			t.Errorf("quote lacks %q:\n%s", want, out)
		}
	}

	// Bad input: one line naming the row and the field, nothing recorded.
	before := len(entries(t, c, s.dir))
	c.refused(exitFailed, "第 2 位家庭成员：身份证号码校验位不对", contribute("pay", member("王建国,"+idHead+",medical", "李秀兰,411523198203159068,medical")...)...)
	c.refused(exitFailed, "第 3 位家庭成员：“身份证号”填得不对：这个人的城乡居民基本医疗保险已经在第 1 位填过了",
		contribute("pay", member("王建国,"+idHead+",medical", "王建国,"+idHead+",pension,300", "王建国,"+idHead+",medical")...)...)
	c.refused(exitFailed, "第 1 位家庭成员：“缴费档次”填得不对：2026 年度的缴费档次只能是 200.00、300.00、500.00、1000.00、2000.00 元",
		contribute("pay", member("王建国,"+idHead+",pension,250")...)...)
	c.refused(exitFailed, "第 1 位家庭成员：“家庭成员”填得不对：要写成 姓名,身份证号,险种[,档次]", contribute("pay", member("王建国 "+idHead)...)...)
	c.refused(exitFailed, "“家庭成员”填得不对：请至少填一位家庭成员", contribute("pay")...)
	c.refused(exitFailed, "这一户没有一位能缴：第 1 位 赵四：社保系统不收（代码 C1", contribute("pay", member("赵四,"+idOutsider+",medical")...)...)
	if n := len(entries(t, c, s.dir)); n != before {
		t.Errorf("refused input recorded %d entries", n-before)
	}

	// The host cannot be reached: the quote says so, nothing recorded.
	h.faults("social=down")
	c.refused(exitFailed, "连不上社保系统（问第 1 位成员时），没有报价，什么都没有记", contribute("quote", household...)...)
	h.faults()

	// The first member's reply is lost after the host took it.
	h.faults("contribution=drop#1")
	p := c.jsonOut(contribute("pay", household...)...)
	h.faults()
	ms := p["members"].([]any)
	status := func(i int) string { return ms[i].(map[string]any)["status"].(string) }
	if p["total"] != "400.00" || p["commission"] != "6.00" || jsonNumber(p["paid"]) != "3" ||
		status(0) != "reversed" || status(1) != "paid" || status(2) != "paid" || status(3) != "paid" || status(4) != "refused" {
		t.Fatalf("payment %v", p)
	}
	b.move("400.00", "assets:cash", "postoffice:settlement")
	b.move("6.00", "postoffice:settlement", "income:commission:contribution")
	lost := ms[0].(map[string]any)["trace"].(string)
	if st := h.statuses(lost); strings.Join(st, " ") != "approved reversed" {
		t.Errorf("the social host's journal for the lost reply %s: %v", lost, st)
	}
	receipt := p["receipt"].(string)
	if receipt == "" {
		t.Fatal("no receipt")
	}

	// The receipt as the shopkeeper prints it.
	text := c.must(s.op("receipt", "--seq", jsonNumber(p["seq"]), "--text")...)
	for _, want := range []string{"城乡居民医保养老保险代收回执", "户主", "1. 王建国", "社保未回音，已冲正", "2. 李秀兰", "低保", "¥100.00",
		"3. 张桂英", "特困", "4. 王建国", "城乡居民基本养老保险", "2026年度", "确认号", "5. 赵四", "社保拒收：未在本县参保登记", "¥400.00", "肆佰元整", "共 3 人缴费成功"} {
		if !strings.Contains(text, want) {
			t.Errorf("receipt lacks %q:\n%s", want, text)
		}
	}

	// The head pays his medical contribution again, now without a fault.
	again := c.jsonOut(contribute("pay", member("王建国,"+idHead+",medical")...)...)
	if again["total"] != "400.00" || jsonNumber(again["paid"]) != "1" {
		t.Fatalf("again %v", again)
	}
	b.move("400.00", "assets:cash", "postoffice:settlement")
	b.move("2.00", "postoffice:settlement", "income:commission:contribution")

	c.must("ledger", "verify", "--dir", s.dir)
	checkBooks(t, c, s.dir, b)
	for _, f := range []string{"ledger.db", "pending.db"} {
		data, _ := os.ReadFile(filepath.Join(s.dir, f))
		if strings.Contains(string(data), idHead) || strings.Contains(string(data), idWife) {
			t.Errorf("%s holds a full ID number", f)
		}
	}

	// The post office reconciles every member against the host's journal.
	s.closeDay(t)
	day := "2026-11-20"
	if out := po.expect(0, "import", s.file(day)); !strings.Contains(out, "接受 1 个营业日") {
		t.Errorf("import:\n%s", out)
	}
	if n := len(s.traces(t, day)); n != 5 {
		t.Errorf("%d traces, want 5 (four members asked, one again)", n)
	}
	if out := po.expect(0, "reconcile", "--date", day, "--host-journal", h.journal); !strings.Contains(out, "相符 5 笔，异常 0 笔") {
		t.Errorf("reconcile against the social host's journal:\n%s", out)
	}
	wife := ms[1].(map[string]any)["trace"].(string)
	data, err := os.ReadFile(h.journal)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.SplitAfter(string(data), "\n") {
		if strings.Contains(l, `"trace":"`+wife+`"`) {
			l = strings.Replace(l, `"amount":"100.00"`, `"amount":"10.00"`, 1)
		}
		lines = append(lines, l)
	}
	journal := filepath.Join(t.TempDir(), "journal.jsonl")
	if err := os.WriteFile(journal, []byte(strings.Join(lines, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	po.expect(poAttention, "reconcile", "--date", day, "--host-journal", journal)
	got := exceptions(t, filepath.Join(po.dir, "reconcile", "reconcile-20261120.csv"))
	if want := map[string]string{wife: "amount_mismatch"}; !sameMap(got, want) {
		t.Errorf("exceptions %v, want %v", got, want)
	}
}

// FuzzParseMember: any text given as --member is read or refused with a
// *terminal.MemberError naming its row, never a panic; what is read has
// the three parts the flag's rule asks for.
func FuzzParseMember(f *testing.F) {
	for _, s := range []string{"王建国," + idHead + ",medical", "李秀兰，" + idWife + "，pension，300", "王建国," + idHead + ",pension,３００.５０",
		"a,b", ",,,", "王建国," + idHead + ",pension,1e3", strings.Repeat("王,", 80)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := parseMember(3, s)
		if err != nil {
			var me *terminal.MemberError
			if !errors.As(err, &me) || me.Row != 3 {
				t.Fatalf("%q: %v is not the row's error", s, err)
			}
			return
		}
		if m.Name == "" || m.IDNumber == "" || m.Scheme == "" || m.Grade.IsNegative() {
			t.Fatalf("%q read as %+v", s, m)
		}
	})
}

// A household stopped after some members were paid (here by a full disk)
// says first who was paid and the cash to take for them, then why the
// rest were not.
func TestHouseholdStoppedHalfwaySaysWhoPaid(t *testing.T) {
	m := &Main{Getenv: func(string) string { return "" }, Now: time.Now}
	err := &terminal.HouseholdPartError{
		Charged: []terminal.MemberLine{{Row: 1, Name: "王建国", Entry: 12, Amount: decimal.RequireFromString("300.00")}},
		Total:   decimal.RequireFromString("300.00"),
		Err:     fmt.Errorf("terminal: contribution, member 2: ledger: prepare: %w", syscall.ENOSPC),
	}
	msg, code := m.explain(err)
	for _, want := range []string{"已缴成功 1 人：第 1 位 王建国（收据在账本第 12 笔）", "请只收这几位的现金 ¥300.00", "其余成员没有缴成：存储空间满了"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q does not say %q", msg, want)
		}
	}
	if code != exitFailed {
		t.Errorf("exit %d", code)
	}
}

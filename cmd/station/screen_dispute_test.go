package main

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/villagepost/bianmin/keyfile"
)

// signInOwner signs OP1 in on the screen.
func (s *screen) signInOwner() {
	s.t.Helper()
	s.open("/", "f-pin")
	s.do(chromedp.Click(chromedp.CSS(`input[value=OP1]`)), chromedp.Click(chromedp.ID("f-pin")), chromedp.KeyEvent(ownerPIN+"\r"),
		chromedp.WaitVisible(chromedp.ID("go-withdraw")), ready)
}

// TestScreenDispute: a villager disputes a withdrawal at the counter; the
// shopkeeper registers it on the screen by the receipt's code (a changed
// code and an empty form refused, the same request again shown as
// registered), the day goes to the post office, the post office decides
// a refund is owed, the decision arrives by the screen's own link, the
// start screen says so, and the refund is paid on the 业务纠纷 page once,
// with a receipt: a second press, from another tab still showing the
// button, says it was paid and pays nothing.
func TestScreenDispute(t *testing.T) {
	h := startHostsim(t)
	po := startPostOffice(t)
	url := po.serve(t)
	rs := newRegionStation(t, po, h.url, "T0001", "山前村便民服务站")
	h.setClock(rs.c.now)
	rs.c.must(rs.op("cash", "in", "--amount", "3000", "--reason", "float")...)
	var w map[string]any
	jsonUnmarshal(t, rs.c.must(rs.op("withdraw", "--card", "6228480402564890018", "--amount", "500", "--json")...), &w)
	wSeq := uint64(w["seq"].(float64))
	code := receiptCode(t, rs, wSeq)

	var out bytes.Buffer
	main := func(at time.Time) *Main {
		return &Main{Stdout: &out, Stderr: &out, Getenv: func(k string) string { return rs.c.env[k] },
			Now: func() time.Time { return at }, KeyParams: keyfile.FastParams()}
	}
	s := serveScreen(t, main(rs.c.now), serveOptions{dir: rs.dir, drainEvery: time.Hour})
	s.signInOwner()
	s.click("go-disputes", "no-disputes")
	s.click("go-dispute-new", "f-code")
	s.click("check", "e-entry")
	s.says("e-entry", "请填收据上的账本序号")
	s.says("e-says", "顾客说")
	s.fill("f-code", strings.Replace(code, "|500.00|", "|600.00|", 1))
	s.fill("f-says", "卡上扣了钱，没拿到现金")
	s.click("check", "e-code")
	s.says("e-code", "对不上本站的印章")
	s.fill("f-code", code)
	s.click("check", "c-amount")
	s.says("c-amount", "¥500.00")
	s.says("main", "第 "+strconv.FormatUint(wSeq, 10)+" 笔 助农取款")
	s.says("main", "顾客说：卡上扣了钱，没拿到现金")
	s.says("main", "本站账上：成功")
	s.says("main", "银行现在说：成功，¥500.00")
	s.says("main", "邮政支局会在 2026-11-27 前答复")
	s.everyPage("zh", "dispute confirmation")
	s.click("confirm", "r-big")
	s.says("r-big", "现在不要付钱")
	s.says("receipt-frame", "业务纠纷")
	m := regexp.MustCompile(`已登记业务纠纷（第 (\d+) 笔）`).FindStringSubmatch(s.page())
	if m == nil {
		t.Fatalf("the outcome names no dispute entry:\n%s", s.page())
	}
	dispute := m[1]
	s.everyPage("zh", "dispute registered")

	// The same request again, by its entry number: shown, not recorded.
	s.open("/dispute", "f-entry")
	s.fill("f-entry", strconv.FormatUint(wSeq, 10))
	s.fill("f-says", "又来问了")
	s.click("check", "form-error")
	s.says("form-error", "已经登记过纠纷（第 "+dispute+" 笔）")
	s.open("/disputes", "dispute-"+dispute)
	s.says("dispute-"+dispute, "等邮政支局答复（2026-11-27 前）")
	s.everyPage("zh", "disputes waiting")
	s.stop()

	// The day goes to the post office, which decides a refund is owed.
	rs.closeDay(t)
	mustContain(t, "upload", rs.c.must("upload", "--dir", rs.dir, "--postoffice", url), "邮政已接收")
	po.expect(0, "dispute", "decide", "--station", "T0001", "--dispute", dispute, "--refund", "500.00", "--reason", "银行确认当时没有出钞")

	// The next morning the screen's link brings the decision by itself.
	s = serveScreen(t, main(rs.c.now.Add(24*time.Hour)), serveOptions{dir: rs.dir, drainEvery: time.Hour, postoffice: url})
	stop, once := s.stop, sync.Once{}
	s.stop = func() { once.Do(stop) }
	defer s.stop()
	s.signInOwner()
	for i := 0; ; i++ {
		if ok := eval[bool](s, `!!document.getElementById('dispute-news')`); ok {
			break
		} else if i == 100 {
			t.Fatalf("the start screen says nothing of the decision:\n%s", s.page())
		}
		time.Sleep(100 * time.Millisecond)
		s.open("/", "go-withdraw")
	}
	s.says("dispute-news", "1 笔要退钱给顾客")
	s.everyPage("zh", "start with a decision")
	s.click("go-disputes", "dispute-"+dispute)
	s.says("dispute-"+dispute, "要退给顾客 ¥500.00（银行确认当时没有出钞）")
	s.everyPage("zh", "disputes with a refund owed")
	refund := strings.TrimPrefix(eval[string](s, `document.querySelector('button[id^=refund-]').id`), "refund-")

	// Another tab shows the same list, with the refund button: its form,
	// with its own key, kept to be pressed after this one.
	otherTab := eval[string](s, `document.getElementById('refund-`+refund+`').form.outerHTML`)
	if eval[string](s, `document.getElementById('refund-`+refund+`').form.querySelector('[name=key]').value`) == "" {
		t.Fatal("the refund button's form carries no key")
	}
	s.open("/disputes", "refund-"+refund)

	s.click("refund-"+refund, "r-big")
	s.says("r-big", "请退给顾客现金 ¥500.00")
	s.says("receipt-frame", "退款")
	paid := regexp.MustCompile(`记在账本第 (\d+) 笔`).FindStringSubmatch(s.text("main"))
	if paid == nil {
		t.Fatalf("the refund outcome names no entry:\n%s", s.page())
	}
	s.everyPage("zh", "dispute refund paid")
	s.open("/disputes", "dispute-"+dispute)
	eval[bool](s, `(() => { const d = document.createElement('div'); d.innerHTML = `+strconv.Quote(otherTab)+`; document.getElementById('main').appendChild(d); return true; })()`)
	s.click("refund-"+refund, "r-big")
	s.says("r-big", "不要再给现金")
	s.says("main", "已在账本第 "+paid[1]+" 笔付过 ¥500.00")
	s.open("/disputes", "dispute-"+dispute)
	s.says("dispute-"+dispute, "已退给顾客 ¥500.00（第 "+paid[1]+" 笔）")
	if eval[bool](s, `!!document.querySelector('button[id^=refund-]')`) {
		t.Error("the refund paid still has its button")
	}
	s.do(chromedp.Click(chromedp.ID("lang")), chromedp.WaitReady(chromedp.CSS("html[lang=en]")), ready)
	s.open("/disputes", "dispute-"+dispute)
	s.says("dispute-"+dispute, "Refunded ¥500.00")
	s.everyPage("en", "disputes")
	s.open("/dispute", "f-code")
	s.everyPage("en", "dispute form")
	s.stop()

	n := 0
	for _, e := range entries(t, rs.c, rs.dir) {
		if e["kind"] == "refund_paid" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d refunds paid, want 1", n)
	}
	rs.c.now = rs.c.now.Add(24 * time.Hour)
	rs.c.must("ledger", "verify", "--dir", rs.dir)
}

// TestScreenDisputeByHouseholdReceipt: the code of a household's
// contribution receipt is typed on the screen. It is not refused for want
// of a trace number: the shopkeeper is asked which member the customer
// means, from those the social-insurance host was asked about, and the
// dispute registered is about that member's own payment.
func TestScreenDisputeByHouseholdReceipt(t *testing.T) {
	h := startHostsim(t)
	po := startPostOffice(t)
	rs := newRegionStation(t, po, h.url, "T0001", "山前村便民服务站")
	h.setClock(rs.c.now)
	rs.c.must(rs.op("cash", "in", "--amount", "1000", "--reason", "float")...)
	p := rs.c.jsonOut(rs.op("contribute", "pay", "--head", "王建国", "--member", "王建国,"+idHead+",medical",
		"--member", "李秀兰,"+idWife+",medical", "--member", "赵四,"+idOutsider+",medical")...)
	household, _ := strconv.ParseUint(jsonNumber(p["seq"]), 10, 64)
	code := receiptCode(t, rs, household)

	var out bytes.Buffer
	m := &Main{Stdout: &out, Stderr: &out, Getenv: func(k string) string { return rs.c.env[k] },
		Now: func() time.Time { return rs.c.now }, KeyParams: keyfile.FastParams()}
	s := serveScreen(t, m, serveOptions{dir: rs.dir, drainEvery: time.Hour})
	defer s.stop()
	s.signInOwner()
	s.open("/dispute", "f-code")
	s.fill("f-code", code)
	s.fill("f-says", "社保说没收到")
	s.click("check", "e-member")
	s.says("e-member", "请问顾客说的是哪一位")
	s.says("members", "1. 王建国（4115**********1234）城乡居民基本医疗保险 2027 年度，已缴 ¥400.00")
	s.says("members", "2. 李秀兰")
	if strings.Contains(s.text("members"), "赵四") {
		t.Errorf("a member the host refused at the lookup is offered:\n%s", s.text("members"))
	}
	if strings.Contains(s.page(), "没有流水号") {
		t.Errorf("the household receipt is refused for want of a trace number:\n%s", s.page())
	}
	s.accessible("dispute, which member")
	if v := eval[string](s, `document.getElementById('f-code').value`); v != code {
		t.Errorf("the code typed was not kept: %q", v)
	}
	s.do(chromedp.Click(chromedp.ID("member-2")))
	s.click("check", "c-amount")
	s.says("c-amount", "¥100.00")
	s.says("main", "回执第 "+strconv.FormatUint(household, 10)+" 笔上的第 2 位家庭成员：李秀兰")
	s.says("main", "社保系统现在说：成功")
	if n := s.count("dispute"); n != 0 {
		t.Fatalf("%d disputes before the confirmation", n)
	}
	s.click("confirm", "r-big")
	s.says("r-big", "现在不要付钱")
	s.says("result", "医保")
	if n := s.count("dispute"); n != 1 {
		t.Errorf("%d disputes, want 1", n)
	}
	// In English: the same choice, in English words.
	s.do(chromedp.Click(chromedp.ID("lang")), chromedp.WaitReady(chromedp.CSS("html[lang=en]")), ready)
	s.open("/dispute", "f-code")
	s.fill("f-code", code)
	s.fill("f-says", "the social insurance office has no record")
	s.click("check", "e-member")
	s.says("e-member", "ask the customer which one")
	s.says("members", "1. 王建国 (4115**********1234) 城乡居民基本医疗保险 2027, paid ¥400.00")
	s.everyPage("en", "dispute, which member")

	list, err := s.d.Services().Disputes.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Service != "contribution" || list[0].Amount.StringFixed(2) != "100.00" || list[0].Disputed == household {
		t.Errorf("the dispute registered: %+v", list)
	}
}

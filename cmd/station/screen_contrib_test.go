package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/villagepost/bianmin/hostsim"
	"github.com/villagepost/bianmin/keyfile"
)

// openScreenAt is openScreen with the station's clock at now.
func openScreenAt(t *testing.T, now time.Time) *screen {
	t.Helper()
	var out bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out, Getenv: func(string) string { return "" },
		Now: func() time.Time { return now }, KeyParams: keyfile.FastParams()}
	dir := filepath.Join(t.TempDir(), "demo")
	if err := m.ensureDemo(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	return serveScreen(t, m, serveOptions{dir: dir, demo: true, drainEvery: time.Hour})
}

// TestScreenContributions collects a household's residents' medical and
// pension insurance contributions on the screen in a real browser: a row
// added by a plain form post, a wrong check digit and a member listed
// twice refused next to the member's field with what was typed kept, the
// quote with a member the host refuses (C1), a payment sent twice whose
// first member's reply is lost (reversed, not charged) while the others
// are paid once, the household receipt; then the same in English.
func TestScreenContributions(t *testing.T) {
	s := openScreen(t)
	defer s.stop()
	s.signIn("OP2", demoClerkPIN)
	s.click("go-contribute", "f-name1")
	if got := s.text("main"); strings.Contains(got, "不在缴费期") {
		t.Errorf("on 2026-11-20 both windows are open, the page says:\n%s", got)
	}
	s.accessible("contributions")
	s.shot("contribute")

	// The first member, then a second row by a plain post: the first
	// member kept.
	s.fill("f-head", "王建国")
	s.fill("f-name1", "王建国")
	s.fill("f-id1", idHead)
	s.click("add-row", "f-name2")
	if v := eval[string](s, `document.getElementById('f-id1').value`); v != idHead {
		t.Errorf("adding a row lost the first member's ID number: %q", v)
	}
	// A wrong check digit: refused next to the second member's ID.
	s.fill("f-name2", "李秀兰")
	s.fill("f-id2", "411523198203159068")
	s.click("check", "e-id2")
	s.says("e-id2", "第 2 位家庭成员")
	s.says("e-id2", "校验位不对")
	s.accessible("contributions with an error")
	if v := eval[string](s, `document.getElementById('f-name2').value`); v != "李秀兰" {
		t.Errorf("the name typed was not kept: %q", v)
	}
	// The same person twice for one scheme.
	s.fill("f-id2", idHead)
	eval[bool](s, `(() => { document.getElementById('e-id2').remove(); return true; })()`) // wait for the new page's
	s.click("check", "e-id2")
	s.says("e-id2", "已经在第 1 位填过了")

	// The household: a pension with its grade, and one the host refuses.
	s.fill("f-id2", idWife)
	s.click("add-row", "f-name3")
	s.fill("f-name3", "王建国")
	s.fill("f-id3", idHead)
	s.do(chromedp.SetValue(chromedp.ID("f-scheme3"), "pension"), chromedp.SetValue(chromedp.ID("f-grade3"), "300.00"))
	s.click("add-row", "f-name4")
	s.fill("f-name4", "赵四")
	s.fill("f-id4", idOutsider)
	if v := eval[string](s, `document.getElementById('f-grade3').value`); v != "300.00" {
		t.Errorf("adding a row lost the third member's grade: %q", v)
	}
	s.click("check", "c-amount")
	s.says("c-amount", "¥800.00")
	s.says("c-capital", "捌佰元整")
	for _, want := range []string{"户主 王建国", "1. 王建国（4115**********1234）城乡居民基本医疗保险 2027 年度：一般人员，应缴 ¥400.00",
		"低保人员，应缴 ¥100.00", "档次 ¥300.00，应缴 ¥300.00", "4. 赵四", "代码 C1：这个人不在本县参保登记", "共 3 人可以缴"} {
		if got := s.text("main"); !strings.Contains(got, want) {
			t.Errorf("the quote lacks %q:\n%s", want, got)
		}
	}
	s.says("confirm", "确认收款并缴费")
	s.accessible("contribution quote")
	s.shot("contribute-confirm")
	if n := s.count("contribution"); n != 0 {
		t.Errorf("the quote recorded %d contributions", n)
	}
	// Back to the form and again: every member as typed.
	s.click("change", "f-name4")
	if v := eval[string](s, `['f-name4', 'f-id3', 'f-scheme3', 'f-grade3'].map(id => document.getElementById(id).value).join('|')`); v != "赵四|"+idHead+"|pension|300.00" {
		t.Errorf("back from the quote, the form holds %q", v)
	}
	s.click("check", "c-amount")
	s.says("c-amount", "¥800.00")

	// The first member's reply is lost after the host took it; the form
	// is sent three times (a double click, a reload): paid once.
	if err := s.sim.SetFaults(hostsim.Fault{Target: "contribution", Mode: hostsim.FaultDrop, Count: 1}); err != nil {
		t.Fatal(err)
	}
	eval[bool](s, `(async () => { const f = document.querySelector('form.card');
		for (let i = 0; i < 2; i++) await fetch(f.action, {method: 'POST', body: new URLSearchParams(new FormData(f))});
		return true; })()`)
	s.click("confirm", "r-big")
	s.says("title", "缴费成功 2 人")
	s.says("r-big", "收现金 ¥400.00")
	for _, want := range []string{"1. 王建国", "没有收到社保系统的回音，已冲正", "不收这个人的钱", "低保人员，已缴 ¥100.00，确认号 ",
		"档次 ¥300.00，已缴 ¥300.00，确认号 ", "代码 C1", "没有缴成的成员没有收钱"} {
		if got := s.text("result"); !strings.Contains(got, want) {
			t.Errorf("the outcome lacks %q:\n%s", want, got)
		}
	}
	s.says("receipt-frame", "王建国")
	s.accessible("contributions paid")
	s.shot("contribute-done")
	if n := s.count("contribution"); n != 2 {
		t.Errorf("%d members charged, want 2 (the lost reply reversed, paid once though sent three times)", n)
	}
	if n := s.count("contribution_household"); n != 1 {
		t.Errorf("%d household receipts, want 1", n)
	}
	s.click("receipt-link", "receipt-frame")
	s.says("receipt-frame", "赵四")

	// In English: a household the host takes no one of.
	s.open("/contribute", "f-name1")
	s.do(chromedp.Click(chromedp.ID("lang")), chromedp.WaitReady(chromedp.CSS("html[lang=en]")), ready)
	s.open("/contribute", "f-name1")
	s.says("main", "Residents' medical and pension insurance")
	s.fill("f-name1", "赵四")
	s.fill("f-id1", idOutsider)
	s.click("check", "form-error")
	s.says("form-error", "takes none of them")
	s.says("form-error", "code C1")
	s.plain("contributions in English")
	if n := s.count("contribution_household"); n != 1 {
		t.Errorf("%d household receipts after a household no one of was taken, want 1", n)
	}
}

// TestScreenContributionWindow opens the screen on a day the medical
// window has not opened yet: the page says which year closed when and
// when the next opens, and offers only the pension.
func TestScreenContributionWindow(t *testing.T) {
	s := openScreenAt(t, time.Date(2026, 8, 15, 9, 30, 0, 0, time.UTC))
	defer s.stop()
	s.signIn("OP2", demoClerkPIN)
	s.click("go-contribute", "f-name1")
	s.says("closed", "城乡居民基本医疗保险现在不在缴费期")
	s.says("closed", "2027 年度从 2026年9月1日开始缴费")
	if got := eval[string](s, `[...document.querySelectorAll('#f-scheme1 option')].map(o => o.value).join(',')`); got != "pension" {
		t.Errorf("the schemes offered: %q, want only pension", got)
	}
	if got := eval[string](s, `[...document.querySelectorAll('#f-grade1 option')].map(o => o.value).join(',')`); got != "200.00,300.00,500.00,1000.00,2000.00" {
		t.Errorf("the grades offered with only the pension open: %q", got)
	}
	s.accessible("contributions, medical closed")
	s.shot("contribute-closed")
}

// fitJS lists the drop-down choices of the page whose text does not fit
// whole in their box: each option's text as the select draws it, plus
// the select's padding and arrow, against its width.
const fitJS = `(() => {
  const out = [];
  const c = document.createElement('canvas').getContext('2d');
  for (const sel of document.querySelectorAll('main select')) {
    const cs = getComputedStyle(sel);
    c.font = cs.fontWeight + ' ' + cs.fontSize + ' ' + cs.fontFamily;
    const room = sel.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) - 24; // the arrow
    for (const o of sel.options) {
      const w = c.measureText(o.text.trim()).width;
      if (w > room) out.push(sel.id + ': ' + o.text.trim() + ' needs ' + Math.round(w) + ' px, has ' + Math.round(room));
    }
  }
  return out;
})()`

// TestScreenHouseholdOnATablet fills a household of four on a tablet's
// 800×600 screen: the next step is in sight without scrolling, no target
// is too close to another, and every scheme's name is drawn whole.
func TestScreenHouseholdOnATablet(t *testing.T) {
	s := openScreen(t)
	defer s.stop()
	s.tabletOnly = true
	s.do(chromedp.EmulateViewport(800, 600))
	s.signIn("OP2", demoClerkPIN)
	s.open("/contribute", "f-name1")
	for i := 2; i <= 4; i++ {
		s.fill("f-name"+strconv.Itoa(i-1), "王建国")
		s.click("add-row", "f-name"+strconv.Itoa(i))
	}
	s.tablet("household of four")
	// The bar that sticks to the bottom holds 下一步 on one line, not two
	// big buttons stacked over the members' fields.
	if h := eval[float64](s, `document.getElementById('check').closest('.row').getBoundingClientRect().height`); h > 100 {
		t.Errorf("at 800×600 the bar with 下一步 is %.0f px high, over a sixth of the screen", h)
	}
	if got := eval[[]string](s, fitJS); len(got) > 0 {
		t.Errorf("at 800×600 the household form cuts names short:\n%s", strings.Join(got, "\n"))
	}
	// At the bottom of the form as well as the top.
	eval[bool](s, `(() => { window.scrollTo(0, document.body.scrollHeight); return true; })()`)
	s.tablet("household of four scrolled down")
	if !eval[bool](s, `(() => { const r = document.getElementById('check').getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; })()`) {
		t.Error("scrolled to the last member, 下一步 is out of sight")
	}
}

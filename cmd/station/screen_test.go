package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/villagepost/bianmin/hostsim"
	"github.com/villagepost/bianmin/internal/toolcheck"
	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/shopfront"
	"github.com/villagepost/bianmin/web"
)

var updateScreens = flag.Bool("update-screens", false, "write the screenshots of docs/screens")

// screen is the web UI of a demo station served on loopback, and a
// headless Chromium looking at it at 1024×600.
type screen struct {
	t    *testing.T
	url  string
	dir  string
	sim  *hostsim.Sim
	d    *shopfront.Desk // the station the screen serves
	ctx  context.Context // the browser tab
	stop func()
	// noShots: this walk writes no screenshot under -update-screens
	// (a second language's walk of the same pages).
	noShots bool
	// tabletOnly: the browser stays at 800×600 after tablet measures a
	// page, so that every page opens at that size as on a tablet (a
	// page opened larger and then shrunk is laid out differently).
	tabletOnly bool
}

// openScreen creates a demo station with a fixed clock, serves its screen
// on 127.0.0.1 and starts Chromium.
func openScreen(t *testing.T) *screen {
	t.Helper()
	now := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	var out bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out, Getenv: func(string) string { return "" },
		Now: func() time.Time { return now }, KeyParams: keyfile.FastParams()}
	dir := filepath.Join(t.TempDir(), "demo")
	if err := m.ensureDemo(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	return serveScreen(t, m, serveOptions{dir: dir, demo: true, drainEvery: time.Hour})
}

// serveScreen serves the screen of the station o names on 127.0.0.1 and
// starts Chromium.
func serveScreen(t *testing.T, m *Main, o serveOptions) *screen {
	t.Helper()
	chromium := toolcheck.Require(t, "chromium", "chromium")
	ctx, cancel := context.WithCancel(context.Background())
	dir := o.dir
	d, err := m.openDesk(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(d, &web.Options{Now: m.Now, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- m.serveOn(ctx, d, srv, ln, o) }()

	actx, acancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.WindowSize(1024, 600))
	bctx, bcancel := chromedp.NewContext(actx)
	bctx, tcancel := context.WithTimeout(bctx, 5*time.Minute)
	sim, _ := d.Host().(*hostsim.Sim) // nil with an outside host
	s := &screen{t: t, url: "http://" + ln.Addr().String(), dir: dir, sim: sim, ctx: bctx, d: d}
	s.stop = func() {
		tcancel()
		bcancel()
		acancel()
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
		d.Counter.Close()
	}
	// The first action starts the browser, which lives as long as the
	// context it ran on: the test's, not one step's.
	if err := chromedp.Do(bctx, chromedp.EmulateViewport(1024, 600)); err != nil {
		s.stop()
		t.Fatal(err)
	}
	return s
}

func (s *screen) do(steps ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, 45*time.Second) // generous: a shared 2-core CI machine under load
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		s.t.Fatalf("%v; the page:\n%s", err, s.page())
	}
}

// page says where the browser is and what it shows, for a failure.
func (s *screen) page() string {
	ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`))
	if err != nil {
		return err.Error()
	}
	return v
}

// ready waits for the page's own word that it is ready (app.js marks
// html[data-ready] once the stylesheet and scripts have loaded): an
// element can be visible before the stylesheet applies, and a page
// measured then has the browser's default sizes.
var ready = chromedp.WaitReady(chromedp.CSS("html[data-ready]"))

func (s *screen) open(path string, wait string) {
	s.t.Helper()
	s.do(chromedp.Navigate(s.url+path), chromedp.WaitVisible(chromedp.ID(wait)), ready)
}

// click clicks a control and waits for an element of the page that follows.
func (s *screen) click(id, wait string) {
	s.t.Helper()
	s.do(chromedp.Click(chromedp.ID(id)), chromedp.WaitVisible(chromedp.ID(wait)), ready)
}

func (s *screen) fill(id, text string) {
	s.t.Helper()
	s.set(id, "")
	s.do(chromedp.SendKeys(chromedp.ID(id), text))
}

// set sets a field's value as a picker (date, list) would.
func (s *screen) set(id, value string) {
	s.t.Helper()
	eval[bool](s, fmt.Sprintf(`(() => { const el = document.getElementById(%q); el.value = %q; return el.value === %q; })()`, id, value, value))
}

func (s *screen) text(id string) string {
	s.t.Helper()
	v, err := chromedp.Run(s.ctx, chromedp.Text(chromedp.ID(id)))
	if err != nil {
		s.t.Fatal(err)
	}
	return v
}

func eval[T any](s *screen, js string) T {
	s.t.Helper()
	v, err := chromedp.Run(s.ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		s.t.Fatalf("%s: %v", js, err)
	}
	return v
}

// says fails unless the element id says want.
func (s *screen) says(id, want string) {
	s.t.Helper()
	if got := s.text(id); !strings.Contains(got, want) {
		s.t.Errorf("#%s says %q, want %q", id, got, want)
	}
}

// shot writes a screenshot of the page as docs/screens/name.png under
// -update-screens (scripts/screens.sh).
func (s *screen) shot(name string) {
	s.t.Helper()
	if !*updateScreens || s.noShots {
		return
	}
	// Pictures are taken at 1280×800, and the tablet's (tablet-*) at
	// 800×600, whatever size the test was measuring at.
	w, h := int64(1280), int64(800)
	if strings.HasPrefix(name, "tablet-") {
		w, h = 800, 600
	}
	was := eval[[]int64](s, `[window.innerWidth, window.innerHeight]`)
	s.do(chromedp.EmulateViewport(w, h), ready)
	b, err := chromedp.Run(s.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		s.t.Fatal(err)
	}
	if len(was) == 2 && (was[0] != w || was[1] != h) {
		s.do(chromedp.EmulateViewport(was[0], was[1]))
	}
	if err := os.WriteFile(filepath.Join("..", "..", "docs", "screens", name+".png"), b, 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// a11yJS lists what breaks the elder-friendly rules on the page: a
// control without a label or name, a target under 60 px, text under
// 18 pt (24 px), contrast under 4.5:1, a control the keyboard cannot
// reach.
const a11yJS = `(() => {
  const bad = [];
  const shown = el => { const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && cs.display !== 'none' && !el.closest('.sr'); };
  const name = el => (el.id || el.name || el.textContent.trim().slice(0, 20));
  for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
    if (!(el.labels && el.labels.length) && !el.getAttribute('aria-label')) bad.push('no label: ' + name(el));
  }
  for (const el of document.querySelectorAll('button, a[href], iframe')) {
    if (!(el.textContent.trim() || el.getAttribute('aria-label') || el.title)) bad.push('no name: ' + el.outerHTML.slice(0, 80));
  }
  for (const el of document.querySelectorAll('button, a[href], input:not([type=hidden]), select, textarea')) {
    if (!shown(el)) continue;
    if (el.tabIndex < 0 || el.disabled) bad.push('not reachable by keyboard: ' + name(el));
    let t = el;
    if (el.matches('input[type=radio], input[type=checkbox]')) {
      t = el.closest('label');
      if (!t) { bad.push('radio without a label around it: ' + name(el)); continue; }
    }
    const r = t.getBoundingClientRect();
    if (r.height < 60 || r.width < 60) bad.push('target ' + Math.round(r.width) + '×' + Math.round(r.height) + ' px: ' + name(el));
  }
  const rgb = s => { const m = s.match(/[\d.]+/g).map(Number); return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1}; };
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const background = el => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor); if (c.a > 0.5) return c; } return {r: 255, g: 255, b: 255, a: 1}; };
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walk.nextNode()) {
    const el = walk.currentNode.parentElement;
    if (!walk.currentNode.textContent.trim() || seen.has(el) || !shown(el) || el.closest('[aria-hidden=true]')) continue;
    seen.add(el);
    const cs = getComputedStyle(el);
    if (parseFloat(cs.fontSize) < 24) bad.push('text ' + cs.fontSize + ': ' + el.textContent.trim().slice(0, 30));
    const fg = lum(rgb(cs.color)), bg = lum(background(el));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    if (ratio < 4.5) bad.push('contrast ' + ratio.toFixed(2) + ': ' + el.textContent.trim().slice(0, 30));
  }
  if (!document.querySelector('#home')) bad.push('no way back to the start');
  return bad;
})()`

// accessible checks the page against the rules, at 1024×600 and on a
// phone-sized screen.
func (s *screen) accessible(page string) {
	s.t.Helper()
	s.do(ready)
	for _, size := range [][2]int64{{1024, 600}, {390, 844}} {
		s.do(chromedp.EmulateViewport(size[0], size[1]))
		if bad := eval[[]string](s, a11yJS); len(bad) > 0 {
			s.t.Errorf("%s at %dx%d breaks the rules:\n  %s", page, size[0], size[1], strings.Join(bad, "\n  "))
		}
		if size[0] < 1024 {
			if wide := eval[bool](s, `document.documentElement.scrollWidth > window.innerWidth + 1`); wide {
				s.t.Errorf("%s at %dx%d scrolls sideways", page, size[0], size[1])
			}
		}
	}
	s.do(chromedp.EmulateViewport(1024, 600))
}

// count returns how many of the day's entries have kind.
func (s *screen) count(kind string) int {
	s.t.Helper()
	return eval[int](s, fmt.Sprintf(`fetch('/journal?q=%s').then(r => r.text()).then(t => {
		const d = new DOMParser().parseFromString(t, 'text/html');
		return [...d.querySelectorAll('#journal tbody tr')].filter(tr => tr.dataset.kind === %q).length; })`, kind, kind))
}

// TestScreenDay works a whole day through the screen in a real browser:
// sign-in, one of every service, a host outage mid-withdrawal, a double
// submit, a void and a close with the owner's PIN; then the ledger
// verifies and the drawer is what was counted.
func TestScreenDay(t *testing.T) {
	s := openScreen(t)
	stopped := false
	defer func() {
		if !stopped {
			s.stop()
		}
	}()

	// Sign-in, by keyboard alone: a wrong PIN first.
	s.open("/", "f-pin")
	s.accessible("sign-in")
	s.shot("signin")
	s.do(chromedp.Click(chromedp.ID("f-pin")), chromedp.KeyEvent("000000\r"), chromedp.WaitVisible(chromedp.ID("e-pin")), ready)
	s.says("e-pin", "密码不对")
	s.do(chromedp.Click(chromedp.CSS(`input[value=OP2]`)), chromedp.Click(chromedp.ID("f-pin")), chromedp.KeyEvent(demoClerkPIN+"\r"),
		chromedp.WaitVisible(chromedp.ID("go-withdraw")), ready)
	s.says("stat-cash", "¥2,000.00")
	s.accessible("start")
	s.shot("start")

	// Withdrawal: bad input is refused next to the field and kept.
	s.click("go-withdraw", "f-card")
	s.fill("f-card", "6228480402564890018")
	s.fill("f-amount", "12.345")
	s.click("check", "e-amount")
	// Kept, but masked: the server holds the number; no page carries it whole.
	if v := eval[string](s, `document.getElementById('f-card').value`); v != "622848*********0018" {
		t.Errorf("the card typed was not kept (masked): %q", v)
	}
	s.accessible("withdrawal with an error")
	s.shot("withdraw-error")
	// By keyboard: the keypad's field, Enter to go on.
	s.set("f-amount", "")
	s.do(chromedp.Click(chromedp.ID("f-amount")), chromedp.KeyEvent("500\r"),
		chromedp.WaitVisible(chromedp.ID("c-amount")), ready)
	s.says("c-amount", "¥500.00")
	s.says("c-capital", "伍佰元整")
	s.accessible("customer confirmation")
	s.shot("withdraw-confirm")
	s.do(chromedp.Click(chromedp.ID("f-pin")), chromedp.KeyEvent("147258\r"), chromedp.WaitVisible(chromedp.ID("r-big")), ready)
	s.says("r-big", "请付给顾客现金 ¥500.00")
	s.accessible("withdrawal done")
	s.shot("withdraw-done")
	s.do(chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("r-big")), ready) // a reload shows it again, sends nothing

	// The bank's reply is lost mid-withdrawal: reversed, no cash.
	if err := s.sim.SetFaults(hostsim.Fault{Target: "withdrawal", Mode: hostsim.FaultDrop, Count: 1}); err != nil {
		t.Fatal(err)
	}
	s.click("next", "f-card")
	s.fill("f-card", "6228480402564890018")
	s.fill("f-amount", "200")
	s.click("check", "c-amount")
	s.fill("f-pin", "147258")
	s.click("confirm", "r-msg")
	s.says("r-msg", "已冲正")
	s.says("r-msg", "不要付现金")
	s.accessible("reversal")
	s.shot("withdraw-reversed")

	// Balance inquiry.
	s.open("/inquiry", "f-card")
	s.fill("f-card", "6228480402564890018")
	s.fill("f-pin", "147258")
	s.click("ask", "r-big")
	s.says("r-big", "可用余额")

	// Bill payment: look up, cash and change; sent twice, one entry.
	s.open("/bill", "f-account")
	s.fill("f-account", "5100123456")
	s.click("lookup", "bill")
	// The cash handed over, on the on-screen keypad.
	s.do(chromedp.Click(chromedp.ID("f-paid")))
	for _, k := range "300" {
		s.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`.keypad button[data-key="%c"]`, k))))
	}
	if v := eval[string](s, `document.getElementById('f-paid').value + '|' + document.getElementById('f-amount').value`); v != "300|183.40" {
		t.Errorf("after the keypad: paid|amount = %q, want 300|183.40", v)
	}
	s.accessible("bill")
	s.shot("bill")
	s.click("check", "c-amount")
	eval[bool](s, `(async () => { const f = document.querySelector('form.card');
		for (let i = 0; i < 2; i++) await fetch(f.action, {method: 'POST', body: new URLSearchParams(new FormData(f))});
		return true; })()`)
	s.click("confirm", "r-big")
	s.says("r-big", "收现金")
	s.says("result", "找零")
	if n := s.count("bill_payment"); n != 1 {
		t.Errorf("a bill payment sent three times made %d entries, want 1", n)
	}

	// Top-up.
	s.open("/topup", "f-account")
	s.fill("f-account", "13800138000")
	s.do(chromedp.Click(chromedp.CSS(`input[name=amount][value="50.00"]`)))
	s.click("check", "c-amount")
	s.click("confirm", "r-big")
	s.says("r-big", "¥50.00")

	// A train ticket, then its cancel from the order list.
	s.open("/ticket", "f-passenger")
	s.fill("f-passenger", "王秀英")
	s.fill("f-id", "411523198001011234")
	s.fill("f-from", "信阳")
	s.fill("f-to", "郑州东")
	s.set("f-date", "2026-11-28")
	s.set("f-class", "二等座")
	s.fill("f-fare", "153.50")
	s.accessible("ticket")
	s.shot("ticket")
	s.click("check", "c-amount")
	s.click("confirm", "r-big")
	s.says("title", "出票成功")

	s.open("/tickets", "home")
	s.accessible("ticket orders")
	s.do(chromedp.Click(chromedp.CSS(`button[id^=cancel-]`)), chromedp.WaitVisible(chromedp.ID("c-amount")), ready)
	s.click("confirm", "r-big")
	s.says("title", "已退票")

	// Goods: stock shown; fertiliser delivered to the field.
	s.open("/sell", "f-qty_DAILY-SOAP")
	s.says("stock-DAILY-SOAP", "20")
	s.fill("f-qty_DAILY-SOAP", "2")
	s.fill("f-qty_FERT-UREA-50KG", "1")
	s.fill("f-deliver_to", "村东头李家麦地")
	s.set("f-promised", "2026-11-24")
	s.accessible("sale")
	s.shot("sell")
	s.click("check", "c-amount")
	s.click("confirm", "r-big")
	s.says("r-big", "收现金")
	sale := eval[string](s, `document.getElementById('receipt-link').getAttribute('href').split('/').pop()`)
	s.open("/deliver?sale="+sale, "f-received_by")
	s.fill("f-received_by", "李大伯")
	s.accessible("delivery")
	s.click("deliver", "result")
	s.says("title", "已登记送货签收")

	// A second soap sale, voided with the owner's PIN.
	s.open("/sell", "f-qty_DAILY-SOAP")
	s.fill("f-qty_DAILY-SOAP", "1")
	s.click("check", "c-amount")
	s.click("confirm", "r-big")
	voided := eval[string](s, `document.getElementById('receipt-link').getAttribute('href').split('/').pop()`)

	// Cash in, out and a count.
	s.open("/cash", "f-amount")
	s.fill("f-amount", "100")
	s.click("move", "r-big")
	s.open("/cash", "f-amount")
	s.do(chromedp.Click(chromedp.CSS(`input[name=dir][value=out]`)), chromedp.Click(chromedp.CSS(`input[name=reason][value=courier]`)))
	s.fill("f-amount", "50")
	s.fill("f-note", "押运员张师傅")
	s.accessible("cash drawer")
	s.shot("cash")
	s.click("move", "r-big")
	s.says("r-big", "已取出 ¥50.00")

	// The journal, searched; the void asks the owner's PIN.
	s.open("/journal?q=sale", "journal")
	s.accessible("journal")
	s.shot("journal")
	s.click("void-"+voided, "f-reason")
	s.fill("f-reason", "顾客不要了")
	s.fill("f-owner_pin", demoClerkPIN) // the clerk's PIN is not the owner's
	s.click("void", "e-owner_pin")
	s.accessible("void")
	s.fill("f-reason", "顾客不要了")
	s.fill("f-owner_pin", demoOwnerPIN)
	s.click("void", "r-big")
	s.says("title", "已撤销第 "+voided+" 笔")

	// A receipt, shown and reprinted.
	s.open("/receipt/"+sale, "receipt-frame")
	s.accessible("receipt")
	s.click("reprint", "result")
	s.says("title", "已重打收据")
	s.shot("receipt")

	// The X report, then the close: counted what the drawer should hold.
	s.open("/report", "figures")
	s.accessible("report")
	s.shot("report")
	s.open("/close", "f-counted")
	expectedText := s.text("expected")
	expected := strings.TrimPrefix(strings.ReplaceAll(expectedText, ",", ""), "¥")
	s.fill("f-counted", expected)
	s.click("check", "cl-counted")
	s.says("cl-variance", "账实相符")
	s.accessible("close")
	s.shot("close")
	s.fill("f-owner_pin", demoOwnerPIN)
	s.click("close", "result")
	s.says("title", "已日结")

	// The check itself catches what it is for.
	eval[bool](s, `(() => { const b = document.createElement('button'); b.style.cssText = 'font-size:12px;min-height:20px;min-width:20px;padding:0;color:#999;background:#fff';
		b.textContent = 'x'; document.querySelector('main').append(b, document.createElement('input')); return true; })()`)
	bad := strings.Join(eval[[]string](s, a11yJS), "\n")
	for _, want := range []string{"no label", "target", "text 12px", "contrast"} {
		if !strings.Contains(bad, want) {
			t.Errorf("the accessibility check misses %q on a bad page; it says:\n%s", want, bad)
		}
	}

	stopped = true
	s.stop()

	// The ledger verifies, and the drawer holds what was counted.
	c := newCLI(t)
	c.must("ledger", "verify", "--dir", s.dir)
	if out := c.must("cash", "--dir", s.dir); !strings.Contains(out, expectedText) {
		t.Errorf("drawer after the close: %s, want %s", strings.TrimSpace(out), expected)
	}
	kinds := kindsAfter(t, c, s.dir, 0)
	for _, k := range []string{"withdrawal", "reversal", "balance_inquiry", "bill_payment", "topup", "ticket_order", "ticket_cancel", "sale", "delivery", "void", "cash_in", "cash_out", "receipt_reprint", "day_close"} {
		if !strings.Contains(" "+kinds+" ", " "+k+" ") {
			t.Errorf("no %s entry in the ledger: %s", k, kinds)
		}
	}
}

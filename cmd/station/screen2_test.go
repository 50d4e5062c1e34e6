package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/villagepost/bianmin/terminal"
)

// signIn signs in as operator id (OP1 the owner, OP2 the clerk) by the
// keyboard, as the sign-in screen offers it.
func (s *screen) signIn(id, pin string) {
	s.t.Helper()
	s.open("/", "f-pin")
	s.do(chromedp.Click(chromedp.CSS(`input[value=`+id+`]`)), chromedp.Click(chromedp.ID("f-pin")), chromedp.KeyEvent(pin+"\r"),
		chromedp.WaitVisible(chromedp.ID("go-withdraw")))
}

// sellOne sells n units of sku, for delivery to to when it is not empty,
// and returns the sale's entry number.
func (s *screen) sellOne(sku string, n int, to string) string {
	s.t.Helper()
	s.open("/sell", "f-qty_"+sku)
	s.fill("f-qty_"+sku, fmt.Sprint(n))
	if to != "" {
		s.fill("f-deliver_to", to)
		s.set("f-promised", "2026-11-24")
	}
	s.click("check", "c-amount")
	s.click("confirm", "r-big")
	return eval[string](s, `document.getElementById('receipt-link').getAttribute('href').split('/').pop()`)
}

// voidEntry voids entry seq from the journal with the owner's PIN.
func (s *screen) voidEntry(seq string) {
	s.t.Helper()
	s.open("/journal", "journal")
	s.click("void-"+seq, "f-reason")
	s.fill("f-reason", "顾客不要了")
	s.fill("f-owner_pin", demoOwnerPIN)
	s.click("void", "r-big")
}

// TestScreenVoidedSaleNotDelivered: a sale for delivery that was voided is
// no longer offered for delivery, and signing for it is refused in words
// that say why and what to do.
func TestScreenVoidedSaleNotDelivered(t *testing.T) {
	s := openScreen(t)
	defer s.stop()
	s.signIn("OP2", demoClerkPIN)
	sale := s.sellOne("FERT-UREA-50KG", 1, "村东头李家麦地")
	s.open("/deliver", "f-sale")
	if n := eval[int](s, `document.querySelectorAll('tr[data-sale="`+sale+`"]').length`); n != 1 {
		t.Fatalf("the sale for delivery is not listed before the void:\n%s", s.page())
	}
	s.voidEntry(sale)

	s.open("/deliver", "f-sale")
	if n := eval[int](s, `document.querySelectorAll('tr[data-sale="`+sale+`"]').length`); n != 0 {
		t.Errorf("the voided sale %s is still offered for delivery:\n%s", sale, s.page())
	}
	s.fill("f-sale", sale)
	s.fill("f-received_by", "李大伯")
	s.click("deliver", "e-sale")
	s.says("e-sale", "已经撤销")
	if n := s.count("delivery"); n != 0 {
		t.Errorf("a voided sale was recorded as delivered (%d delivery entries)", n)
	}
	if strings.Contains(s.page(), "terminal:") {
		t.Errorf("a Go error on the screen:\n%s", s.page())
	}
	// Its receipt says it was voided and offers no reprint.
	s.open("/receipt/"+sale, "voided")
	if eval[bool](s, `!!document.getElementById('reprint')`) {
		t.Errorf("a voided sale's receipt offers a reprint")
	}
}

// TestScreenChecksBeforeCustomer: everything the shop could catch is
// caught before the screen turns to the customer, the message names the
// field as the screen labels it, and a refused or changed form comes back
// with what was typed.
func TestScreenChecksBeforeCustomer(t *testing.T) {
	s := openScreen(t)
	defer s.stop()
	s.signIn("OP2", demoClerkPIN)
	onConfirm := func() bool { return eval[bool](s, `!!document.getElementById('c-amount')`) }

	// A 10-digit phone number: refused at the form, about the 手机号.
	s.open("/topup", "f-account")
	s.fill("f-account", "1380013800")
	s.do(chromedp.Click(chromedp.CSS(`input[name=amount][value="50.00"]`)))
	s.click("check", "e-account")
	if onConfirm() {
		t.Errorf("a 10-digit phone number reached the customer's confirmation")
	}
	s.says("e-account", "手机号")
	if got := s.text("e-account"); strings.Contains(got, "户号") {
		t.Errorf("the phone number's message speaks of 户号: %q", got)
	}

	// A rail ticket starts with a rail class; an air class is refused
	// before the customer sees it, and the ID typed stays.
	s.open("/ticket", "f-passenger")
	if v := eval[string](s, `document.getElementById('f-class').value`); v != "二等座" {
		t.Errorf("a rail ticket's class starts as %q, want 二等座", v)
	}
	s.fill("f-passenger", "王秀英")
	s.fill("f-id", "411523198001011234")
	s.fill("f-from", "信阳")
	s.fill("f-to", "郑州东")
	s.set("f-date", "2026-11-28")
	eval[bool](s, `(() => { const c = document.getElementById('f-class'); c.querySelectorAll('optgroup').forEach(g => { g.disabled = false; g.hidden = false; }); c.value = '经济舱'; return c.value === '经济舱'; })()`)
	s.fill("f-fare", "153.50")
	s.click("check", "e-class")
	if onConfirm() {
		t.Errorf("a rail ticket in 经济舱 reached the customer's confirmation")
	}
	if v := eval[string](s, `document.getElementById('f-id').value`); v != "411523198001011234" {
		t.Errorf("after a refusal the ID number is %q, not what was typed", v)
	}
	// Changing the carrier picks its class; the customer's "not right"
	// brings the form back as typed.
	s.do(chromedp.Click(chromedp.CSS(`input[name=carrier][value=air]`)))
	if v := eval[string](s, `document.getElementById('f-class').value`); v != "经济舱" {
		t.Errorf("after choosing air the class is %q", v)
	}
	s.do(chromedp.Click(chromedp.CSS(`input[name=carrier][value=rail]`)))
	s.click("check", "c-amount")
	s.click("change", "f-id")
	if v := eval[string](s, `document.getElementById('f-id').value + '|' + document.getElementById('f-passenger').value`); v != "411523198001011234|王秀英" {
		t.Errorf("back from the confirmation the form holds %q", v)
	}

	// A sale: -5 must be at least 1; cash handed over with 3 decimals is
	// named as the screen names it.
	s.open("/sell", "f-qty_DAILY-SOAP")
	s.fill("f-qty_DAILY-SOAP", "-5")
	s.click("check", "e-qty_DAILY-SOAP")
	s.says("e-qty_DAILY-SOAP", "至少")
	if got := s.text("e-qty_DAILY-SOAP"); strings.Contains(got, "整数") {
		t.Errorf("-5 is told to be a whole number: %q", got)
	}
	s.fill("f-qty_DAILY-SOAP", "1")
	s.fill("f-paid", "12.345")
	s.click("check", "e-paid")
	s.says("e-paid", "顾客交来的现金")
	if got := s.text("e-paid"); strings.Contains(got, "paid") {
		t.Errorf("the message names the field paid: %q", got)
	}
}

// notShopWords are what a shopkeeper must never read on a Chinese
// screen: the program's keys, Go's error text and the internal records'
// names (stricter than internalWords, which English pages are held to).
var notShopWords = regexp.MustCompile(`trace=|status=|biller=|\bkind\b|\bterminal: |\bledger: |\bweb: |%!|<nil>|\bpaid\b|开通服务站|添加操作员|载入价目表|向银行/缴费单位发出请求|待冲正|-¥`)

// plain fails if the page shows an internal word.
func (s *screen) plain(page string) {
	s.t.Helper()
	if text := s.page(); notShopWords.MatchString(text) {
		s.t.Errorf("%s shows %q:\n%s", page, notShopWords.FindString(text), text)
	}
}

// TestScreenShopWords works a day and its close and reads every page the
// shopkeeper reaches: no internal key or record among the day's business;
// a void is offered only where one can be done, and refused before the
// owner's PIN is asked; after the close the closed day, its journal,
// receipts and report are one tap away, in words about the day.
func TestScreenShopWords(t *testing.T) {
	s := openScreen(t)
	defer s.stop()
	s.signIn("OP1", demoOwnerPIN)
	s.plain("start")

	s.open("/bill", "f-account")
	s.fill("f-account", "5100123456")
	s.click("lookup", "bill")
	s.click("check", "c-amount")
	s.click("confirm", "r-big")
	bill := eval[string](s, `document.getElementById('receipt-link').getAttribute('href').split('/').pop()`)
	sale := s.sellOne("DAILY-SOAP", 1, "")

	s.open("/journal", "journal")
	s.plain("journal")
	if eval[bool](s, `!!document.getElementById('void-`+bill+`')`) {
		t.Errorf("void is offered on a bill the biller already has")
	}
	if !eval[bool](s, `!!document.getElementById('void-`+sale+`')`) {
		t.Errorf("void is not offered on today's sale")
	}
	s.says("row-"+bill, "户号 5100123456")
	s.click("view-system", "view-business")
	s.says("journal", "载入价目表")
	s.open("/void/"+bill, "home")
	if eval[bool](s, `!!document.getElementById('f-owner_pin')`) {
		t.Errorf("the owner's PIN is asked for a void that will be refused")
	}
	s.plain("refused void")

	s.open("/report", "figures")
	s.plain("X report")
	s.open("/close", "f-counted")
	s.fill("f-counted", strings.TrimPrefix(strings.ReplaceAll(s.text("expected"), ",", ""), "¥"))
	s.click("check", "cl-counted")
	s.plain("close")
	s.fill("f-owner_pin", demoOwnerPIN)
	s.click("close", "open-report")
	s.plain("closed")
	s.click("open-report", "print-report")
	s.says("report-day", "11月20日")
	s.plain("day report")
	// The accountant's copies, while the program runs.
	got := eval[string](s, `Promise.all(['/export/csv?day=2026-11-20', '/export/ledger'].map(u =>
		fetch(u).then(async r => r.status + ' ' + r.headers.get('Content-Disposition') + '\n' + await r.text()))).then(a => a.join('\n---\n'))`)
	for _, want := range []string{`filename="DEMO01-2026-11-20.csv"`, "序号 seq", `filename="DEMO01.journal"`, "assets:cash"} {
		if !strings.Contains(got, want) {
			t.Errorf("the exports lack %q:\n%.600s", want, got)
		}
	}

	// The next business day: yesterday is one tap away.
	s.open("/journal", "journal")
	s.click("day-2026-11-20", "closed-day")
	if !eval[bool](s, `!!document.getElementById('row-`+sale+`')`) {
		t.Errorf("the closed day's journal does not list its sale:\n%s", s.page())
	}
	if eval[bool](s, `!!document.getElementById('void-`+sale+`')`) {
		t.Errorf("void is offered on a sale of a closed day")
	}
	s.plain("closed day's journal")
	s.click("receipt-"+sale, "receipt-frame")
	s.open("/void/"+sale, "home")
	if got := s.page(); !strings.Contains(got, "已经日结的 11月20日") {
		t.Errorf("a void of a closed day's sale says:\n%s", got)
	}
	s.open("/journal?day=2026-11-20", "day-report")
	s.click("day-report", "print-report")
}

// stationZone is the zone of the test stations (init's default).
func stationZone(t *testing.T) *time.Location {
	t.Helper()
	z, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return z
}

// TestScreenLockedOperator: a locked operator is told the end of the lock
// in the station's time and where the owner unlocks it (the sign-in
// page's 店主解锁).
func TestScreenLockedOperator(t *testing.T) {
	s := openScreen(t)
	defer s.stop()
	for i := 0; i < terminal.MaxPINFailures; i++ {
		s.open("/signin", "f-pin") // a fresh page each time: the error waited for is the answer's
		s.do(chromedp.Click(chromedp.CSS(`input[value=OP2]`)), chromedp.Click(chromedp.ID("f-pin")), chromedp.KeyEvent("000000\r"),
			chromedp.WaitVisible(chromedp.ID("e-pin")))
	}
	// openScreen's clock is 09:30 UTC: 17:30 in the station's zone.
	until := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC).Add(terminal.LockoutFor).In(stationZone(t)).Format("15:04")
	if got := s.page(); !strings.Contains(got, "已锁定到 "+until) || !strings.Contains(got, "登录页“店主解锁”") {
		t.Errorf("the lock message, want the station's time %s and the owner's unlock:\n%s", until, got)
	}
}

// tabletJS measures a page at the tablet size: the header's share of the
// height, the primary actions below the fold, and pairs of targets closer
// than 8 px.
const tabletJS = `(() => {
  const out = {header: 0, hidden: [], close: [], targets: 0};
  const h = document.querySelector('header.bar');
  out.header = h ? h.getBoundingClientRect().height / window.innerHeight : 0;
  for (const el of document.querySelectorAll('button.primary, .button.primary')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0) continue;
    if (r.bottom > window.innerHeight || r.right > window.innerWidth) out.hidden.push((el.id || el.textContent.trim()) + ' at ' + Math.round(r.bottom));
  }
  // The targets a finger can reach at this scroll: wholly on the screen
  // and not under the action bar that sticks to its bottom.
  const hits = (el, x, y) => { const at = document.elementFromPoint(x, y); return at && (at === el || el.contains(at) || (el.labels && [...el.labels].some(l => l.contains(at)))); };
  const ts = [...document.querySelectorAll('button, a[href], input:not([type=hidden]), select')].filter(el => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || el.closest('.sr') || r.top < 0 || r.bottom > window.innerHeight) return false;
    const i = Math.min(12, r.width / 3, r.height / 3); // inside a rounded corner
    return hits(el, r.left + i, r.top + i) && hits(el, r.right - i, r.top + i) && hits(el, r.left + i, r.bottom - i) && hits(el, r.right - i, r.bottom - i); });
  out.targets = ts.length;
  const box = el => { const t = el.matches('input[type=radio], input[type=checkbox]') ? (el.closest('label') || el) : el; return t.getBoundingClientRect(); };
  for (let i = 0; i < ts.length; i++) for (let j = i + 1; j < ts.length; j++) {
    const a = box(ts[i]), b = box(ts[j]);
    if (ts[i].contains(ts[j]) || ts[j].contains(ts[i]) || ts[i].closest('label') && ts[i].closest('label') === ts[j].closest('label')) continue;
    const dx = Math.max(0, Math.max(a.left, b.left) - Math.min(a.right, b.right));
    const dy = Math.max(0, Math.max(a.top, b.top) - Math.min(a.bottom, b.bottom));
    if (Math.max(dx, dy) < 8 && !(a.left === b.left && a.top === b.top && a.width === b.width)) out.close.push((ts[i].id || ts[i].name || ts[i].textContent.trim().slice(0, 12)) + ' / ' + (ts[j].id || ts[j].name || ts[j].textContent.trim().slice(0, 12)) + ' ' + Math.round(Math.max(dx, dy)) + ' px');
  }
  return out;
})()`

type tabletFit struct {
	Header  float64  `json:"header"`
	Hidden  []string `json:"hidden"`
	Close   []string `json:"close"`
	Targets int      `json:"targets"`
}

// tablet checks the page at 800×600: the header takes at most 15% of the
// height, every primary action is visible without scrolling, and no two
// targets are closer than 8 px.
func (s *screen) tablet(page string) {
	s.t.Helper()
	if !eval[bool](s, `!document.querySelector('main form input[inputmode=numeric], main form input[inputmode=decimal]') || !!document.querySelector('main form .keypad')`) {
		s.t.Errorf("%s: a number field without a keypad", page)
	}
	s.do(chromedp.EmulateViewport(800, 600))
	if !s.tabletOnly {
		defer s.do(chromedp.EmulateViewport(1024, 600))
	}
	s.shot("tablet-" + strings.NewReplacer(" ", "-", "'", "").Replace(page))
	f := eval[tabletFit](s, tabletJS)
	if f.Header > 0.15 {
		s.t.Errorf("%s at 800×600: the header takes %.0f%% of the height", page, f.Header*100)
	}
	if len(f.Hidden) > 0 {
		s.t.Errorf("%s at 800×600: below the fold: %s", page, strings.Join(f.Hidden, ", "))
	}
	if len(f.Close) > 0 {
		s.t.Errorf("%s at 800×600: targets closer than 8 px: %s", page, strings.Join(f.Close, "; "))
	}
	if f.Targets < 4 { // the bar alone has four
		s.t.Errorf("%s at 800×600: only %d targets measured", page, f.Targets)
	}
}

// TestScreenTablet walks the day at 800×600.
func TestScreenTablet(t *testing.T) {
	s := openScreen(t)
	defer s.stop()
	s.do(chromedp.EmulateViewport(800, 600))
	s.signIn("OP1", demoOwnerPIN)
	s.tablet("start")
	s.open("/withdraw", "f-card")
	s.tablet("withdrawal")
	s.fill("f-card", "6228480402564890018")
	s.fill("f-amount", "100")
	s.click("check", "c-amount")
	s.tablet("withdrawal confirmation")
	if eval[bool](s, `!!document.querySelector('.keypad[data-for=f-pin] button[data-key="."]')`) {
		t.Errorf("the PIN keypad offers a decimal point")
	}
	s.open("/bill", "f-account")
	s.fill("f-account", "5100123456")
	s.click("lookup", "bill")
	s.tablet("bill")
	s.click("check", "c-amount")
	s.tablet("bill confirmation")
	s.open("/topup", "f-account")
	s.tablet("top-up")
	s.open("/ticket", "f-passenger")
	s.tablet("ticket")
	// A date is written as the station writes it, not in the browser's
	// locale (a date picker shows 11/28/2026 in an English browser).
	if v := eval[string](s, `document.getElementById('f-date').type + '|' + document.getElementById('h-date').textContent`); v != "text|年-月-日，例如今天是 2026-11-20" {
		t.Errorf("the travel date field: %q", v)
	}
	s.open("/sell", "f-qty_DAILY-SOAP")
	s.tablet("sale")
	sale := s.sellOne("DAILY-SOAP", 1, "")
	s.tablet("sold")
	s.open("/journal", "journal")
	s.tablet("journal")
	s.open("/void/"+sale, "f-reason")
	s.tablet("void")
	s.open("/cash", "f-amount")
	s.tablet("cash")
	// The owner's approval is asked only when the owner takes cash out.
	approval := `!document.getElementById('owner-approval').hidden`
	if eval[bool](s, approval) {
		t.Error("cash: the owner's approval is asked for money put in")
	}
	s.do(chromedp.Click(chromedp.CSS(`input[name=dir][value=out]`)))
	if !eval[bool](s, approval) {
		t.Error("cash: the owner taking cash out is not asked for the owner's approval")
	}
	s.open("/report", "figures")
	s.tablet("report")
	s.open("/close", "f-counted")
	s.fill("f-counted", strings.TrimPrefix(strings.ReplaceAll(s.text("expected"), ",", ""), "¥"))
	s.click("check", "cl-counted")
	s.tablet("close confirmation")
}

// TestScreenReceiptShown: a receipt is shown on the screen as its paper
// reads, without a PDF viewer, and the print button prints it.
func TestScreenReceiptShown(t *testing.T) {
	s := openScreen(t)
	defer s.stop()
	s.signIn("OP2", demoClerkPIN)
	sale := s.sellOne("DAILY-SOAP", 2, "")
	for _, page := range []string{"sold", "receipt"} {
		if page == "receipt" {
			s.open("/receipt/"+sale, "receipt-frame")
		}
		if eval[int](s, `document.querySelectorAll('iframe, embed, object').length`) != 0 {
			t.Errorf("%s: the receipt is in a frame a browser without a PDF viewer shows empty", page)
		}
		s.says("receipt-frame", "洗衣皂 2块")
		s.says("receipt-frame", "¥")
		printed := eval[bool](s, `(() => { let n = 0; window.print = () => { n++; }; document.getElementById('print').click(); return n === 1; })()`)
		if !printed {
			t.Errorf("%s: the print button does not print", page)
		}
	}
}

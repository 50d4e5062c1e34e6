package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/villagepost/bianmin/hostsim"
)

// internalKeys are what no page a shopkeeper reaches may show, in either
// language: the keys of internal records, Go's error texts and formatting
// slips, the names of accounts and entry kinds, and the ids of hosts.
var internalKeys = regexp.MustCompile(`trace=|status=|biller=|\bkind\b|\b(terminal|ledger|web|settlement|hostsim|snapsock|tariff|registry|receipts|money|idcheck|bolt|keyfile): |%!|<nil>|\bcontext (canceled|deadline exceeded)|\bunexpected EOF\b|\bEOF\b|\b(assets|income|expense|equity|postoffice):[a-z]|\b[a-z]+_[a-z]+(_[a-z]+)*\b|\bstate-grid\b|\bchina-(mobile|unicom|telecom)\b|\brail\b|\bair\b\s*[:=]`)

// receiptCodeLines is the verification code a receipt prints under its QR
// code (docs/receipt-code.md): signed bytes for a verifier, not words for
// the shopkeeper; its lines are left out of what everyPage reads.
var receiptCodeLines = regexp.MustCompile(`(验证码（二维码内容）：|Verification code \(in the QR code\):)\n(?:[^\n]+\n)+`)

// chinesePunct is Chinese punctuation next to English words or figures:
// the Chinese page's punctuation left in the English one.
var chinesePunct = regexp.MustCompile(`[：，。（）？；、] ?[A-Za-z0-9¥]|[A-Za-z0-9)] ?[：，。（）？；、]`)

// browserDates are dates and times in a browser's locale, which the
// station never writes (it writes 2026-11-20 and 17:30, in its own zone).
var browserDates = regexp.MustCompile(`\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b\d{4}/\d{1,2}/\d{1,2}\b|\bGMT\b|\bUTC\b|[上下]午\d|\b\d{1,2}:\d{2}:\d{2}\s?[AP]M\b`)

// everyPage reads the page the browser shows the way the shopkeeper reads
// it: no internal word (in either language), no date in the browser's
// locale nor a date or time picker (which shows one), a way back to the
// start; and, at 800×600, every primary action in sight and no two
// targets closer than 8 px (tablet).
func (s *screen) everyPage(lang, page string) {
	s.t.Helper()
	text := receiptCodeLines.ReplaceAllString(s.page(), "$1 …\n")
	if m := internalKeys.FindString(text); m != "" {
		s.t.Errorf("%s (%s) shows the internal word %q:\n%s", page, lang, m, text)
	}
	if lang == "zh" && !eval[bool](s, `!!document.getElementById('view-business')`) {
		// The 系统记录 view is where the system's own records belong.
		if m := notShopWords.FindString(text); m != "" {
			s.t.Errorf("%s shows %q:\n%s", page, m, text)
		}
	}
	if m := browserDates.FindString(text); m != "" {
		s.t.Errorf("%s (%s) shows a date in the browser's locale %q:\n%s", page, lang, m, text)
	}
	if n := eval[int](s, `document.querySelectorAll('input[type=date], input[type=time], input[type=datetime-local], input[type=month]').length`); n > 0 {
		s.t.Errorf("%s (%s): %d date pickers, which show the browser's locale", page, lang, n)
	}
	if lang == "en" {
		if m := chinesePunct.FindString(text); m != "" {
			s.t.Errorf("%s: the English page writes Chinese punctuation %q:\n%s", page, m, text)
		}
		if n := eval[int](s, `document.documentElement.lang === 'en' ? 0 : 1`); n != 0 {
			s.t.Errorf("%s: the English page is not marked lang=en", page)
		}
	}
	if !eval[bool](s, `!!document.getElementById('home')`) {
		s.t.Errorf("%s (%s): no way back to the start", page, lang)
	}
	name := page
	if lang == "en" {
		name = "en " + page
	}
	s.tablet(name)
}

// TestScreenEveryPage walks every page a shopkeeper reaches through a
// whole day and the day after its close, in Chinese and in English, at
// 800×600: the sign-in and the owner's unlock, the start, every service
// form and its confirmation turned to the customer, the outcome, the
// receipt, property insurance and its policies, the journal with its
// 系统记录 view, a void offered and one
// refused, what waits for the network, 邮政对账, the X report, the close
// and the day report, and the closed day one tap away the next day.
func TestScreenEveryPage(t *testing.T) {
	for _, lang := range []string{"zh", "en"} {
		t.Run(lang, func(t *testing.T) { walkEveryPage(t, lang) })
	}
}

func walkEveryPage(t *testing.T, lang string) {
	s := openScreen(t)
	defer s.stop()
	s.noShots = lang == "en"
	s.tabletOnly = true // every page opens at 800×600, as on the tablet
	s.do(chromedp.EmulateViewport(800, 600))
	see := func(page string) { t.Helper(); s.everyPage(lang, page) }
	say := func(zh, en string) string {
		if lang == "en" {
			return en
		}
		return zh
	}

	s.open("/signin", "signin")
	if lang == "en" {
		s.do(chromedp.Click(chromedp.ID("lang")), chromedp.WaitReady(chromedp.CSS("html[lang=en]")), ready)
	}
	see("sign-in")
	s.click("go-unlock", "unlock")
	see("unlock")
	s.click("back-signin", "signin")
	s.do(chromedp.Click(chromedp.CSS(`input[value=OP1]`)), chromedp.Click(chromedp.ID("f-pin")), chromedp.KeyEvent(demoOwnerPIN+"\r"),
		chromedp.WaitVisible(chromedp.ID("go-withdraw")), ready)
	see("start")

	for _, p := range []struct{ path, wait, name string }{
		{"/withdraw", "f-card", "withdrawal"},
		{"/inquiry", "ask", "balance inquiry"},
		{"/bill", "f-account", "bill"},
		{"/topup", "f-account", "top-up"},
		{"/ticket", "f-passenger", "ticket"},
		{"/sell", "f-qty_DAILY-SOAP", "sale"},
		{"/cash", "f-amount", "cash"},
		{"/report", "figures", "report"},
		{"/postoffice", "main", "post office"},
		{"/queue", "main", "queue"},
		{"/handovers", "no-handovers", "hand-over"},
	} {
		s.open(p.path, p.wait)
		see(p.name)
	}

	// A withdrawal up to the customer's confirmation and done.
	s.open("/withdraw", "f-card")
	s.fill("f-card", "6228480402564890018")
	s.fill("f-amount", "100")
	s.click("check", "c-amount")
	see("withdrawal confirmation")
	s.fill("f-pin", "123456")
	s.click("confirm", "r-big")
	see("withdrawal done")

	// A dispute about it: the list, the form, the customer's check, done.
	withdrawn := regexp.MustCompile(`(?:账本第 |Ledger entry )(\d+)`).FindStringSubmatch(s.text("main"))
	if withdrawn == nil {
		t.Fatalf("the withdrawal's outcome names no entry:\n%s", s.page())
	}
	s.open("/disputes", "go-dispute-new")
	see("disputes")
	s.click("go-dispute-new", "f-code")
	see("dispute form")
	s.fill("f-entry", withdrawn[1])
	s.fill("f-says", say("卡上扣了钱，没拿到现金", "the card was charged but no cash came out"))
	s.click("check", "c-amount")
	see("dispute confirmation")
	s.click("confirm", "r-big")
	see("dispute registered")
	s.open("/disputes", "disputes")
	see("disputes waiting")

	// A bill, then a top-up and a ticket, each to its confirmation.
	s.open("/bill", "f-account")
	s.fill("f-account", "5100123456")
	s.click("lookup", "bill")
	see("bill looked up")
	s.click("check", "c-amount")
	see("bill confirmation")
	s.open("/topup", "f-account")
	s.fill("f-account", "13800138000")
	s.do(chromedp.Click(chromedp.CSS(`input[name=amount][value="50.00"]`)))
	s.click("check", "c-amount")
	see("top-up confirmation")
	s.open("/ticket", "f-passenger")
	s.fill("f-passenger", "王秀英")
	s.fill("f-id", "411523198001011234")
	s.fill("f-from", "信阳")
	s.fill("f-to", "郑州东")
	s.set("f-date", "2026-11-28")
	s.fill("f-fare", "153.50")
	s.click("check", "c-amount")
	see("ticket confirmation")
	s.click("confirm", "r-big")
	see("ticket ordered")
	s.open("/tickets", "main")
	see("tickets")

	// Residents' insurance for a household: the form, a row added, a
	// member refused next to the field, the quote with one the host
	// refuses, paid.
	s.open("/contribute", "f-name1")
	see("contributions")
	s.fill("f-name1", say("王建国", "Wang Jianguo"))
	s.fill("f-id1", "411523198001011234")
	s.click("add-row", "f-name2")
	s.fill("f-name2", say("赵四", "Zhao Si"))
	s.fill("f-id2", "411523198501019995")
	s.click("check", "e-id2")
	see("contributions with an error")
	s.fill("f-id2", "411523198501019996")
	s.click("check", "c-amount")
	see("contribution quote")
	s.click("confirm", "r-big")
	see("contributions paid")
	// Property insurance: the form, a sum beyond the product's limit
	// refused next to its field, the customer's confirmation, the policy
	// issued, the list of policies in their cooling-off period, a cancel's
	// confirmation and the cancel, and the list with none left.
	s.open("/insure", "f-holder")
	see("insurance")
	s.fill("f-holder", say("王秀英", "Wang Xiuying"))
	s.fill("f-id", "411523198001011234")
	s.fill("f-object", say("砖木结构住房三间", "a three-room brick house"))
	s.fill("f-sum", "300000.01")
	s.click("check", "e-sum")
	see("insurance with an error")
	s.fill("f-sum", "100000")
	s.click("check", "c-amount")
	see("insurance confirmation")
	s.click("confirm", "r-big")
	see("insurance issued")
	s.open("/policies", "home")
	see("policies")
	s.do(chromedp.Click(chromedp.CSS(`button[id^=cancel-]`)), chromedp.WaitVisible(chromedp.ID("c-amount")), ready)
	see("policy cancel confirmation")
	s.click("confirm", "r-big")
	see("policy cancelled")
	s.open("/policies", "home")
	see("policies, none left")
	// Phone-number cards: the empty stock, 收卡, the stock, 卖卡 with a
	// bad ID, its confirmation and sold, a decline, a return's question.
	s.open("/sim", "go-sim-receive")
	see("cards, none in stock")
	s.click("go-sim-receive", "f-cards")
	see("cards to receive")
	s.fill("f-cards", "89860012345678901238,13812345670\n89860012345678901246,13812345671")
	s.click("receive", "next")
	see("cards received")
	s.open("/sim", "sell-13812345670")
	see("cards in stock")
	s.click("sell-13812345670", "f-buyer")
	see("card sale")
	s.fill("f-buyer", "王秀英")
	s.fill("f-id", "411523198001011235")
	s.click("check", "e-id")
	see("card sale with a bad ID")
	s.fill("f-id", "411523198001011234")
	s.click("check", "c-amount")
	see("card sale confirmation")
	s.click("confirm", "r-big")
	see("card sold")
	s.open("/sim/sell?number=13812345671", "f-buyer")
	s.fill("f-buyer", "李四")
	s.fill("f-id", "411523198001010004")
	s.click("check", "c-amount")
	s.click("confirm", "r-msg")
	see("card declined")
	s.open("/sim", "return-13812345671")
	s.click("return-13812345671", "confirm")
	see("card return question")

	// A sale for delivery: the outcome, its receipt, delivery, a void.
	sale := s.sellOne("FERT-UREA-50KG", 1, "村东头李家麦地")
	see("sold")
	s.open("/receipt/"+sale, "receipt-frame")
	see("receipt")
	s.open("/deliver", "deliver")
	see("delivery")
	s.open("/journal", "journal")
	see("journal")
	s.click("view-system", "view-business")
	see("system records")
	s.open("/void/"+sale, "f-reason")
	see("void")

	// The network down: a payment waits, and the queue says so.
	if err := s.sim.SetFaults(hostsim.Fault{Target: "*", Mode: hostsim.FaultDown}); err != nil {
		t.Fatal(err)
	}
	s.open("/bill", "f-account")
	s.fill("f-account", "5100123456")
	s.fill("f-amount", "30")
	s.click("check", "c-amount")
	s.click("confirm", "next")
	see("bill queued")
	s.open("/queue", "pending")
	see("queue with a payment waiting")
	if err := s.sim.SetFaults(); err != nil {
		t.Fatal(err)
	}

	// The close, its confirmation and the day report.
	s.open("/close", "f-counted")
	see("close")
	s.fill("f-counted", strings.TrimPrefix(strings.ReplaceAll(s.text("expected"), ",", ""), "¥"))
	s.click("check", "cl-counted")
	see("close confirmation")
	s.fill("f-owner_pin", demoOwnerPIN)
	s.click("close", "open-report")
	see("closed")
	s.click("open-report", "print-report")
	see("day report")
	if eval[int](s, `document.querySelectorAll('iframe, embed, object').length`) != 0 {
		t.Errorf("the day report is in a frame a browser without a PDF viewer shows empty")
	}
	if !eval[bool](s, `(() => { let n = 0; window.print = () => { n++; }; document.getElementById('print-report').click(); return n === 1; })()`) {
		t.Errorf("the day report's print button does not print")
	}

	// The next business day: the closed day one tap away.
	s.open("/journal", "journal")
	s.click("day-2026-11-20", "closed-day")
	see("closed day's journal")
	s.open("/receipt/"+sale, "receipt-frame")
	see("closed day's receipt")
	s.open("/void/"+sale, "home")
	see("void of a closed day refused")
	if got := s.page(); !strings.Contains(got, say("已经日结的 11月20日", "closed")) {
		t.Errorf("a void of a closed day's sale says:\n%s", got)
	}
	s.open("/journal?day=2026-11-20", "day-report")
	s.click("day-report", "print-report")
	see("closed day's report")
}

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/villagepost/bianmin/keyfile"
)

// leaveWithItems makes station T0001 leave owing a dispute on a 500.00
// withdrawal, two sacks of fertiliser promised, a 50.00 refund and a
// 100.00 payment queued offline; the post office retires it and enrols
// T0002 as its successor, which loads the hand-over document. It returns
// the successor, the dispute's entry at the old station and the item
// numbers by kind.
func leaveWithItems(t *testing.T, h *hostsimProc, po *postofficeProc) (*regionStation, string, map[string]string) {
	t.Helper()
	old := newRegionStation(t, po, h.url, "T0001", "山前村便民服务站")
	h.setClock(old.c.now)
	old.c.must(old.op("cash", "in", "--amount", "3000", "--reason", "float")...)
	old.c.must(old.op("stock", "in", "--sku", "FERT-UREA-50KG", "--qty", "10")...)
	var w map[string]any
	jsonUnmarshal(t, old.c.must(old.op("withdraw", "--card", "6228480402564890018", "--amount", "500", "--json")...), &w)
	dispute := seqOf(t, old.c.must(old.op("dispute", "open", "--entry", strconv.Itoa(int(w["seq"].(float64))), "--says", "卡上扣了钱，没拿到现金")...))
	old.c.must(old.op("sell", "--item", "FERT-UREA-50KG:2", "--deliver-to", "村东头李家麦地", "--promised", "2026-11-24")...)
	h.faults("bill_payment=down")
	old.c.must(old.op("pay-bill", "--biller", "state-grid", "--account", "5100120000", "--amount", "50")...)
	h.faults()
	old.c.must(old.op("queue")...)
	h.faults("bill_payment=down")
	old.c.must(old.op("pay-bill", "--biller", "state-grid", "--account", "5100123456", "--amount", "100")...)
	old.closeDayCarry(t)
	usb := filepath.Join(t.TempDir(), "usb")
	old.c.must("export", "--dir", old.dir, "--to", usb)
	po.expect(0, "import", usb)
	po.expect(0, "retire", "--station", "T0001")
	h.faults()

	next, _ := newSuccessor(t, po, h.url, "T0002", "T0001")
	next.c.must("handover", "load", "--dir", next.dir, "--operator", "OP1", filepath.Join(po.dir, "handover", "T0001-T0002.handover"))
	var list struct {
		Items []struct {
			Item int
			Kind string
		}
	}
	jsonUnmarshal(t, next.c.must("handover", "list", "--dir", next.dir, "--json"), &list)
	item := map[string]string{}
	for _, it := range list.Items {
		item[it.Kind] = strconv.Itoa(it.Item)
	}
	if len(list.Items) != 4 || len(item) != 4 {
		t.Fatalf("handover list: %+v", list)
	}
	next.c.must(next.op("cash", "in", "--amount", "1000", "--reason", "float")...)
	next.c.must(next.op("stock", "in", "--sku", "FERT-UREA-50KG", "--qty", "5")...)
	return next, dispute, item
}

// TestScreenHandover: the successor finishes on the screen every item it
// took over, through the same code as station handover finish. The start
// screen says how many are open; the 承接事项 page says what to do for
// each; the queued payment the biller never got is reversed and paid
// back, the refund paid, the delivery refused without the receiver's
// name and then recorded, the dispute refused without the post office's
// decision, then decided and its refund paid. A form pressed twice (from
// another tab) finishes once and says which entry did. The villagers get
// 650.00 back in cash, to the fen, and the successor owes nothing more.
func TestScreenHandover(t *testing.T) {
	h := startHostsim(t)
	po := startPostOffice(t)
	next, dispute, item := leaveWithItems(t, h, po)

	var out bytes.Buffer
	main := &Main{Stdout: &out, Stderr: &out, Getenv: func(k string) string { return next.c.env[k] },
		Now: func() time.Time { return next.c.now }, KeyParams: keyfile.FastParams()}
	s := serveScreen(t, main, serveOptions{dir: next.dir, drainEvery: time.Hour})
	stop, once := s.stop, sync.Once{}
	s.stop = func() { once.Do(stop) }
	defer s.stop()
	s.signInOwner()
	s.says("handover-news-T0001", "从 T0001 接手的事还有 4 项没办完")
	s.everyPage("zh", "start with items taken over")
	s.click("go-handovers", "handovers")
	row := func(kind string) string { return "T0001-" + item[kind] }
	s.says("item-"+row("queued"), "断网排队的缴费 ¥100.00")
	s.says("item-"+row("delivery"), "FERT-UREA-50KG×2")
	s.says("item-"+row("delivery"), "送到 村东头李家麦地")
	s.says("item-"+row("refund"), "该退给顾客的钱 ¥50.00")
	s.says("item-"+row("dispute"), "顾客说：卡上扣了钱，没拿到现金")
	s.says("next-"+row("dispute"), "现在不要付钱")
	s.everyPage("zh", "hand-over items")
	s.shot("handovers")

	// The queued payment: the biller never got it, so it is reversed and
	// the 100.00 paid back. The same form pressed again from another tab
	// pays nothing and names the entry that finished it.
	otherTab := eval[string](s, `document.getElementById('act-`+row("queued")+`').form.outerHTML`)
	s.click("act-"+row("queued"), "r-big")
	s.says("r-big", "请退给顾客现金 ¥100.00")
	s.says("main", "对方没有收到这笔")
	done := regexp.MustCompile(`记在账本第 (\d+) 笔`).FindStringSubmatch(s.text("main"))
	if done == nil {
		t.Fatalf("the outcome names no entry:\n%s", s.page())
	}
	s.everyPage("zh", "hand-over item paid back")
	s.open("/handovers", "handovers")
	eval[bool](s, `(() => { const d = document.createElement('div'); d.innerHTML = `+strconv.Quote(otherTab)+`; document.getElementById('main').appendChild(d); return true; })()`)
	s.do(chromedp.Click(chromedp.CSS(`#main > div button`)), chromedp.WaitVisible(chromedp.ID("r-msg")), ready)
	s.says("r-msg", "已经在账本第 "+done[1]+" 笔办完了")
	s.everyPage("zh", "hand-over item done already")

	s.open("/handovers", "act-"+row("refund"))
	s.click("act-"+row("refund"), "r-big")
	s.says("r-big", "请退给顾客现金 ¥50.00")

	// The delivery: the receiver's name is asked for, then recorded.
	s.open("/handovers", "act-"+row("delivery"))
	s.click("act-"+row("delivery"), "r-msg")
	s.says("r-msg", "“签收人”：请写签收人的名字")
	s.open("/handovers", "act-"+row("delivery"))
	s.fill("f-received_by-"+row("delivery"), "李大伯")
	s.click("act-"+row("delivery"), "r-big")
	s.says("r-big", "签收人 李大伯")

	// The dispute: nothing to do before the post office decides.
	s.open("/handovers", "act-"+row("dispute"))
	s.click("act-"+row("dispute"), "r-msg")
	s.says("r-msg", "“邮政支局的答复”")
	po.expect(0, "dispute", "decide", "--station", "T0001", "--dispute", dispute, "--refund", "500.00", "--reason", "银行确认当时没有出钞")
	decisionFile := filepath.Join(po.dir, "disputes", "T0001-"+strings.Repeat("0", 6-len(dispute))+dispute+".decision")
	decision, err := os.ReadFile(decisionFile)
	if err != nil {
		t.Fatal(err)
	}
	// Its text pasted (the fallback) but changed: refused.
	s.open("/handovers", "act-"+row("dispute"))
	eval[bool](s, `(() => { document.getElementById('paste-`+row("dispute")+`').click(); return true; })()`)
	s.do(chromedp.WaitVisible(chromedp.ID("f-decision-" + row("dispute"))))
	s.fill("f-decision-"+row("dispute"), strings.Replace(string(decision), "500.00", "900.00", 1))
	s.click("act-"+row("dispute"), "r-msg")
	s.says("r-msg", "答复不是本站所属邮政支局签发的")
	// A changed file chosen: refused the same way.
	forged := filepath.Join(t.TempDir(), "T0001-forged.decision")
	if err := os.WriteFile(forged, []byte(strings.Replace(string(decision), "500.00", "900.00", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	s.open("/handovers", "act-"+row("dispute"))
	s.accessible("hand-over with a decision file to choose")
	s.do(chromedp.SetUploadFiles(chromedp.ID("f-decision_file-"+row("dispute")), []string{forged}))
	s.click("act-"+row("dispute"), "r-msg")
	s.says("r-msg", "答复不是本站所属邮政支局签发的")
	// The post office's file as it came, chosen on the screen.
	s.open("/handovers", "act-"+row("dispute"))
	s.do(chromedp.SetUploadFiles(chromedp.ID("f-decision_file-"+row("dispute")), []string{decisionFile}))
	s.says("h-decision_file-"+row("dispute"), "已选："+filepath.Base(decisionFile))
	s.click("act-"+row("dispute"), "r-big")
	s.says("r-big", "要退给顾客 ¥500.00")
	s.open("/handovers", "act-"+row("dispute"))
	s.says("next-"+row("dispute"), "要退给顾客 ¥500.00（银行确认当时没有出钞）")
	s.click("act-"+row("dispute"), "r-big")
	s.says("r-big", "请退给顾客现金 ¥500.00")

	s.open("/", "go-withdraw")
	if eval[bool](s, `!!document.getElementById('handover-news-T0001')`) {
		t.Errorf("the start screen still says items are open:\n%s", s.page())
	}
	s.open("/handovers", "handovers")
	for _, k := range []string{"queued", "refund", "delivery", "dispute"} {
		s.says("next-"+row(k), "已办完")
		if eval[bool](s, `!!document.getElementById('act-`+row(k)+`')`) {
			t.Errorf("item %s is done and still has its button", k)
		}
	}
	s.do(chromedp.Click(chromedp.ID("lang")), chromedp.WaitReady(chromedp.CSS("html[lang=en]")), ready)
	s.open("/handovers", "handovers")
	s.says("next-"+row("delivery"), "Done (entry")
	s.everyPage("en", "hand-over items")
	s.stop()

	// Every villager whole, to the fen.
	var bal struct {
		Balances []struct{ Account, Commodity, Amount string }
	}
	jsonUnmarshal(t, next.c.must("balance", "--dir", next.dir, "--json"), &bal)
	got := map[string]string{}
	for _, b := range bal.Balances {
		got[b.Account+" "+b.Commodity] = b.Amount
	}
	for k, want := range map[string]string{"assets:cash CNY": "350.00", "assets:stock FERT-UREA-50KG": "3", "postoffice:settlement CNY": "650.00"} {
		if got[k] != want {
			t.Errorf("successor's %s is %q, want %s (all: %v)", k, got[k], want, got)
		}
	}
	if v, ok := got["liabilities:handover CNY"]; ok && v != "0.00" {
		t.Errorf("the successor still owes the old station's villagers %s", v)
	}
	n := 0
	for _, e := range entries(t, next.c, next.dir) {
		if e["kind"] == "handover_done" {
			n++
		}
	}
	if n != 5 { // four items, and the dispute's decision before its refund
		t.Errorf("%d handover_done entries, want 5", n)
	}
}

// TestScreenHandoverWaitlistAndReversal finishes on the screen the two
// ticket orders on the carrier's waiting list and the reversal the old
// station could not deliver: with the hosts silent each button says no
// answer came and records nothing; then the issued ticket's money goes on
// to the carrier (no cash), the one with no seat is paid back with a
// receipt, and the reversal reaches the bank (no cash).
func TestScreenHandoverWaitlistAndReversal(t *testing.T) {
	h, next, items, traces := waitlistAndReversal(t)
	var out bytes.Buffer
	m := &Main{Stdout: &out, Stderr: &out, Getenv: func(k string) string { return next.c.env[k] },
		Now: func() time.Time { return next.c.now }, KeyParams: keyfile.FastParams()}
	s := serveScreen(t, m, serveOptions{dir: next.dir, drainEvery: time.Hour})
	defer s.stop()
	s.signInOwner()
	row := func(k string) string { return "T0001-" + items[k] }
	s.open("/handovers", "handovers")
	s.says("item-"+row("issued"), "候补的车票 ¥158.50，还没出票")
	s.says("item-"+row("reversal"), "取款的冲正还没送到")
	s.says("act-"+row("issued"), "去问对方")
	s.says("act-"+row("reversal"), "发送冲正")
	s.everyPage("zh", "hand-over waitlist and reversal")

	h.faults("*=down")
	before := s.count("handover_done")
	for _, k := range []string{"issued", "no seat", "reversal"} {
		s.open("/handovers", "act-"+row(k))
		s.click("act-"+row(k), "r-msg")
		s.says("r-msg", "没有收到对方的回音（流水号 "+traces[k]+"），什么都没有记，钱没有动")
	}
	if n := s.count("handover_done"); n != before {
		t.Fatalf("%d items recorded with the hosts silent", n-before)
	}
	h.faults()

	s.open("/handovers", "act-"+row("issued"))
	s.click("act-"+row("issued"), "r-big")
	s.says("title", "对方已经收到")
	s.says("r-big", "不要付现金")
	s.open("/handovers", "act-"+row("no seat"))
	s.click("act-"+row("no seat"), "r-big")
	s.says("r-big", "请退给顾客现金 ¥104.00")
	s.says("result", "已冲正，以后也不会再扣")
	s.says("receipt-frame", "承接退款")
	s.open("/handovers", "act-"+row("reversal"))
	s.click("act-"+row("reversal"), "r-big")
	s.says("title", "冲正已送到")
	s.says("r-big", "不要付现金")
	if n := s.count("handover_done"); n != before+3 {
		t.Errorf("%d items finished, want 3", n-before)
	}
	s.open("/handovers", "handovers")
	for _, k := range []string{"issued", "no seat", "reversal"} {
		s.says("next-"+row(k), "已办完")
	}
}

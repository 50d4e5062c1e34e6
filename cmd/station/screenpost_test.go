package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/villagepost/bianmin/keyfile"
)

// TestScreenPostOffice: a station served with --postoffice sends its
// closed day to postoffice serve by itself; the start screen says it is
// settled and acknowledged; the 邮政对账 screen shows the month the post
// office has (its statement, a chart of the daily commission) and the
// exception its reconciliation found, with what to do.
func TestScreenPostOffice(t *testing.T) {
	h := startHostsim(t)
	po := startPostOffice(t)
	url := po.serve(t)
	rs := newRegionStation(t, po, h.url, "T0001", "山前村便民服务站")
	h.setClock(rs.c.now)
	rs.c.must(rs.op("cash", "in", "--amount", "3000", "--reason", "float")...)
	rs.c.must(rs.op("withdraw", "--card", "6228480402564890018", "--amount", "500")...)
	rs.c.must(rs.op("pay-bill", "--biller", "state-grid", "--account", "5100123456", "--amount", "120")...)
	rs.closeDay(t)

	// The post office's copy of the journal lacks the withdrawal.
	dropped := only(t, rs.traces(t, "2026-11-20"), "withdrawal")
	journal := editJournal(t, h.journal, dropped, "")

	var out bytes.Buffer
	m := &Main{Stdout: &out, Stderr: &out, Getenv: func(k string) string { return rs.c.env[k] },
		Now: func() time.Time { return rs.c.now.Add(24 * time.Hour) }, KeyParams: keyfile.FastParams()}
	s := serveScreen(t, m, serveOptions{dir: rs.dir, drainEvery: time.Hour, postoffice: url})
	defer s.stop()
	s.open("/", "f-pin")
	s.do(chromedp.Click(chromedp.CSS(`input[value=OP1]`)), chromedp.Click(chromedp.ID("f-pin")), chromedp.KeyEvent(ownerPIN+"\r"),
		chromedp.WaitVisible(chromedp.ID("go-withdraw")), ready)
	// The day went by itself: reload until the screen says so.
	for i := 0; ; i++ {
		if got := s.text("post-status"); strings.Contains(got, "2026-11-20 的账都已交给邮政并确认") {
			break
		} else if i == 100 {
			t.Fatalf("the start screen still says %q", got)
		}
		time.Sleep(100 * time.Millisecond)
		s.open("/", "post-status")
	}
	s.accessible("start with the post office")
	po.expect(poAttention, "reconcile", "--date", "2026-11-20", "--host-journal", journal)

	s.click("go-postoffice", "po-month")
	s.says("po-month", "2026-11")
	s.open("/postoffice?month=2026-11", "po-exceptions")
	s.says("po-exceptions", dropped)
	s.says("po-exceptions", "请把这笔的收据")
	s.says("po-statement", "已对账的营业日")
	if n := eval[int](s, `document.querySelectorAll('#po-chart rect').length`); n != 1 {
		t.Errorf("the chart has %d bars, want one for the one day", n)
	}
	s.accessible("post office results")
	s.shot("postoffice-results")
	if strings.Contains(s.page(), "trace=") || strings.Contains(s.page(), "missing_at_host") {
		t.Errorf("the page shows internal names:\n%s", s.page())
	}
	// The same page, with what the post office found, on the tablet and
	// in English.
	s.tabletOnly = true
	s.do(chromedp.EmulateViewport(800, 600))
	s.open("/postoffice?month=2026-11", "po-exceptions")
	s.everyPage("zh", "post office results")
	s.do(chromedp.Click(chromedp.ID("lang")), chromedp.WaitReady(chromedp.CSS("html[lang=en]")), ready)
	s.open("/postoffice?month=2026-11", "po-exceptions")
	s.noShots = true
	s.everyPage("en", "post office results")
}

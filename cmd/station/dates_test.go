package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/villagepost/bianmin/shopfront"
)

// badDates are dates a person may type, each with the words that refuse
// it; the demo station's today is 2026-11-20.
var badDates = []struct{ date, says string }{
	{"2026-02-30", "2026 年 2 月只有 28 天"},
	{"2026-13-01", "没有 13 月"},
	{"20261205", "要写成 2026-11-25 这样的日期（年-月-日）"},
	{"２０２６-１２-０５", "半角数字"},
	{"2026-11-19", "不能早于今天（2026-11-20）"},
	{"", "请写日期"},
}

// TestDatesRefusedInWords: the screen's sale check and the command
// line's sell read the delivery date with the same parser, and refuse
// every bad date in words, naming the field, recording nothing.
func TestDatesRefusedInWords(t *testing.T) {
	x, srv, c, _ := guardedScreen(t)
	n := 0
	for _, bd := range badDates {
		_, page := get(t, c, srv.URL+"/sell")
		tok := csrfRE.FindStringSubmatch(page)
		if tok == nil {
			t.Fatal("the sale page has no form")
		}
		n++
		before := x.d.Counter.Ledger.Last().Seq
		r, page := postPage(t, c, srv.URL+"/sell/check", url.Values{"csrf": {tok[1]}, "key": {fmt.Sprintf("%048x", n)},
			"qty_FERT-UREA-50KG": {"1"}, "deliver_to": {"村东头李家麦地"}, "promised": {bd.date}})
		if r.StatusCode != http.StatusOK || !strings.Contains(page, bd.says) || strings.Contains(page, `action="/sell" `) && strings.Contains(page, "确认卖出") {
			t.Errorf("/sell/check promised=%q: %s; the page does not refuse it saying %q", bd.date, r.Status, bd.says)
		}
		if !strings.Contains(page, `id="e-promised"`) {
			t.Errorf("/sell/check promised=%q: the refusal is not next to the date field", bd.date)
		}
		if after := x.d.Counter.Ledger.Last().Seq; after != before {
			t.Errorf("promised=%q recorded entries", bd.date)
		}
	}

	cl := newCLI(t)
	dir := t.TempDir() + "/demo"
	cl.must("demo", "--dir", dir)
	cl.env["STATION_PIN"] = demoOwnerPIN
	cl.env["STATION_PASSPHRASE"] = shopfront.DemoPassphrase
	for _, bd := range badDates {
		if bd.date == "" || bd.date == "2026-11-19" {
			continue // the command line's today is not the screen's
		}
		cl.refused(exitFailed, bd.says, "sell", "--dir", dir, "--operator", "OP1", "--item", "FERT-UREA-50KG:1", "--deliver-to", "家", "--promised", bd.date)
	}
}

package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestSIMReconciled: a station sells phone-number cards for a day (one
// sold, one whose reply was lost after the carrier registered it and was
// reversed, one the carrier declines, then that card sold), closes it, and
// the post office reconciles the file against the telecom host's own
// journal: every trace matches, the reversed one included. Then in a copy
// of the journal the first sale's price is altered and the second sale's
// line dropped: reconciliation names exactly those two.
func TestSIMReconciled(t *testing.T) {
	h := startHostsim(t)
	po := startPostOffice(t)
	s := newRegionStation(t, po, h.url, "T0001", "山前村便民服务站")
	h.setClock(s.c.now)
	sell := func(number string) []string {
		return s.op("sim", "sell", "--number", number, "--name", "王秀英", "--id", "411523198001011234")
	}
	s.c.must(s.op("cash", "in", "--amount", "1000", "--reason", "float")...)
	s.c.must(s.op("sim", "receive", "--plan", "cmcc-39", "--card", "89860012345678901238,13812345670", "--card", "89860012345678901246,13812345671")...)
	first := s.c.jsonOut(sell("13812345670")...)
	h.faults("sim_sale=drop#1")
	if r := s.c.run(sell("13812345671")...); r.code != exitFailed {
		t.Fatalf("a lost reply: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	h.faults("sim_sale=decline:S2#1")
	if r := s.c.run(sell("13812345671")...); r.code != exitFailed || !strings.Contains(r.stderr, "运营商拒绝了这笔号卡实名登记") {
		t.Fatalf("a decline: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	h.faults()
	second := s.c.jsonOut(sell("13812345671")...)
	s.closeDay(t)
	day := "2026-11-20"
	if out := po.expect(0, "import", s.file(day)); !strings.Contains(out, "接受 1 个营业日") {
		t.Errorf("import:\n%s", out)
	}
	services := s.traces(t, day)
	if n := len(services); n != 4 {
		t.Errorf("%d traces, want 4 (two sold, one reversed, one declined): %v", n, services)
	}
	for trace, svc := range services {
		if svc != "sim_sale" {
			t.Errorf("trace %s is %s", trace, svc)
		}
	}
	if out := po.expect(0, "reconcile", "--date", day, "--host-journal", h.journal); !strings.Contains(out, "相符 4 笔，异常 0 笔") || !strings.Contains(out, "全部相符") {
		t.Errorf("reconcile against the telecom host's own journal:\n%s", out)
	}

	a, b := first["trace"].(string), second["trace"].(string)
	journal := editJournal(t, h.journal, b, a)
	po.expect(poAttention, "reconcile", "--date", day, "--host-journal", journal)
	got := exceptions(t, filepath.Join(po.dir, "reconcile", "reconcile-20261120.csv"))
	want := map[string]string{a: "amount_mismatch", b: "missing_at_host"}
	if !sameMap(got, want) {
		t.Errorf("exceptions %v, want %v", got, want)
	}
}

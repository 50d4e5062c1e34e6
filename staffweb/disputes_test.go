package staffweb_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/hostsim"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/settlement"
	"github.com/villagepost/bianmin/tariff"
	"github.com/villagepost/bianmin/terminal"
)

// disputeDay is a first business day (2026-11-20) of station id: a
// float, two 500.00 withdrawals and a villager's dispute about each,
// closed and signed. It returns the disputes' entries.
func disputeDay(t *testing.T, id string, key ed25519.PrivateKey) ([]byte, []terminal.Dispute) {
	t.Helper()
	now := time.Date(2026, 11, 20, 8, 0, 0, 0, time.FixedZone("CST", 8*3600))
	clock := func() time.Time { now = now.Add(41 * time.Second); return now }
	dir := t.TempDir()
	s, err := ledger.Create(filepath.Join(dir, "ledger.db"), ledger.Genesis{Terminal: id, Name: "村便民服务站", Zone: "Asia/Shanghai"}, "init", key, &ledger.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sim, err := hostsim.Open("", &hostsim.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	pending, err := terminal.OpenPending(filepath.Join(dir, "pending.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer pending.Close()
	tf, err := tariff.Parse(tariff.DemoJSON)
	if err != nil {
		t.Fatal(err)
	}
	link := &terminal.Link{Ledger: s, Host: sim, Pending: pending, Terminal: id, Timeout: time.Second, Retries: 1, Now: clock}
	if _, err := (&terminal.Drawer{Ledger: s}).In(terminal.CashMove{Operator: "OP1", Amount: decimal.RequireFromString("3000.00"), Reason: terminal.ReasonFloat, IdemKey: "float"}); err != nil {
		t.Fatal(err)
	}
	cards := &terminal.Cards{Link: link, Tariff: tf, CardKey: []byte("0123456789abcdef0123456789abcdef")}
	var disputes []terminal.Dispute
	for i, says := range []string{"卡上扣了钱，没拿到现金", "钱数不对，少给了一百"} {
		w, err := cards.Withdraw(context.Background(), terminal.Withdrawal{Operator: "OP1", Card: "6228480402564890018", PIN: "147258",
			Amount: decimal.RequireFromString("500.00"), IdemKey: "w" + string(rune('1'+i))})
		if err != nil {
			t.Fatal(err)
		}
		d, _, err := (&terminal.Disputes{Ledger: s, Link: link}).Open(context.Background(), terminal.DisputeRequest{Operator: "OP1", Entry: w.Entry.Seq, Says: says})
		if err != nil {
			t.Fatal(err)
		}
		disputes = append(disputes, d)
	}
	e, _, err := (&terminal.Days{Ledger: s, Pending: pending, Tariff: tf.Version}).Close(terminal.CloseRequest{Operator: "OP1"})
	if err != nil {
		t.Fatal(err)
	}
	f, err := settlement.FromLedger(s, e.Seq, "")
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.Sign(key)
	if err != nil {
		t.Fatal(err)
	}
	return b, disputes
}

// TestDisputePages: T0003's villagers dispute two withdrawals. The
// reconciliation shows each beside its entry; a clerk sees the open
// disputes with the day to answer by and no way to decide (the POST is
// refused too); a manager's bad answers are shown again naming the
// field and sign nothing; a good one is signed through Office.Decide,
// handed to the station, and listed as decided.
func TestDisputePages(t *testing.T) {
	g := serveRegion(t)
	file, disputes := disputeDay(t, "T0003", g.t3)
	if outs, err := g.office.Import(t.Context(), file); err != nil || len(outs) != 1 || outs[0].Status != "accepted" {
		t.Fatalf("import the disputes' day: %+v, %v", outs, err)
	}
	first, second := "T0003-"+pad(disputes[0].Seq), "T0003-"+pad(disputes[1].Seq)
	b := openBrowser(t, g)
	b.open("/", "password")
	b.signin("alice", clerkPassword)

	// The reconciliation of the day: each dispute beside its entry.
	jpath := filepath.Join(t.TempDir(), "bank-20261120.jsonl")
	if err := os.WriteFile(jpath, []byte(journal()), 0o644); err != nil {
		t.Fatal(err)
	}
	b.click("nav-reconcile", "journal")
	eval[bool](b, `(() => { document.getElementById('date').value = '2026-11-20'; return true; })()`)
	b.upload("journal", jpath)
	b.click("run", "day-disputes")
	b.says("#day-dispute-"+first, "卡上扣了钱，没拿到现金")
	b.says("#day-dispute-"+first, "成功 500.00")
	b.says("#day-dispute-"+first, "未答复")
	b.says("#day-dispute-"+first, "去答复（2026-11-27 前）")
	b.accessible("reconciliation with disputes")

	// The clerk's list: both open, oldest first, no form.
	b.click("nav-disputes", "station")
	ids := eval[[]string](b, `[...document.querySelectorAll('section.dispute')].map(s => s.id)`)
	if strings.Join(ids, " ") != "dispute-"+first+" dispute-"+second {
		t.Errorf("open disputes %v, want %s then %s", ids, first, second)
	}
	b.says("#dispute-"+first+" .answer-by", "2026-11-27")
	b.says("#dispute-"+first+" .host-says", "成功 500.00")
	if eval[bool](b, `!!document.querySelector('section.dispute form, [id^=decide-]')`) {
		t.Error("a clerk is offered a way to decide")
	}
	b.says("#dispute-"+first, "只有主管可以答复纠纷")
	b.accessible("disputes (clerk)")
	status := eval[int](b, `(() => { const d = new URLSearchParams({csrf: document.querySelector('input[name=csrf]').value, outcome: 'none_owed', reason: '不用退'});
		return fetch('/disputes/T0003/`+fmt.Sprint(disputes[0].Seq)+`', {method: 'POST', body: d}).then(r => r.status); })()`)
	if status != http.StatusForbidden {
		t.Errorf("a clerk's decision: status %d, want 403", status)
	}
	// The filter: another station has none.
	b.open("/disputes?station=T0001", "none-open")

	// The manager: bad answers name the field and sign nothing.
	b.signin("bob", managerPassword)
	b.open("/disputes", "decide-"+first)
	b.shot("disputes")
	for _, tc := range []struct {
		outcome, refund, reason, field, want string
	}{
		{"", "", "理由", "outcome", "请选“要退钱”或“不用退钱”"},
		{"owed", "500.01", "银行确认当时没有出钞", "refund", "“退款金额”：退款 500.01 元比有争议的金额 500.00 元还多"},
		{"owed", "五百", "银行确认当时没有出钞", "refund", "退款金额“五百”不是数字"},
		{"owed", "500.00", "", "reason", "“答复理由”"},
	} {
		if tc.outcome != "" {
			eval[bool](b, `(() => { document.getElementById('`+tc.outcome+`-`+first+`').checked = true; return true; })()`)
		}
		b.fill("refund-"+first, tc.refund)
		b.fill("reason-"+first, tc.reason)
		eval[bool](b, `(() => { document.getElementById('error')?.remove(); return true; })()`) // wait for the answer's, not this one
		b.click("decide-"+first, "error")
		b.says("#error", tc.want)
		if got := eval[string](b, `document.getElementById('error').dataset.field`); got != tc.field {
			t.Errorf("%+v: names field %q, want %q", tc, got, tc.field)
		}
		if got := eval[string](b, `document.getElementById('reason-`+first+`').value`); got != tc.reason {
			t.Errorf("%+v: the reason typed is now %q", tc, got)
		}
		if notes, err := g.office.Decisions(t.Context(), "T0003"); err != nil || len(notes) != 0 {
			t.Fatalf("after a bad answer: %d decisions, %v; want none signed", len(notes), err)
		}
	}
	b.shot("disputes-error")
	b.accessible("disputes (a bad answer)")
	eval[bool](b, `(() => { document.getElementById('owed-`+first+`').checked = true; return true; })()`)
	b.fill("refund-"+first, "500.00")
	b.fill("reason-"+first, "银行确认当时没有出钞")
	b.click("decide-"+first, "done")
	b.says("#done", first)
	b.says("#decided-"+first, "要退 ¥500.00：银行确认当时没有出钞")
	b.says("#decided-"+first, "已答复，服务站还没有收下")
	if n := eval[int](b, `document.querySelectorAll('section.dispute').length`); n != 1 {
		t.Errorf("%d open disputes after deciding one, want 1", n)
	}
	notes, err := g.office.Decisions(t.Context(), "T0003")
	if err != nil || len(notes) != 1 || !strings.Contains(string(notes[0]), "refund 500.00") {
		t.Fatalf("the station is handed %q, %v; want the one decision", notes, err)
	}
	b.shot("disputes-decided")
	// The English switch.
	b.click("lang", "decided")
	b.says("#decided-"+first, "refund ¥500.00")
	b.says("#dispute-"+second, "The customer says")
}

// pad is an entry number as a trace writes it.
func pad(seq uint64) string { return fmt.Sprintf("%06d", seq) }

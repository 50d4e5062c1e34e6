package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/internal/toolcheck"
	"github.com/villagepost/bianmin/money"
)

// seqOf reads "记在账本第 N 笔" from a command's output.
func seqOf(t *testing.T, out string) string {
	t.Helper()
	m := regexp.MustCompile(`记在账本第 (\d+) 笔`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no entry number in\n%s", out)
	}
	return m[1]
}

// closeDayCarry closes the day with what waits for a host carried over.
func (s *regionStation) closeDayCarry(t *testing.T) {
	var cash map[string]any
	jsonUnmarshal(t, s.c.must("cash", "--dir", s.dir, "--json"), &cash)
	s.c.must(s.op("close-day", "--counted", cash["cash"].(string), "--carry")...)
}

// newSuccessor is a station set up by its program and enrolled by the
// post office to take over from old.
func newSuccessor(t *testing.T, po *postofficeProc, hostURL, id, old string) (*regionStation, string) {
	t.Helper()
	s := &regionStation{id: id, c: newCLI(t)}
	s.dir = filepath.Join(t.TempDir(), s.id)
	s.c.env["STATION_PASSPHRASE"], s.c.env["STATION_PIN"], s.c.env["STATION_HOST"] = passphrase, ownerPIN, hostURL
	out := s.c.must("init", "--dir", s.dir, "--id", s.id, "--name", "山前村便民服务站", "--postoffice-key", po.key)
	s.key = regexp.MustCompile(`登记用公钥：(\S+)`).FindStringSubmatch(out)[1]
	s.c.must("operator", "add", "--dir", s.dir, "--id", "OP1", "--role", "owner", "--pin-file", writeSecret(t, "pin", ownerPIN))
	s.c.must("tariff", "load", "--dir", s.dir, "--operator", "OP1", po.tariff)
	if old == "" {
		return s, ""
	}
	out = po.expect(0, "enrol", "--station", s.id, "--pubkey", s.key, "--franchisee", "接手人"+s.id, "--deposit", "20000.00", "--tariff", po.tariff, "--succeeds", old)
	return s, out
}

// hostApproved says whether the hosts' journal has trace approved as its
// last word.
func hostApproved(t *testing.T, journal, trace string) bool {
	t.Helper()
	f, err := os.Open(journal)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	last := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.Contains(sc.Text(), `"`+trace+`"`) {
			last = sc.Text()
		}
	}
	return strings.Contains(last, `"approved"`)
}

// TestHandover: a station leaves with a payment queued offline, goods
// promised for delivery, a refund owed and a dispute open. The post
// office retires it (its close-out statement lists each item and keeps
// their money back from the franchisee), enrols a successor for the
// same village with a signed hand-over document, and the successor
// finishes each item; every villager gets what they paid for, to the
// fen, and the old terminal's queue can no longer take the money twice.
func TestHandover(t *testing.T) {
	h := startHostsim(t)
	po := startPostOffice(t)
	old := newRegionStation(t, po, h.url, "T0001", "山前村便民服务站")
	h.setClock(old.c.now)
	old.c.must(old.op("cash", "in", "--amount", "3000", "--reason", "float")...)
	old.c.must(old.op("stock", "in", "--sku", "FERT-UREA-50KG", "--qty", "10")...)

	// A withdrawal the villager disputes: the card was charged 500.00.
	var w map[string]any
	jsonUnmarshal(t, old.c.must(old.op("withdraw", "--card", "6228480402564890018", "--amount", "500", "--json")...), &w)
	withdrawal := strconv.Itoa(int(w["seq"].(float64)))
	dispute := seqOf(t, old.c.must(old.op("dispute", "open", "--entry", withdrawal, "--says", "卡上扣了钱，没拿到现金")...))
	// Fertiliser paid for, to be delivered on the 24th.
	var sale map[string]any
	jsonUnmarshal(t, old.c.must(old.op("sell", "--item", "FERT-UREA-50KG:2", "--deliver-to", "村东头李家麦地", "--promised", "2026-11-24", "--json")...), &sale)
	saleTotal, _ := decimal.NewFromString(sale["total"].(string))
	// A payment queued offline that the biller then refused: 50.00 owed
	// back, not yet paid.
	h.faults("bill_payment=down")
	old.c.must(old.op("pay-bill", "--biller", "state-grid", "--account", "5100120000", "--amount", "50")...)
	h.faults()
	mustContain(t, "the queue sent", old.c.must(old.op("queue")...), "¥50.00")
	// A payment queued offline, not confirmed when the station leaves.
	h.faults("bill_payment=down")
	var q map[string]any
	jsonUnmarshal(t, old.c.must(old.op("pay-bill", "--biller", "state-grid", "--account", "5100123456", "--amount", "100", "--json")...), &q)
	queuedTrace := q["trace"].(string)
	old.closeDayCarry(t)

	// What the old shopkeeper sees before leaving.
	out := old.c.must("handover", "owed", "--dir", old.dir)
	mustContain(t, "handover owed", out, "本站还欠村民 4 项，共 ¥150.00", "业务纠纷", "顾客说：卡上扣了钱，没拿到现金", "FERT-UREA-50KG×2", "送到 村东头李家麦地",
		"该退给顾客的钱 ¥50.00", "断网排队的缴费 ¥100.00", queuedTrace)

	usb := filepath.Join(t.TempDir(), "usb")
	old.c.must("export", "--dir", old.dir, "--to", usb)
	po.expect(0, "import", usb)

	// A successor cannot be enrolled for a station still active.
	next, _ := newSuccessor(t, po, h.url, "T0002", "")
	mustContain(t, "enrol a successor too early", po.expect(1, "enrol", "--station", "T0002", "--pubkey", next.key, "--franchisee", "接手人", "--deposit", "20000.00", "--tariff", po.tariff, "--succeeds", "T0001"), "T0001", "postoffice retire")

	out = po.expect(0, "retire", "--station", "T0001")
	mustContain(t, "retire", out, "扣下还欠村民的 ¥150.00", "还欠村民 4 项，共 ¥150.00", "业务纠纷还没了结", "答应送的货还没送", "该退给顾客的钱还没退", "断网排队的缴费")
	closeout, err := os.ReadFile(filepath.Join(po.dir, "closeout", "T0001-closeout.txt"))
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]string{}
	for _, l := range strings.Split(string(closeout), "\n") {
		if k, v, ok := strings.Cut(l, " "); ok && k != "item" {
			fields[k] = v
		}
	}
	deposit, _ := decimal.NewFromString(fields["deposit"])
	owed, _ := decimal.NewFromString(fields["owed"])
	ret, _ := decimal.NewFromString(fields["return"])
	if fields["carried"] != "150.00" || !ret.Equal(deposit.Add(owed).Sub(decimal.RequireFromString("150.00"))) || strings.Count(string(closeout), "\nitem ") != 4 {
		t.Fatalf("close-out statement:\n%s", closeout)
	}

	// The successor for the same village, with the hand-over document.
	out = po.expect(0, "enrol", "--station", "T0002", "--pubkey", next.key, "--franchisee", "接手人", "--deposit", "20000.00", "--tariff", po.tariff, "--succeeds", "T0001")
	mustContain(t, "enrol the successor", out, "接手已退出的服务站 T0001", "还欠村民 4 项", "¥150.00", "station handover load")
	doc := filepath.Join(po.dir, "handover", "T0001-T0002.handover")
	third, _ := newSuccessor(t, po, h.url, "T0003", "")
	mustContain(t, "a second successor", po.expect(1, "enrol", "--station", "T0003", "--pubkey", third.key, "--franchisee", "又一人", "--deposit", "1.00", "--tariff", po.tariff, "--succeeds", "T0001"), "T0002")

	// Refusals, each recording nothing: a document changed after the
	// post office signed it, one for another station, one loaded twice.
	data, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	forged := filepath.Join(t.TempDir(), "forged.handover")
	os.WriteFile(forged, []byte(strings.Replace(string(data), "carried 150.00", "carried 1150.00", 1)), 0o644)
	before := len(entries(t, next.c, next.dir))
	next.c.refused(exitFailed, "不是本站所属邮政支局签发的交接单", "handover", "load", "--dir", next.dir, "--operator", "OP1", forged)
	third.c.refused(exitFailed, "不是本站（T0003）", "handover", "load", "--dir", third.dir, "--operator", "OP1", doc)
	if n := len(entries(t, next.c, next.dir)); n != before {
		t.Fatalf("refused documents recorded %d entries", n-before)
	}
	mustContain(t, "handover load", next.c.must("handover", "load", "--dir", next.dir, "--operator", "OP1", doc), "接手服务站 T0001 没办完的 4 项", "¥150.00")
	next.c.refused(exitFailed, "已经在账本第", "handover", "load", "--dir", next.dir, "--operator", "OP1", doc)

	var list struct {
		Items []struct {
			Item                       int
			Kind, Trace, Amount, State string
			Entry                      uint64
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
	zhList := next.c.must("handover", "list", "--dir", next.dir)
	mustContain(t, "handover list", zhList, "从服务站 T0001 接手的事项", "station handover finish --item "+item["queued"], "--received-by 签收人", "--decision 答复文件", "国网电费 户号 5100123456")
	enList := next.c.must("handover", "list", "--dir", next.dir, "--lang", "en")
	mustContain(t, "handover list in English", enList, "国网电费 account 5100123456")
	for _, out := range []string{zhList, enList} {
		if strings.Contains(out, "state-grid") {
			t.Errorf("handover list names the biller by its code:\n%s", out)
		}
	}

	next.c.must(next.op("cash", "in", "--amount", "1000", "--reason", "float")...)
	next.c.must(next.op("stock", "in", "--sku", "FERT-UREA-50KG", "--qty", "5")...)
	h.faults()
	var cashOut decimal.Decimal
	pdftotext := toolcheck.Require(t, "pdftotext", "poppler-utils")
	finish := func(args ...string) string {
		var f map[string]any
		jsonUnmarshal(t, next.c.must(next.op(append(append([]string{"handover", "finish"}, args...), "--json")...)...), &f)
		c, _ := decimal.NewFromString(f["cash_out"].(string))
		cashOut = cashOut.Add(c)
		if c.IsPositive() {
			// The villager paid back takes home a receipt saying for whom.
			path, _ := f["receipt"].(string)
			out, err := exec.Command(pdftotext, "-layout", path, "-").Output()
			if err != nil {
				t.Fatalf("the receipt of a hand-over refund (%q): %v", path, err)
			}
			mustContain(t, "hand-over refund receipt", string(out), "承接退款", "原服务站", "T0001", money.FormatReceipt(c))
		}
		return f["step"].(string)
	}
	// The queued payment: the biller never got it, so it is reversed (the
	// old terminal can no longer send it) and the 100.00 paid back.
	if step := finish("--item", item["queued"]); step != "refunded" {
		t.Fatalf("queued payment: %s", step)
	}
	if step := finish("--item", item["refund"]); step != "refunded" {
		t.Fatalf("refund: %s", step)
	}
	next.c.refused(exitFailed, "签收人", next.op("handover", "finish", "--item", item["delivery"])...)
	if step := finish("--item", item["delivery"], "--received-by", "李大伯"); step != "delivered" {
		t.Fatalf("delivery: %s", step)
	}
	// The dispute waits for the post office, which decides it on the
	// old station's records.
	next.c.refused(exitFailed, "等邮政支局的答复", next.op("handover", "finish", "--item", item["dispute"])...)
	po.expect(0, "dispute", "decide", "--station", "T0001", "--dispute", dispute, "--refund", "500.00", "--reason", "银行确认当时没有出钞")
	decisionFile := filepath.Join(po.dir, "disputes", "T0001-"+strings.Repeat("0", 6-len(dispute))+dispute+".decision")
	if step := finish("--item", item["dispute"], "--decision", decisionFile); step != "decided" {
		t.Fatalf("dispute: %s", step)
	}
	mustContain(t, "the decided dispute", next.c.must("handover", "list", "--dir", next.dir), "邮政支局答复：要退给顾客 ¥500.00")
	if step := finish("--item", item["dispute"]); step != "refunded" {
		t.Fatalf("dispute refund: %s", step)
	}
	// Each item is finished once.
	for _, k := range []string{"queued", "refund", "delivery", "dispute"} {
		next.c.refused(exitFailed, "已经在账本第", next.op("handover", "finish", "--item", item[k], "--received-by", "李大伯")...)
	}

	// The old terminal still holds the queued payment and sends it when
	// it can: the biller refuses the reversed trace, so the villager paid
	// back by the successor is never charged as well.
	old.c.run(old.op("queue")...)
	if hostApproved(t, h.journal, queuedTrace) {
		t.Fatalf("the biller took %s after the successor paid it back", queuedTrace)
	}

	// Every villager whole, to the fen: the queued 100.00 and the refused
	// 50.00 back in cash, the 500.00 the bank kept back in cash, the
	// fertiliser handed over from the successor's stock.
	if want := decimal.RequireFromString("650.00"); !cashOut.Equal(want) {
		t.Fatalf("the successor paid out %s, want %s", cashOut, want)
	}
	if !saleTotal.IsPositive() {
		t.Fatalf("the sale's total: %v", sale)
	}
	// The successor's books: the drawer paid out 650.00, two sacks left
	// its stock for the old station's sale, the post office owes it the
	// 150.00 carried and the 500.00 decided, and it owes the old
	// station's villagers nothing more.
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
	next.closeDay(t)
	usb2 := filepath.Join(t.TempDir(), "usb2")
	next.c.must("export", "--dir", next.dir, "--to", usb2)
	mustContain(t, "the successor's day at the post office", po.expect(0, "import", usb2), "T0002")
}

// waitlistAndReversal sets up a station that leaves with two ticket
// orders on the carrier's waiting list (one the carrier will issue, one it
// will find no seat for) and a withdrawal whose reply was lost and whose
// reversal never reached the bank, retired, and its successor T0002 with
// the hand-over document loaded and 1000.00 in its drawer. items names
// the successor's items: "issued", "no seat", "reversal"; traces the same.
func waitlistAndReversal(t *testing.T) (h *hostsimProc, next *regionStation, items, traces map[string]string) {
	t.Helper()
	h = startHostsim(t)
	po := startPostOffice(t)
	old := newRegionStation(t, po, h.url, "T0001", "山前村便民服务站")
	h.setClock(old.c.now)
	old.c.must(old.op("cash", "in", "--amount", "3000", "--reason", "float")...)
	ticket := func(passenger, id, fare string) map[string]any {
		return old.c.jsonOut(old.op("ticket", "order", "--carrier", "rail", "--passenger", passenger, "--id", id,
			"--from", "信阳", "--to", "郑州东", "--date", "2026-11-28", "--class", "二等座", "--fare", fare)...)
	}
	// A status inquiry would decide a waitlisted order, so the carrier
	// answers none (down) while it takes the orders (the fault on the
	// service acts on the order first).
	h.faults("ticket_order=waitlist#1", "carrier=down")
	issued := ticket("王秀英", idHead, "153.50")
	h.faults("ticket_order=waitlist-fail#1", "carrier=down")
	noSeat := ticket("李秀兰", idWife, "99.00")
	if issued["status"] != "waitlisted" || noSeat["status"] != "waitlisted" {
		t.Fatalf("the orders: %v, %v", issued, noSeat)
	}
	// The bank took a withdrawal, its reply was lost, and it cannot be
	// reached for the reversal.
	h.faults("withdrawal=drop#1", "bank=down", "carrier=down")
	r := old.c.run(old.op("withdraw", "--card", "6228480402564890018", "--amount", "300")...)
	if r.code == 0 {
		t.Fatalf("a withdrawal with its reply lost and the bank down: exit 0\n%s", r.stdout)
	}
	old.closeDayCarry(t)
	out := old.c.must("handover", "owed", "--dir", old.dir)
	mustContain(t, "handover owed", out, "本站还欠村民 3 项", "候补的车票 ¥158.50", "候补的车票 ¥104.00", "取款的冲正还没送到")

	usb := filepath.Join(t.TempDir(), "usb")
	old.c.must("export", "--dir", old.dir, "--to", usb)
	po.expect(0, "import", usb)
	po.expect(0, "retire", "--station", "T0001")
	next, _ = newSuccessor(t, po, h.url, "T0002", "")
	po.expect(0, "enrol", "--station", "T0002", "--pubkey", next.key, "--franchisee", "接手人", "--deposit", "20000.00", "--tariff", po.tariff, "--succeeds", "T0001")
	next.c.must("handover", "load", "--dir", next.dir, "--operator", "OP1", filepath.Join(po.dir, "handover", "T0001-T0002.handover"))
	next.c.must(next.op("cash", "in", "--amount", "1000", "--reason", "float")...)

	var list struct {
		Items []struct {
			Item                int
			Kind, Trace, Amount string
		}
	}
	jsonUnmarshal(t, next.c.must("handover", "list", "--dir", next.dir, "--json"), &list)
	items, traces = map[string]string{}, map[string]string{}
	name := map[string]string{"waitlist 158.50": "issued", "waitlist 104.00": "no seat", "reversal 0.00": "reversal"}
	for _, it := range list.Items {
		items[name[it.Kind+" "+it.Amount]] = strconv.Itoa(it.Item)
		traces[name[it.Kind+" "+it.Amount]] = it.Trace
	}
	if len(list.Items) != 3 || items["issued"] == "" || items["no seat"] == "" || items["reversal"] == "" {
		t.Fatalf("handover list: %+v", list)
	}
	return h, next, items, traces
}

// TestHandoverWaitlistAndReversal: a station leaves with two ticket
// orders on the carrier's waiting list (候补) and a withdrawal whose reply
// was lost and whose reversal never reached the bank. The successor
// finishes each: with every host silent nothing is recorded and no money
// moves; then the carrier issues one ticket (the money goes on to it, no
// cash), finds no seat for the other (reversed, the villager paid back the
// fare and fee), and the bank acknowledges the reversal (no cash moves).
func TestHandoverWaitlistAndReversal(t *testing.T) {
	h, next, items, traces := waitlistAndReversal(t)
	waitIssued, waitFailed, reversal := items["issued"], items["no seat"], items["reversal"]
	mustContain(t, "handover list", next.c.must("handover", "list", "--dir", next.dir), "候补的车票 ¥158.50，还没出票", "取款的冲正还没送到", "本机把冲正送到对方")

	// No answer from any host: nothing recorded, no money moved.
	h.faults("*=down")
	before := len(entries(t, next.c, next.dir))
	for _, n := range []string{waitIssued, waitFailed, reversal} {
		next.c.refused(exitFailed, "没有收到对方的回音", next.op("handover", "finish", "--item", n)...)
	}
	if n := len(entries(t, next.c, next.dir)); n != before {
		t.Fatalf("finishing with the hosts silent recorded %d entries", n-before)
	}
	h.faults()

	finish := func(n string) map[string]any {
		return next.c.jsonOut(next.op("handover", "finish", "--item", n)...)
	}
	// The carrier issues the first ticket: the money goes on to it.
	if f := finish(waitIssued); f["step"] != "confirmed" || f["cash_out"] != "0.00" || f["host_status"] != "approved" {
		t.Errorf("the ticket issued: %v", f)
	}
	// No seat for the second: reversed, the fare and fee paid back.
	if f := finish(waitFailed); f["step"] != "refunded" || f["cash_out"] != "104.00" || f["host_status"] != "declined" {
		t.Errorf("the ticket with no seat: %v", f)
	}
	// The reversal reaches the bank: the villager's card is put right.
	if f := finish(reversal); f["step"] != "reversed" || f["cash_out"] != "0.00" {
		t.Errorf("the reversal: %v", f)
	}
	if hostApproved(t, h.journal, traces["reversal"]) {
		t.Errorf("the bank still has the withdrawal %s approved", traces["reversal"])
	}
	for _, n := range []string{waitIssued, waitFailed, reversal} {
		next.c.refused(exitFailed, "已经在账本第", next.op("handover", "finish", "--item", n)...)
	}
	var cash map[string]any
	jsonUnmarshal(t, next.c.must("cash", "--dir", next.dir, "--json"), &cash)
	if cash["cash"] != "896.00" {
		t.Errorf("the successor's drawer holds %v, want 896.00 (1000.00 less the 104.00 paid back)", cash["cash"])
	}
	next.c.must("ledger", "verify", "--dir", next.dir)
}

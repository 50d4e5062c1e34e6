package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/idcheck"
	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/shopfront"
	"github.com/villagepost/bianmin/tariff"
	"github.com/villagepost/bianmin/terminal"
	"golang.org/x/mod/sumdb/note"
)

// faultStation is a station with the test tariff, 3,000.00 in the drawer
// and its hosts at a running cmd/hostsim. Its clock is the real one, as
// the station program's is.
func faultStation(t *testing.T) (*cli, string, *hostsimProc) {
	t.Helper()
	h := startHostsim(t)
	c, dir := newStation(t)
	c.now = time.Now()
	signer, err := note.NewSigner(tariff.DemoPostOfficeSignerKey)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := tariff.Sign(testTariff(), signer)
	if err != nil {
		t.Fatal(err)
	}
	c.env["STATION_HOST"] = h.url
	c.env["STATION_PIN"] = ownerPIN
	c.env["STATION_CARD_PIN"] = "147258"
	c.must("tariff", "load", "--dir", dir, "--operator", "OP1", writeSigned(t, signed))
	c.must("cash", "in", "--dir", dir, "--operator", "OP1", "--amount", "3000", "--reason", "float")
	return c, dir, h
}

// kindsAfter lists the kinds of the entries after seq.
func kindsAfter(t *testing.T, c *cli, dir string, seq int) string {
	t.Helper()
	var kinds []string
	for _, e := range entries(t, c, dir)[seq:] {
		kinds = append(kinds, e["kind"].(string))
	}
	return strings.Join(kinds, " ")
}

func cashIs(t *testing.T, c *cli, dir, want string) {
	t.Helper()
	if out := c.must("cash", "--dir", dir); !strings.Contains(out, want) {
		t.Errorf("drawer: %s, want %s", strings.TrimSpace(out), want)
	}
}

// TestReplyDropped: the bank approves and the answer is lost. The station
// reverses it, says not to pay out, and the bank's journal agrees.
func TestReplyDropped(t *testing.T) {
	c, dir, h := faultStation(t)
	h.faults("withdrawal=drop#1")
	before := len(entries(t, c, dir))
	c.refused(exitFailed, "不要付现金", "withdraw", "--dir", dir, "--operator", "OP1", "--card", "6228480402564890018", "--amount", "300")
	if got := kindsAfter(t, c, dir, before); got != "intent reversal_due reversal" {
		t.Errorf("entries: %s", got)
	}
	if st := h.statuses(fmt.Sprintf("T0001-%06d", before+1)); strings.Join(st, " ") != "approved reversed" {
		t.Errorf("the bank's journal: %v", st)
	}
	cashIs(t, c, dir, "¥3,000.00")
	c.must("ledger", "verify", "--dir", dir)
}

// TestReplyDuplicated: the answer arrives twice; the station records one
// withdrawal.
func TestReplyDuplicated(t *testing.T) {
	c, dir, h := faultStation(t)
	h.faults("withdrawal=duplicate#1")
	before := len(entries(t, c, dir))
	out := c.must("withdraw", "--dir", dir, "--operator", "OP1", "--card", "6228480402564890018", "--amount", "300")
	if !strings.Contains(out, "请付给顾客现金 ¥300.00") {
		t.Errorf("output: %s", out)
	}
	if got := kindsAfter(t, c, dir, before); got != "intent withdrawal" {
		t.Errorf("entries: %s", got)
	}
	if st := h.statuses(fmt.Sprintf("T0001-%06d", before+1)); strings.Join(st, " ") != "approved" {
		t.Errorf("the bank's journal: %v", st)
	}
	cashIs(t, c, dir, "¥2,700.00")
}

// The station program's half of the fault matrix (TestFaultMatrix): the
// built station binary killed with SIGKILL while a host holds its request,
// the files a killed program leaves opened by the next one, a second start
// while a live station program holds the ledger, and a real full disk
// (prlimit --fsize: bbolt's own writes fail with EFBIG; Go ignores
// SIGXFSZ).

// procFlow is a money flow as the station program runs it.
type procFlow struct {
	row     string
	service string // the host service, "" when it asks no host
	hang    string // the host fault that holds the program mid-request
	// setup prepares the station; it returns the trace of a request
	// already made (a queued payment) and its ledger entry, if any.
	setup func(t *testing.T, c *cli, dir string, h *hostsimProc) (trace string, entry uint64)
	args  func(entry uint64) []string
	// model adds what the flow moves besides host traces, once per run
	// that succeeded.
	model func(b faultBook, tf *tariff.Tariff)
}

func procFlows() []procFlow {
	op := func(args ...string) func(uint64) []string { return func(uint64) []string { return args } }
	queue := func(t *testing.T, c *cli, dir string, h *hostsimProc) (string, uint64) {
		h.faults("biller=down")
		c.must("pay-bill", "--dir", dir, "--operator", "OP1", "--biller", "state-grid", "--account", billAcct, "--amount", billAmt)
		h.faults()
		es := entries(t, c, dir)
		last := es[len(es)-1]
		intent := uint64(last["payload"].(map[string]any)["intent"].(float64))
		return fmt.Sprintf("T0001-%06d", intent), uint64(last["seq"].(float64))
	}
	date := time.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, 7).Format(time.DateOnly)
	return []procFlow{
		{row: rowWithdrawal, service: terminal.SvcWithdrawal, hang: "withdrawal=hang#1", args: op("withdraw", "--card", wdCard, "--amount", wdAmount)},
		{row: rowBillOnline, service: terminal.SvcBillPayment, hang: "bill_payment=hang#1", args: op("pay-bill", "--biller", "state-grid", "--account", billAcct, "--amount", billAmt)},
		{row: rowBillQueued, service: terminal.SvcBillPayment, hang: "bill_payment=hang#1", setup: queue, args: op("queue")},
		{row: rowTicket, service: terminal.SvcTicketOrder, hang: "ticket_order=hang#1", args: op("ticket", "order", "--carrier", "rail", "--passenger", "王秀英",
			"--id", "411523198001011234", "--from", "信阳", "--to", "郑州东", "--date", date, "--class", "二等座", "--fare", fare)},
		{row: rowSale, args: op("sell", "--item", urea+":2"), model: func(b faultBook, tf *tariff.Tariff) {
			it, _ := tf.Item(urea)
			total := it.Price.Mul(decimal.NewFromInt(2))
			p, _ := tf.Pricing(tariff.Sale)
			com := p.Commission.Apply(total)
			b.add(terminal.AccountCash, total)
			b.add(terminal.AccountSettlement, total.Neg().Add(com))
			b.add(terminal.AccountCommission+tariff.Sale, com.Neg())
			b.addUnits(terminal.AccountStock, urea, decimal.NewFromInt(-2))
			b.addUnits(terminal.AccountConsignment, urea, decimal.NewFromInt(2))
		}},
		{row: rowVoid, setup: queue, args: func(entry uint64) []string {
			return []string{"void", "--entry", fmt.Sprint(entry), "--reason", "顾客不缴了"}
		}},
		{row: rowDayClose, args: op("close-day", "--counted", "3000")},
		// After the day close: flows[5] is the void, which heldByLive uses.
		{row: rowPolicy, service: terminal.SvcPolicyIssue, hang: "policy_issue=hang#1", args: op("insure", "buy", "--product", "farmhouse", "--holder", "王秀英",
			"--id", "411523198001011234", "--object", "砖木结构住房三间", "--sum", sumIns)},
		{row: rowSIM, service: terminal.SvcSIMSale, hang: "sim_sale=hang#1", args: op("sim", "sell", "--number", simNo, "--name", "王秀英", "--id", "411523198001011234")},
		// One member: the program's half counts one approval per run.
		{row: rowHousehold, service: terminal.SvcContribution, hang: "contribution=hang#1", args: op("contribute", "pay", "--head", "王建国",
			"--member", "王建国,411523198001011234,pension,300")},
	}
}

// programEnv is the environment of a station program at host url.
func programEnv(url string) []string {
	return append(os.Environ(), "STATION_PASSPHRASE="+passphrase, "STATION_PIN="+ownerPIN, "STATION_CARD_PIN=147258", "STATION_HOST="+url)
}

// processStation is faultStation with 10 bags of urea in stock.
func processStation(t *testing.T) (*cli, string, *hostsimProc) {
	c, dir, h := faultStation(t)
	c.must("stock", "in", "--dir", dir, "--operator", "OP1", "--sku", urea, "--qty", "10")
	c.must("sim", "receive", "--dir", dir, "--operator", "OP1", "--plan", simPlan, "--card", simCard)
	return c, dir, h
}

// killMidRequest starts the station program with args, waits until the
// host has trace (and hangs on it), and kills the program with SIGKILL. It
// returns what the program printed.
func killMidRequest(t *testing.T, dir string, h *hostsimProc, trace string, args []string) string {
	t.Helper()
	cmd := exec.Command(binary(t, "station"), append(args, "--dir", dir, "--operator", "OP1")...)
	cmd.Env = programEnv(h.url)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h.waitFor(trace)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	return out.String()
}

// checkProgram checks the four properties on a station the program ran:
// the ledger through station ledger verify and in-process, balances and
// agreement against the model (base, the hosts' words, and extra), and
// nothing left pending.
func checkProgram(t *testing.T, c *cli, dir string, h *hostsimProc, tf *tariff.Tariff, extra func(faultBook)) []string {
	t.Helper()
	var problems []string
	if r := c.run("ledger", "verify", "--dir", dir); r.code != 0 {
		problems = append(problems, "1 station ledger verify: "+r.stderr)
	}
	s, err := ledger.Open(filepath.Join(dir, shopfront.LedgerFile), nil)
	if err != nil {
		return append(problems, "open the ledger: "+err.Error())
	}
	defer s.Close()
	want := faultBook{}
	want.add(terminal.AccountCash, fmDec("3000.00"))
	want.add(terminal.AccountOwner, fmDec("-3000.00"))
	want.addUnits(terminal.AccountStock, urea, decimal.NewFromInt(10))
	want.addUnits(terminal.AccountConsignment, urea, decimal.NewFromInt(-10))
	want.addUnits(terminal.AccountStock, terminal.SIMCommodity(simPlan), decimal.NewFromInt(1))
	want.addUnits(terminal.AccountConsignment, terminal.SIMCommodity(simPlan), decimal.NewFromInt(-1))
	words := hostWordsIn(t, h.journal)
	addHostModel(tf, want, words)
	if extra != nil {
		extra(want)
	}
	problems = append(problems, checkAfter(s, words, want)...)
	p, err := terminal.OpenPending(filepath.Join(dir, shopfront.PendingFile))
	if err != nil {
		return append(problems, "open the pending store: "+err.Error())
	}
	defer p.Close()
	if items, err := p.List(); err != nil || len(items) > 0 {
		problems = append(problems, fmt.Sprintf("still pending after recovery: %d items, %v", len(items), err))
	}
	return problems
}

func (m *faultMatrix) record(t *testing.T, row, col string, problems []string, note string) {
	t.Helper()
	if len(problems) > 0 {
		t.Errorf("%s × %s:\n  %s", row, col, strings.Join(problems, "\n  "))
		m.fail(row, col, problems[0])
		return
	}
	m.pass(row, col, note)
}

// processCells fills the columns the station program itself runs.
func (m *faultMatrix) processCells(t *testing.T) {
	tf, err := tariff.Parse(testTariff())
	if err != nil {
		t.Fatal(err)
	}
	flows := procFlows()
	for _, f := range flows {
		t.Run("SIGKILL/"+f.row, func(t *testing.T) { m.sigkill(t, tf, f) })
	}
	for _, f := range flows {
		t.Run("KilledFiles/"+f.row, func(t *testing.T) { m.killedFiles(t, tf, f) })
	}
	t.Run("HeldByLive", func(t *testing.T) { m.heldByLive(t, tf, flows) })
	for _, f := range flows {
		t.Run("EFBIG/"+f.row, func(t *testing.T) { m.efbig(t, tf, f) })
	}
}

// sigkill: the program is killed (SIGKILL) after its intent is recorded
// and the host has approved, before the answer comes back. The next start
// settles it before anything else: one outcome, no cash out, and the host
// agrees.
func (m *faultMatrix) sigkill(t *testing.T, tf *tariff.Tariff, f procFlow) {
	if f.hang == "" {
		m.na(f.row, colSIGKILL, "asks no host, so no moment holds the program mid-request; "+colEachCrash+" stops it at each write")
		return
	}
	c, dir, h := processStation(t)
	trace, entry := "", uint64(0)
	if f.setup != nil {
		trace, entry = f.setup(t, c, dir, h)
	}
	before := len(entries(t, c, dir))
	fresh := trace == "" // the command makes a new request
	if fresh {
		trace = fmt.Sprintf("T0001-%06d", before+1)
	}
	h.faults(f.hang)
	said := killMidRequest(t, dir, h, trace, f.args(entry))
	var problems []string
	if strings.Contains(said, "请付给顾客") || strings.Contains(said, "收现金") {
		problems = append(problems, "4 the killed program told the shopkeeper to move cash: "+said)
	}
	want := "intent"
	if !fresh {
		want = ""
	}
	if got := kindsAfter(t, c, dir, before); got != want {
		problems = append(problems, fmt.Sprintf("after the kill the ledger has %q, want %q", got, want))
	}
	// The next start settles it before anything else.
	if out := c.must("queue", "--dir", dir, "--operator", "OP1"); !strings.Contains(out, "先处理完了 1 笔") {
		problems = append(problems, "the restart said: "+out)
	}
	wantKinds, wantHost := "intent reversal_due reversal", "approved reversed"
	if !fresh {
		wantKinds, wantHost = terminal.KindConfirmed, "approved"
	}
	if got := kindsAfter(t, c, dir, before); got != wantKinds {
		problems = append(problems, fmt.Sprintf("after the restart the ledger has %q, want %q", got, wantKinds))
	}
	if st := strings.Join(h.statuses(trace), " "); st != wantHost {
		problems = append(problems, fmt.Sprintf("the host's journal for %s: %q, want %q", trace, st, wantHost))
	}
	n := len(entries(t, c, dir))
	c.must("queue", "--dir", dir, "--operator", "OP1")
	if len(entries(t, c, dir)) != n {
		problems = append(problems, "a second start changed the ledger")
	}
	if data, err := os.ReadFile(filepath.Join(dir, shopfront.PendingFile)); err == nil && bytes.Contains(data, []byte("147258")) {
		problems = append(problems, "the pending store holds the card PIN")
	}
	problems = append(problems, checkProgram(t, c, dir, h, tf, nil)...)
	m.record(t, f.row, colSIGKILL, problems, "killed while the host hung after approving; restart: "+wantKinds)
}

// killedFiles: a station program killed mid-request leaves its bbolt
// files (ledger, pending store, operators) behind; the next program opens
// them at once, settles what was left and does the flow.
func (m *faultMatrix) killedFiles(t *testing.T, tf *tariff.Tariff, f procFlow) {
	c, dir, h := processStation(t)
	entry := uint64(0)
	if f.setup != nil {
		_, entry = f.setup(t, c, dir, h)
	}
	// The biller is away while the killed program runs, so that it leaves
	// a queued payment queued.
	h.faults("withdrawal=hang#1", "biller=down")
	killMidRequest(t, dir, h, fmt.Sprintf("T0001-%06d", len(entries(t, c, dir))+1), []string{"withdraw", "--card", "6228480402564890018", "--amount", "100"})
	if f.row == rowVoid {
		// Else the next program forwards the payment before it is voided
		// (recovery first), and the void is rightly refused.
		h.faults("biller=down")
	} else {
		h.faults()
	}
	var problems []string
	r := c.run(append(f.args(entry), "--dir", dir, "--operator", "OP1")...)
	h.faults()
	if r.code != 0 {
		problems = append(problems, fmt.Sprintf("the next program: exit %d: %s", r.code, r.stderr))
	}
	c.must("queue", "--dir", dir, "--operator", "OP1") // settles what a command without a host left
	words := hostWordsIn(t, h.journal)
	if f.service != "" {
		if n := len(approvedTraces(words, f.service)); n != 1 {
			problems = append(problems, fmt.Sprintf("4 the flow succeeded and the host approved %d %s", n, f.service))
		}
	}
	if f.row == rowVoid {
		if n := len(approvedTraces(words, terminal.SvcBillPayment)); n != 0 {
			problems = append(problems, "4 the payment was voided and the biller has it")
		}
	}
	problems = append(problems, checkProgram(t, c, dir, h, tf, func(b faultBook) {
		if f.model != nil && r.code == 0 {
			f.model(b, tf)
		}
	})...)
	m.record(t, f.row, colStale, problems, "")
}

// heldByLive: while a live station program (station serve) holds the
// ledger, every command refuses at once and says the program is already
// running; nothing changes.
func (m *faultMatrix) heldByLive(t *testing.T, tf *tariff.Tariff, flows []procFlow) {
	c, dir, h := processStation(t)
	_, queued := flows[5].setup(t, c, dir, h) // the void's queued payment
	before := len(entries(t, c, dir))
	serve := exec.Command(binary(t, "station"), "serve", "--dir", dir, "--addr", "127.0.0.1:0", "--host", h.url)
	serve.Env = programEnv(h.url)
	stdout, err := serve.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	serve.Stderr = &logs
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			serve.Process.Signal(syscall.SIGTERM)
			serve.Wait()
		}
	}
	defer stop()
	lines := bufio.NewScanner(stdout)
	for lines.Scan() && !strings.Contains(lines.Text(), "服务站网页已开") {
	}
	go io.Copy(io.Discard, stdout)

	type answer struct {
		row string
		r   result
	}
	answers := make(chan answer, len(flows))
	for _, f := range flows {
		go func() {
			answers <- answer{f.row, c.run(append(f.args(queued), "--dir", dir, "--operator", "OP1")...)}
		}()
	}
	got := map[string]result{}
	for range flows {
		select {
		case a := <-answers:
			got[a.row] = a.r
		case <-time.After(2 * time.Minute): // far beyond the 1 s lock timeout: a hang
			for _, f := range flows {
				if _, ok := got[f.row]; !ok {
					m.fail(f.row, colHeld, "hangs while station serve holds the ledger")
				}
			}
			t.Fatalf("a command hangs while station serve holds the ledger\n%s", logs.String())
		}
	}
	stop()
	after := len(entries(t, c, dir))
	for _, f := range flows {
		r := got[f.row]
		var problems []string
		if r.code != exitFailed || !strings.Contains(r.stderr, "station 程序已经在运行") {
			problems = append(problems, fmt.Sprintf("exit %d: %s%s", r.code, r.stdout, r.stderr))
		}
		m.record(t, f.row, colHeld, problems, "")
	}
	// serve settled the queued payment at its start; the refused commands
	// changed nothing.
	if serveWrote := after - before; serveWrote != 1 {
		t.Errorf("the ledger went from %d to %d entries", before, after)
	}
	if problems := checkProgram(t, c, dir, h, tf, nil); len(problems) > 0 {
		t.Errorf("after serve: %s", strings.Join(problems, "\n  "))
		for _, f := range flows {
			m.fail(f.row, colHeld, problems[0])
		}
	}
}

// efbig runs the flow under a file-size limit (prlimit --fsize), so that
// bbolt's own writes fail as on a full disk, until the program refuses.
// The refusal says the disk is full and not to move cash; the ledger
// verifies; the next start with space settles everything.
func (m *faultMatrix) efbig(t *testing.T, tf *tariff.Tariff, f procFlow) {
	if f.row != rowWithdrawal && f.row != rowBillOnline && f.row != rowSale {
		m.notRun(f.row, colEFBIG, "run as a program for three flows; "+colEachFull+" fails each write of this one")
		return
	}
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		m.notRun(f.row, colEFBIG, "prlimit (util-linux) is not installed here")
		t.Skip("prlimit is not installed")
	}
	c, dir, h := processStation(t)
	c.must("stock", "in", "--dir", dir, "--operator", "OP1", "--sku", urea, "--qty", "90")
	var problems []string
	done, refused := 0, ""
	for range 5 { // a card may take five withdrawals a day
		// 32 KiB: the operators' and pending files (32 KiB) fit; the
		// ledger (64 KiB) soon needs a page above the limit.
		cmd := exec.Command(prlimit, "--fsize=32768", binary(t, "station"))
		cmd.Args = append(cmd.Args, append(f.args(0), "--dir", dir, "--operator", "OP1")...)
		cmd.Env = programEnv(h.url)
		out, err := cmd.CombinedOutput()
		if err == nil {
			done++
			continue
		}
		refused = string(out)
		if !strings.HasPrefix(strings.TrimSpace(refused), "存储空间满了") || !strings.Contains(refused, "不要付现金") {
			problems = append(problems, "the refusal does not say the disk is full: "+refused)
		}
		break
	}
	if refused == "" {
		problems = append(problems, "never ran out of space")
	}
	c.must("queue", "--dir", dir, "--operator", "OP1") // the next start, with space again
	words := hostWordsIn(t, h.journal)
	if f.service != "" {
		if n := len(approvedTraces(words, f.service)); n != done {
			problems = append(problems, fmt.Sprintf("4 %d payments told the shopkeeper to take cash, the host approved %d", done, n))
		}
	}
	problems = append(problems, checkProgram(t, c, dir, h, tf, func(b faultBook) {
		b.addUnits(terminal.AccountStock, urea, decimal.NewFromInt(90))
		b.addUnits(terminal.AccountConsignment, urea, decimal.NewFromInt(-90))
		for range done {
			if f.model != nil {
				f.model(b, tf)
			}
		}
	})...)
	first, _, _ := strings.Cut(strings.TrimSpace(refused), "（")
	m.record(t, f.row, colEFBIG, problems, fmt.Sprintf("%d done, then: %s", done, first))
}

// TestUntoldWithdrawal: the program dies just after the bank's approval of
// a withdrawal is recorded, before it tells the shopkeeper to pay out. The
// next start names the withdrawal, the card and the amount, and says to
// pay unless already paid; the start after that says no more of it, and
// neither does a start after a withdrawal that was shown.
func TestUntoldWithdrawal(t *testing.T) {
	c, dir, h := faultStation(t)
	key, err := keyfile.Open(filepath.Join(dir, shopfront.KeyFile), []byte(passphrase), "T0001")
	if err != nil {
		t.Fatal(err)
	}
	tf, err := tariff.Parse(testTariff())
	if err != nil {
		t.Fatal(err)
	}
	w := &faultWorld{t: t, dir: dir, key: key, tariff: tf, url: h.url}
	cr := newCrasher(-1, -1)
	cr.crashOn = "after append " + terminal.SvcWithdrawal
	seq := uint64(len(entries(t, c, dir))) + 2 // the intent, then the withdrawal
	p := w.start(cr, hostTimeout)
	_, err, crashed := runFlow(func() (string, error) {
		_, err := p.cards.Withdraw(context.Background(), terminal.Withdrawal{
			Operator: "OP1", Card: "6228480402564890018", PIN: "147258", Amount: fmDec("300"), IdemKey: "untold",
		})
		return "", err
	})
	p.stop()
	if !crashed {
		t.Fatalf("the withdrawal did not die after its outcome: %v", err)
	}
	out := c.must("queue", "--dir", dir, "--operator", "OP1")
	for _, want := range []string{
		fmt.Sprintf("账本第 %d 笔取款 ¥300.00（卡 %s，", seq, idcheck.MaskCard("6228480402564890018")),
		"如果还没有把 ¥300.00 现金交给顾客，请现在付给他；已经付过就不要再付。",
		fmt.Sprintf("station receipt --seq %d", seq),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the restart said %q, want %q in it", out, want)
		}
	}
	if out := c.must("queue", "--dir", dir, "--operator", "OP1"); strings.Contains(out, "取款") {
		t.Errorf("the second start said again: %s", out)
	}
	c.must("withdraw", "--dir", dir, "--operator", "OP1", "--card", "6228480402564890018", "--amount", "200")
	if out := c.must("queue", "--dir", dir, "--operator", "OP1"); strings.Contains(out, "取款") {
		t.Errorf("a start after a shown withdrawal said: %s", out)
	}
	cashIs(t, c, dir, "¥2,500.00")
}

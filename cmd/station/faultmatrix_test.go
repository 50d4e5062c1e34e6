package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/internal/textwidth"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/tariff"
	"github.com/villagepost/bianmin/terminal"
)

// TestFaultMatrix runs every money flow of the station under every fault
// it can meet, recovers as the station program does at its next start,
// and checks four things each time:
//
//  1. the ledger verifies;
//  2. every account balances to the fen against a model of what should
//     have happened, made from the host's final word per trace (its
//     journal), the flow's known amounts and the tariff's fees, never
//     from the station's own ledger;
//  3. the host's journal and the station's ledger agree: every trace the
//     host approved and did not reverse is done at the station, and
//     nothing else is;
//  4. no cash moved on an unknown outcome: what the shopkeeper was told
//     (pay out, take the cash, give it back) matches the host's final
//     word, and an error means nothing moved.
//
// Most cells run in-process (faultrig_test.go): a crash is the flow's
// goroutine stopping at a durable write or a host call, a full disk is
// ENOSPC from one write. The SIGKILL, lock and EFBIG cells run the station
// program (fault_test.go). The matrix is logged at the end: go test -v
// shows it, and a failing run always does.
func TestFaultMatrix(t *testing.T) {
	m := newFaultMatrix()
	t.Cleanup(func() { t.Log("\n" + m.String()) })
	tf, err := tariff.Parse(tariff.DemoJSON)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range matrixFlows(tf) {
		t.Run(f.name, func(t *testing.T) { m.inProcess(t, tf, f) })
	}
	t.Run("Process", func(t *testing.T) { m.processCells(t) })
}

// The matrix's columns.
const (
	colClean     = "no fault"
	colBefore    = "crash<intent"
	colAfter     = "crash>intent"
	colTimeout   = "timeout"
	colDrop      = "reply lost"
	colDuplicate = "reply twice"
	colEachCrash = "crash@each step"
	colEachFull  = "ENOSPC@each write"
	colSIGKILL   = "SIGKILL"
	colStale     = "killed's files"
	colHeld      = "held by live"
	colEFBIG     = "EFBIG"
)

var matrixColumns = []string{colClean, colBefore, colAfter, colTimeout, colDrop, colDuplicate, colEachCrash, colEachFull, colSIGKILL, colStale, colHeld, colEFBIG}

// The matrix's rows.
const (
	rowWithdrawal = "withdrawal"
	rowBillOnline = "bill online"
	rowBillQueued = "bill queued"
	rowTicket     = "ticket order"
	rowPolicy     = "insurance policy"
	rowSIM        = "phone-number card"
	rowHousehold  = "contributions"
	rowSale       = "goods sale"
	rowVoid       = "void"
	rowDayClose   = "day close"
)

var matrixRows = []string{rowWithdrawal, rowBillOnline, rowBillQueued, rowTicket, rowPolicy, rowSIM, rowHousehold, rowSale, rowVoid, rowDayClose}

type cell struct {
	mark string // ✓ ✗ —
	note string
}

type faultMatrix struct {
	mu    sync.Mutex
	cells map[[2]string]*cell
}

func newFaultMatrix() *faultMatrix { return &faultMatrix{cells: map[[2]string]*cell{}} }

// pass records a passing cell, or adds to its note; fail and na likewise.
func (m *faultMatrix) set(row, col, mark, note string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.cells[[2]string{row, col}]
	if c == nil {
		c = &cell{mark: mark}
		m.cells[[2]string{row, col}] = c
	}
	if mark == "✗" {
		c.mark = mark
	}
	if note != "" {
		if c.note != "" {
			c.note += "; "
		}
		c.note += note
	}
}

func (m *faultMatrix) pass(row, col, note string) { m.set(row, col, "✓", note) }
func (m *faultMatrix) fail(row, col, note string) { m.set(row, col, "✗", note) }
func (m *faultMatrix) na(row, col, why string)    { m.set(row, col, "—", why) }

// notRun marks a cell that applies but is left to another column.
func (m *faultMatrix) notRun(row, col, why string) { m.set(row, col, "·", why) }

func (m *faultMatrix) String() string {
	var b strings.Builder
	t := textwidth.Table{}
	t.Add(append([]string{"flow \\ fault"}, matrixColumns...)...)
	var notes []string
	for _, r := range matrixRows {
		row := []string{r}
		for _, col := range matrixColumns {
			c := m.cells[[2]string{r, col}]
			switch {
			case c == nil:
				row = append(row, "?")
			default:
				row = append(row, c.mark)
				if c.note != "" {
					notes = append(notes, fmt.Sprintf("  %s × %s: %s %s", r, col, c.mark, c.note))
				}
			}
		}
		t.Add(row...)
	}
	b.WriteString("fault matrix (✓ all four checks hold, ✗ a check failed, — does not apply, · applies but left to another column):\n")
	t.Write(&b)
	b.WriteString("notes:\n")
	b.WriteString(strings.Join(notes, "\n"))
	b.WriteString("\n")
	return b.String()
}

// A flow is one money flow of the station, in-process.
type matrixFlow struct {
	name    string
	service string // the host service it asks, "" when it asks no host
	na      map[string]string
	// setup runs before the flow, with no faults.
	setup func(p *faultProc) error
	// do runs the flow under the host faults given (put in force at the
	// moment they apply) and says what the shopkeeper was told: "" with
	// an error, or what to do with the cash. phase2 is the error of a
	// later, customer-free step (forwarding the queue), if any.
	do func(p *faultProc, faults []string) (told string, err error)
	// model adds to b what should have happened, given the host's final
	// word per trace and which entries the flow got into the ledger.
	model func(b faultBook, words map[string]hostWord, c *crasher)
	// told checks what the shopkeeper was told against the host's final
	// word (property 4); crashed runs told nothing.
	told func(told string, err error, words map[string]hostWord, c *crasher) []string
}

const (
	wdCard   = "6228480402564890018"
	wdAmount = "300.00"
	billAcct = "5100123456"
	billAmt  = "80.00"
	fare     = "309.00"
	sumIns   = "100000.00" // a farmhouse policy: premium 150.00
	urea     = "FERT-UREA-50KG"
	simPlan  = "cmcc-39" // 50.00, commission 15.00 per card
	simCard  = "89860012345678901238,13812345670"
	simNo    = "13812345670"
)

// household is the fault matrix's household: two members paying the
// pension (open through the demo tariff's validity), one a standard
// member at the 300.00 grade, one 低保 owing 200.00.
var household = []terminal.Member{
	{Name: "王建国", IDNumber: "411523198001011234", Scheme: "pension", Grade: decimal.RequireFromString("300.00")},
	{Name: "李秀兰", IDNumber: "411523198203159069", Scheme: "pension", Grade: decimal.RequireFromString("300.00")},
}

// approvedTraces lists the traces of service whose host's final word is
// approved.
func approvedTraces(words map[string]hostWord, service string) []string {
	var out []string
	for _, tr := range faultKeys(words) {
		if w := words[tr]; w.Service == service && w.Status == terminal.StatusApproved {
			out = append(out, tr)
		}
	}
	return out
}

// toldMatches checks that a flow which told the shopkeeper yes ended
// with exactly one approval by the host and one which returned an error
// with none.
func toldMatches(service, yes string) func(string, error, map[string]hostWord, *crasher) []string {
	return func(told string, err error, words map[string]hostWord, _ *crasher) []string {
		n := len(approvedTraces(words, service))
		switch {
		case err == nil && told == yes && n != 1:
			return []string{fmt.Sprintf("the shopkeeper was told %q but the host approved %d %s", told, n, service)}
		case err != nil && n != 0:
			return []string{fmt.Sprintf("the shopkeeper got an error (%v) but the host approved %d %s", err, n, service)}
		case err == nil && told != yes:
			return []string{fmt.Sprintf("told %q, want %q", told, yes)}
		}
		return nil
	}
}

func matrixFlows(tf *tariff.Tariff) []matrixFlow {
	ctx := context.Background()
	noHost := map[string]string{
		colBefore: "no intent: it asks no host", colAfter: "no intent: it asks no host",
		colTimeout: "it asks no host", colDrop: "it asks no host", colDuplicate: "it asks no host",
	}
	price := func(service string, amount decimal.Decimal) (fee, commission decimal.Decimal) {
		p, _ := tf.Pricing(service)
		return p.Fee.Apply(amount), p.Commission.Apply(amount)
	}
	hostModel := func(b faultBook, words map[string]hostWord, _ *crasher) { addHostModel(tf, b, words) }
	key := func(_ *faultProc, what string) string { return what + "-1" }
	payBill := func(p *faultProc) (string, error) {
		r, err := p.bills.Pay(ctx, terminal.BillPayment{Operator: "OP1", Biller: "state-grid", Account: billAcct, Amount: fmDec(billAmt), IdemKey: key(p, "bill")})
		if err != nil {
			return "", err
		}
		if r.Queued {
			return "queued", nil
		}
		return "paid", nil
	}
	return []matrixFlow{
		{
			name: rowWithdrawal, service: terminal.SvcWithdrawal,
			do: func(p *faultProc, faults []string) (string, error) {
				p.w.faults(faults...)
				r, err := p.cards.Withdraw(ctx, terminal.Withdrawal{Operator: "OP1", Card: wdCard, PIN: "147258", Amount: fmDec(wdAmount), IdemKey: key(p, "wd")})
				if err != nil {
					return "", err
				}
				return "pay " + r.Amount.StringFixed(2), nil
			},
			model: hostModel,
			told:  toldMatches(terminal.SvcWithdrawal, "pay "+wdAmount),
		},
		{
			name: rowBillOnline, service: terminal.SvcBillPayment,
			do: func(p *faultProc, faults []string) (string, error) {
				p.w.faults(faults...)
				return payBill(p)
			},
			model: hostModel,
			told:  toldMatches(terminal.SvcBillPayment, "paid"),
		},
		{
			name: rowBillQueued, service: terminal.SvcBillPayment,
			// The biller is down: the payment is queued and the cash
			// taken. Then it is back (with the cell's faults) and the
			// queue is forwarded.
			do: func(p *faultProc, faults []string) (string, error) {
				p.w.faults("biller=down")
				told, err := payBill(p)
				p.w.faults(faults...)
				if _, derr := p.link.Drain(ctx); derr != nil {
					p.w.t.Logf("%s: forwarding the queue: %v", rowBillQueued, derr)
				}
				return told, err
			},
			model: hostModel,
			told:  toldMatches(terminal.SvcBillPayment, "queued"),
		},
		{
			name: rowTicket, service: terminal.SvcTicketOrder,
			do: func(p *faultProc, faults []string) (string, error) {
				p.w.faults(faults...)
				date := time.Now().In(p.store.Zone()).AddDate(0, 0, 7).Format(time.DateOnly)
				r, err := p.tickets.Order(ctx, terminal.TicketOrder{Operator: "OP1", Carrier: "rail", Passenger: "王秀英", IDNumber: "411523198001011234",
					From: "信阳", To: "郑州东", Date: date, Class: "二等座", Fare: fmDec(fare), IdemKey: key(p, "ticket")})
				if err != nil {
					return "", err
				}
				return r.Status, nil
			},
			model: hostModel,
			told:  toldMatches(terminal.SvcTicketOrder, terminal.TicketIssued),
		},
		{
			name: rowPolicy, service: terminal.SvcPolicyIssue,
			do: func(p *faultProc, faults []string) (string, error) {
				p.w.faults(faults...)
				r, err := p.insure.Buy(ctx, terminal.PolicyOrder{Operator: "OP1", Product: "farmhouse", Holder: "王秀英", IDNumber: "411523198001011234",
					Object: "砖木结构住房三间", SumInsured: fmDec(sumIns), IdemKey: key(p, "policy")})
				if err != nil {
					return "", err
				}
				return "take " + r.Quote.Total.StringFixed(2), nil
			},
			model: hostModel,
			told:  toldMatches(terminal.SvcPolicyIssue, "take 150.00"),
		},
		{
			name: rowSIM, service: terminal.SvcSIMSale,
			do: func(p *faultProc, faults []string) (string, error) {
				p.w.faults(faults...)
				r, err := p.sims.Sell(ctx, terminal.SIMOrder{Operator: "OP1", Number: simNo, Holder: "王秀英", IDNumber: "411523198001011234", IdemKey: key(p, "sim")})
				if err != nil {
					return "", err
				}
				return "take " + r.Plan.Price.Decimal.StringFixed(2), nil
			},
			model: hostModel,
			told:  toldMatches(terminal.SvcSIMSale, "take 50.00"),
		},
		{
			// Two members, each its own request: under a fault on the
			// first, the second is still paid.
			name: rowHousehold, service: terminal.SvcContribution,
			do: func(p *faultProc, faults []string) (string, error) {
				p.w.faults(faults...)
				r, err := p.contrib.Pay(ctx, terminal.Household{Operator: "OP1", Head: "王建国", Members: household, IdemKey: key(p, "household")})
				if err != nil {
					return "", err
				}
				return "take " + r.Total.StringFixed(2), nil
			},
			model: hostModel,
			told: func(told string, err error, words map[string]hostWord, _ *crasher) []string {
				paid := decimal.Zero
				n := 0
				for _, tr := range approvedTraces(words, terminal.SvcContribution) {
					paid = paid.Add(fmDec(words[tr].Amount))
					n++
				}
				// An error after some members were paid must say so, with
				// the cash to take for them.
				var part *terminal.HouseholdPartError
				if errors.As(err, &part) {
					if len(part.Charged) != n || !part.Total.Equal(paid) {
						return []string{fmt.Sprintf("the shopkeeper was told %d members paid, %s, but the social host took %s from %d", len(part.Charged), part.Total.StringFixed(2), paid.StringFixed(2), n)}
					}
					return nil
				}
				switch {
				case err != nil && n != 0:
					return []string{fmt.Sprintf("the shopkeeper got an error (%v) but the social host took %d members", err, n)}
				case err == nil && told != "take "+paid.StringFixed(2):
					return []string{fmt.Sprintf("the shopkeeper was told %q but the social host took %s from %d members", told, paid.StringFixed(2), n)}
				}
				return nil
			},
		},
		{
			name: rowSale, na: noHost,
			do: func(p *faultProc, faults []string) (string, error) {
				r, err := p.goods.Sell(terminal.Sale{Operator: "OP1", Lines: []terminal.Line{{SKU: urea, Qty: 2}}, IdemKey: key(p, "sale")})
				if err != nil {
					return "", err
				}
				return "take " + r.Total.StringFixed(2), nil
			},
			model: func(b faultBook, words map[string]hostWord, c *crasher) {
				hostModel(b, words, c)
				if c.added["sale"] == 0 {
					return
				}
				it, _ := tf.Item(urea)
				total := it.Price.Mul(decimal.NewFromInt(2))
				_, com := price(tariff.Sale, total)
				b.add(terminal.AccountCash, total)
				b.add(terminal.AccountSettlement, total.Neg().Add(com))
				b.add(terminal.AccountCommission+tariff.Sale, com.Neg())
				b.addUnits(terminal.AccountStock, urea, decimal.NewFromInt(-2))
				b.addUnits(terminal.AccountConsignment, urea, decimal.NewFromInt(2))
			},
			told: recorded("sale", "take 270.00"),
		},
		{
			name: rowVoid, na: map[string]string{
				colBefore: "no intent: a void asks no host", colAfter: "no intent: a void asks no host",
				colTimeout: "a void asks no host", colDrop: "a void asks no host", colDuplicate: "a void asks no host",
			},
			// A payment queued while the biller was down is voided; the
			// biller is back for the recovery, which must not forward it.
			setup: func(p *faultProc) error {
				p.w.faults("biller=down")
				r, err := p.bills.Pay(ctx, terminal.BillPayment{Operator: "OP1", Biller: "state-grid", Account: billAcct, Amount: fmDec(billAmt), IdemKey: "bill-queued"})
				p.w.faults()
				if err == nil && !r.Queued {
					err = fmt.Errorf("the payment was not queued")
				}
				p.w.queued = r.Entry.Seq
				return err
			},
			do: func(p *faultProc, faults []string) (string, error) {
				r, err := p.voids.Void("OP1", "OP1", p.w.queued, "顾客不缴了")
				if err != nil {
					return "", err
				}
				return "give back " + r.Refund.StringFixed(2), nil
			},
			model: hostModel,
			told: func(told string, err error, words map[string]hostWord, c *crasher) []string {
				n := len(approvedTraces(words, terminal.SvcBillPayment))
				switch {
				case err == nil && n != 0:
					return []string{fmt.Sprintf("the shopkeeper was told %q but the biller has the payment", told)}
				case err != nil && n != 1:
					return []string{fmt.Sprintf("the void failed (%v), so the cash stays, but the biller approved %d payments", err, n)}
				}
				return nil
			},
		},
		{
			name: rowDayClose, na: map[string]string{
				colBefore: "no intent: a close asks no host", colAfter: "no intent: a close asks no host",
				colTimeout: "a close asks no host", colDrop: "a close asks no host", colDuplicate: "a close asks no host",
			},
			do: func(p *faultProc, faults []string) (string, error) {
				counted := fmDec("1999.00") // 1.00 short
				e, _, err := p.days.Close(terminal.CloseRequest{Operator: "OP1", Counted: &counted})
				if err != nil {
					return "", err
				}
				return "closed " + e.Day, nil
			},
			model: func(b faultBook, words map[string]hostWord, c *crasher) {
				hostModel(b, words, c)
				if c.added[ledger.KindDayClose] > 0 {
					b.add(terminal.AccountCash, fmDec("-1.00"))
					b.add(terminal.AccountVariance, fmDec("1.00"))
				}
			},
			told: recorded(ledger.KindDayClose, "closed "),
		},
	}
}

// recorded checks a flow without a host: told yes means its entry is in
// the ledger, an error means it is not.
func recorded(kind, yes string) func(string, error, map[string]hostWord, *crasher) []string {
	return func(told string, err error, _ map[string]hostWord, c *crasher) []string {
		n := c.added[kind]
		switch {
		case err == nil && (!strings.HasPrefix(told, yes) || n != 1):
			return []string{fmt.Sprintf("told %q with %d %s entries", told, n, kind)}
		case err != nil && n != 0:
			return []string{fmt.Sprintf("an error (%v) yet %d %s entries", err, n, kind)}
		}
		return nil
	}
}

// baseModel is what every world's setup puts in the ledger.
func baseModel() faultBook {
	b := faultBook{}
	b.add(terminal.AccountCash, fmDec("2000.00"))
	b.add(terminal.AccountOwner, fmDec("-2000.00"))
	b.addUnits(terminal.AccountStock, urea, decimal.NewFromInt(10))
	b.addUnits(terminal.AccountConsignment, urea, decimal.NewFromInt(-10))
	b.addUnits(terminal.AccountStock, terminal.SIMCommodity(simPlan), decimal.NewFromInt(1))
	b.addUnits(terminal.AccountConsignment, terminal.SIMCommodity(simPlan), decimal.NewFromInt(-1))
	return b
}

// a trial is one run of a flow under one fault, with its recovery.
type trial struct {
	label   string
	faults  []string
	timeout time.Duration
	crashAt int
	fullAt  int
}

// outcome is what a trial saw.
type outcome struct {
	told     string
	err      error
	crashed  bool
	hooks    []string
	writes   []string
	problems []string
}

// try runs one trial in a fresh world and checks the four properties
// after recovery.
func (m *faultMatrix) try(t *testing.T, tf *tariff.Tariff, f matrixFlow, tr trial) outcome {
	t.Helper()
	w := newFaultWorld(t, tf)
	setup := w.start(nil, hostTimeout)
	_, err := setup.drawer.In(terminal.CashMove{Operator: "OP1", Amount: fmDec("2000.00"), Reason: terminal.ReasonFloat, IdemKey: "float"})
	if err == nil {
		_, err = setup.goods.StockIn("OP1", urea, 10, "", "stock")
	}
	if err == nil {
		err = receiveCard(setup)
	}
	if err == nil && f.setup != nil {
		err = f.setup(setup)
	}
	setup.stop()
	if err != nil {
		t.Fatalf("setup: %v", err)
	}

	c := newCrasher(tr.crashAt, tr.fullAt)
	timeout := tr.timeout
	if timeout == 0 {
		timeout = hostTimeout
	}
	p := w.start(c, timeout)
	told, ferr, crashed := runFlow(func() (string, error) { return f.do(p, tr.faults) })
	p.stop() // the process is gone: its locks with it
	w.faults()
	o := outcome{told: told, err: ferr, crashed: crashed, hooks: c.hooks, writes: c.writes}
	problem := func(format string, args ...any) { o.problems = append(o.problems, fmt.Sprintf(format, args...)) }

	if tr.fullAt >= 0 && ferr != nil && !isDiskFull(ferr) {
		problem("the disk was full but the error does not say so: %v", ferr)
	}

	// The next start: recovery before anything else.
	r := w.start(nil, hostTimeout)
	defer r.stop()
	d, err := r.link.Recover(context.Background())
	if err != nil {
		problem("recovery: %v", err)
	} else if len(d.Remaining) > 0 {
		problem("recovery left %d item(s) pending with every host up: %+v", len(d.Remaining), d.Remaining)
	}
	last := r.store.Last().Seq
	if d2, err := r.link.Recover(context.Background()); err != nil || d2.Settled != 0 || r.store.Last().Seq != last {
		problem("a second recovery did something: %+v, %v", d2, err)
	}

	words := w.hostWords()
	want := baseModel()
	f.model(want, words, c)
	o.problems = append(o.problems, checkAfter(r.store, words, want)...)
	// 4. What the shopkeeper was told.
	if !crashed {
		for _, s := range f.told(told, ferr, words, c) {
			problem("4 %s", s)
		}
	}
	if len(o.problems) > 0 {
		t.Errorf("%s: %s (told %q, err %v, crashed %v)\n  %s", tr.label, strings.Join(o.problems, "\n  "), told, ferr, crashed, faultTail(c.hooks))
	}
	return o
}

// faultTail shows the last hooks a run passed.
func faultTail(hooks []string) string {
	if len(hooks) > 6 {
		hooks = hooks[len(hooks)-6:]
	}
	return "last steps: " + strings.Join(hooks, " → ")
}

// inProcess fills the in-process cells of one flow.
func (m *faultMatrix) inProcess(t *testing.T, tf *tariff.Tariff, f matrixFlow) {
	record := func(col string, o outcome, note string) {
		if len(o.problems) > 0 {
			m.fail(f.name, col, note+": "+o.problems[0])
		} else {
			m.pass(f.name, col, note)
		}
	}
	clean := m.try(t, tf, f, trial{label: "no fault", crashAt: -1, fullAt: -1})
	if clean.err != nil || clean.crashed {
		m.fail(f.name, colClean, fmt.Sprintf("err %v", clean.err))
		t.Fatalf("the clean run failed: %v", clean.err)
	}
	record(colClean, clean, "told "+clean.told)

	for col, why := range f.na {
		m.na(f.name, col, why)
	}
	find := func(hook string) int {
		for i, h := range clean.hooks {
			if h == hook {
				return i
			}
		}
		return -1
	}
	if f.service != "" {
		// The intent is made durable by Prepare before the host is asked.
		for _, x := range []struct{ col, hook string }{{colBefore, "before prepare " + terminal.KindIntent}, {colAfter, "after prepare " + terminal.KindIntent}} {
			k := find(x.hook)
			if k < 0 {
				t.Errorf("%s: the clean run has no step %q (steps: %s)", f.name, x.hook, strings.Join(clean.hooks, " → "))
			}
			o := m.try(t, tf, f, trial{label: x.col, crashAt: k, fullAt: -1})
			if !o.crashed {
				o.problems = append(o.problems, "did not crash")
				t.Errorf("%s, %s: the run did not crash at %q", f.name, x.col, x.hook)
			}
			record(x.col, o, "")
		}
		for _, x := range []struct{ col, mode string }{{colTimeout, "timeout"}, {colDrop, "drop"}, {colDuplicate, "duplicate"}} {
			tr := trial{label: x.col, faults: []string{f.service + "=" + x.mode + "#1"}, crashAt: -1, fullAt: -1}
			if x.mode == "timeout" {
				tr.timeout = shortHostTimeout
			}
			o := m.try(t, tf, f, tr)
			told := o.told
			if o.err != nil {
				told = "error"
			}
			record(x.col, o, "told "+told)
		}
	}
	// A crash at every step of the clean run.
	bad := 0
	for k := range clean.hooks {
		o := m.try(t, tf, f, trial{label: fmt.Sprintf("crash at step %d (%s)", k, clean.hooks[k]), crashAt: k, fullAt: -1})
		if !o.crashed {
			o.problems = append(o.problems, "did not reach the step")
			t.Errorf("crash at step %d (%s): the run did not reach it", k, clean.hooks[k])
		}
		if len(o.problems) > 0 {
			bad++
			m.fail(f.name, colEachCrash, fmt.Sprintf("step %d %s: %s", k, clean.hooks[k], o.problems[0]))
		}
	}
	if bad == 0 {
		m.pass(f.name, colEachCrash, fmt.Sprintf("%d steps", len(clean.hooks)))
	}
	// A full disk at every durable write of the clean run.
	bad = 0
	errs := 0
	for k := range clean.writes {
		o := m.try(t, tf, f, trial{label: fmt.Sprintf("disk full at write %d (%s)", k, clean.writes[k]), crashAt: -1, fullAt: k})
		if o.err != nil {
			errs++
		}
		if len(o.problems) > 0 {
			bad++
			m.fail(f.name, colEachFull, fmt.Sprintf("write %d %s: %s", k, clean.writes[k], o.problems[0]))
		}
	}
	if bad == 0 {
		m.pass(f.name, colEachFull, fmt.Sprintf("%d writes, %d refused with the disk-full error", len(clean.writes), errs))
	}
}

// addHostModel adds to b the money of every trace the hosts decided, from
// their final word and the flows' known amounts and the tariff's fees: an
// approved withdrawal, bill payment or ticket moves its money; a bill the
// biller refused after it was queued leaves the cash owed back; anything
// else moves nothing.
func addHostModel(tf *tariff.Tariff, b faultBook, words map[string]hostWord) {
	price := func(service string, amount decimal.Decimal) (fee, commission decimal.Decimal) {
		p, _ := tf.Pricing(service)
		return p.Fee.Apply(amount), p.Commission.Apply(amount)
	}
	for _, tr := range faultKeys(words) {
		w := words[tr]
		switch w.Service {
		case terminal.SvcWithdrawal:
			if w.Status == terminal.StatusApproved {
				amount := fmDec(w.Amount) // the flows charge no fee on a withdrawal: asked = paid out
				fee, com := price(tariff.Withdrawal, amount)
				b.add(terminal.AccountSettlement, amount.Add(fee).Add(com))
				b.add(terminal.AccountCash, amount.Neg())
				b.add(terminal.AccountFees, fee.Neg())
				b.add(terminal.AccountCommission+tariff.Withdrawal, com.Neg())
			}
		case terminal.SvcBillPayment:
			amount := fmDec(billAmt)
			fee, com := price(tariff.BillPayment, amount)
			switch {
			case w.Status == terminal.StatusApproved:
				b.add(terminal.AccountCash, amount.Add(fee))
				b.add(terminal.AccountSettlement, amount.Neg().Add(com))
				b.add(terminal.AccountFees, fee.Neg())
				b.add(terminal.AccountCommission+tariff.BillPayment, com.Neg())
			case w.Status == terminal.StatusDeclined && w.Queued:
				b.add(terminal.AccountCash, amount.Add(fee))
				b.add(terminal.AccountRefundsDue, amount.Add(fee).Neg())
			}
		case terminal.SvcTicketOrder:
			if w.Status == terminal.StatusApproved {
				f := fmDec(fare)
				fee, com := price(tariff.TicketOrder, f)
				b.add(terminal.AccountCash, f.Add(fee))
				b.add(terminal.AccountSettlement, f.Neg().Add(com))
				b.add(terminal.AccountFees, fee.Neg())
				b.add(terminal.AccountCommission+tariff.TicketOrder, com.Neg())
			}
		case terminal.SvcPolicyIssue:
			if w.Status == terminal.StatusApproved {
				prod, _ := tf.Product("farmhouse")
				premium := prod.Premium(fmDec(sumIns))
				_, com := price(tariff.PolicyIssue, premium)
				b.add(terminal.AccountCash, premium)
				b.add(terminal.AccountSettlement, premium.Neg().Add(com))
				b.add(terminal.AccountCommission+tariff.PolicyIssue, com.Neg())
			}
		case terminal.SvcSIMSale:
			if w.Status == terminal.StatusApproved {
				plan, _ := tf.SIMPlan(simPlan)
				price, com := plan.Price.Decimal, plan.Commission.Decimal
				b.add(terminal.AccountCash, price)
				b.add(terminal.AccountSettlement, price.Neg().Add(com))
				b.add(terminal.AccountCommission+terminal.SvcSIMSale, com.Neg())
				b.addUnits(terminal.AccountStock, terminal.SIMCommodity(simPlan), decimal.NewFromInt(-1))
				b.addUnits(terminal.AccountConsignment, terminal.SIMCommodity(simPlan), decimal.NewFromInt(1))
			}
		case terminal.SvcContribution:
			if w.Status == terminal.StatusApproved {
				amount := fmDec(w.Amount) // what the host took: the grade less the member's subsidy
				scheme, _ := tf.Scheme("pension")
				year, _ := scheme.OpenYear(time.Now().In(shanghai).Format(time.DateOnly))
				p, _ := tf.ContributionPricing("pension", year.Year)
				fee, com := p.Fee.Apply(amount), p.Commission.Apply(amount)
				b.add(terminal.AccountCash, amount.Add(fee))
				b.add(terminal.AccountSettlement, amount.Neg().Add(com))
				b.add(terminal.AccountFees, fee.Neg())
				b.add(terminal.AccountCommission+terminal.SvcContribution, com.Neg())
			}
		}
	}
}

// checkAfter checks properties 1 to 3 on a station's ledger after
// recovery, against the host's final words and the model want.
func checkAfter(s *ledger.Store, words map[string]hostWord, want faultBook) []string {
	var problems []string
	problem := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	// 1. The ledger verifies.
	if _, err := s.VerifyAll(); err != nil {
		problem("1 ledger verify: %v", err)
	}
	// 2. Balances against the model.
	got, err := s.Balances()
	if err != nil {
		problem("2 balances: %v", err)
	}
	for _, d := range want.diff(got) {
		problem("2 %s", d)
	}
	// 3. Host and station agree per trace.
	station, err := stationWord(s)
	if err != nil {
		problem("3 reading the ledger: %v", err)
	}
	traces := map[string]bool{}
	for tr := range words {
		traces[tr] = true
	}
	for tr := range station {
		traces[tr] = true
	}
	for _, tr := range faultKeys(traces) {
		hw, sw := words[tr], station[tr]
		approved := hw.Status == terminal.StatusApproved
		switch {
		case sw == "":
			problem("3 %s: the host has it (%s) and the station has no intent for it", tr, hw.Status)
		case sw == terminal.KindIntent || sw == "queued" || sw == terminal.KindReversalDue:
			problem("3 %s: still open at the station after recovery (%s)", tr, sw)
		case approved != (sw == "done"):
			problem("3 %s: the host's final word is %q, the station's %q", tr, hw.Status, sw)
		}
	}
	return problems
}

package receipts_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/hostsim"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/receipts"
	"github.com/villagepost/bianmin/simcard"
	"github.com/villagepost/bianmin/tariff"
	"github.com/villagepost/bianmin/terminal"
)

// The station of the tests: a fixed key and clock, so that every entry,
// and so every receipt, comes out the same each run.
var (
	stationKey = ed25519.NewKeyFromSeed([]byte("receipt tests station seed 32 b!"))
	zone       = time.FixedZone("CST", 8*3600)
	opened     = time.Date(2026, 11, 20, 9, 30, 0, 0, zone)
)

func station() receipts.Station {
	return receipts.Station{ID: "T0001", Name: "山前村便民服务站", Phone: "0376-6201234", Zone: zone}
}

// day is one business day at the test station with a receipt to print
// for each service.
type day struct {
	ledger *ledger.Store
	byName map[string]uint64 // a name for each entry the tests print
	order  []string
}

// newDay runs one of every service through the terminal against the
// in-process host simulator.
func newDay(t *testing.T) *day {
	t.Helper()
	now := opened
	clock := func() time.Time { now = now.Add(37 * time.Second); return now }
	s, err := ledger.Create(filepath.Join(t.TempDir(), "ledger.db"),
		ledger.Genesis{Terminal: "T0001", Name: "山前村便民服务站", Zone: "Asia/Shanghai", Phone: "0376-6201234"}, "init", stationKey, &ledger.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	sim, err := hostsim.Open("", &hostsim.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	pending, err := terminal.OpenPending(filepath.Join(t.TempDir(), "pending.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pending.Close() })
	tf, err := tariff.Parse(tariff.DemoJSON)
	if err != nil {
		t.Fatal(err)
	}
	link := &terminal.Link{Ledger: s, Host: sim, Pending: pending, Terminal: "T0001", Timeout: time.Second, Retries: 1, Now: clock}
	today := func() time.Time { return now.In(zone) }
	d := &day{ledger: s, byName: map[string]uint64{}}
	name := func(n string, e ledger.Entry, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		d.byName[n] = e.Seq
		d.order = append(d.order, n)
	}
	ctx := context.Background()
	dec := decimal.RequireFromString
	drawer := &terminal.Drawer{Ledger: s}
	e, err := drawer.In(terminal.CashMove{Operator: "OP1", Amount: dec("3000.00"), Reason: terminal.ReasonFloat, IdemKey: "float"})
	name("cash_in", e, err)

	cards := &terminal.Cards{Link: link, Tariff: tf, CardKey: []byte("0123456789abcdef0123456789abcdef")}
	w, err := cards.Withdraw(ctx, terminal.Withdrawal{Operator: "OP1", Card: "6228480402564890018", PIN: "147258", Amount: dec("856.50"), IdemKey: "w1"})
	name("withdrawal", w.Entry, err)

	sim.SetFaults(mustFault(t, "withdrawal=drop#1"))
	_, err = cards.Withdraw(ctx, terminal.Withdrawal{Operator: "OP1", Card: "6217001234567890122", PIN: "147258", Amount: dec("300.00"), IdemKey: "w3"})
	var rev *terminal.ReversedError
	if !errors.As(err, &rev) {
		t.Fatalf("the dropped withdrawal: %v", err)
	}
	intent, err := s.ByIdemKey("w3")
	if err != nil {
		t.Fatal(err)
	}
	rv, err := s.ByIdemKey("reversal:" + strconv.FormatUint(intent.Seq, 10))
	name("reversal", rv, err)

	bills := &terminal.Bills{Link: link, Tariff: tf}
	b, err := bills.Pay(ctx, terminal.BillPayment{Operator: "OP2", Biller: "state-grid", Account: "5100123456", Paid: dec("300.00"), IdemKey: "b1"})
	name("bill_payment", b.Entry, err)
	tp, err := bills.Topup(ctx, terminal.BillPayment{Operator: "OP2", Biller: "china-mobile", Account: "13800138000", Amount: dec("50.00"), IdemKey: "t1"})
	name("topup", tp.Entry, err)

	sim.SetFaults(mustFault(t, "biller=down"))
	q, err := bills.Pay(ctx, terminal.BillPayment{Operator: "OP2", Biller: "county-water", Account: "30012345", Amount: dec("45.00"), IdemKey: "b2"})
	name("queued_payment", q.Entry, err)
	sim.SetFaults()
	if _, err := link.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	cf, err := s.ByIdemKey("final:" + strconv.FormatUint(q.Intent.Seq, 10))
	name("queued_confirmed", cf, err)

	tickets := &terminal.Tickets{Link: link, Tariff: tf, Today: today}
	tk, err := tickets.Order(ctx, terminal.TicketOrder{Operator: "OP1", Carrier: "rail", Passenger: "王秀英", IDNumber: "411523198001011234",
		From: "信阳", To: "郑州东", Date: "2026-11-23", Class: "二等座", Fare: dec("153.50"), IdemKey: "k1"})
	name("ticket_order", tk.Entry, err)
	sim.SetFaults(mustFault(t, "ticket_order=waitlist#1"))
	wl, err := tickets.Order(ctx, terminal.TicketOrder{Operator: "OP1", Carrier: "air", Passenger: "李建国", IDNumber: "11010519491231002X",
		From: "信阳明港", To: "广州白云", Date: "2026-12-01", Class: "经济舱", Fare: dec("890.00"), IdemKey: "k2"})
	name("ticket_waitlisted", wl.Entry, err)
	cancel, err := tickets.Cancel(ctx, "OP1", tk.Entry.Seq, "c1")
	name("ticket_cancel", cancel.Entry, err)

	goods := &terminal.Goods{Ledger: s, Tariff: tf, Today: today}
	if _, err := goods.StockIn("OP1", "FERT-UREA-50KG", 40, "", "s1"); err != nil {
		t.Fatal(err)
	}
	if _, err := goods.StockIn("OP1", "DAILY-SOAP", 40, "", "s2"); err != nil {
		t.Fatal(err)
	}
	sale, err := goods.Sell(terminal.Sale{Operator: "OP2", Lines: []terminal.Line{{SKU: "FERT-UREA-50KG", Qty: 2}, {SKU: "DAILY-SOAP", Qty: 3}},
		Paid: dec("300.00"), Delivery: &terminal.Delivery{To: "村东头李家麦地", Promised: "2026-11-22"}, IdemKey: "sale1"})
	name("sale", sale.Entry, err)
	small, err := goods.Sell(terminal.Sale{Operator: "OP2", Lines: []terminal.Line{{SKU: "DAILY-SOAP", Qty: 1}}, IdemKey: "sale2"})
	if err != nil {
		t.Fatal(err)
	}
	v, err := (&terminal.Voids{Link: link}).Void("OP2", "OP1", small.Entry.Seq, "拿错了")
	name("void", v.Entry, err)

	disputes := &terminal.Disputes{Ledger: s, Link: link}
	dp, _, err := disputes.Open(ctx, terminal.DisputeRequest{Operator: "OP1", Entry: w.Entry.Seq, Says: "卡上扣了钱，现金少给了 100 元"})
	if err == nil {
		e, err = s.Get(dp.Seq)
	}
	name("dispute", e, err)
	ins := &terminal.Insurance{Link: link, Tariff: tf, Today: today}
	pol, err := ins.Buy(ctx, terminal.PolicyOrder{Operator: "OP1", Product: "farmhouse", Holder: "王秀英", IDNumber: "411523198001011234",
		Object: "砖木结构住房三间", SumInsured: dec("100000.00"), IdemKey: "p1"})
	name("policy_issue", pol.Entry, err)
	home, err := ins.Buy(ctx, terminal.PolicyOrder{Operator: "OP1", Product: "home", Holder: "李建国", IDNumber: "11010519491231002X",
		Object: "家电家具", SumInsured: dec("30000.00"), IdemKey: "p2"})
	if err != nil {
		t.Fatal(err)
	}
	pc, err := ins.Cancel(ctx, "OP1", home.Entry.Seq, "p3")
	name("policy_cancel", pc.Entry, err)

	con := &terminal.Contributions{Link: link, Lookup: sim, Tariff: tf, Today: today}
	hh, err := con.Pay(ctx, terminal.Household{Operator: "OP1", Head: "王建国", IdemKey: "hh1", Members: []terminal.Member{
		{Name: "王建国", IDNumber: "411523198001011234", Scheme: "medical"},
		{Name: "李秀兰", IDNumber: "411523198203159069", Scheme: "pension", Grade: dec("300.00")},
		{Name: "赵四", IDNumber: "411523198501019996", Scheme: "medical"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	name("contribution", ledger.Entry{Seq: hh.Members[0].Entry}, nil)
	name("contribution_household", hh.Entry, nil)

	sims := &terminal.SIMCards{Link: link, Tariff: tf, Today: today}
	card, err := simcard.Parse("89860012345678901238,13812345670")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sims.Receive("OP1", "cmcc-39", []simcard.Card{card}, "移动交接单0007", "sim-in"); err != nil {
		t.Fatal(err)
	}
	sold, err := sims.Sell(ctx, terminal.SIMOrder{Operator: "OP1", Number: "13812345670", Holder: "王秀英", IDNumber: "411523198001011234", IdemKey: "sim1"})
	name("sim_sale", sold.Entry, err)
	return d
}

func (d *day) receipt(t *testing.T, name string) *receipts.Receipt {
	t.Helper()
	e, err := d.ledger.Get(d.byName[name])
	if err != nil {
		t.Fatal(err)
	}
	r, err := receipts.New(station(), e, d.ledger.Get)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if err := r.Sign(stationKey); err != nil {
		t.Fatal(err)
	}
	return r
}

func mustFault(t *testing.T, s string) hostsim.Fault {
	f, err := hostsim.ParseFault(s)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func mustDec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

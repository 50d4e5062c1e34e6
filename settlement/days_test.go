package settlement_test

import (
	"context"
	"crypto/ed25519"
	"path/filepath"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/hostsim"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/settlement"
	"github.com/villagepost/bianmin/simcard"
	"github.com/villagepost/bianmin/tariff"
	"github.com/villagepost/bianmin/terminal"
)

// The test station: a fixed key and clock, so its files come out the
// same every run.
var (
	stationKey = ed25519.NewKeyFromSeed([]byte("settlement tests station seed 32"))
	stationPub = stationKey.Public().(ed25519.PublicKey)
	cst        = time.FixedZone("CST", 8*3600)
)

// station runs three business days: an ordinary day closed with a count;
// a day with a payment queued through an outage that the shop forgets to
// close; and a day that closes the forgotten one late, carrying the
// payment over, drains it and closes with a count.
type station struct {
	ledger *ledger.Store
	files  [][]byte
	closes []uint64
}

func threeDays(t testing.TB) *station {
	t.Helper()
	now := time.Date(2026, 11, 20, 8, 0, 0, 0, cst)
	clock := func() time.Time { now = now.Add(41 * time.Second); return now }
	s, err := ledger.Create(filepath.Join(t.TempDir(), "ledger.db"),
		ledger.Genesis{Terminal: "T0001", Name: "山前村便民服务站", Zone: "Asia/Shanghai"}, "init", stationKey, &ledger.Options{Now: clock})
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
	today := func() time.Time { return now }
	cards := &terminal.Cards{Link: link, Tariff: tf, CardKey: []byte("0123456789abcdef0123456789abcdef")}
	bills := &terminal.Bills{Link: link, Tariff: tf}
	goods := &terminal.Goods{Ledger: s, Tariff: tf, Today: today}
	days := &terminal.Days{Ledger: s, Pending: pending, Tariff: tf.Version}
	st := &station{ledger: s}
	ctx := context.Background()
	dec := decimal.RequireFromString
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	closeDay := func(counted string, carry bool) {
		t.Helper()
		r := terminal.CloseRequest{Operator: "OP1", Carry: carry}
		if counted != "" {
			d := dec(counted)
			r.Counted = &d
		}
		e, _, err := days.Close(r)
		must(err)
		f, err := settlement.FromLedger(s, e.Seq, "")
		must(err)
		b, err := f.Sign(stationKey)
		must(err)
		st.files, st.closes = append(st.files, b), append(st.closes, e.Seq)
	}

	_, err = (&terminal.Drawer{Ledger: s}).In(terminal.CashMove{Operator: "OP1", Amount: dec("3000.00"), Reason: terminal.ReasonFloat, IdemKey: "float"})
	must(err)
	_, err = cards.Withdraw(ctx, terminal.Withdrawal{Operator: "OP1", Card: "6228480402564890018", PIN: "147258", Amount: dec("500.00"), IdemKey: "d1w1"})
	must(err)
	_, err = goods.StockIn("OP1", "FERT-UREA-50KG", 20, "", "d1s1")
	must(err)
	_, err = goods.Sell(terminal.Sale{Operator: "OP2", Lines: []terminal.Line{{SKU: "FERT-UREA-50KG", Qty: 2}}, IdemKey: "d1sale"})
	must(err)
	closeDay("2770.00", false) // 3000 - 500 + 270

	now = time.Date(2026, 11, 21, 8, 30, 0, 0, cst)
	_, err = bills.Pay(ctx, terminal.BillPayment{Operator: "OP2", Biller: "state-grid", Account: "5100123456", IdemKey: "d2b1"})
	must(err)
	must(sim.SetFaults(mustFault(t, "biller=down")))
	_, err = bills.Pay(ctx, terminal.BillPayment{Operator: "OP2", Biller: "county-water", Account: "30012345", Amount: dec("45.00"), IdemKey: "d2b2"})
	must(err)
	must(sim.SetFaults())
	// The shop forgets to close; the next morning the day is closed late.
	now = time.Date(2026, 11, 22, 8, 10, 0, 0, cst)
	closeDay("", true)
	_, err = link.Drain(ctx)
	must(err)
	_, err = cards.Withdraw(ctx, terminal.Withdrawal{Operator: "OP1", Card: "6217001234567890122", PIN: "147258", Amount: dec("180.00"), IdemKey: "d3w1"})
	must(err)
	// A phone-number card sold and a household's pension contribution,
	// so that the vectors carry the newer services' entries and figures.
	sims := &terminal.SIMCards{Link: link, Tariff: tf, Today: today}
	card, err := simcard.Parse("89860012345678901238,13812345670")
	must(err)
	_, err = sims.Receive("OP1", "cmcc-39", []simcard.Card{card}, "移动交接单0007", "d3sim-in")
	must(err)
	_, err = sims.Sell(ctx, terminal.SIMOrder{Operator: "OP1", Number: "13812345670", Holder: "王秀英", IDNumber: "411523198001011234", IdemKey: "d3sim"})
	must(err)
	contrib := &terminal.Contributions{Link: link, Lookup: sim, Tariff: tf, Today: today}
	_, err = contrib.Pay(ctx, terminal.Household{Operator: "OP1", Head: "王建国", IdemKey: "d3hh", Members: []terminal.Member{
		{Name: "王建国", IDNumber: "411523198001011234", Scheme: "pension", Grade: dec("300.00")},
		{Name: "李秀兰", IDNumber: "411523198203159069", Scheme: "pension", Grade: dec("200.00")},
	}})
	must(err)
	x, err := days.Report()
	must(err)
	closeDay(x.Cash.Expected.Sub(dec("0.50")).StringFixed(2), false) // half a yuan short
	return st
}

func mustFault(t testing.TB, s string) hostsim.Fault {
	f, err := hostsim.ParseFault(s)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

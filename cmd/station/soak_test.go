package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/shopfront"
	"github.com/villagepost/bianmin/tariff"
	"github.com/villagepost/bianmin/terminal"
	"github.com/villagepost/bianmin/web"
	"golang.org/x/mod/sumdb/note"
)

// The soak test's knobs. CI runs the small default through go test ./...;
// bench/soak.sh runs 100,000.
var (
	soakN      = flag.Int("soak.n", 300, "soak: shopkeeper transactions to run")
	soakTime   = flag.Duration("soak.time", 10*time.Minute, "soak: start no transaction after this long (the checks still run)")
	soakSeed   = flag.Uint64("soak.seed", 0, "soak: random seed; 0 picks one from the clock (printed either way)")
	soakPerDay = flag.Int("soak.perday", 100, "soak: transactions per business day")
	soakReport = flag.String("soak.report", "", "soak: also write the figures to this file")
)

// soakClock is the station's clock: a simulated business day that runs on
// in real time from the moment it was set.
type soakClock struct {
	mu   sync.Mutex
	base time.Time
	at   time.Time
}

func (c *soakClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.base.Add(time.Since(c.at))
}

func (c *soakClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.base, c.at = t, time.Now()
}

// soakReq is a request to a host the driver made, with what the tariff
// says it costs, for the independent model.
type soakReq struct {
	kind, idem  string
	amount, fee decimal.Decimal // amount as the host sees it (a withdrawal's total), the station's fee
	commission  decimal.Decimal
	commodity   string // a phone-number card's plan, in units
	paid        bool   // the station said to hand out or take the cash
	voided      bool   // a queued payment voided at the counter
}

type soakPolicy struct {
	sale       uint64 // the policy_issue entry
	until      string // the last day of its cooling-off period
	commission decimal.Decimal
}

type soakTicket struct {
	order uint64 // the ticket_order entry
	date  string
}

// soakHeld is cash held for a later answer: a queued payment or a
// waitlisted order, whose refund the driver pays once due.
type soakHeld struct {
	intent uint64
	entry  uint64 // the entry that holds the cash (voids name it)
	day    string
	kind   string
	rq     *soakReq
}

type soak struct {
	t      *testing.T
	rng    *rand.Rand
	seed   uint64
	h      *hostsimProc
	clk    *soakClock
	dir    string
	env    map[string]string
	d      *shopfront.Desk
	sv     web.Services
	tariff *tariff.Tariff
	ctx    context.Context
	loc    *time.Location

	idem     int
	drawer   decimal.Decimal  // what is physically in the drawer, by what the station told the shopkeeper
	moves    ledger.Balances  // postings of the work that needs no host (sales, voids, cash, stock)
	stock    map[string]int64 // units on the shelf
	reqs     []*soakReq
	held     map[uint64]soakHeld // by intent
	sales    []uint64            // today's sales not voided
	tickets  []soakTicket        // open ticket orders, for cancels
	policies []soakPolicy        // policies sold, for cancels in the cooling-off period
	regular  []string            // cards that come back (and run dry)
	simSeq   int                 // phone-number cards received so far

	lat       map[string][]time.Duration
	outcomes  map[string]int // kind/outcome
	faultsOn  map[string]int // fault mode switched on
	epochs    int
	other     []string // unexpected errors
	days      int
	restarts  int
	timeBound bool
}

func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("soak: not in -short")
	}
	seed := *soakSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("soak: seed %d (rerun with -soak.seed=%d), %d transactions, %d a day, bound %s", seed, seed, *soakN, *soakPerDay, *soakTime)
	defer func() {
		if t.Failed() {
			t.Logf("soak FAILED with seed %d", seed)
		}
	}()
	s := &soak{
		t: t, seed: seed, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), clk: &soakClock{},
		moves: ledger.Balances{}, stock: map[string]int64{}, held: map[uint64]soakHeld{},
		lat: map[string][]time.Duration{}, outcomes: map[string]int{}, faultsOn: map[string]int{},
		ctx: context.Background(), loc: time.FixedZone("CST", 8*3600),
	}
	for range 30 {
		s.regular = append(s.regular, s.card())
	}
	s.h = startHostsim(t)
	key := s.setup()
	start := time.Now()
	s.run(start)
	wall := time.Since(start)
	s.finish()
	s.check(key)
	s.report(wall)
}

// day0 is the first business day of the soak; day k opens at 08:00.
var soakDay0 = time.Date(2026, 11, 24, 8, 0, 0, 0, time.FixedZone("CST", 8*3600))

// setup makes the station as a shop does, with the command line: init,
// the owner, the tariff; it returns the station's verifier key.
func (s *soak) setup() string {
	t := s.t
	c := newCLI(t)
	c.now = soakDay0.Add(-time.Hour)
	s.clk.set(soakDay0)
	s.h.setClock(soakDay0)
	s.dir = filepath.Join(t.TempDir(), "T0001")
	c.env["STATION_PASSPHRASE"] = passphrase
	out := c.must("init", "--dir", s.dir, "--id", "T0001", "--name", "山前村便民服务站", "--postoffice-key", poKey)
	m := regexp.MustCompile(`登记用公钥：(\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("init printed no key:\n%s", out)
	}
	c.must("operator", "add", "--dir", s.dir, "--id", "OP1", "--role", "owner", "--pin-file", writeSecret(t, "pin", ownerPIN))
	signer, err := note.NewSigner(tariff.DemoPostOfficeSignerKey)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := tariff.Sign(testTariff(), signer)
	if err != nil {
		t.Fatal(err)
	}
	c.env["STATION_PIN"] = ownerPIN
	c.must("tariff", "load", "--dir", s.dir, "--operator", "OP1", writeSigned(t, signed))
	s.env = map[string]string{"STATION_PASSPHRASE": passphrase}
	s.open()
	s.cashIn(terminal.ReasonFloat, decimal.NewFromInt(5000))
	return m[1]
}

// open opens the station as station serve does (openDesk): the ledger
// checked, the key unlocked, the hosts linked, what was left pending
// settled.
func (s *soak) open() {
	m := &Main{
		Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard,
		Getenv: func(k string) string { return s.env[k] }, Now: s.clk.Now, KeyParams: keyfile.FastParams(),
	}
	d, err := m.openDesk(s.ctx, serveOptions{dir: s.dir, host: hostFlag{url: s.h.url}})
	if err != nil {
		s.t.Fatalf("seed %d: open the station: %v", s.seed, err)
	}
	s.d, s.sv, s.tariff = d, d.Services(), d.Counter.Tariff
}

func (s *soak) shut() {
	if err := s.d.Counter.Close(); err != nil {
		s.t.Fatalf("seed %d: close the station: %v", s.seed, err)
	}
}

func (s *soak) key() string {
	s.idem++
	return fmt.Sprintf("soak-%d", s.idem)
}

// timed runs fn and records how long the shopkeeper waited under kind.
func (s *soak) timed(kind string, fn func() error) error {
	t0 := time.Now()
	err := fn()
	s.lat[kind] = append(s.lat[kind], time.Since(t0))
	o := s.outcome(kind, err)
	s.outcomes[kind+"/"+o]++
	return err
}

// outcome names what became of a transaction; anything unexpected is
// kept for the end.
func (s *soak) outcome(kind string, err error) string {
	var (
		dec   *terminal.DeclineError
		unr   *terminal.UnreachableError
		rev   *terminal.ReversedError
		rpend *terminal.ReversalPendingError
		lim   *terminal.LimitError
		short *terminal.ShortCashError
		verr  *terminal.VoidError
		none  *terminal.NothingToPayError
		part  *terminal.HouseholdPartError
	)
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &dec):
		return "declined"
	case errors.As(err, &unr), errors.Is(err, terminal.ErrUnreachable):
		return "not_sent"
	case errors.As(err, &rev):
		if rev.Acked {
			return "reversed"
		}
		return "reversal_queued"
	case errors.As(err, &rpend):
		return "held_back"
	case errors.As(err, &lim):
		return "limit"
	case errors.As(err, &short):
		return "short_cash"
	case errors.As(err, &verr):
		return "void_refused"
	case errors.Is(err, terminal.ErrNotOpenTicket), errors.Is(err, terminal.ErrNotOpenPolicy):
		return "not_open"
	case errors.As(err, &none):
		return "nobody_paid"
	case errors.As(err, &part):
		return "stopped_partway"
	}
	if len(s.other) < 20 {
		s.other = append(s.other, fmt.Sprintf("tx %d %s: %T %v", s.idem, kind, err, err))
	}
	return "other"
}

// run drives the shop until soak.n transactions or the time bound.
func (s *soak) run(start time.Time) {
	n, perDay := *soakN, max(*soakPerDay, 1)
	nextEpoch := 0
	for i := 0; i < n; i++ {
		if time.Since(start) > *soakTime {
			s.timeBound = true
			s.t.Logf("soak: time bound %s reached after %d of %d transactions", *soakTime, i, n)
			*soakN = i
			break
		}
		if i > 0 && i%perDay == 0 {
			s.closeDay()
			s.nextDay()
		}
		if i >= nextEpoch {
			s.switchFaults()
			nextEpoch = i + 20 + s.rng.IntN(180)
		}
		if i > 0 && i%25 == 0 {
			s.drain()
		}
		if s.rng.IntN(1500) == 0 { // the shop's power fails now and then
			s.restart()
		}
		s.one()
		if (i+1)%10000 == 0 {
			s.t.Logf("soak: %d done after %s (%d business days)", i+1, time.Since(start).Round(time.Second), s.days+1)
		}
	}
}

// one performs one transaction picked by the mix.
func (s *soak) one() {
	switch r := s.rng.IntN(1000); {
	case s.drawer.LessThan(decimal.NewFromInt(2500)):
		s.cashIn(terminal.ReasonOwner, decimal.NewFromInt(5000))
	case s.drawer.GreaterThan(decimal.NewFromInt(30000)):
		s.cashOut(decimal.NewFromInt(20000))
	case r < 300:
		s.withdraw()
	case r < 360:
		s.inquire()
	case r < 580:
		s.payBill()
	case r < 660:
		s.topup()
	case r < 720:
		s.orderTicket()
	case r < 725:
		s.cancelTicket()
	case r < 745:
		s.buyPolicy()
	case r < 750:
		s.cancelPolicy()
	case r < 765:
		s.sellSIM()
	case r < 790:
		s.contribute()
	case r < 940:
		s.sell()
	case r < 975:
		s.void()
	case r < 988:
		s.cashIn(terminal.ReasonOwner, decimal.NewFromInt(int64(100*(1+s.rng.IntN(20)))))
	default:
		s.cashOut(decimal.NewFromInt(int64(100 * (1 + s.rng.IntN(10)))))
	}
}

// card makes a card number with a valid check digit.
func (s *soak) card() string {
	b := []byte("622848")
	for range 12 {
		b = append(b, byte('0'+s.rng.IntN(10)))
	}
	return string(b) + luhnDigit(string(b))
}

func (s *soak) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + s.rng.IntN(10))
	}
	return string(b)
}

func (s *soak) cents(lo, hi int) decimal.Decimal {
	return decimal.New(int64(lo*100+s.rng.IntN((hi-lo)*100)), -2)
}

func (s *soak) price(service string, amount decimal.Decimal) (fee, commission decimal.Decimal) {
	p, ok := s.tariff.Pricing(service)
	if !ok {
		s.t.Fatalf("the tariff has no %s", service)
	}
	return p.Fee.Apply(amount), p.Commission.Apply(amount)
}

func (s *soak) withdraw() {
	card := s.card()
	if s.rng.IntN(100) < 15 {
		card = s.regular[s.rng.IntN(len(s.regular))]
	}
	pin := "147258"
	if s.rng.IntN(50) == 0 {
		pin = "000000"
	}
	amount := decimal.NewFromInt(int64(50 * (1 + s.rng.IntN(20))))
	if s.rng.IntN(10) == 0 {
		amount = s.cents(10, 1000)
	}
	fee, comm := s.price(tariff.Withdrawal, amount)
	rq := &soakReq{kind: terminal.SvcWithdrawal, idem: s.key(), amount: amount.Add(fee), fee: fee, commission: comm}
	s.reqs = append(s.reqs, rq)
	s.timed("withdrawal", func() error {
		res, err := s.sv.Cards.Withdraw(s.ctx, terminal.Withdrawal{Operator: "OP1", Card: card, PIN: pin, Amount: amount, IdemKey: rq.idem})
		if err == nil {
			rq.paid = true
			s.drawer = s.drawer.Sub(res.Amount)
		}
		return err
	})
}

func (s *soak) inquire() {
	pin := "147258"
	if s.rng.IntN(30) == 0 {
		pin = "000000"
	}
	rq := &soakReq{kind: terminal.SvcBalanceInquiry, idem: s.key()}
	s.reqs = append(s.reqs, rq)
	s.timed("balance_inquiry", func() error {
		_, _, err := s.sv.Cards.BalanceInquiry(s.ctx, "OP1", s.regular[s.rng.IntN(len(s.regular))], pin, rq.idem)
		rq.paid = err == nil
		return err
	})
}

func (s *soak) payBill() {
	var biller, acct string
	switch r := s.rng.IntN(10); {
	case r < 6:
		biller, acct = "state-grid", "51"+s.digits(8)
	case r < 8:
		biller, acct = "county-water", "300"+s.digits(5+s.rng.IntN(5))
	default:
		biller, acct = "town-gas", "8"+s.digits(8)
	}
	if s.rng.IntN(40) == 0 {
		acct = acct[:len(acct)-4] + "0000" // no such account
	}
	amount := s.cents(20, 300)
	s.billOrTopup("bill_payment", tariff.BillPayment, func(idem string) (terminal.BillResult, error) {
		return s.sv.Bills.Pay(s.ctx, terminal.BillPayment{Operator: "OP1", Biller: biller, Account: acct, Amount: amount, IdemKey: idem})
	}, amount)
}

func (s *soak) topup() {
	denoms := []int64{30, 50, 100, 200}
	amount := decimal.NewFromInt(denoms[s.rng.IntN(len(denoms))])
	phone := []string{"138", "139", "150", "186", "199"}[s.rng.IntN(5)] + s.digits(8)
	s.billOrTopup("topup", tariff.Topup, func(idem string) (terminal.BillResult, error) {
		return s.sv.Bills.Topup(s.ctx, terminal.BillPayment{Operator: "OP1", Biller: "china-mobile", Account: phone, Amount: amount, IdemKey: idem})
	}, amount)
}

func (s *soak) billOrTopup(kind, priced string, pay func(idem string) (terminal.BillResult, error), amount decimal.Decimal) {
	fee, comm := s.price(priced, amount)
	rq := &soakReq{kind: kind, idem: s.key(), amount: amount, fee: fee, commission: comm}
	s.reqs = append(s.reqs, rq)
	lkind := kind
	var res terminal.BillResult
	err := s.timed(lkind, func() error {
		var err error
		res, err = pay(rq.idem)
		return err
	})
	if err != nil {
		return
	}
	rq.paid = true
	s.drawer = s.drawer.Add(res.Total)
	if res.Queued {
		s.outcomes[kind+"/queued"]++
		s.held[res.Intent.Seq] = soakHeld{intent: res.Intent.Seq, entry: res.Entry.Seq, day: res.Entry.Day, kind: kind, rq: rq}
	}
}

var (
	soakPlaces = []string{"信阳", "郑州东", "潢川", "光山", "武汉", "北京西", "南阳", "驻马店西"}
	soakNames  = []string{"王秀英", "李建国", "张桂兰", "刘德华", "陈小红", "杨志强"}
)

const soakPassengerID = "411523198001011234"

func (s *soak) orderTicket() {
	carrier := "rail"
	if s.rng.IntN(10) < 3 {
		carrier = "air"
	}
	i := s.rng.IntN(len(soakPlaces))
	j := (i + 1 + s.rng.IntN(len(soakPlaces)-1)) % len(soakPlaces)
	today := s.clk.Now().In(s.loc)
	date := today.AddDate(0, 0, 1+s.rng.IntN(14)).Format(time.DateOnly)
	classes := terminal.TicketClasses(carrier)
	fare := s.cents(30, 900)
	fee, comm := s.price(tariff.TicketOrder, fare)
	rq := &soakReq{kind: terminal.SvcTicketOrder, idem: s.key(), amount: fare, fee: fee, commission: comm}
	s.reqs = append(s.reqs, rq)
	var res terminal.TicketResult
	err := s.timed("ticket_order", func() error {
		var err error
		res, err = s.sv.Tickets.Order(s.ctx, terminal.TicketOrder{
			Operator: "OP1", Carrier: carrier, Passenger: soakNames[s.rng.IntN(len(soakNames))], IDNumber: soakPassengerID,
			From: soakPlaces[i], To: soakPlaces[j], Date: date, Class: classes[s.rng.IntN(len(classes))], Fare: fare, IdemKey: rq.idem,
		})
		return err
	})
	if err != nil {
		return
	}
	rq.paid = true
	s.drawer = s.drawer.Add(res.Total)
	s.tickets = append(s.tickets, soakTicket{order: res.Entry.Seq, date: date})
	if res.Status == terminal.TicketWaitlisted {
		s.outcomes["ticket_order/waitlisted"]++
		s.held[res.Intent.Seq] = soakHeld{intent: res.Intent.Seq, entry: res.Entry.Seq, day: res.Entry.Day, kind: "ticket_order"}
	}
}

func (s *soak) cancelTicket() {
	today := s.clk.Now().In(s.loc).Format(time.DateOnly)
	var open []int
	for i, tk := range s.tickets {
		if tk.date > today {
			open = append(open, i)
		}
	}
	if len(open) == 0 {
		s.sell()
		return
	}
	i := open[s.rng.IntN(len(open))]
	tk := s.tickets[i]
	s.tickets = append(s.tickets[:i], s.tickets[i+1:]...)
	rq := &soakReq{kind: terminal.SvcTicketCancel, idem: s.key()}
	var res terminal.CancelResult
	err := s.timed("ticket_cancel", func() error {
		var err error
		res, err = s.sv.Tickets.Cancel(s.ctx, "OP1", tk.order, rq.idem)
		return err
	})
	if err == nil {
		rq.paid = true
		s.drawer = s.drawer.Sub(res.Refund)
		if res.Order.Status == terminal.TicketWaitlisted {
			delete(s.held, res.Order.Intent) // withdrawn from the waiting list, refunded at once
			return                           // no request of its own: the order's trace is reversed
		}
	}
	s.reqs = append(s.reqs, rq)
}

// buyPolicy sells a property policy for a sum insured within the
// product's limits; the premium is the tariff's.
func (s *soak) buyPolicy() {
	products := s.tariff.Insurance
	p := products[s.rng.IntN(len(products))]
	lo, hi := p.MinSum.IntPart()/1000, p.MaxSum.IntPart()/1000
	sum := decimal.NewFromInt(1000 * (lo + s.rng.Int64N(hi-lo+1)))
	premium := p.Premium(sum)
	fee, comm := s.price(tariff.PolicyIssue, premium)
	rq := &soakReq{kind: terminal.SvcPolicyIssue, idem: s.key(), amount: premium, fee: fee, commission: comm}
	s.reqs = append(s.reqs, rq)
	var res terminal.PolicyResult
	err := s.timed("policy_issue", func() error {
		var err error
		res, err = s.sv.Insurance.Buy(s.ctx, terminal.PolicyOrder{Operator: "OP1", Product: p.ID, Holder: soakNames[s.rng.IntN(len(soakNames))],
			IDNumber: soakPassengerID, Object: "砖木结构住房三间", SumInsured: sum, IdemKey: rq.idem})
		return err
	})
	if err != nil {
		return
	}
	rq.paid = true
	s.drawer = s.drawer.Add(res.Quote.Total)
	s.policies = append(s.policies, soakPolicy{sale: res.Entry.Seq, until: res.Until, commission: comm})
}

// cancelPolicy cancels a policy still in its cooling-off period.
func (s *soak) cancelPolicy() {
	today := s.clk.Now().In(s.loc).Format(time.DateOnly)
	var open []int
	for i, p := range s.policies {
		if p.until >= today {
			open = append(open, i)
		}
	}
	if len(open) == 0 {
		s.sell()
		return
	}
	i := open[s.rng.IntN(len(open))]
	p := s.policies[i]
	s.policies = append(s.policies[:i], s.policies[i+1:]...)
	rq := &soakReq{kind: terminal.SvcPolicyCancel, idem: s.key(), commission: p.commission}
	s.reqs = append(s.reqs, rq)
	var res terminal.PolicyCancelResult
	err := s.timed("policy_cancel", func() error {
		var err error
		res, err = s.sv.Insurance.Cancel(s.ctx, "OP1", p.sale, rq.idem)
		return err
	})
	if err == nil {
		rq.paid = true
		s.drawer = s.drawer.Sub(res.Refund)
	}
}

func (s *soak) post(b ledger.Balances, ps ...ledger.Posting) {
	for _, p := range ps {
		k := ledger.Account{Name: p.Account, Commodity: p.Commodity}
		b[k] = b[k].Add(p.Signed())
	}
}

func soakUnits(sku string, side byte, account string, q int64) ledger.Posting {
	return ledger.Posting{Account: account, Side: side, Commodity: sku, Amount: decimal.NewFromInt(q)}
}

func (s *soak) sell() {
	items := s.tariff.Goods
	var lines []terminal.Line
	total := decimal.Zero
	var postings []ledger.Posting
	for range 1 + s.rng.IntN(2) {
		it := items[s.rng.IntN(len(items))]
		if s.stock[it.SKU] < 10 {
			s.stockIn(it.SKU)
		}
		q := int64(1 + s.rng.IntN(3))
		if slicesContainsSKU(lines, it.SKU) {
			continue
		}
		lines = append(lines, terminal.Line{SKU: it.SKU, Qty: q})
		total = total.Add(it.Price.Mul(decimal.NewFromInt(q)))
		postings = append(postings, soakUnits(it.SKU, ledger.Debit, terminal.AccountConsignment, q), soakUnits(it.SKU, ledger.Credit, terminal.AccountStock, q))
	}
	_, comm := s.price(tariff.Sale, total)
	postings = append(postings, ledger.Dr(terminal.AccountCash, total), ledger.Cr(terminal.AccountSettlement, total))
	if comm.IsPositive() {
		postings = append(postings, ledger.Dr(terminal.AccountSettlement, comm), ledger.Cr(terminal.AccountCommission+tariff.Sale, comm))
	}
	var res terminal.SaleResult
	err := s.timed("sale", func() error {
		var err error
		res, err = s.sv.Goods.Sell(terminal.Sale{Operator: "OP1", Lines: lines, IdemKey: s.key()})
		return err
	})
	if err != nil {
		return
	}
	if !res.Total.Equal(total) || !res.Commission.Equal(comm) {
		s.t.Errorf("seed %d: sale %d: total %s commission %s, the tariff says %s and %s", s.seed, res.Entry.Seq, res.Total, res.Commission, total, comm)
	}
	s.post(s.moves, postings...)
	for _, l := range lines {
		s.stock[l.SKU] -= l.Qty
	}
	s.drawer = s.drawer.Add(total)
	s.sales = append(s.sales, res.Entry.Seq)
}

func slicesContainsSKU(lines []terminal.Line, sku string) bool {
	for _, l := range lines {
		if l.SKU == sku {
			return true
		}
	}
	return false
}

func (s *soak) stockIn(sku string) {
	err := s.timed("stock_in", func() error {
		_, err := s.sv.Goods.StockIn("OP1", sku, 100, "邮政配送", s.key())
		return err
	})
	if err == nil {
		s.stock[sku] += 100
		s.post(s.moves, soakUnits(sku, ledger.Debit, terminal.AccountStock, 100), soakUnits(sku, ledger.Credit, terminal.AccountConsignment, 100))
	}
}

// void voids one of today's sales, or a payment taken into the queue
// today.
func (s *soak) void() {
	today := s.d.Counter.Ledger.CurrentDay()
	var queued []soakHeld
	for _, h := range s.held {
		if h.day == today && h.kind != "ticket_order" {
			queued = append(queued, h)
		}
	}
	sort.Slice(queued, func(i, j int) bool { return queued[i].intent < queued[j].intent })
	if len(queued) > 0 && s.rng.IntN(2) == 0 {
		h := queued[s.rng.IntN(len(queued))]
		var res terminal.VoidResult
		err := s.timed("void", func() error {
			var err error
			res, err = s.sv.Voids.Void("OP1", "OP1", h.entry, "顾客不缴了")
			return err
		})
		if err == nil {
			s.drawer = s.drawer.Sub(res.Refund)
			delete(s.held, h.intent)
			h.rq.voided = true
			s.outcomes["void/queued_payment"]++
		}
		return
	}
	if len(s.sales) == 0 {
		s.sell()
		return
	}
	i := s.rng.IntN(len(s.sales))
	seq := s.sales[i]
	s.sales = append(s.sales[:i], s.sales[i+1:]...)
	var res terminal.VoidResult
	err := s.timed("void", func() error {
		var err error
		res, err = s.sv.Voids.Void("OP1", "OP1", seq, "顾客退货")
		return err
	})
	if err != nil {
		return
	}
	s.drawer = s.drawer.Sub(res.Refund)
	for _, p := range res.Original.Postings {
		p.Side = ledger.Debit + ledger.Credit - p.Side
		s.post(s.moves, p)
		if p.Account == terminal.AccountStock {
			s.stock[p.Commodity] += p.Amount.IntPart()
		}
	}
}

func (s *soak) cashIn(reason string, amount decimal.Decimal) {
	err := s.timed("cash_in", func() error {
		_, err := s.sv.Drawer.In(terminal.CashMove{Operator: "OP1", Amount: amount, Reason: reason, IdemKey: s.key()})
		return err
	})
	if err == nil {
		s.drawer = s.drawer.Add(amount)
		s.post(s.moves, ledger.Dr(terminal.AccountCash, amount), ledger.Cr(terminal.AccountOwner, amount))
	}
}

func (s *soak) cashOut(amount decimal.Decimal) {
	if amount.GreaterThan(s.drawer) {
		amount = s.drawer
	}
	if !amount.IsPositive() {
		return
	}
	err := s.timed("cash_out", func() error {
		_, err := s.sv.Drawer.Out(terminal.CashMove{Operator: "OP1", Amount: amount, Reason: terminal.ReasonCourier, Note: "押运员", IdemKey: s.key()})
		return err
	})
	if err == nil {
		s.drawer = s.drawer.Sub(amount)
		s.post(s.moves, ledger.Dr(terminal.AccountSettlement, amount), ledger.Cr(terminal.AccountCash, amount))
	}
}

// drain sends what waits, as station serve's ticker does, and hands back
// refunds that came due.
func (s *soak) drain() {
	var dr terminal.Drained
	t0 := time.Now()
	dr, err := s.d.Counter.Link.Drain(s.ctx)
	s.lat["(drain)"] = append(s.lat["(drain)"], time.Since(t0))
	if err != nil {
		s.t.Errorf("seed %d: drain: %v", s.seed, err)
	}
	_ = dr
	s.payRefunds()
}

// payRefunds pays back every refund the driver's held cash came to.
func (s *soak) payRefunds() {
	l := s.d.Counter.Ledger
	var intents []uint64
	for k := range s.held {
		intents = append(intents, k)
	}
	sort.Slice(intents, func(i, j int) bool { return intents[i] < intents[j] })
	for _, in := range intents {
		fin, err := l.ByIdemKey(fmt.Sprintf("final:%d", in))
		if errors.Is(err, ledger.ErrNotFound) {
			continue
		} else if err != nil {
			s.t.Fatal(err)
		}
		delete(s.held, in)
		if fin.Kind != terminal.KindRefundDue && fin.Kind != terminal.KindFailed {
			continue
		}
		var paid terminal.RefundPaid
		err = s.timed("refund", func() error {
			var err error
			paid, err = s.sv.Refunds.Pay("OP1", fin.Seq)
			return err
		})
		if err == nil {
			s.drawer = s.drawer.Sub(paid.Amount)
		}
	}
}

// soakFaults are the faults switched on, one or two at a time, with their
// weights. Each that takes longer than the 5 s host timeout is rare.
var soakFaults = []struct {
	w    int
	spec func(r *rand.Rand) string
}{
	{60, func(*rand.Rand) string { return "" }},
	{8, func(*rand.Rand) string { return "bank=down" }},
	{10, func(*rand.Rand) string { return "biller=down" }},
	{4, func(*rand.Rand) string { return "carrier=down" }},
	{8, func(r *rand.Rand) string { return fmt.Sprintf("withdrawal=drop#%d", 1+r.IntN(3)) }},
	{6, func(r *rand.Rand) string { return fmt.Sprintf("bill_payment=drop#%d", 1+r.IntN(3)) }},
	{3, func(*rand.Rand) string { return "topup=drop#1" }},
	{3, func(*rand.Rand) string { return "ticket_order=drop#1" }},
	{2, func(*rand.Rand) string { return "ticket_cancel=drop#1" }},
	{2, func(*rand.Rand) string { return "balance_inquiry=drop#1" }},
	{3, func(*rand.Rand) string { return "policy_issue=drop#1" }},
	{1, func(*rand.Rand) string { return "policy_cancel=drop#1" }},
	{2, func(*rand.Rand) string { return "insurer=down" }},
	{3, func(*rand.Rand) string { return "sim_sale=drop#1" }},
	{2, func(*rand.Rand) string { return "telecom=down" }},
	{3, func(r *rand.Rand) string { return fmt.Sprintf("contribution=drop#%d", 1+r.IntN(2)) }},
	{2, func(*rand.Rand) string { return "social=down" }},
	{8, func(r *rand.Rand) string { return fmt.Sprintf("*=duplicate#%d", 1+r.IntN(10)) }},
	{4, func(r *rand.Rand) string { return fmt.Sprintf("withdrawal=decline:05#%d", 1+r.IntN(3)) }},
	{3, func(r *rand.Rand) string { return fmt.Sprintf("bill_payment=decline:05#%d", 1+r.IntN(3)) }},
	{2, func(*rand.Rand) string { return "topup=decline#1" }},
	{5, func(r *rand.Rand) string { return fmt.Sprintf("ticket_order=waitlist#%d", 1+r.IntN(3)) }},
	{3, func(r *rand.Rand) string { return fmt.Sprintf("ticket_order=waitlist-fail#%d", 1+r.IntN(2)) }},
	{5, func(r *rand.Rand) string { return fmt.Sprintf("*=slow:%dms#%d", 10+r.IntN(90), 1+r.IntN(20)) }},
	{1, func(*rand.Rand) string { return "withdrawal=hang#1" }},
	{1, func(*rand.Rand) string { return "bill_payment=hang#1" }},
	{1, func(*rand.Rand) string { return "withdrawal=timeout#1" }},
	{1, func(*rand.Rand) string { return "bill_payment=slow:6s#1" }},
}

// switchFaults replaces the hosts' faults with one or two drawn at random.
func (s *soak) switchFaults() {
	total := 0
	for _, f := range soakFaults {
		total += f.w
	}
	draw := func() string {
		r := s.rng.IntN(total)
		for _, f := range soakFaults {
			if r < f.w {
				return f.spec(s.rng)
			}
			r -= f.w
		}
		return ""
	}
	var specs []string
	for range 1 + s.rng.IntN(2) {
		if f := draw(); f != "" {
			specs = append(specs, f)
			mode := f[strings.IndexByte(f, '=')+1:]
			if i := strings.IndexAny(mode, ":#"); i >= 0 {
				mode = mode[:i]
			}
			target := f[:strings.IndexByte(f, '=')]
			s.faultsOn[target+"="+mode]++
		}
	}
	s.epochs++
	s.h.faults(specs...)
}

// closeDay closes the business day with the drawer counted as the
// driver holds it: the ledger must expect exactly that.
func (s *soak) closeDay() {
	// What the screen shows on every page a signed-in operator sees
	// (drawer, queue, refunds due, network), measured once a day as the
	// ledger grows.
	t0 := time.Now()
	if _, err := s.d.Status(); err != nil {
		s.t.Errorf("seed %d: the screen's status: %v", s.seed, err)
	}
	s.lat["(screen status)"] = append(s.lat["(screen status)"], time.Since(t0))
	var closed web.Closed
	t0 = time.Now()
	closed, err := s.d.CloseDay(s.ctx, "OP1", "", s.drawer, true)
	s.lat["(day close)"] = append(s.lat["(day close)"], time.Since(t0))
	if err != nil {
		s.t.Fatalf("seed %d: close day %s: %v", s.seed, s.d.Counter.Ledger.CurrentDay(), err)
	}
	if v := closed.Figures.Cash.Variance; !v.IsZero() {
		s.t.Errorf("seed %d: day %s: the drawer holds %s, the ledger expects %s (variance %s)",
			s.seed, closed.Entry.Day, s.drawer, closed.Figures.Cash.Expected, v)
	}
	s.days++
	s.sales = nil
	s.payRefunds()
}

// nextDay moves the station's and the hosts' clocks to 08:00 of the next
// day.
func (s *soak) nextDay() {
	day := soakDay0.AddDate(0, 0, s.days)
	s.clk.set(day)
	s.h.setClock(day)
	today := day.Format(time.DateOnly)
	kept := s.tickets[:0]
	for _, tk := range s.tickets {
		if tk.date > today {
			kept = append(kept, tk)
		}
	}
	s.tickets = kept
	if s.days%10 == 0 {
		s.restart()
	}
}

// restart closes the station and opens it again, as after a power cut
// between two customers: recovery settles what it can.
func (s *soak) restart() {
	t0 := time.Now()
	s.shut()
	s.open()
	s.lat["(restart)"] = append(s.lat["(restart)"], time.Since(t0))
	s.restarts++
	s.payRefunds()
}

// finish brings the hosts back, drains everything, pays every refund due
// and closes the last day; then opens the station once more.
func (s *soak) finish() {
	s.h.faults()
	for i := 0; ; i++ {
		s.drain()
		items, err := s.d.Counter.Link.Pending.List()
		if err != nil {
			s.t.Fatal(err)
		}
		if len(items) == 0 {
			break
		}
		if i == 20 {
			s.t.Fatalf("seed %d: %d item(s) still pending with every host up: %+v", s.seed, len(items), items)
		}
	}
	s.closeDay()
	s.restart()
	s.payRefunds()
}

// percentile of sorted durations.
func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	i := int(float64(len(d))*p+0.5) - 1
	return d[min(max(i, 0), len(d)-1)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond)) }

// report prints the figures.
func (s *soak) report(wall time.Duration) {
	var b bytes.Buffer
	var all []time.Duration
	var kinds []string
	for k, v := range s.lat {
		sort.Slice(v, func(i, j int) bool { return v[i] < v[j] })
		kinds = append(kinds, k)
		if !strings.HasPrefix(k, "(") {
			all = append(all, v...)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	sort.Strings(kinds)
	fmt.Fprintf(&b, "soak: seed %d, %d transactions (%d asked%s), %d business days, %d restarts, wall %s\n",
		s.seed, len(all), *soakN, map[bool]string{true: ", stopped by the time bound", false: ""}[s.timeBound], s.days, s.restarts, wall.Round(time.Second))
	fmt.Fprintf(&b, "throughput %.1f tx/s; latency p50 %s ms, p99 %s ms, max %s ms\n\n",
		float64(len(all))/wall.Seconds(), ms(percentile(all, .5)), ms(percentile(all, .99)), ms(percentile(all, 1)))
	fmt.Fprintf(&b, "| kind | n | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|\n")
	for _, k := range kinds {
		v := s.lat[k]
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s |\n", k, len(v), ms(percentile(v, .5)), ms(percentile(v, .99)), ms(percentile(v, 1)))
	}
	fmt.Fprintf(&b, "\noutcomes:")
	var keys []string
	for k := range s.outcomes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%d", k, s.outcomes[k])
	}
	fmt.Fprintf(&b, "\nfault epochs %d; faults switched on:", s.epochs)
	keys = keys[:0]
	for k := range s.faultsOn {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%d", k, s.faultsOn[k])
	}
	b.WriteString("\n")
	s.t.Log("\n" + b.String())
	if *soakReport != "" {
		if err := os.WriteFile(*soakReport, b.Bytes(), 0o644); err != nil {
			s.t.Error(err)
		}
	}
}

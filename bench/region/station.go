package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/hostsim"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/settlement"
	"github.com/villagepost/bianmin/tariff"
	"github.com/villagepost/bianmin/terminal"
)

var cst = time.FixedZone("CST", 8*3600)

// stationKey is station id's signing key, derived from its id so that a
// run can be repeated.
func stationKey(id string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("bianmin-bench-region-" + id))
	return ed25519.NewKeyFromSeed(seed[:])
}

// station is one simulated shop: its ledger, its host link and services,
// and the host simulator it talks to (in-process, journaling to a file
// in the work folder).
type station struct {
	id      string
	index   int
	dir     string
	key     ed25519.PrivateKey
	now     time.Time
	ledger  *ledger.Store
	pending *terminal.Pending
	sim     *hostsim.Sim
	drawer  *terminal.Drawer
	cards   *terminal.Cards
	bills   *terminal.Bills
	tickets *terminal.Tickets
	goods   *terminal.Goods
	days    *terminal.Days
	tariff  *tariff.Tariff
	rng     *rand.Rand
	idem    int
	issued  []issuedTicket
	journal int64 // bytes of the host journal already passed on
	opening *openingCache
}

// openingCache is the station's ledger as the day close sees it, with the
// balances just after the last close remembered. The close asks for the
// balances before the day's first entry; the ledger works them out from
// its nearest snapshot, up to 4,095 entries back, which made half the
// generator's time. The answer is the same (the first station checks it
// against the ledger at every close), so the files are too.
type openingCache struct {
	*ledger.Store
	seq   uint64
	bal   ledger.Balances
	check bool
}

func (c *openingCache) BalancesAt(seq uint64) (ledger.Balances, error) {
	if c.bal == nil || seq != c.seq {
		return c.Store.BalancesAt(seq)
	}
	if c.check {
		real, err := c.Store.BalancesAt(seq)
		if err != nil {
			return nil, err
		}
		if !sameBalances(real, c.bal) {
			return nil, fmt.Errorf("opening balances after entry %d: cached %v, ledger %v", seq, c.bal, real)
		}
	}
	return maps.Clone(c.bal), nil
}

func sameBalances(a, b ledger.Balances) bool {
	for k, v := range a {
		if !v.Equal(b[k]) {
			return false
		}
	}
	for k, v := range b {
		if !v.Equal(a[k]) {
			return false
		}
	}
	return true
}

// closed remembers the balances right after a close.
func (c *openingCache) closed(seq uint64) error {
	b, err := c.Store.Balances()
	c.seq, c.bal = seq, b
	return err
}

type issuedTicket struct {
	order uint64
	date  string
}

func (s *station) clock() time.Time { return s.now }

func openStation(id string, index int, work string, tf *tariff.Tariff, first time.Time) (*station, error) {
	s := &station{id: id, index: index, dir: filepath.Join(work, id), key: stationKey(id), now: first, tariff: tf,
		rng: rand.New(rand.NewPCG(uint64(index), 0x5eed))}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return nil, err
	}
	var err error
	s.ledger, err = ledger.Create(filepath.Join(s.dir, "ledger.db"),
		ledger.Genesis{Terminal: id, Name: "便民服务站 " + id, Zone: "Asia/Shanghai"}, "OWNER", s.key,
		&ledger.Options{Now: s.clock, NoSync: true})
	if err != nil {
		return nil, err
	}
	if s.pending, err = terminal.OpenPending(filepath.Join(s.dir, "pending.db")); err != nil {
		return nil, err
	}
	if s.sim, err = hostsim.Open(filepath.Join(s.dir, "host.jsonl"), &hostsim.Options{Now: s.clock}); err != nil {
		return nil, err
	}
	link := &terminal.Link{Ledger: s.ledger, Host: s.sim, Pending: s.pending, Terminal: id, Retries: 2, Now: s.clock}
	today := func() time.Time { return s.now.In(s.ledger.Zone()) }
	s.drawer = &terminal.Drawer{Ledger: s.ledger}
	s.cards = &terminal.Cards{Link: link, Tariff: tf, CardKey: []byte("bench-region-card-key-" + id)}
	s.bills = &terminal.Bills{Link: link, Tariff: tf}
	s.tickets = &terminal.Tickets{Link: link, Tariff: tf, Today: today}
	s.goods = &terminal.Goods{Ledger: s.ledger, Tariff: tf, Today: today}
	s.opening = &openingCache{Store: s.ledger, check: index == 0}
	s.days = &terminal.Days{Ledger: s.opening, Pending: s.pending, Tariff: tf.Version}
	return s, nil
}

// Close closes the station and removes its working files.
func (s *station) Close() error {
	err := errors.Join(s.sim.Close(), s.pending.Close(), s.ledger.Close())
	return errors.Join(err, os.RemoveAll(s.dir))
}

func (s *station) key2() string {
	s.idem++
	return fmt.Sprintf("bench-%d", s.idem)
}

// dayResult is a closed business day.
type dayResult struct {
	Day   string
	File  []byte // the signed settlement file
	First uint64
	Close uint64
	Lines [][]byte // the host journal lines of the day
}

// runDay makes one business day of entries (the close included) and
// closes it. start is 08:00 local on the day.
func (s *station) runDay(ctx context.Context, start time.Time, entries int) (dayResult, error) {
	prev := s.ledger.Last().Seq
	step := 11 * time.Hour / time.Duration(entries)
	s.now = start
	used := func() int { return int(s.ledger.Last().Seq - prev) }
	tick := func() { s.now = s.now.Add(step) }
	op := "morning"
	fail := func(err error) (dayResult, error) {
		return dayResult{}, fmt.Errorf("%s %s %s: %w", s.id, start.Format(time.DateOnly), op, err)
	}

	// Morning: the float, stock, and cash to pay withdrawals out of.
	cash, err := s.drawer.Cash()
	if err != nil {
		return fail(err)
	}
	switch {
	case cash.LessThan(decimal.New(15000, 0)):
		reason := terminal.ReasonOwner
		if prev == 1 {
			reason = terminal.ReasonFloat
		}
		if _, err := s.drawer.In(terminal.CashMove{Operator: "OWNER", Amount: decimal.New(20000, 0).Sub(cash), Reason: reason, IdemKey: s.key2()}); err != nil {
			return fail(err)
		}
	case cash.GreaterThan(decimal.New(60000, 0)):
		if _, err := s.drawer.Out(terminal.CashMove{Operator: "OWNER", Amount: cash.Sub(decimal.New(30000, 0)), Reason: terminal.ReasonCourier, Note: "押运员", IdemKey: s.key2()}); err != nil {
			return fail(err)
		}
	}
	tick()
	stock, err := s.goods.Stock()
	if err != nil {
		return fail(err)
	}
	for _, it := range s.tariff.Goods {
		if stock[it.SKU] < 40 && used() < entries-3 {
			if _, err := s.goods.StockIn("OWNER", it.SKU, 200, "进货", s.key2()); err != nil {
				return fail(err)
			}
			stock[it.SKU] += 200
			tick()
		}
	}

	for used() < entries-1 {
		room := entries - 1 - used()
		r := s.rng.IntN(100)
		if room < 2 {
			r = 99 // one entry left: a sale
		}
		switch {
		case r < 30:
			op = "withdrawal"
			err = s.withdraw(ctx)
		case r < 52:
			op = "bill_payment"
			err = s.payBill(ctx)
		case r < 62:
			op = "topup"
			err = s.topup(ctx)
		case r < 66:
			op = "balance_inquiry"
			_, _, err = s.cards.BalanceInquiry(ctx, "OP1", s.card(), "246810", s.key2())
		case r < 71:
			op = "ticket_order"
			err = s.orderTicket(ctx)
		case r < 72 && len(s.issued) > 0 && s.cancelDay(start):
			op = "ticket_cancel"
			err = s.cancelTicket(ctx)
		default:
			op = "sale"
			err = s.sell(stock)
		}
		var decline *terminal.DeclineError
		if err != nil && !errors.As(err, &decline) {
			return fail(err)
		}
		tick()
	}

	op = "close"
	s.now = start.Add(12 * time.Hour) // 20:00
	counted, err := s.drawer.Cash()
	if err != nil {
		return fail(err)
	}
	if s.rng.IntN(30) == 0 {
		counted = counted.Sub(decimal.New(1, 0)) // a yuan short now and then
	}
	closeEntry, _, err := s.days.Close(terminal.CloseRequest{Operator: "OWNER", Counted: &counted})
	if err != nil {
		return fail(err)
	}
	if err := s.opening.closed(closeEntry.Seq); err != nil {
		return fail(err)
	}
	f, err := settlement.FromLedger(s.ledger, closeEntry.Seq, "")
	if err != nil {
		return fail(err)
	}
	data, err := f.Sign(s.key)
	if err != nil {
		return fail(err)
	}
	lines, err := s.hostLines()
	if err != nil {
		return fail(err)
	}
	return dayResult{Day: f.Day, File: data, First: f.Prev.Seq + 1, Close: closeEntry.Seq, Lines: lines}, nil
}

// hostLines returns the lines the host simulator journaled since the
// last call.
func (s *station) hostLines() ([][]byte, error) {
	f, err := os.Open(filepath.Join(s.dir, "host.jsonl"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := f.Seek(s.journal, io.SeekStart); err != nil {
		return nil, err
	}
	fresh, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	s.journal += int64(len(fresh))
	var lines [][]byte
	for _, l := range bytes.SplitAfter(fresh, []byte("\n")) {
		if len(l) > 0 {
			lines = append(lines, bytes.TrimSuffix(l, []byte("\n")))
		}
	}
	return lines, nil
}

// card is a new card number with a good check digit (each villager's own).
func (s *station) card() string {
	d := fmt.Sprintf("622848%03d%09d", s.index%1000, s.rng.Uint64N(1_000_000_000))
	return d + luhn(d)
}

func luhn(d string) string {
	sum := 0
	for i := len(d) - 1; i >= 0; i-- {
		n := int(d[i] - '0')
		if (len(d)-1-i)%2 == 0 {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	return fmt.Sprint((10 - sum%10) % 10)
}

func (s *station) withdraw(ctx context.Context) error {
	pin := "246810"
	if s.rng.IntN(50) == 0 {
		pin = "000000" // the bank declines a wrong PIN
	}
	amount := decimal.New(int64(5+s.rng.IntN(96))*10, 0) // 50.00 to 1000.00
	_, err := s.cards.Withdraw(ctx, terminal.Withdrawal{Operator: "OP1", Card: s.card(), PIN: pin, Amount: amount, IdemKey: s.key2()})
	return err
}

var billers = []struct{ id, prefix string }{
	{"state-grid", "51"}, {"state-grid", "52"}, {"county-water", "3001"}, {"town-gas", "8"},
}

func (s *station) payBill(ctx context.Context) error {
	b := billers[s.rng.IntN(len(billers))]
	digits := map[string]int{"state-grid": 10, "county-water": 8, "town-gas": 9}[b.id]
	// A household of the village: the same accounts come back month after month.
	acct := fmt.Sprintf("%s%0*d", b.prefix, digits-len(b.prefix), s.index*100+s.rng.IntN(100)+1)
	amount := decimal.New(int64(2000+s.rng.IntN(18001)), -2) // 20.00 to 200.00
	_, err := s.bills.Pay(ctx, terminal.BillPayment{Operator: "OP1", Biller: b.id, Account: acct, Amount: amount, IdemKey: s.key2()})
	return err
}

var denominations = []int64{30, 50, 100, 200}

func (s *station) topup(ctx context.Context) error {
	phone := fmt.Sprintf("138%08d", s.rng.IntN(100_000_000))
	amount := decimal.New(denominations[s.rng.IntN(len(denominations))], 0)
	_, err := s.bills.Topup(ctx, terminal.BillPayment{Operator: "OP1", Biller: "china-mobile", Account: phone, Amount: amount, IdemKey: s.key2()})
	return err
}

var (
	passengers   = []string{"张伟", "王秀英", "李娜", "刘洋", "陈静", "杨帆", "赵敏", "黄磊"}
	destinations = []string{"郑州东", "北京西", "武汉", "广州南", "上海虹桥", "南京南"}
)

// residentID is a resident ID number with a good check character.
func (s *station) residentID() string {
	born := time.Date(1950+s.rng.IntN(50), time.Month(1+s.rng.IntN(12)), 1+s.rng.IntN(28), 0, 0, 0, 0, time.UTC)
	body := fmt.Sprintf("411502%s%03d", born.Format("20060102"), s.rng.IntN(1000))
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(body[i]-'0') * w
	}
	return body + string("10X98765432"[sum%11])
}

func (s *station) orderTicket(ctx context.Context) error {
	carrier, class, fare := "rail", "二等座", decimal.New(int64(3000+s.rng.IntN(57001)), -2)
	if s.rng.IntN(5) == 0 {
		carrier, class, fare = "air", "经济舱", decimal.New(int64(40000+s.rng.IntN(160001)), -2)
	}
	days := 1 + s.rng.IntN(14) // rail sells 15 days ahead
	if carrier == "air" {
		days = 5 + s.rng.IntN(40)
	}
	date := s.now.In(cst).AddDate(0, 0, days).Format(time.DateOnly)
	res, err := s.tickets.Order(ctx, terminal.TicketOrder{
		Operator: "OP1", Carrier: carrier, Passenger: passengers[s.rng.IntN(len(passengers))], IDNumber: s.residentID(),
		From: "信阳", To: destinations[s.rng.IntN(len(destinations))], Date: date, Class: class, Fare: fare, IdemKey: s.key2(),
	})
	if err == nil && res.Status == terminal.TicketIssued {
		s.issued = append(s.issued, issuedTicket{res.Entry.Seq, date})
	}
	return err
}

// cancelDay says whether tickets may be cancelled on the day of start:
// one day a quarter. A cancel finds its order by reading the whole ledger
// (terminal.OpenTickets), which over a year of entries costs more than
// the rest of the day.
func (s *station) cancelDay(start time.Time) bool { return start.YearDay()%90 == s.index%90 }

// cancelTicket cancels the oldest ticket still ahead of its date.
func (s *station) cancelTicket(ctx context.Context) error {
	today := s.now.In(cst).Format(time.DateOnly)
	for len(s.issued) > 0 {
		t := s.issued[0]
		s.issued = s.issued[1:]
		if t.date > today {
			_, err := s.tickets.Cancel(ctx, "OP1", t.order, s.key2())
			return err
		}
	}
	return s.sell(nil)
}

func (s *station) sell(stock map[string]int64) error {
	if stock == nil {
		var err error
		if stock, err = s.goods.Stock(); err != nil {
			return err
		}
	}
	it := s.tariff.Goods[s.rng.IntN(len(s.tariff.Goods))]
	qty := int64(1 + s.rng.IntN(3))
	if stock[it.SKU] < qty {
		for _, x := range s.tariff.Goods { // the shelf with the most left
			if stock[x.SKU] > stock[it.SKU] {
				it = x
			}
		}
		qty = 1
	}
	if stock[it.SKU] < qty {
		_, err := s.drawer.In(terminal.CashMove{Operator: "OWNER", Amount: decimal.New(100, 0), Reason: terminal.ReasonOwner, IdemKey: s.key2()})
		return err
	}
	_, err := s.goods.Sell(terminal.Sale{Operator: "OP1", Lines: []terminal.Line{{SKU: it.SKU, Qty: qty}}, IdemKey: s.key2()})
	if err == nil {
		stock[it.SKU] -= qty
	}
	return err
}

package terminal

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/settlement"
)

// MaxVariance is the largest difference between counted and expected cash
// a close accepts: a bigger one is almost always a miscount or a typo.
var MaxVariance = decimal.New(1000000, -2) // 10,000.00

// DayLedger is what closing a day needs from the ledger.
type DayLedger interface {
	LinkLedger
	BalancesAt(seq uint64) (ledger.Balances, error)
	LastDay() string
	Closed() string
	Today() string
}

var _ DayLedger = (*ledger.Store)(nil)

// Days closes business days and reports on the day so far.
type Days struct {
	Ledger  DayLedger
	Pending *Pending // what waits for a host is listed, and carried over
	Tariff  string   // the tariff version in force, for the record

	closing sync.Mutex
}

// Errors of a close.
var (
	ErrCloseRunning = errors.New("terminal: the day is being closed already")
)

// ClosedError says today's business day is closed already; the next one
// has not begun.
type ClosedError struct {
	Day string // the day closed
}

func (e *ClosedError) Error() string {
	return fmt.Sprintf("terminal: business day %s is closed already; the next one has not begun", e.Day)
}

// PendingError says a close was refused because requests still wait for a
// host; the owner may carry them over to the next day.
type PendingError struct {
	Items []PendingItem
}

func (e *PendingError) Error() string {
	return fmt.Sprintf("terminal: %d request(s) still wait for a host; close only when they are settled, or carry them over", len(e.Items))
}

// Open returns the business day to close next, and whether it has already
// ended by the clock (the shop forgot to close it).
func (d *Days) Open() (day string, ended bool) {
	day = d.Ledger.LastDay()
	if closed := d.Ledger.Closed(); closed != "" && day <= closed {
		day = d.Ledger.CurrentDay()
	}
	return day, day < d.Ledger.Today()
}

// CloseRequest is the shopkeeper closing the day.
type CloseRequest struct {
	Operator string
	Counted  *decimal.Decimal // the cash counted; nil closes without a count
	Carry    bool             // carry requests still waiting for a host over to the next day
}

// Report computes the figures of the open day so far, as the close would
// record them now (the X report): nothing is recorded.
func (d *Days) Report() (settlement.Close, error) {
	day, ended := d.Open()
	c, _, err := d.figures(day, nil, true)
	c.Late = ended
	return c, err
}

// Close closes the open business day: it appends the day_close entry with
// the day's figures, booking any difference between counted and expected
// cash. It refuses while requests wait for a host unless carried over. A
// day the clock has left behind is closed late: the forgotten day keeps
// its entries, and the next day starts after it.
func (d *Days) Close(r CloseRequest) (ledger.Entry, settlement.Close, error) {
	if !d.closing.TryLock() {
		return ledger.Entry{}, settlement.Close{}, ErrCloseRunning
	}
	defer d.closing.Unlock()
	if r.Counted != nil && r.Counted.IsNegative() {
		return ledger.Entry{}, settlement.Close{}, &InputError{Field: "counted", Rule: "cannot be below zero", RuleZh: "不能小于零"}
	}
	for range 3 { // a service may append while the figures are made: then make them again
		day, ended := d.Open()
		if day > d.Ledger.Today() && d.Ledger.LastDay() != day {
			return ledger.Entry{}, settlement.Close{}, &ClosedError{Day: d.Ledger.Closed()}
		}
		c, last, err := d.figures(day, r.Counted, r.Carry)
		if err != nil {
			return ledger.Entry{}, c, err
		}
		c.Late = ended
		var postings []ledger.Posting
		switch v := c.Cash.Variance; {
		case v.IsNegative():
			postings = []ledger.Posting{ledger.Dr(AccountVariance, v.Neg()), ledger.Cr(AccountCash, v.Neg())}
		case v.IsPositive():
			postings = []ledger.Posting{ledger.Dr(AccountCash, v), ledger.Cr(AccountVariance, v)}
		}
		payload, err := json.Marshal(c)
		if err != nil {
			return ledger.Entry{}, c, err
		}
		e, _, err := d.Ledger.Append(ledger.Draft{Day: day, Operator: r.Operator, Kind: ledger.KindDayClose,
			IdemKey: "day_close:" + day, Payload: payload, Postings: postings, IfLast: last})
		if errors.Is(err, ledger.ErrMoved) {
			continue
		}
		return e, c, err
	}
	return ledger.Entry{}, settlement.Close{}, errors.New("terminal: the ledger kept moving while the day was closed; try again")
}

// figures adds up day: the entries so far, the drawer, the debt to the
// post office, what waits for a host and the grand totals. It returns the
// last entry it read.
func (d *Days) figures(day string, counted *decimal.Decimal, carry bool) (settlement.Close, uint64, error) {
	last := d.Ledger.Last().Seq
	first := last + 1
	if d.Ledger.LastDay() == day {
		err := d.Ledger.Day(day, func(e ledger.Entry) error {
			first = min(first, e.Seq)
			return nil
		})
		if err != nil {
			return settlement.Close{}, 0, err
		}
	}
	open, err := d.Ledger.BalancesAt(first - 1)
	if err != nil {
		return settlement.Close{}, 0, err
	}
	s := settlement.NewSummary(open)
	err = d.Ledger.Range(first, last, func(e ledger.Entry) error { return s.Add(&e) })
	if err != nil {
		return settlement.Close{}, 0, err
	}
	c := settlement.Close{
		Format: settlement.CloseFormat, Day: day, First: first, Last: last, Totals: s.Sorted(),
		Cash:    settlement.Cash{Open: s.CashOpen, Expected: s.CashClose},
		Owed:    settlement.Owed{Open: s.OwedOpen, Net: s.Net, Close: s.OwedClose()},
		Carried: []settlement.Carried{}, Tariff: d.Tariff,
	}
	if counted != nil {
		c.Cash.Counted, c.Cash.Variance = counted, counted.Sub(s.CashClose)
		if c.Cash.Variance.Abs().GreaterThan(MaxVariance) {
			return c, last, &InputError{Field: "counted", Rule: fmt.Sprintf("differs from the expected %s by more than %s: count again", money.FormatReceipt(s.CashClose), money.FormatReceipt(MaxVariance)),
				RuleZh: fmt.Sprintf("和应有的 %s 相差超过 %s，多半是点错或输错了，请重新清点", money.FormatReceipt(s.CashClose), money.FormatReceipt(MaxVariance))}
		}
	}
	items, err := pendingItems(d.Ledger, d.Pending)
	if err != nil {
		return c, last, err
	}
	if len(items) > 0 && !carry {
		return c, last, &PendingError{Items: items}
	}
	for _, it := range items {
		c.Carried = append(c.Carried, settlement.Carried{Trace: it.Trace, Service: it.Request.Service, Amount: it.Request.Amount, State: it.State, Since: it.Since.UTC().Truncate(time.Second)})
	}
	prev, err := d.previousGrand(first)
	if err != nil {
		return c, last, err
	}
	c.Grand = settlement.AddTotals(prev, c.Totals)
	return c, last, nil
}

// previousGrand returns the grand totals of the close just before entry
// first, or none before the station's first close.
func (d *Days) previousGrand(first uint64) ([]settlement.Total, error) {
	if first <= 1 {
		return nil, nil
	}
	e, err := d.Ledger.Get(first - 1)
	if err != nil || e.Kind != ledger.KindDayClose {
		return nil, err
	}
	var c settlement.Close
	if err := json.Unmarshal(e.Payload, &c); err != nil {
		return nil, fmt.Errorf("terminal: day_close %d: %w", e.Seq, err)
	}
	return c.Grand, nil
}

package settlement

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/money"
)

// CloseFormat names this version of a day_close entry's payload.
const CloseFormat = "bianmin-close-v1"

// Close is what a day_close entry says: the day's figures as the station
// computed them when it closed the day. The settlement file repeats them,
// and a reader recomputes them from the day's entries.
type Close struct {
	Format  string    `json:"format"`
	Day     string    `json:"day"`
	First   uint64    `json:"first"` // the day's first entry
	Last    uint64    `json:"last"`  // its last entry before this one (First-1 when there is none)
	Totals  []Total   `json:"totals"`
	Cash    Cash      `json:"cash"`
	Owed    Owed      `json:"owed"`
	Carried []Carried `json:"carried"`
	Grand   []Total   `json:"grand"` // every day since the station opened, this one included
	Tariff  string    `json:"tariff,omitempty"`
	Late    bool      `json:"late,omitempty"` // closed at a later start: the shop forgot
}

// Cash is the drawer over the day.
type Cash struct {
	Open     decimal.Decimal  // before the day's first entry
	Expected decimal.Decimal  // what the entries say it holds at the close
	Counted  *decimal.Decimal // what was counted; nil when the close was not counted
	Variance decimal.Decimal  // Counted - Expected, booked to expense:cash-variance
}

// Owed is postoffice:settlement over the day: positive means the post
// office owes the shop.
type Owed struct {
	Open, Net, Close decimal.Decimal
}

// Direction says who pays whom for a net amount.
func Direction(net decimal.Decimal) string {
	switch {
	case net.IsPositive():
		return "postoffice_pays_shop"
	case net.IsNegative():
		return "shop_pays_postoffice"
	}
	return "even"
}

// Carried is a request still open at the close, carried to the next day.
type Carried struct {
	Trace   string    `json:"trace"`
	Service string    `json:"service"`
	Amount  string    `json:"amount,omitempty"`
	State   string    `json:"state"`
	Since   time.Time `json:"since"`
}

// The JSON forms write every amount as a string with two places.

func wire(d decimal.Decimal) string { return money.FormatWire(d) }

func parseWire(field, s string) (decimal.Decimal, error) {
	d, err := money.ParseWire(s)
	if err != nil {
		return decimal.Zero, fmt.Errorf("%s: %w", field, err)
	}
	return d, nil
}

type totalJSON struct {
	Kind       string `json:"kind"`
	Count      int64  `json:"count"`
	Amount     string `json:"amount"`
	Fees       string `json:"fees"`
	Commission string `json:"commission"`
}

// MarshalJSON writes the amounts as "1234.50".
func (t Total) MarshalJSON() ([]byte, error) {
	return json.Marshal(totalJSON{t.Kind, t.Count, wire(t.Amount), wire(t.Fees), wire(t.Commission)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (t *Total) UnmarshalJSON(b []byte) error {
	var j totalJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	t.Kind, t.Count = j.Kind, j.Count
	var err error
	if t.Amount, err = parseWire("amount", j.Amount); err != nil {
		return err
	}
	if t.Fees, err = parseWire("fees", j.Fees); err != nil {
		return err
	}
	t.Commission, err = parseWire("commission", j.Commission)
	return err
}

type cashJSON struct {
	Open     string `json:"open"`
	Expected string `json:"expected"`
	Counted  string `json:"counted,omitempty"`
	Variance string `json:"variance"`
}

// MarshalJSON writes the amounts as "1234.50"; an uncounted close has no
// counted.
func (c Cash) MarshalJSON() ([]byte, error) {
	j := cashJSON{Open: wire(c.Open), Expected: wire(c.Expected), Variance: wire(c.Variance)}
	if c.Counted != nil {
		j.Counted = wire(*c.Counted)
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (c *Cash) UnmarshalJSON(b []byte) error {
	var j cashJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	var err error
	if c.Open, err = parseWire("cash.open", j.Open); err != nil {
		return err
	}
	if c.Expected, err = parseWire("cash.expected", j.Expected); err != nil {
		return err
	}
	if c.Variance, err = parseWire("cash.variance", j.Variance); err != nil {
		return err
	}
	c.Counted = nil
	if j.Counted != "" {
		d, err := parseWire("cash.counted", j.Counted)
		if err != nil {
			return err
		}
		c.Counted = &d
	}
	return nil
}

type owedJSON struct {
	Open  string `json:"open"`
	Net   string `json:"net"`
	Close string `json:"close"`
}

// MarshalJSON writes the amounts as "1234.50".
func (o Owed) MarshalJSON() ([]byte, error) {
	return json.Marshal(owedJSON{wire(o.Open), wire(o.Net), wire(o.Close)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (o *Owed) UnmarshalJSON(b []byte) error {
	var j owedJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	var err error
	if o.Open, err = parseWire("owed.open", j.Open); err != nil {
		return err
	}
	if o.Net, err = parseWire("owed.net", j.Net); err != nil {
		return err
	}
	o.Close, err = parseWire("owed.close", j.Close)
	return err
}

// CashAfter is what the drawer holds after the close: the count, or what
// the entries say when the close was not counted.
func (c Cash) CashAfter() decimal.Decimal {
	if c.Counted != nil {
		return *c.Counted
	}
	return c.Expected
}

// Package tariff is the price list the regional post office issues to its
// stations: per service the customer's fee and the shop's commission,
// withdrawal limits, the business-day cut-off, host timeouts, the billers
// and the goods catalogue. The post office signs it; a station accepts only
// a tariff signed by the post office key it learned when it was created,
// and only within the tariff's validity period.
package tariff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/money"
)

// Format names this version of the tariff.
const Format = "bianmin-tariff-v1"

// Services priced by a tariff.
const (
	Withdrawal  = "withdrawal"
	BillPayment = "bill_payment"
	Topup       = "topup"
	TicketOrder = "ticket_order"
	Sale        = "sale"
)

// Services lists every service a tariff must price.
var Services = []string{Withdrawal, BillPayment, Topup, TicketOrder, Sale}

// Tariff is one signed price list.
type Tariff struct {
	Format     string             `json:"format"`
	Version    string             `json:"version"`
	Issuer     string             `json:"issuer"`
	ValidFrom  string             `json:"valid_from"` // first business day, YYYY-MM-DD
	ValidUntil string             `json:"valid_until"`
	Cutoff     string             `json:"cutoff"` // business-day cut-off, HH:MM
	Host       Host               `json:"host"`
	Limits     Limits             `json:"limits"`
	LowCash    Amount             `json:"low_cash"` // warn when the drawer falls below
	Services   map[string]Pricing `json:"services"`
	Billers    []Biller           `json:"billers"`
	Goods      []Item             `json:"goods"`
	// Insurance lists the insurer's property products the station sells
	// (product.go); a tariff without them sells no insurance.
	Insurance []Product `json:"insurance,omitempty"`
	// SIMCards lists the phone-number card plans the station sells on
	// consignment (simcard.go); a tariff without them sells no cards.
	SIMCards []SIMPlan `json:"sim_cards,omitempty"`
	// Contributions lists the residents' medical and pension insurance
	// schemes the station collects for (contribution.go); a tariff
	// without them collects none.
	Contributions []Scheme `json:"contributions,omitempty"`
}

// Host says how long to wait for a host and how often to retry.
type Host struct {
	TimeoutSeconds int `json:"timeout_seconds"`
	Retries        int `json:"retries"`
}

// Timeout returns the host timeout.
func (h Host) Timeout() time.Duration { return time.Duration(h.TimeoutSeconds) * time.Second }

// Limits bound cash withdrawals.
type Limits struct {
	PerTransaction  Amount `json:"per_transaction"`
	PerCardDay      Amount `json:"per_card_day"`
	PerCardDayCount int    `json:"per_card_day_count"`
}

// Pricing is what a service costs the customer and earns the shop.
type Pricing struct {
	Fee        Rule `json:"fee"`        // paid by the customer, on top of the amount
	Commission Rule `json:"commission"` // paid to the shop by the post office
}

// Biller is a company whose bills the station takes.
type Biller struct {
	ID       string      `json:"id"`
	Name     string      `json:"name"`
	Kind     string      `json:"kind"` // electricity, water, gas, mobile
	Account  AccountRule `json:"account"`
	Queueing bool        `json:"queueing"` // accepts payments queued while offline
	// Denominations are the fixed top-up amounts of a mobile operator.
	Denominations []Amount `json:"denominations,omitempty"`
}

// Item is a catalogue entry.
type Item struct {
	SKU      string `json:"sku"`
	Name     string `json:"name"`
	Unit     string `json:"unit"` // e.g. 袋(50kg)
	Price    Amount `json:"price"`
	Delivery bool   `json:"delivery"` // delivered to the farmhouse or field
}

// Amount is a CNY amount written in files as "1234.50".
type Amount struct{ decimal.Decimal }

// MustAmount parses a wire amount and panics if it is not one; for
// constants in tests and examples.
func MustAmount(s string) Amount {
	d, err := money.ParseWire(s)
	if err != nil {
		panic(err)
	}
	return Amount{d}
}

// UnmarshalJSON reads a quoted wire amount.
func (a *Amount) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("amount %s: write it as a string like \"12.50\"", b)
	}
	d, err := money.ParseWire(s)
	if err != nil {
		return err
	}
	a.Decimal = d
	return nil
}

// MarshalJSON writes the wire amount.
func (a Amount) MarshalJSON() ([]byte, error) {
	return json.Marshal(money.FormatWire(a.Decimal))
}

// Parse reads a tariff body (the JSON the post office signs), refusing
// unknown fields, and checks it (Check).
func Parse(body []byte) (*Tariff, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var t Tariff
	if err := dec.Decode(&t); err != nil {
		return nil, &Error{Field: "tariff", Rule: "not a tariff file: " + err.Error()}
	}
	if dec.More() {
		return nil, &Error{Field: "tariff", Rule: "text after the tariff"}
	}
	if err := t.Check(); err != nil {
		return nil, err
	}
	return &t, nil
}

// Error names the field of a tariff that breaks a rule.
type Error struct {
	Field, Rule string
}

func (e *Error) Error() string { return fmt.Sprintf("tariff: %s: %s", e.Field, e.Rule) }

// Pricing returns the pricing of service.
func (t *Tariff) Pricing(service string) (Pricing, bool) {
	p, ok := t.Services[service]
	return p, ok
}

// Biller finds a biller by id.
func (t *Tariff) Biller(id string) (Biller, bool) {
	for _, b := range t.Billers {
		if b.ID == id {
			return b, true
		}
	}
	return Biller{}, false
}

// Item finds a catalogue item by SKU.
func (t *Tariff) Item(sku string) (Item, bool) {
	for _, it := range t.Goods {
		if it.SKU == sku {
			return it, true
		}
	}
	return Item{}, false
}

// ValidOn reports whether the tariff applies on business day day.
func (t *Tariff) ValidOn(day string) bool {
	return day >= t.ValidFrom && day <= t.ValidUntil
}

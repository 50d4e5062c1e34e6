// Package charges checks a station's entries against the tariff the post
// office issued: that every fee it took from a villager, every commission
// it booked for itself and every price it sold consigned goods at is the
// one the tariff gives.
//
// A station signs its own entries, so a franchisee who knows the key's
// passphrase can sign whatever figures they like. The hosts' journals
// catch money that did not move; only the tariff catches a commission
// that is bigger than it should be, a fee above the posted one, or goods
// sold under the consigned price. The post office runs Check on every
// file before it accepts it, and pays commission only on what passes.
//
// Only what would cost the villager or the post office is checked: an
// entry that gives income back (a reversal, a void, a refund) is left to
// the chain and the hosts' journals.
package charges

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/tariff"
)

// Accounts of the station's chart that the check reads.
const (
	accountFees       = "income:fees"
	accountCommission = "income:commission:"
	accountSettlement = "postoffice:settlement"
	accountConsign    = "postoffice:consignment"
)

// Tariffs finds a tariff the post office issued by its version.
type Tariffs func(version string) (*tariff.Tariff, error)

// Error names the entry whose charge does not follow the tariff.
type Error struct {
	Seq    uint64
	Kind   string
	Tariff string
	Field  string // fee, commission, price, tariff
	Rule   string
}

func (e *Error) Error() string {
	return fmt.Sprintf("charges: entry %d (%s) under tariff %s: %s: %s", e.Seq, e.Kind, e.Tariff, e.Field, e.Rule)
}

// Check checks each entry. dayTariff is the tariff a day's file says was in
// force; it stands in for an entry that does not name its own.
func Check(entries []ledger.Entry, dayTariff string, tariffs Tariffs) error {
	for _, e := range entries {
		if err := check(e, dayTariff, tariffs); err != nil {
			return err
		}
	}
	return nil
}

// payload is what the check reads of an entry's payload.
type payload struct {
	Tariff  string `json:"tariff"`
	Service string `json:"service"`
	Amount  string `json:"amount"`
	Scheme  string `json:"scheme"` // a contribution: the scheme and year that price it
	Year    int    `json:"year"`
}

// credits is what one entry gave the station and took from the post
// office, read off its postings.
type credits struct {
	fees       decimal.Decimal            // credited to income:fees
	commission map[string]decimal.Decimal // per priced service
	settlement decimal.Decimal            // net credit to postoffice:settlement, CNY
	settled    map[string]int64           // units per SKU taken off the consignment
	money      bool                       // any posting in CNY
}

func read(e ledger.Entry) credits {
	c := credits{commission: map[string]decimal.Decimal{}, settled: map[string]int64{}}
	for _, p := range e.Postings {
		credit := p.Signed().Neg()
		if p.Commodity == ledger.Currency {
			c.money = true
		}
		switch {
		case p.Account == accountConsign && p.Commodity != ledger.Currency:
			c.settled[p.Commodity] -= credit.IntPart()
		case p.Commodity != ledger.Currency:
		case p.Account == accountFees:
			c.fees = c.fees.Add(credit)
		case strings.HasPrefix(p.Account, accountCommission):
			s := strings.TrimPrefix(p.Account, accountCommission)
			c.commission[s] = c.commission[s].Add(credit)
		case p.Account == accountSettlement:
			c.settlement = c.settlement.Add(credit)
		}
	}
	return c
}

func check(e ledger.Entry, dayTariff string, tariffs Tariffs) error {
	c := read(e)
	var earned []string // services the entry books commission for
	for s, amt := range c.commission {
		if amt.IsPositive() {
			earned = append(earned, s)
		}
	}
	sort.Strings(earned)
	// Goods taken off the consignment for money are a sale, whatever the
	// entry calls itself; without money they went back to the post office,
	// which counts them when they arrive.
	sold := false
	for _, n := range c.settled {
		if n > 0 && (e.Kind == "sale" || c.money) {
			sold = true
		}
	}
	if !c.fees.IsPositive() && len(earned) == 0 && !sold {
		return nil // costs neither the villager nor the post office anything
	}
	// A payload that does not read names no tariff and no amount, which
	// the checks below refuse.
	var p payload
	if json.Unmarshal(e.Payload, &p) != nil {
		p = payload{}
	}
	version := p.Tariff
	if version == "" {
		version = dayTariff
	}
	fail := func(field, format string, args ...any) error {
		return &Error{Seq: e.Seq, Kind: e.Kind, Tariff: version, Field: field, Rule: fmt.Sprintf(format, args...)}
	}
	t, err := tariffs(version)
	if err != nil {
		return fail("tariff", "%v", err)
	}
	if sold && simCards(c) {
		return checkSIM(c, t, fail)
	}
	if sold {
		return checkSale(c, t, fail)
	}
	if len(earned) > 1 {
		return fail("commission", "booked for %d services at once (%s)", len(earned), strings.Join(earned, ", "))
	}
	service := p.Service
	if len(earned) == 1 {
		service = earned[0]
	}
	if service == "" {
		service = e.Kind
	}
	pr, ok := t.Pricing(service)
	if service == tariff.Contribution {
		pr, ok = t.ContributionPricing(p.Scheme, p.Year)
	}
	if !ok {
		return fail("commission", "the tariff prices no service %q", service)
	}
	amount, err := money.ParseWire(p.Amount)
	if err != nil {
		return fail("amount", "the entry takes a fee or commission but its amount %q does not read: %v", p.Amount, err)
	}
	if want := pr.Fee.Apply(amount); c.fees.IsPositive() && !c.fees.Equal(want) {
		return fail("fee", "%s on %s, where the tariff's fee for %s is %s", wire(c.fees), wire(amount), service, wire(want))
	}
	if want := pr.Commission.Apply(amount); len(earned) == 1 && !c.commission[service].Equal(want) {
		return fail("commission", "%s on %s, where the tariff's commission for %s is %s", wire(c.commission[service]), wire(amount), service, wire(want))
	}
	return nil
}

// checkSale checks a sale of consigned goods: the post office is owed the
// tariff's price for every unit taken off the consignment, less the
// tariff's commission on that total.
func checkSale(c credits, t *tariff.Tariff, fail func(field, format string, args ...any) error) error {
	skus := make([]string, 0, len(c.settled))
	for sku := range c.settled {
		skus = append(skus, sku)
	}
	sort.Strings(skus)
	var total decimal.Decimal
	for _, sku := range skus {
		n := c.settled[sku]
		if n <= 0 {
			return fail("price", "%s goes back onto the consignment in a sale", sku)
		}
		it, ok := t.Item(sku)
		if !ok {
			return fail("price", "the tariff has no item %s", sku)
		}
		total = total.Add(it.Price.Mul(decimal.NewFromInt(n)))
	}
	pr, _ := t.Pricing(tariff.Sale)
	want := pr.Commission.Apply(total)
	if want.GreaterThan(total) {
		want = total
	}
	for s, amt := range c.commission {
		if s != tariff.Sale && !amt.IsZero() {
			return fail("commission", "a sale books commission for %s", s)
		}
	}
	if got := c.commission[tariff.Sale]; !got.Equal(want) {
		return fail("commission", "%s on goods worth %s at the tariff's prices, where the tariff's commission is %s", wire(got), wire(total), wire(want))
	}
	if c.fees.IsPositive() {
		return fail("fee", "a sale takes a fee of %s; the tariff has none for goods", wire(c.fees))
	}
	if owed := total.Sub(want); !c.settlement.Equal(owed) {
		return fail("price", "the post office is owed %s for these goods at the tariff's prices less commission, the entry books %s", wire(owed), wire(c.settlement))
	}
	return nil
}

func wire(d decimal.Decimal) string { return money.FormatWire(d) }

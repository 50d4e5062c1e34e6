package ledger

import (
	"sort"

	"github.com/shopspring/decimal"
)

// Account names a balance: an account in one commodity.
type Account struct {
	Name      string
	Commodity string
}

// Balances maps each account to its balance, debits positive and credits
// negative, so that assets:cash is the cash in the drawer and a positive
// postoffice:settlement is what the post office owes the shop.
type Balances map[Account]decimal.Decimal

func (b Balances) add(e *Entry) {
	for _, p := range e.Postings {
		k := Account{p.Account, p.Commodity}
		b[k] = b[k].Add(p.Signed())
	}
}

// Balance is one line of a Balances listing.
type Balance struct {
	Account
	Amount decimal.Decimal
}

// Sorted lists the balances by account and commodity, leaving out those
// that are zero.
func (b Balances) Sorted() []Balance {
	out := make([]Balance, 0, len(b))
	for k, v := range b {
		if !v.IsZero() {
			out = append(out, Balance{k, v})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Commodity < out[j].Commodity
	})
	return out
}

// Equal reports whether b and c hold the same non-zero balances.
func (b Balances) Equal(c Balances) bool {
	x, y := b.Sorted(), c.Sorted()
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if x[i].Account != y[i].Account || !x[i].Amount.Equal(y[i].Amount) {
			return false
		}
	}
	return true
}

// Get returns the balance of a CNY account.
func (b Balances) Get(name string) decimal.Decimal {
	return b[Account{name, Currency}]
}

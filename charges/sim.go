package charges

import (
	"sort"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/tariff"
)

// simPrefix begins the commodity phone-number cards are counted in: SIM-
// and the plan in capitals (terminal.SIMCommodity).
const simPrefix = "SIM-"

// simCards says whether an entry takes phone-number cards off the
// consignment.
func simCards(c credits) bool {
	for commodity, n := range c.settled {
		if n != 0 && strings.HasPrefix(commodity, simPrefix) {
			return true
		}
	}
	return false
}

// simPlanOf finds the tariff's plan whose cards are counted in commodity.
func simPlanOf(t *tariff.Tariff, commodity string) (tariff.SIMPlan, bool) {
	for _, p := range t.SIMCards {
		if simPrefix+strings.ToUpper(p.Plan) == commodity {
			return p, true
		}
	}
	return tariff.SIMPlan{}, false
}

// checkSIM checks a sale of phone-number cards: the post office is owed
// the plan's price for every card taken off the consignment, less the
// plan's commission per card, and the entry takes no fee and no goods.
func checkSIM(c credits, t *tariff.Tariff, fail func(field, format string, args ...any) error) error {
	commodities := make([]string, 0, len(c.settled))
	for commodity := range c.settled {
		commodities = append(commodities, commodity)
	}
	sort.Strings(commodities)
	var total, want decimal.Decimal
	for _, commodity := range commodities {
		n := c.settled[commodity]
		if !strings.HasPrefix(commodity, simPrefix) {
			return fail("price", "a card sale takes %s off the consignment too", commodity)
		}
		if n <= 0 {
			return fail("price", "%s goes back onto the consignment in a card sale", commodity)
		}
		p, ok := simPlanOf(t, commodity)
		if !ok {
			return fail("price", "the tariff has no card plan counted in %s", commodity)
		}
		cards := decimal.NewFromInt(n)
		total = total.Add(p.Price.Mul(cards))
		want = want.Add(p.Commission.Mul(cards))
	}
	for s, amt := range c.commission {
		if s != tariff.SIMSale && !amt.IsZero() {
			return fail("commission", "a card sale books commission for %s", s)
		}
	}
	if got := c.commission[tariff.SIMSale]; !got.Equal(want) {
		return fail("commission", "%s on cards worth %s, where the tariff's commission per card comes to %s", wire(got), wire(total), wire(want))
	}
	if c.fees.IsPositive() {
		return fail("fee", "a card sale takes a fee of %s; the tariff has none for cards", wire(c.fees))
	}
	if owed := total.Sub(want); !c.settlement.Equal(owed) {
		return fail("price", "the post office is owed %s for these cards at the tariff's prices less commission, the entry books %s", wire(owed), wire(c.settlement))
	}
	return nil
}

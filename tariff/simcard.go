package tariff

import (
	"fmt"
	"regexp"
)

// SIMSale is the service of selling a carrier's phone-number card with
// its buyer's real-name registration. It is priced per plan (SIMPlan),
// not in Services.
const SIMSale = "sim_sale"

// SIMCarriers are the carriers whose cards a station may sell, with their
// names as the screen and the receipt show them.
var SIMCarriers = map[string]string{
	"china-mobile":  "中国移动",
	"china-unicom":  "中国联通",
	"china-telecom": "中国电信",
}

// SIMPlan is a phone-number card plan the station sells on consignment
// for a carrier (号卡). Price is what the buyer pays for the card; of it,
// FirstTopup is call credit the carrier puts on the number at once.
// Commission is what the post office pays the shop per card sold.
//
//	{"plan":"cmcc-39","carrier":"china-mobile","name":"中国移动 畅享卡",
//	 "price":"50.00","first_topup":"30.00","commission":"15.00"}
type SIMPlan struct {
	Plan       string `json:"plan"`
	Carrier    string `json:"carrier"`
	Name       string `json:"name"`
	Price      Amount `json:"price"`
	FirstTopup Amount `json:"first_topup"`
	Commission Amount `json:"commission"`
}

// SIMPlan finds a phone-number card plan by id.
func (t *Tariff) SIMPlan(id string) (SIMPlan, bool) {
	for _, p := range t.SIMCards {
		if p.Plan == id {
			return p, true
		}
	}
	return SIMPlan{}, false
}

// simPlanRE: a plan id, short enough for its ledger commodity (SIM-CMCC-39).
var simPlanRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,27}$`)

// maxSIMPrice bounds the price of one card.
var maxSIMPrice = MustAmount("1000.00")

// checkSIMCards reports the first field of the card plans that breaks a
// rule.
func (t *Tariff) checkSIMCards() error {
	bad := func(field, format string, args ...any) error {
		return &Error{Field: field, Rule: fmt.Sprintf(format, args...)}
	}
	seen := map[string]bool{}
	for i, p := range t.SIMCards {
		field := fmt.Sprintf("sim_cards[%d]", i)
		switch {
		case !simPlanRE.MatchString(p.Plan):
			return bad(field+".plan", "%q: 1 to 28 lower-case letters, digits, '_' or '-', a letter first", p.Plan)
		case seen[p.Plan]:
			return bad(field+".plan", "%q is listed twice", p.Plan)
		case SIMCarriers[p.Carrier] == "":
			return bad(field+".carrier", "%q: one of china-mobile, china-unicom, china-telecom", p.Carrier)
		case p.Name == "":
			return bad(field+".name", "missing")
		case !p.Price.IsPositive() || p.Price.GreaterThan(maxSIMPrice.Decimal):
			return bad(field+".price", "above 0.00 and at most %s", maxSIMPrice)
		case p.FirstTopup.IsNegative() || p.FirstTopup.GreaterThan(p.Price.Decimal):
			return bad(field+".first_topup", "from 0.00 to the price %s", p.Price)
		case p.Commission.IsNegative() || p.Commission.GreaterThan(p.Price.Decimal):
			return bad(field+".commission", "from 0.00 to the price %s", p.Price)
		}
		seen[p.Plan] = true
	}
	return nil
}

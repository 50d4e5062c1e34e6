package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/simcard"
	"github.com/villagepost/bianmin/tariff"
	"github.com/villagepost/bianmin/terminal"
)

// The soak's phone-number cards and residents' insurance contributions.
// The driver picks the buyers and members; what each should cost comes
// from the tariff and the hosts' published rules (the category from the ID
// number's order code), never from the station.

// soakID makes a resident ID number born in year with order code seq and
// a valid check digit (GB 11643).
func (s *soak) soakID(year, seq int) string {
	body := fmt.Sprintf("411523%04d%02d%02d%03d", year, 1+s.rng.IntN(12), 1+s.rng.IntN(28), seq)
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(body[i]-'0') * w
	}
	return body + string("10X98765432"[sum%11])
}

// soakCategory is the social host's category of an order code
// (docs/host-protocol.md, "Social-insurance host").
func soakCategory(seq int) string {
	switch {
	case seq >= 900 && seq <= 919:
		return "dibao"
	case seq >= 920 && seq <= 939:
		return "tekun"
	case seq >= 940 && seq <= 959:
		return "disabled"
	}
	return "standard"
}

func (s *soak) today() time.Time { return s.clk.Now().In(s.loc) }

func (s *soak) sims() *terminal.SIMCards {
	return &terminal.SIMCards{Link: s.d.Counter.Link, Tariff: s.tariff, Today: s.today}
}

// receiveCards takes a consignment of five cards of plan.
func (s *soak) receiveCards(plan string) {
	var cards []simcard.Card
	for range 5 {
		s.simSeq++
		iccid := fmt.Sprintf("898600%013d", s.simSeq)
		c, err := simcard.Parse(iccid + luhnDigit(iccid) + "," + fmt.Sprintf("139%08d", s.simSeq))
		if err != nil {
			s.t.Fatalf("seed %d: a soak card: %v", s.seed, err)
		}
		cards = append(cards, c)
	}
	err := s.timed("sim_stock_in", func() error {
		_, err := s.sims().Receive("OP1", plan, cards, "运营商交接", s.key())
		return err
	})
	if err == nil {
		sku := terminal.SIMCommodity(plan)
		s.post(s.moves, soakUnits(sku, ledger.Debit, terminal.AccountStock, 5), soakUnits(sku, ledger.Credit, terminal.AccountConsignment, 5))
	}
}

// luhnDigit is the Luhn check digit of d.
func luhnDigit(d string) string {
	sum := 0
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if (len(d)-1-i)%2 == 0 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return string(rune('0' + (10-sum%10)%10))
}

// sellSIM sells a card in stock to a buyer with a fresh ID; now and then
// the buyer is on the blacklist (S2) or their name does not match (S3).
func (s *soak) sellSIM() {
	plans := s.tariff.SIMCards
	plan := plans[s.rng.IntN(len(plans))]
	stock, err := terminal.SIMStock(s.d.Counter.Ledger)
	if err != nil {
		s.t.Fatalf("seed %d: the card stock: %v", s.seed, err)
	}
	var card *terminal.SIMCard
	for i := range stock {
		if stock[i].Plan == plan.Plan {
			card = &stock[i]
			break
		}
	}
	if card == nil {
		s.receiveCards(plan.Plan)
		return
	}
	seq := 200 + s.rng.IntN(700)
	switch s.rng.IntN(40) {
	case 0:
		seq = 0 // blacklisted
	case 1:
		seq = 111 // name does not match
	}
	rq := &soakReq{kind: terminal.SvcSIMSale, idem: s.key(), amount: plan.Price.Decimal, fee: decimal.Zero, commission: plan.Commission.Decimal,
		commodity: terminal.SIMCommodity(plan.Plan)}
	s.reqs = append(s.reqs, rq)
	err = s.timed("sim_sale", func() error {
		_, err := s.sims().Sell(s.ctx, terminal.SIMOrder{Operator: "OP1", Number: card.Number, Holder: soakNames[s.rng.IntN(len(soakNames))],
			IDNumber: s.soakID(1960+s.rng.IntN(45), seq), IdemKey: rq.idem})
		return err
	})
	if err == nil {
		rq.paid = true
		s.drawer = s.drawer.Add(plan.Price.Decimal)
	}
}

// contribute pays a household of one to three members: the medical
// scheme while its window is open, else the pension at a grade; now and
// then a member is subsidised, or not registered in the county (refused).
func (s *soak) contribute() {
	day := s.today().Format(time.DateOnly)
	type open struct {
		scheme tariff.Scheme
		year   tariff.SchemeYear
	}
	var schemes []open
	for _, sc := range s.tariff.Contributions {
		if y, ok := sc.OpenYear(day); ok {
			schemes = append(schemes, open{sc, y})
		}
	}
	if len(schemes) == 0 {
		s.sell()
		return
	}
	h := terminal.Household{Operator: "OP1", Head: soakNames[s.rng.IntN(len(soakNames))], IdemKey: s.key()}
	var rqs []*soakReq
	for row := 1; row <= 1+s.rng.IntN(3); row++ {
		o := schemes[s.rng.IntN(len(schemes))]
		seq := 200 + s.rng.IntN(700)
		switch r := s.rng.IntN(20); {
		case r < 2:
			seq = 900 + s.rng.IntN(60) // subsidised
		case r == 2:
			seq = 999 // not registered in this county
		}
		grade := o.year.Grades[s.rng.IntN(len(o.year.Grades))].Decimal
		h.Members = append(h.Members, terminal.Member{Name: soakNames[s.rng.IntN(len(soakNames))], IDNumber: s.soakID(1970+s.rng.IntN(36), seq), Scheme: o.scheme.ID, Grade: grade})
		if seq == 999 {
			rqs = append(rqs, nil) // refused at the lookup: never asked to pay
			continue
		}
		amount := o.year.Due(grade, soakCategory(seq))
		p, _ := s.tariff.ContributionPricing(o.scheme.ID, o.year.Year)
		rq := &soakReq{kind: terminal.SvcContribution, idem: fmt.Sprintf("%s:%d", h.IdemKey, row), amount: amount, fee: p.Fee.Apply(amount), commission: p.Commission.Apply(amount)}
		s.reqs = append(s.reqs, rq)
		rqs = append(rqs, rq)
	}
	var res terminal.HouseholdResult
	err := s.timed("contribution", func() error {
		var err error
		cs := s.d.Counter.Contributions()
		cs.Tariff, cs.Today = s.tariff, s.today
		res, err = cs.Pay(s.ctx, h)
		return err
	})
	var charged []terminal.MemberLine
	var part *terminal.HouseholdPartError
	switch {
	case err == nil:
		charged = res.Members
	case errors.As(err, &part):
		charged = part.Charged
	}
	for _, l := range charged {
		if !l.Charged() {
			s.outcomes["contribution member/"+l.Status]++
			continue
		}
		s.outcomes["contribution member/paid"]++
		rq := rqs[l.Row-1]
		if rq == nil || !l.Amount.Equal(rq.amount) {
			s.t.Errorf("seed %d: household %s member %d charged %s, the tariff says %v", s.seed, h.IdemKey, l.Row, l.Amount, rq)
			continue
		}
		rq.paid = true
		s.drawer = s.drawer.Add(rq.amount).Add(rq.fee)
	}
}

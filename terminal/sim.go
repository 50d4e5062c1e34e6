package terminal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/villagepost/bianmin/idcheck"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/simcard"
	"github.com/villagepost/bianmin/tariff"
)

// Kinds of entry for phone-number cards. A sale is recorded under its
// host service's name, as a policy is.
const (
	KindSIMStockIn = "sim_stock_in" // cards the carrier consigned to the shop
	KindSIMReturn  = "sim_return"   // unsold cards sent back to the carrier
	KindSIMSale    = SvcSIMSale     // a card sold, its buyer registered
)

// MaxSIMBatch bounds the cards of one consignment or return.
const MaxSIMBatch = 200

// SIMCards sells a carrier's phone-number cards (号卡) held on
// consignment, each with its buyer's real-name registration (实名登记).
// The plans, their prices and commissions come from the tariff.
//
// No card leaves without a registration the carrier approved: a declined
// registration records no money and the card stays in stock; on no clear
// answer the link asks the carrier's Status and reverses whatever it did,
// which cancels the registration (docs/host-protocol.md, "Telecom").
type SIMCards struct {
	Link   *Link
	Tariff *tariff.Tariff
	Today  func() time.Time // now, in the station's zone
}

// SIMCard is a card in the shop's stock.
type SIMCard struct {
	ICCID    string `json:"iccid"`
	Number   string `json:"number"`
	Plan     string `json:"plan"`
	Received uint64 `json:"received"` // the sim_stock_in entry
}

// simBatch is the payload of a consignment received or returned.
type simBatch struct {
	Plan   string         `json:"plan"`
	Cards  []simcard.Card `json:"cards"`
	Note   string         `json:"note"`
	Tariff string         `json:"tariff"`
}

// simSalePayload is what a sim_sale entry says.
type simSalePayload struct {
	Intent       uint64 `json:"intent"`
	Trace        string `json:"trace"`
	Service      string `json:"service"`
	Plan         string `json:"plan"`
	PlanName     string `json:"plan_name"`
	Carrier      string `json:"carrier"`
	Number       string `json:"number"`
	ICCID        string `json:"iccid"`  // masked
	Holder       string `json:"holder"` // masked
	ID           string `json:"id"`     // masked
	Amount       string `json:"amount"` // the price
	FirstTopup   string `json:"first_topup"`
	Commission   string `json:"commission"`
	Registration string `json:"registration"`
	Tariff       string `json:"tariff"`
}

// SIMStock lists the cards in l's stock (received, not sold, not sent
// back), by phone number.
func SIMStock(l Reader) ([]SIMCard, error) {
	stock, _, err := simState(l)
	if err != nil {
		return nil, err
	}
	out := make([]SIMCard, 0, len(stock))
	for _, c := range stock {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out, nil
}

// simState reads the cards in stock by number, and every ICCID ever
// received.
func simState(l Reader) (map[string]SIMCard, map[string]bool, error) {
	stock, seen := map[string]SIMCard{}, map[string]bool{}
	err := l.Range(1, 0, func(e ledger.Entry) error {
		switch e.Kind {
		case KindSIMStockIn, KindSIMReturn:
			var b simBatch
			if err := json.Unmarshal(e.Payload, &b); err != nil {
				return fmt.Errorf("terminal: %s entry %d: %w", e.Kind, e.Seq, err)
			}
			for _, c := range b.Cards {
				if e.Kind == KindSIMReturn {
					delete(stock, c.Number)
					continue
				}
				stock[c.Number] = SIMCard{ICCID: c.ICCID, Number: c.Number, Plan: b.Plan, Received: e.Seq}
				seen[c.ICCID] = true
			}
		case KindSIMSale:
			var p simSalePayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return fmt.Errorf("terminal: sim_sale entry %d: %w", e.Seq, err)
			}
			delete(stock, p.Number)
		}
		return nil
	})
	return stock, seen, err
}

// ErrNoSIMCards means the tariff in force sells no phone-number cards.
var ErrNoSIMCards = errors.New("terminal: the tariff in force lists no phone-number card plans")

// plan finds a plan of the tariff in force.
func (s *SIMCards) plan(id string) (tariff.SIMPlan, error) {
	if len(s.Tariff.SIMCards) == 0 {
		return tariff.SIMPlan{}, ErrNoSIMCards
	}
	p, ok := s.Tariff.SIMPlan(id)
	if !ok {
		var ids, names []string
		for _, p := range s.Tariff.SIMCards {
			ids, names = append(ids, p.Plan), append(names, p.Name+"（"+p.Plan+"）")
		}
		return p, &InputError{Field: "plan", Rule: "one of " + strings.Join(ids, ", "), RuleZh: "号卡套餐只能是 " + strings.Join(names, "、")}
	}
	return p, nil
}

// SIMCommodity is the commodity the cards of plan are counted in:
// "SIM-" and the plan in capitals (SIM-CMCC-39).
func SIMCommodity(plan string) string { return "SIM-" + strings.ToUpper(plan) }

// simUnits posts n cards of plan between two accounts.
func simUnits(plan string, debit, credit string, n int64) []ledger.Posting {
	c := SIMCommodity(plan)
	return []ledger.Posting{units(c, ledger.Debit, debit, n), units(c, ledger.Credit, credit, n)}
}

// checkBatch checks the cards of a consignment or a return.
func checkBatch(n int) error {
	if n < 1 || n > MaxSIMBatch {
		return &InputError{Field: "card", Rule: fmt.Sprintf("1 to %d cards at a time", MaxSIMBatch), RuleZh: fmt.Sprintf("一次要写 1 到 %d 张卡", MaxSIMBatch)}
	}
	return nil
}

// Receive records the cards of plan the carrier consigned to the shop.
// A card whose ICCID was received before, or whose number is in stock, is
// refused, as is the same card twice in one consignment; nothing is
// recorded then.
func (s *SIMCards) Receive(operator, planID string, cards []simcard.Card, note, idemKey string) (ledger.Entry, error) {
	p, err := s.plan(planID)
	if err != nil {
		return ledger.Entry{}, err
	}
	if err := checkBatch(len(cards)); err != nil {
		return ledger.Entry{}, err
	}
	stock, seen, err := simState(s.Link.Ledger)
	if err != nil {
		return ledger.Entry{}, err
	}
	for _, c := range cards {
		if seen[c.ICCID] {
			return ledger.Entry{}, &InputError{Field: "card", Rule: fmt.Sprintf("ICCID %s was received before", simcard.MaskICCID(c.ICCID)),
				RuleZh: fmt.Sprintf("ICCID 为 %s 的卡以前已经收过，请核对交接单", simcard.MaskICCID(c.ICCID))}
		}
		if _, ok := stock[c.Number]; ok {
			return ledger.Entry{}, &InputError{Field: "card", Rule: fmt.Sprintf("number %s is in stock already", c.Number),
				RuleZh: fmt.Sprintf("号码 %s 已经在库存里，请核对交接单", c.Number)}
		}
		seen[c.ICCID], stock[c.Number] = true, SIMCard{}
	}
	payload, err := json.Marshal(simBatch{Plan: p.Plan, Cards: cards, Note: note, Tariff: s.Tariff.Version})
	if err != nil {
		return ledger.Entry{}, err
	}
	e, _, err := s.Link.Ledger.Append(ledger.Draft{Operator: operator, Kind: KindSIMStockIn, IdemKey: idemKey, Payload: payload,
		Postings: simUnits(p.Plan, AccountStock, AccountConsignment, int64(len(cards)))})
	return e, err
}

// Return records unsold cards, by phone number, sent back to the carrier.
// Every number must be in stock and of one plan.
func (s *SIMCards) Return(operator string, numbers []string, note, idemKey string) (ledger.Entry, error) {
	if err := checkBatch(len(numbers)); err != nil {
		return ledger.Entry{}, err
	}
	stock, _, err := simState(s.Link.Ledger)
	if err != nil {
		return ledger.Entry{}, err
	}
	var cards []simcard.Card
	plan := ""
	for _, n := range numbers {
		c, ok := stock[n]
		if !ok {
			return ledger.Entry{}, notInStock(n)
		}
		if plan != "" && c.Plan != plan {
			return ledger.Entry{}, &InputError{Field: "number", Rule: "return the cards of one plan at a time", RuleZh: "一次只能退回同一种套餐的卡，请分开退回"}
		}
		plan = c.Plan
		delete(stock, n)
		cards = append(cards, simcard.Card{ICCID: c.ICCID, Number: c.Number})
	}
	payload, err := json.Marshal(simBatch{Plan: plan, Cards: cards, Note: note, Tariff: s.Tariff.Version})
	if err != nil {
		return ledger.Entry{}, err
	}
	e, _, err := s.Link.Ledger.Append(ledger.Draft{Operator: operator, Kind: KindSIMReturn, IdemKey: idemKey, Payload: payload,
		Postings: simUnits(plan, AccountConsignment, AccountStock, int64(len(cards)))})
	return e, err
}

func notInStock(number string) error {
	return &InputError{Field: "number", Rule: fmt.Sprintf("%s is not in stock (station sim stock lists the cards)", number),
		RuleZh: fmt.Sprintf("号码 %s 不在号卡库存里，请核对号码（station sim stock 可查看库存）", number)}
}

// SIMOrder is what the shopkeeper types to sell a card.
type SIMOrder struct {
	Operator string
	Number   string // the card's phone number, from stock
	Holder   string // the buyer's name as on the ID card
	IDNumber string // the buyer's resident ID: sent to the carrier, stored masked
	IdemKey  string
}

// SIMSaleResult is a card sold: hand the card over and take Plan.Price.
type SIMSaleResult struct {
	Entry        ledger.Entry // the sim_sale entry
	Intent       ledger.Entry
	Trace        string
	Registration string // the carrier's registration number
	Card         SIMCard
	Plan         tariff.SIMPlan
}

// Check checks an order as far as it can be without the carrier: the
// screen calls it before it turns to the customer. Sell makes the same
// checks.
func (s *SIMCards) Check(o SIMOrder) (SIMCard, tariff.SIMPlan, error) {
	c, p, _, err := s.check(o)
	return c, p, err
}

func (s *SIMCards) check(o SIMOrder) (SIMCard, tariff.SIMPlan, SIMDetails, error) {
	number, err := simcard.Number(o.Number)
	if err != nil {
		return SIMCard{}, tariff.SIMPlan{}, SIMDetails{}, err
	}
	stock, _, err := simState(s.Link.Ledger)
	if err != nil {
		return SIMCard{}, tariff.SIMPlan{}, SIMDetails{}, err
	}
	c, ok := stock[number]
	if !ok {
		return SIMCard{}, tariff.SIMPlan{}, SIMDetails{}, notInStock(number)
	}
	p, err := s.plan(c.Plan)
	if err != nil {
		return SIMCard{}, tariff.SIMPlan{}, SIMDetails{}, err
	}
	name := strings.TrimSpace(o.Holder)
	if !personName(name) {
		return SIMCard{}, tariff.SIMPlan{}, SIMDetails{}, &InputError{Field: "buyer", Rule: "the buyer's name as on the ID card, 2 to 20 letters",
			RuleZh: "请照身份证写买卡人的姓名，2 到 20 个字"}
	}
	id, err := idcheck.ResidentID(o.IDNumber, s.Today())
	if err != nil {
		return SIMCard{}, tariff.SIMPlan{}, SIMDetails{}, err
	}
	return c, p, SIMDetails{Carrier: p.Carrier, Plan: p.Plan, Number: c.Number, ICCID: c.ICCID, Holder: name, IDNumber: id}, nil
}

// Sell has the carrier register the buyer of the card and takes the
// price in cash. A declined registration records no money: the card
// stays in stock, give the cash back (a *DeclineError). No answer means
// the request is reversed, which cancels any registration: the card stays
// in stock, give the cash back (a *ReversedError). A retry under the
// same IdemKey answers with what became of the first request.
func (s *SIMCards) Sell(ctx context.Context, o SIMOrder) (SIMSaleResult, error) {
	if r, ok, err := s.replaySale(ctx, o); ok {
		return r, err
	}
	if err := inForce(s.Tariff, s.Link.Ledger.CurrentDay()); err != nil {
		return SIMSaleResult{}, err
	}
	c, p, d, err := s.check(o)
	if err != nil {
		return SIMSaleResult{}, err
	}
	price := money.FormatWire(p.Price.Decimal)
	base := simSalePayload{
		Service: SvcSIMSale, Plan: p.Plan, PlanName: p.Name, Carrier: p.Carrier, Number: c.Number,
		ICCID: simcard.MaskICCID(c.ICCID), Holder: idcheck.MaskName(d.Holder), ID: idcheck.MaskID(d.IDNumber),
		Amount: price, FirstTopup: money.FormatWire(p.FirstTopup.Decimal), Commission: money.FormatWire(p.Commission.Decimal),
		Tariff: s.Tariff.Version,
	}
	r, err := s.Link.do(ctx, request{
		Operator: o.Operator, IdemKey: o.IdemKey,
		Req: HostRequest{Service: SvcSIMSale, Amount: price, SIM: &d},
		Intent: map[string]any{"plan": base.Plan, "number": base.Number, "iccid": base.ICCID, "holder": base.Holder,
			"id": base.ID, "amount": price, "tariff": s.Tariff.Version},
		Approved: func(intent ledger.Entry, reply HostReply) (ledger.Draft, error) {
			if reply.Reference == "" {
				return ledger.Draft{}, errors.New("terminal: the carrier approved a registration without its number")
			}
			if a, err := money.ParseWire(reply.Amount); err != nil || !a.Equal(p.Price.Decimal) {
				return ledger.Draft{}, fmt.Errorf("terminal: the carrier approved a price of %q, not the %s asked", reply.Amount, price)
			}
			postings := []ledger.Posting{ledger.Dr(AccountCash, p.Price.Decimal), ledger.Cr(AccountSettlement, p.Price.Decimal)}
			if p.Commission.IsPositive() {
				postings = append(postings, ledger.Dr(AccountSettlement, p.Commission.Decimal), ledger.Cr(AccountCommission+tariff.SIMSale, p.Commission.Decimal))
			}
			postings = append(postings, simUnits(p.Plan, AccountConsignment, AccountStock, 1)...)
			pl := base
			pl.Intent, pl.Trace, pl.Registration = intent.Seq, s.Link.Trace(intent.Seq), reply.Reference
			b, err := json.Marshal(pl)
			return ledger.Draft{Kind: KindSIMSale, Payload: b, Postings: postings}, err
		},
	})
	if err != nil {
		return SIMSaleResult{}, err
	}
	var out simSalePayload
	if err := json.Unmarshal(r.Outcome.Payload, &out); err != nil {
		return SIMSaleResult{}, fmt.Errorf("terminal: sim_sale entry %d: %w", r.Outcome.Seq, err)
	}
	return SIMSaleResult{Entry: r.Outcome, Intent: r.Intent, Trace: s.Link.Trace(r.Intent.Seq), Registration: out.Registration, Card: c, Plan: p}, nil
}

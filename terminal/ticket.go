package terminal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/civildate"
	"github.com/villagepost/bianmin/idcheck"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/tariff"
)

// Carriers a ticket can be ordered from, and the classes each sells.
var ticketClasses = map[string][]string{
	"rail": {"二等座", "一等座", "商务座", "硬座", "硬卧", "软卧", "无座"},
	"air":  {"经济舱", "公务舱", "头等舱"},
}

// TicketClasses lists the classes a carrier ("rail" or "air") sells.
func TicketClasses(carrier string) []string { return slices.Clone(ticketClasses[carrier]) }

// Bounds of a ticket order.
const (
	MaxFare       = "10000.00"
	maxAdvanceDay = 365 // no carrier sells further ahead
	maxPlaceRunes = 20
)

// Tickets orders train and air tickets for villagers who pay in cash.
type Tickets struct {
	Link   *Link
	Tariff *tariff.Tariff
	Today  func() time.Time // now, in the station's zone
}

// TicketOrder is what the shopkeeper types for a ticket.
type TicketOrder struct {
	Operator  string
	Carrier   string // rail or air
	Passenger string
	IDNumber  string // the passenger's resident ID: sent to the carrier, stored masked
	From, To  string
	Date      string // travel date, YYYY-MM-DD
	Class     string
	Fare      decimal.Decimal
	IdemKey   string
}

// Ticket order states, as entries and the open-order list say them.
const (
	TicketIssued     = "issued"
	TicketWaitlisted = "waitlisted" // on the carrier's waiting list (候补), cash held
)

// TicketResult is an order the carrier accepted.
type TicketResult struct {
	Entry      ledger.Entry // the ticket_order entry: its number is the order number
	Intent     ledger.Entry
	Trace      string
	Status     string // TicketIssued or TicketWaitlisted
	Ticket     string // the ticket number, once issued
	OrderRef   string // the carrier's order number while waitlisted
	Fare       decimal.Decimal
	Fee        decimal.Decimal
	Total      decimal.Decimal // take this much cash
	Commission decimal.Decimal
}

// ticketPayload is what a ticket_order entry says.
type ticketPayload struct {
	Intent     uint64 `json:"intent"`
	Trace      string `json:"trace"`
	Service    string `json:"service"`
	Carrier    string `json:"carrier"`
	Passenger  string `json:"passenger"`
	ID         string `json:"id"` // masked
	From       string `json:"from"`
	To         string `json:"to"`
	Date       string `json:"date"`
	Class      string `json:"class"`
	Amount     string `json:"amount"` // the fare
	Fee        string `json:"fee"`
	Total      string `json:"total"`
	Commission string `json:"commission"`
	Status     string `json:"status"` // "issued", or "pending" on the waiting list
	Ticket     string `json:"ticket,omitempty"`
	OrderRef   string `json:"order_ref,omitempty"`
	Tariff     string `json:"tariff"`
}

// Check checks an order as far as it can be checked without the carrier:
// the screen calls it before it turns to the customer. Order makes the
// same checks.
func (t *Tickets) Check(o TicketOrder) error {
	_, err := t.check(o)
	return err
}

// check validates an order and returns the details for the carrier.
func (t *Tickets) check(o TicketOrder) (TicketDetails, error) {
	classes, ok := ticketClasses[o.Carrier]
	if !ok {
		return TicketDetails{}, &InputError{Field: "carrier", Rule: "rail or air", RuleZh: "只能是 rail（火车票）或 air（机票）"}
	}
	name := strings.TrimSpace(o.Passenger)
	if !personName(name) {
		return TicketDetails{}, &InputError{Field: "passenger", Rule: "the passenger's name as on the ID card, 2 to 20 letters",
			RuleZh: "请照身份证写乘客姓名，2 到 20 个字"}
	}
	today := t.Today()
	id, err := idcheck.ResidentID(o.IDNumber, today)
	if err != nil {
		return TicketDetails{}, err
	}
	from, to := strings.TrimSpace(o.From), strings.TrimSpace(o.To)
	for _, f := range []struct{ field, zh, v string }{{"from", "出发站", from}, {"to", "到达站", to}} {
		if f.v == "" || utf8.RuneCountInString(f.v) > maxPlaceRunes || strings.IndexFunc(f.v, unicode.IsControl) >= 0 {
			return TicketDetails{}, &InputError{Field: f.field, Rule: fmt.Sprintf("a station or city name, 1 to %d characters", maxPlaceRunes),
				RuleZh: fmt.Sprintf("请写%s的名字，1 到 %d 个字", f.zh, maxPlaceRunes)}
		}
	}
	if from == to {
		return TicketDetails{}, &InputError{Field: "to", Rule: "must differ from where the trip starts", RuleZh: "到达站不能和出发站一样"}
	}
	day, err := parseDate("date", o.Date)
	if err != nil {
		return TicketDetails{}, err
	}
	first := civildate.Format(today)
	last := civildate.Format(today.AddDate(0, 0, maxAdvanceDay))
	if d := civildate.Format(day); d < first || d > last {
		return TicketDetails{}, &InputError{Field: "date", Rule: fmt.Sprintf("a travel date like %s, from today to %s", first, last),
			RuleZh: fmt.Sprintf("乘车日期要写成 %s 这样，从今天到 %s", first, last)}
	}
	if !slices.Contains(classes, o.Class) {
		list := strings.Join(classes, "、")
		return TicketDetails{}, &InputError{Field: "class", Rule: "one of " + list, RuleZh: "座位等级只能是 " + list}
	}
	if !o.Fare.IsPositive() || o.Fare.GreaterThan(decimal.RequireFromString(MaxFare)) {
		return TicketDetails{}, &InputError{Field: "fare", Rule: "above zero and at most " + MaxFare, RuleZh: "票价要大于零，最多 " + MaxFare + " 元"}
	}
	return TicketDetails{Carrier: o.Carrier, Passenger: name, IDNumber: id, From: from, To: to, Date: day.Format(time.DateOnly), Class: o.Class}, nil
}

// personName reports whether s looks like a name on an ID card: 2 to 20
// letters, with the middle dot of minority names and spaces of Latin ones.
func personName(s string) bool {
	n := utf8.RuneCountInString(s)
	if n < 2 || n > 20 {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && r != '·' && r != '•' && r != ' ' {
			return false
		}
	}
	return true
}

// Order orders a ticket. The carrier either issues it at once (hand over
// the ticket number) or puts it on its waiting list, in which case the cash
// is held until the carrier decides; a refusal then leaves a refund due.
// A declined order records no money: give the cash back.
func (t *Tickets) Order(ctx context.Context, o TicketOrder) (TicketResult, error) {
	if err := inForce(t.Tariff, t.Link.Ledger.CurrentDay()); err != nil {
		return TicketResult{}, err
	}
	d, err := t.check(o)
	if err != nil {
		return TicketResult{}, err
	}
	p, _ := t.Tariff.Pricing(tariff.TicketOrder)
	fare := o.Fare
	fee, commission := p.Fee.Apply(fare), p.Commission.Apply(fare)
	total := fare.Add(fee)
	base := ticketPayload{
		Service: SvcTicketOrder, Carrier: d.Carrier, Passenger: d.Passenger, ID: idcheck.MaskID(d.IDNumber),
		From: d.From, To: d.To, Date: d.Date, Class: d.Class,
		Amount: money.FormatWire(fare), Fee: money.FormatWire(fee), Total: money.FormatWire(total),
		Commission: money.FormatWire(commission), Tariff: t.Tariff.Version,
	}
	draft := func(intent ledger.Entry, status, ticket, ref string, postings []ledger.Posting) (ledger.Draft, error) {
		pl := base
		pl.Intent, pl.Trace, pl.Status, pl.Ticket, pl.OrderRef = intent.Seq, t.Link.Trace(intent.Seq), status, ticket, ref
		b, err := json.Marshal(pl)
		return ledger.Draft{Kind: SvcTicketOrder, Payload: b, Postings: postings}, err
	}
	r, err := t.Link.do(ctx, request{
		Operator: o.Operator, IdemKey: o.IdemKey,
		Req: HostRequest{Service: SvcTicketOrder, Amount: money.FormatWire(fare), Ticket: &d},
		Intent: map[string]any{
			"carrier": d.Carrier, "passenger": d.Passenger, "id": base.ID, "from": d.From, "to": d.To,
			"date": d.Date, "class": d.Class, "amount": base.Amount, "tariff": t.Tariff.Version,
		},
		Approved: func(intent ledger.Entry, reply HostReply) (ledger.Draft, error) {
			if reply.Reference == "" {
				return ledger.Draft{}, errors.New("terminal: the carrier approved a ticket without a ticket number")
			}
			postings := []ledger.Posting{ledger.Dr(AccountCash, total), ledger.Cr(AccountSettlement, fare)}
			if fee.IsPositive() {
				postings = append(postings, ledger.Cr(AccountFees, fee))
			}
			if commission.IsPositive() {
				postings = append(postings, ledger.Dr(AccountSettlement, commission), ledger.Cr(AccountCommission+tariff.TicketOrder, commission))
			}
			return draft(intent, "issued", reply.Reference, "", postings)
		},
		Waitlisted: func(intent ledger.Entry, reply HostReply) (ledger.Draft, error) {
			postings := []ledger.Posting{ledger.Dr(AccountCash, total), ledger.Cr(AccountDeposits, fare)}
			if fee.IsPositive() {
				postings = append(postings, ledger.Cr(AccountFees, fee))
			}
			return draft(intent, statusWaitlisted, "", reply.Reference, postings)
		},
	})
	if err != nil {
		return TicketResult{}, err
	}
	var out ticketPayload
	if err := json.Unmarshal(r.Outcome.Payload, &out); err != nil {
		return TicketResult{}, fmt.Errorf("terminal: ticket order entry %d: %w", r.Outcome.Seq, err)
	}
	res := TicketResult{
		Entry: r.Outcome, Intent: r.Intent, Trace: t.Link.Trace(r.Intent.Seq), Status: TicketIssued,
		Ticket: out.Ticket, OrderRef: out.OrderRef, Fare: fare, Fee: fee, Total: total, Commission: commission,
	}
	if out.Status == statusWaitlisted {
		res.Status = TicketWaitlisted
	}
	return res, nil
}

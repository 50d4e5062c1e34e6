package terminal

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
)

// Reasons for moving cash in or out of the drawer, and whom the cash comes
// from or goes to.
const (
	ReasonFloat   = "float"   // in: the opening float, from the owner
	ReasonOwner   = "owner"   // in: the owner tops the drawer up; out: the owner takes cash back
	ReasonCourier = "courier" // out: cash handed to the post office courier
)

// Drawer is the shop's cash drawer: what goes in and out besides the
// services, and the count. Its balance is the ledger's assets:cash.
type Drawer struct {
	Ledger  Ledger
	LowCash decimal.Decimal // warn below this; from the tariff
}

// CashMove is cash put in or taken out of the drawer.
type CashMove struct {
	Operator string
	Amount   decimal.Decimal
	Reason   string
	Note     string // free text, e.g. the courier's name
	IdemKey  string
	// Approver is the owner who approved, with their PIN, cash the owner
	// takes back; a clerk hands cash only to the courier on their own.
	Approver string
}

// ErrOwnerMustApprove is returned for cash taken out for the owner
// without an owner's approval.
var ErrOwnerMustApprove = errors.New("terminal: cash taken back by the owner needs the owner's PIN")

// Cash returns what the drawer should hold.
func (d *Drawer) Cash() (decimal.Decimal, error) { return drawerCash(d.Ledger) }

// Low reports whether cash is below the low-cash warning.
func (d *Drawer) Low(cash decimal.Decimal) bool {
	return cash.LessThan(d.LowCash)
}

// In records cash put into the drawer.
func (d *Drawer) In(m CashMove) (ledger.Entry, error) {
	if m.Reason != ReasonFloat && m.Reason != ReasonOwner {
		return ledger.Entry{}, &InputError{Field: "reason", Rule: "cash comes in as float or owner", RuleZh: "存入现金的原因只能是 float（备用金）或 owner（店主补充）"}
	}
	if err := positive(m.Amount); err != nil {
		return ledger.Entry{}, err
	}
	return d.append(m, "cash_in", ledger.Dr(AccountCash, m.Amount), ledger.Cr(AccountOwner, m.Amount))
}

// Out records cash taken out of the drawer. The drawer cannot give more
// than it holds.
func (d *Drawer) Out(m CashMove) (ledger.Entry, error) {
	var to string
	switch m.Reason {
	case ReasonCourier:
		to = AccountSettlement // the post office now owes the shop this much more
	case ReasonOwner:
		to = AccountOwner
		if m.Approver == "" {
			return ledger.Entry{}, ErrOwnerMustApprove
		}
	default:
		return ledger.Entry{}, &InputError{Field: "reason", Rule: "cash goes out as courier or owner", RuleZh: "取出现金的原因只能是 courier（交押运员）或 owner（店主取回）"}
	}
	if err := positive(m.Amount); err != nil {
		return ledger.Entry{}, err
	}
	cash, err := d.Cash()
	if err != nil {
		return ledger.Entry{}, err
	}
	if m.Amount.GreaterThan(cash) {
		return ledger.Entry{}, &ShortCashError{Need: m.Amount, Have: cash}
	}
	return d.append(m, "cash_out", ledger.Dr(to, m.Amount), ledger.Cr(AccountCash, m.Amount))
}

// Count is the result of counting the drawer.
type Count struct {
	Expected, Counted, Variance decimal.Decimal // Variance = Counted - Expected
	Entry                       ledger.Entry
}

// Count records a count of the drawer. A difference from what the drawer
// should hold is booked to expense:cash-variance, so that afterwards the
// ledger's cash is what was counted.
func (d *Drawer) Count(operator string, counted decimal.Decimal, idemKey string) (Count, error) {
	if counted.IsNegative() {
		return Count{}, &InputError{Field: "counted", Rule: "cannot be below zero", RuleZh: "不能小于零"}
	}
	expected, err := d.Cash()
	if err != nil {
		return Count{}, err
	}
	c := Count{Expected: expected, Counted: counted, Variance: counted.Sub(expected)}
	payload, err := json.Marshal(map[string]string{
		"expected": money.FormatWire(expected), "counted": money.FormatWire(counted), "variance": money.FormatWire(c.Variance),
	})
	if err != nil {
		return Count{}, err
	}
	var postings []ledger.Posting
	switch v := c.Variance; {
	case v.IsNegative(): // short: money is missing
		postings = []ledger.Posting{ledger.Dr(AccountVariance, v.Neg()), ledger.Cr(AccountCash, v.Neg())}
	case v.IsPositive(): // over
		postings = []ledger.Posting{ledger.Dr(AccountCash, v), ledger.Cr(AccountVariance, v)}
	}
	c.Entry, _, err = d.Ledger.Append(ledger.Draft{
		Operator: operator, Kind: "cash_count", IdemKey: idemKey, Payload: payload, Postings: postings,
	})
	return c, err
}

func (d *Drawer) append(m CashMove, kind string, postings ...ledger.Posting) (ledger.Entry, error) {
	fields := map[string]string{"reason": m.Reason, "amount": money.FormatWire(m.Amount), "note": m.Note}
	if m.Approver != "" {
		fields["approved_by"] = m.Approver
	}
	payload, err := json.Marshal(fields)
	if err != nil {
		return ledger.Entry{}, err
	}
	e, _, err := d.Ledger.Append(ledger.Draft{
		Operator: m.Operator, Kind: kind, IdemKey: m.IdemKey, Payload: payload, Postings: postings,
	})
	return e, err
}

// changeFrom returns the change from cash handed over for total; zero paid
// means exactly the total.
func changeFrom(paid, total decimal.Decimal) (decimal.Decimal, error) {
	if paid.IsZero() {
		return decimal.Zero, nil
	}
	if paid.LessThan(total) {
		return decimal.Zero, &InputError{Field: "paid", Rule: fmt.Sprintf("less than the total %s", money.FormatReceipt(total)),
			RuleZh: fmt.Sprintf("比应收的 %s 少，请收够现金", money.FormatReceipt(total))}
	}
	return paid.Sub(total), nil
}

func positive(d decimal.Decimal) error {
	if !d.IsPositive() {
		return &InputError{Field: "amount", Rule: "must be above zero", RuleZh: "必须大于零"}
	}
	return nil
}

// ShortCashError says the drawer holds less cash than a payout needs.
type ShortCashError struct {
	Need, Have decimal.Decimal
}

func (e *ShortCashError) Error() string {
	return fmt.Sprintf("terminal: the drawer holds %s, less than the %s needed", money.FormatReceipt(e.Have), money.FormatReceipt(e.Need))
}

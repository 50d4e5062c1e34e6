package terminal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/tariff"
)

// ConfirmWithin is how long a queued payment's receipt promises it will be
// confirmed by the biller.
const ConfirmWithin = 24 * time.Hour

// Bills takes utility bill payments and phone top-ups for cash.
type Bills struct {
	Link   *Link
	Tariff *tariff.Tariff
}

// BillPayment is a villager paying a bill in cash.
type BillPayment struct {
	Operator string
	Biller   string          // biller id from the tariff, e.g. state-grid
	Account  string          // as typed
	Amount   decimal.Decimal // zero: what the biller says is due (bills only)
	Paid     decimal.Decimal // cash handed over; zero means exactly the total
	IdemKey  string
}

// BillResult is a payment that was made, or accepted into the queue.
type BillResult struct {
	Entry      ledger.Entry
	Intent     ledger.Entry
	Trace      string
	Biller     tariff.Biller
	Account    string
	Customer   string
	Amount     decimal.Decimal
	Fee        decimal.Decimal
	Total      decimal.Decimal // take this much cash
	Commission decimal.Decimal
	Change     decimal.Decimal // give back from what was handed over
	Reference  string          // the biller's reference, once paid
	Queued     bool            // accepted offline; to be confirmed by ConfirmBy
	ConfirmBy  time.Time       // queued only
}

func (b *Bills) biller(id string) (tariff.Biller, error) {
	bl, ok := b.Tariff.Biller(id)
	if !ok {
		var ids []string
		for _, x := range b.Tariff.Billers {
			ids = append(ids, x.ID)
		}
		list := strings.Join(ids, ", ")
		return bl, &InputError{Field: "biller", Rule: "one of " + list, RuleZh: "只能是价目表里的缴费单位：" + list}
	}
	return bl, nil
}

// account checks an account number against its biller's rule.
func account(bl tariff.Biller, input string) (string, error) {
	acct, err := bl.CheckAccount(input)
	if err != nil {
		r := bl.Account
		what := "户号"
		if len(bl.Denominations) > 0 {
			what = "手机号" // a phone operator's account is the phone number
		}
		zh := fmt.Sprintf("%s的%s要写 %d 位数字", bl.Name, what, r.MinDigits)
		if r.MinDigits != r.MaxDigits {
			zh = fmt.Sprintf("%s的%s要写 %d 到 %d 位数字", bl.Name, what, r.MinDigits, r.MaxDigits)
		}
		if len(r.Prefixes) > 0 {
			zh += "，以 " + strings.Join(r.Prefixes, " 或 ") + " 开头"
		}
		var ae *tariff.AccountError
		rule := err.Error()
		if errors.As(err, &ae) {
			rule = ae.Rule
		}
		return "", &InputError{Field: "account", Rule: rule, RuleZh: zh + "，例如 " + r.Example}
	}
	return acct, nil
}

// Lookup asks the biller what is due on an account.
func (b *Bills) Lookup(ctx context.Context, billerID, accountText string) (Bill, error) {
	bl, err := b.biller(billerID)
	if err != nil {
		return Bill{}, err
	}
	acct, err := account(bl, accountText)
	if err != nil {
		return Bill{}, err
	}
	cctx, cancel := b.Link.call(ctx)
	defer cancel()
	return b.Link.Host.LookupBill(cctx, bl.ID, acct)
}

// Pay pays a bill. With no amount it pays what the biller says is due. When
// the biller cannot be reached and takes queued payments, the payment is
// accepted into the queue: the cash is taken, the receipt says by when it
// will be confirmed, and the queue forwards it when the network is back.
func (b *Bills) Pay(ctx context.Context, p BillPayment) (BillResult, error) {
	if err := inForce(b.Tariff, b.Link.Ledger.CurrentDay()); err != nil {
		return BillResult{}, err
	}
	bl, acct, err := b.checkBill(p)
	if err != nil {
		return BillResult{}, err
	}
	amount, customer := p.Amount, ""
	cctx, cancel := b.Link.call(ctx)
	bill, lerr := b.Link.Host.LookupBill(cctx, bl.ID, acct)
	cancel()
	switch {
	case lerr == nil:
		customer = bill.Customer
		if amount.IsZero() {
			due, err := money.ParseWire(bill.Due)
			if err != nil {
				return BillResult{}, fmt.Errorf("terminal: the biller's amount due %q: %w", bill.Due, err)
			}
			if !due.IsPositive() {
				return BillResult{}, &InputError{Field: "amount", Rule: "nothing is due on this account; give an amount to pay in advance", RuleZh: "这个户号现在没有欠费；要预存请写金额"}
			}
			amount = due
		}
	case amount.IsZero():
		return BillResult{}, &InputError{Field: "amount", Rule: "the bill cannot be looked up (" + lerr.Error() + "): give the amount to pay",
			RuleZh: "查不到账单（" + bl.Name + "暂时连不上或没有这个户号），请问清顾客要缴多少钱，写上金额"}
	}
	p.Amount = amount
	return b.pay(ctx, p, bl, acct, customer, tariff.BillPayment, SvcBillPayment)
}

// Topup tops up the mobile phone p.Account by p.Amount, one of the
// operator's denominations.
func (b *Bills) Topup(ctx context.Context, p BillPayment) (BillResult, error) {
	bl, acct, err := b.checkTopup(p)
	if err != nil {
		return BillResult{}, err
	}
	return b.pay(ctx, p, bl, acct, "", tariff.Topup, SvcTopup)
}

// Check checks a bill payment (topup false) or a top-up as far as it can
// be checked without asking the biller: the biller, the account's (or
// phone number's) form, a top-up's denomination, and that the cash handed
// over covers the total. The screen calls it before it turns to the
// customer, so that nothing the shop could have caught fails after the
// customer confirmed. Pay and Topup make the same checks.
func (b *Bills) Check(p BillPayment, topup bool) error {
	var (
		err    error
		priced = tariff.BillPayment
	)
	if topup {
		_, _, err = b.checkTopup(p)
		priced = tariff.Topup
	} else {
		_, _, err = b.checkBill(p)
	}
	if err != nil || p.Amount.IsZero() {
		return err
	}
	pr, _ := b.Tariff.Pricing(priced)
	_, err = changeFrom(p.Paid, p.Amount.Add(pr.Fee.Apply(p.Amount)))
	return err
}

func (b *Bills) checkBill(p BillPayment) (tariff.Biller, string, error) {
	bl, err := b.biller(p.Biller)
	if err != nil {
		return bl, "", err
	}
	if bl.Kind == "mobile" {
		return bl, "", &InputError{Field: "biller", Rule: bl.ID + " is a phone operator: use topup", RuleZh: bl.Name + "是手机充值，请用充值（topup）"}
	}
	acct, err := account(bl, p.Account)
	return bl, acct, err
}

func (b *Bills) checkTopup(p BillPayment) (tariff.Biller, string, error) {
	bl, err := b.biller(p.Biller)
	if err != nil {
		return bl, "", err
	}
	if len(bl.Denominations) == 0 {
		return bl, "", &InputError{Field: "biller", Rule: bl.ID + " is not a phone operator", RuleZh: bl.Name + "不是手机充值"}
	}
	acct, err := account(bl, p.Account)
	if err != nil {
		return bl, "", err
	}
	var ok bool
	var names []string
	for _, d := range bl.Denominations {
		ok = ok || d.Equal(p.Amount)
		names = append(names, money.FormatWire(d.Decimal))
	}
	if !ok {
		list := strings.Join(names, ", ")
		return bl, "", &InputError{Field: "amount", Rule: "one of " + list, RuleZh: "充值金额只能是 " + list}
	}
	return bl, acct, nil
}

func (b *Bills) pay(ctx context.Context, p BillPayment, bl tariff.Biller, acct, customer string, priced, service string) (BillResult, error) {
	amount := p.Amount
	pr, _ := b.Tariff.Pricing(priced)
	fee, commission := pr.Fee.Apply(amount), pr.Commission.Apply(amount)
	total := amount.Add(fee)
	change, err := changeFrom(p.Paid, total)
	if err != nil {
		return BillResult{}, err
	}
	res := BillResult{Biller: bl, Account: acct, Customer: customer, Amount: amount, Fee: fee, Total: total, Commission: commission, Change: change}
	payload := func(intent ledger.Entry, status, reference string, confirmBy time.Time) ([]byte, error) {
		m := map[string]any{
			"paid": money.FormatWire(total.Add(change)), "change": money.FormatWire(change),
			"intent": intent.Seq, "trace": b.Link.Trace(intent.Seq), "service": service,
			"biller": bl.ID, "biller_name": bl.Name, "account": acct, "customer": customer,
			"amount": money.FormatWire(amount), "fee": money.FormatWire(fee), "total": money.FormatWire(total),
			"commission": money.FormatWire(commission), "status": status, "tariff": b.Tariff.Version,
		}
		if reference != "" {
			m["reference"] = reference
		}
		if !confirmBy.IsZero() {
			m["confirm_by"] = confirmBy.UTC().Format(time.RFC3339)
		}
		return json.Marshal(m)
	}
	rq := request{
		Operator: p.Operator, IdemKey: p.IdemKey,
		Req: HostRequest{Service: service, Amount: money.FormatWire(amount), Biller: bl.ID, Account: acct},
		Intent: map[string]any{
			"biller": bl.ID, "account": acct, "amount": money.FormatWire(amount), "tariff": b.Tariff.Version,
		},
		Approved: func(intent ledger.Entry, reply HostReply) (ledger.Draft, error) {
			postings := []ledger.Posting{ledger.Dr(AccountCash, total), ledger.Cr(AccountSettlement, amount)}
			if fee.IsPositive() {
				postings = append(postings, ledger.Cr(AccountFees, fee))
			}
			if commission.IsPositive() {
				postings = append(postings, ledger.Dr(AccountSettlement, commission), ledger.Cr(AccountCommission+priced, commission))
			}
			p, err := payload(intent, "paid", reply.Reference, time.Time{})
			return ledger.Draft{Kind: service, Payload: p, Postings: postings}, err
		},
	}
	if bl.Queueing {
		rq.Offline = func(intent ledger.Entry) (ledger.Draft, time.Time, error) {
			confirmBy := b.Link.Now().Add(ConfirmWithin).Truncate(time.Minute)
			postings := []ledger.Posting{ledger.Dr(AccountCash, total), ledger.Cr(AccountQueued, amount)}
			if fee.IsPositive() {
				postings = append(postings, ledger.Cr(AccountFees, fee))
			}
			p, err := payload(intent, statusQueued, "", confirmBy)
			return ledger.Draft{Kind: service, Payload: p, Postings: postings}, confirmBy, err
		}
	}
	r, err := b.Link.do(ctx, rq)
	if err != nil {
		return BillResult{}, err
	}
	var out struct {
		Reference string `json:"reference"`
		Status    string `json:"status"`
		ConfirmBy string `json:"confirm_by"`
	}
	json.Unmarshal(r.Outcome.Payload, &out)
	res.Entry, res.Intent, res.Trace, res.Reference = r.Outcome, r.Intent, b.Link.Trace(r.Intent.Seq), out.Reference
	res.Queued = out.Status == statusQueued
	if res.Queued {
		res.ConfirmBy, _ = time.Parse(time.RFC3339, out.ConfirmBy)
	}
	return res, nil
}

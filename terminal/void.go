package terminal

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
)

// KindVoid is the entry that reverses a sale or a queued payment on the
// day it was made.
const KindVoid = "void"

// VoidError says why an entry cannot be voided at the terminal.
type VoidError struct {
	Seq          uint64
	Kind         string
	Rule, RuleZh string
}

func (e *VoidError) Error() string {
	return fmt.Sprintf("terminal: entry %d (%s) cannot be voided: %s", e.Seq, e.Kind, e.Rule)
}

// Voids reverses, on the same business day, a sale or a payment still in
// the offline queue. The owner approves every void; the caller checks the
// owner's PIN and names the owner as approver.
type Voids struct {
	Link *Link
}

// VoidResult is a voided entry: hand Refund back to the villager.
type VoidResult struct {
	Entry    ledger.Entry // the void entry
	Original ledger.Entry
	Refund   decimal.Decimal
}

// Void appends a void entry whose postings mirror those of entry seq, so
// that the money and goods it moved go back. It refuses anything but a
// sale or a queued payment of the current business day; a completed
// withdrawal or a payment the biller already has cannot be voided at the
// terminal.
func (v *Voids) Void(operator, approver string, seq uint64, reason string) (VoidResult, error) {
	l := v.Link
	l.mu.Lock() // a queued payment must not be forwarded while it is voided
	defer l.mu.Unlock()
	orig, intent, err := v.check(seq, true)
	if err != nil {
		return VoidResult{}, err
	}
	payload := map[string]any{"original": seq, "original_kind": orig.Kind, "approved_by": approver, "reason": reason}
	if intent != 0 {
		payload["intent"] = intent
	}
	refund := decimal.Zero
	postings := make([]ledger.Posting, len(orig.Postings))
	for i, q := range orig.Postings {
		q.Side = ledger.Debit + ledger.Credit - q.Side
		postings[i] = q
		if q.Account == AccountCash && q.Commodity == ledger.Currency {
			refund = refund.Add(q.Signed().Neg())
		}
	}
	cash, err := drawerCash(l.Ledger)
	if err != nil {
		return VoidResult{}, err
	}
	if refund.GreaterThan(cash) {
		return VoidResult{}, &ShortCashError{Need: refund, Have: cash}
	}
	payload["refund"] = money.FormatWire(refund)
	b, err := json.Marshal(payload)
	if err != nil {
		return VoidResult{}, err
	}
	e, _, err := l.Ledger.Append(ledger.Draft{Operator: operator, Kind: KindVoid, IdemKey: voidKey(seq), Payload: b, Postings: postings})
	if err != nil {
		return VoidResult{}, err
	}
	if intent != 0 {
		// The void is recorded: the refund is due whatever the pending
		// store says, and forward never sends a voided payment
		// (concluded).
		l.tidy(intent)
	}
	return VoidResult{Entry: e, Original: orig, Refund: refund}, nil
}

// Check reports whether entry seq can be voided, with the same refusal
// (*VoidError) Void would give, so that the screen offers a void only
// where one can be done and refuses before it asks the owner's PIN. It
// does not wait for the queue: whether a queued payment is on its way to
// the biller right now is checked by Void, under the queue's lock.
func (v *Voids) Check(seq uint64) error {
	_, _, err := v.check(seq, false)
	return err
}

// check returns the entry to void and, for a queued payment, its intent,
// or why it cannot be voided. queue checks the queue's state too; the
// caller holds the link's lock.
func (v *Voids) check(seq uint64, queue bool) (ledger.Entry, uint64, error) {
	l := v.Link
	orig, err := l.Ledger.Get(seq)
	if err != nil {
		return orig, 0, err
	}
	refuse := func(rule, zh string) error { return &VoidError{Seq: seq, Kind: orig.Kind, Rule: rule, RuleZh: zh} }
	if prev, err := l.Ledger.ByIdemKey(voidKey(seq)); err == nil {
		return orig, 0, refuse(fmt.Sprintf("already voided by entry %d", prev.Seq), fmt.Sprintf("已经在第 %d 笔撤销过了", prev.Seq))
	}
	var p struct {
		Intent uint64 `json:"intent"`
		Status string `json:"status"`
	}
	json.Unmarshal(orig.Payload, &p)
	switch {
	case orig.Kind == SvcWithdrawal:
		return orig, 0, refuse("a completed withdrawal cannot be voided at the terminal; the card's bank handles disputes",
			"取款已经完成，不能在本机撤销；如有争议，请持卡人联系发卡银行")
	case orig.Kind == SvcTicketOrder:
		return orig, 0, refuse("cancel a ticket with station ticket cancel", "车票请用“退票”（station ticket cancel）办理")
	case orig.Kind == SvcPolicyIssue:
		return orig, 0, refuse("cancel a policy with station insure cancel, inside its cooling-off period", "保险请用“退保”（station insure cancel）在犹豫期内办理")
	case orig.Kind == SvcSIMSale:
		return orig, 0, refuse("a card sale cannot be voided: the buyer is registered with the carrier under their ID; a buyer who no longer wants the card closes the number at the carrier's shop with their ID card",
			"号卡已经实名登记到买卡人名下，不能在本机撤销；买卡人不要这张卡，请他带身份证到运营商营业厅办理销户")
	case (orig.Kind == SvcBillPayment || orig.Kind == SvcTopup) && p.Status != statusQueued:
		return orig, 0, refuse("the biller already has this payment; only a payment still in the offline queue can be voided",
			"这笔缴费已经交到缴费单位，不能撤销；只有还在排队等网络的缴费可以撤销")
	case orig.Kind != "sale" && orig.Kind != SvcBillPayment && orig.Kind != SvcTopup:
		return orig, 0, refuse("only a sale or a queued payment can be voided", "只有商品销售和排队中的缴费可以撤销")
	}
	if day := l.Ledger.CurrentDay(); orig.Day != day {
		if closed := l.Ledger.Closed(); closed != "" && orig.Day <= closed {
			return orig, 0, refuse(fmt.Sprintf("entry of business day %s, which is closed; only entries of the open day %s can be voided", orig.Day, day),
				fmt.Sprintf("这笔是已经日结的 %s 的业务，日结以后不能再撤销。只能撤销本营业日（%s）的业务", DayZh(orig.Day), DayZh(day)))
		}
		return orig, 0, refuse(fmt.Sprintf("only entries of the open business day %s can be voided; this one is of %s", day, orig.Day),
			fmt.Sprintf("这笔是 %s 的业务，只能撤销本营业日（%s）的业务", DayZh(orig.Day), DayZh(day)))
	}
	if orig.Kind == "sale" {
		if _, err := l.Ledger.ByIdemKey(deliveryKey(seq)); err == nil {
			return orig, 0, refuse("the goods were already delivered", "货已经送到了，不能撤销")
		}
		return orig, 0, nil
	}
	// A queued payment: it must not have reached the biller yet.
	concluded := l.isConcluded
	if queue {
		concluded = l.concluded
	}
	if done, err := concluded(p.Intent); err != nil {
		return orig, 0, err
	} else if done {
		return orig, 0, refuse("the payment already left the queue", "这笔缴费已经发给缴费单位了，不能撤销")
	}
	if !queue {
		return orig, p.Intent, nil
	}
	if it, ok, err := pendingItem(l.Ledger, l.Pending, p.Intent); err != nil {
		return orig, 0, err
	} else if ok && it.MaybeSent {
		return orig, 0, refuse("the payment was sent to the biller and its answer has not come yet; it cannot be voided until it has (see the queue)",
			"这笔缴费已经发给缴费单位，还没有收到回复，现在不能撤销。等网络好了、有了结果再说（可在“排队”里查看）")
	}
	return orig, p.Intent, nil
}

// DayZh writes a business day (2026-12-05) as a person says it: 12月5日.
func DayZh(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return fmt.Sprintf("%d月%d日", t.Month(), t.Day())
}

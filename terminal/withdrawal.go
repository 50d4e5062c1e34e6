package terminal

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/idcheck"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/tariff"
)

// Cards serves bank-card customers: cash withdrawal (助农取款) and balance
// inquiry. The card number goes to the bank and, masked, into the ledger;
// a keyed hash of it (CardKey) drives the per-card daily limit. The PIN
// goes to the bank only.
type Cards struct {
	Link    *Link
	Tariff  *tariff.Tariff
	CardKey []byte // at least 16 bytes, kept secret by the station
}

// Withdrawal is a villager taking cash out of a bank card.
type Withdrawal struct {
	Operator string
	Card     string // as typed; checked and normalised here
	PIN      string
	Amount   decimal.Decimal
	IdemKey  string
}

// WithdrawalResult is an approved withdrawal: hand out Amount in cash.
type WithdrawalResult struct {
	Entry      ledger.Entry // the withdrawal entry
	Intent     ledger.Entry
	Trace      string
	AuthCode   string
	Card       string // masked
	Amount     decimal.Decimal
	Fee        decimal.Decimal // charged to the card on top of the amount
	Commission decimal.Decimal
}

// LimitError says a withdrawal breaks a limit of the tariff.
type LimitError struct {
	Field string // "amount" or "card"
	Rule  string // per_transaction, per_card_day or per_card_day_count
	Limit string // the limit, e.g. "1000.00" or "5"
	Used  string // what the card already took today, for the daily limits
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("terminal: %s: over the %s limit of %s (used today: %s)", e.Field, e.Rule, e.Limit, e.Used)
}

// Zh says in plain Chinese which limit the withdrawal breaks and what to
// do.
func (e *LimitError) Zh() string {
	yuan := func(s string) string {
		if d, err := money.ParseWire(s); err == nil {
			return money.FormatReceipt(d)
		}
		return s
	}
	switch e.Rule {
	case "per_transaction":
		return fmt.Sprintf("每笔取款最多 %s；没有记账，也没有问银行。可以分几笔取。", yuan(e.Limit))
	case "per_card_day":
		return fmt.Sprintf("这张卡今天已经取了 %s，每张卡每天最多 %s；没有记账。请少取一些，或明天再来。", yuan(e.Used), yuan(e.Limit))
	case "per_card_day_count":
		return fmt.Sprintf("这张卡今天已经取了 %s 次，每张卡每天最多 %s 次；没有记账。请明天再来。", e.Used, e.Limit)
	}
	return e.Error()
}

func checkPIN(p string) error {
	if len(p) < 4 || len(p) > 12 {
		return &InputError{Field: "pin", Rule: "the card PIN has 4 to 12 digits", RuleZh: "银行卡密码是 4 到 12 位数字，请让持卡人重新输入"}
	}
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return &InputError{Field: "pin", Rule: "the card PIN has only digits", RuleZh: "银行卡密码只有数字，请让持卡人重新输入"}
		}
	}
	return nil
}

// Withdraw pays cash out of a card. It refuses before asking the bank when
// the amount breaks a limit or the drawer holds less than the payout. Cash
// may be handed out only when it returns no error.
func (c *Cards) Withdraw(ctx context.Context, w Withdrawal) (WithdrawalResult, error) {
	if err := inForce(c.Tariff, c.Link.Ledger.CurrentDay()); err != nil {
		return WithdrawalResult{}, err
	}
	card, err := idcheck.Card(w.Card)
	if err != nil {
		return WithdrawalResult{}, err
	}
	if err := checkPIN(w.PIN); err != nil {
		return WithdrawalResult{}, err
	}
	if !w.Amount.IsPositive() {
		return WithdrawalResult{}, &InputError{Field: "amount", Rule: "must be above zero", RuleZh: "必须大于零"}
	}
	lim := c.Tariff.Limits
	if w.Amount.GreaterThan(lim.PerTransaction.Decimal) {
		return WithdrawalResult{}, &LimitError{Field: "amount", Rule: "per_transaction", Limit: money.FormatWire(lim.PerTransaction.Decimal)}
	}
	key := idcheck.CardKey(c.CardKey, card)
	// A retry of a request already made is answered from the ledger before
	// the limits, which it may now break only because of itself.
	if _, err := c.Link.Ledger.ByIdemKey(w.IdemKey); err != nil {
		if err := c.checkDaily(key, w.Amount); err != nil {
			return WithdrawalResult{}, err
		}
		cash, err := drawerCash(c.Link.Ledger)
		if err != nil {
			return WithdrawalResult{}, err
		}
		if w.Amount.GreaterThan(cash) {
			return WithdrawalResult{}, &ShortCashError{Need: w.Amount, Have: cash}
		}
	}
	p, _ := c.Tariff.Pricing(tariff.Withdrawal)
	fee, commission := p.Fee.Apply(w.Amount), p.Commission.Apply(w.Amount)
	total := w.Amount.Add(fee)
	masked := idcheck.MaskCard(card)
	r, err := c.Link.do(ctx, request{
		Operator: w.Operator, IdemKey: w.IdemKey,
		Req: HostRequest{Service: SvcWithdrawal, Amount: money.FormatWire(total), Card: card, PIN: w.PIN},
		Intent: map[string]any{
			"amount": money.FormatWire(total), "card": masked, "card_key": key, "tariff": c.Tariff.Version,
		},
		Approved: func(intent ledger.Entry, reply HostReply) (ledger.Draft, error) {
			postings := []ledger.Posting{ledger.Dr(AccountSettlement, total), ledger.Cr(AccountCash, w.Amount)}
			if fee.IsPositive() {
				postings = append(postings, ledger.Cr(AccountFees, fee))
			}
			if commission.IsPositive() {
				postings = append(postings, ledger.Dr(AccountSettlement, commission), ledger.Cr(AccountCommission+tariff.Withdrawal, commission))
			}
			payload, err := json.Marshal(map[string]any{
				"intent": intent.Seq, "trace": c.Link.Trace(intent.Seq), "card": masked, "card_key": key,
				"amount": money.FormatWire(w.Amount), "fee": money.FormatWire(fee), "total": money.FormatWire(total),
				"commission": money.FormatWire(commission), "auth_code": reply.AuthCode, "tariff": c.Tariff.Version,
			})
			return ledger.Draft{Kind: SvcWithdrawal, Payload: payload, Postings: postings}, err
		},
	})
	if err != nil {
		return WithdrawalResult{}, err
	}
	var paid struct {
		AuthCode string `json:"auth_code"`
	}
	json.Unmarshal(r.Outcome.Payload, &paid)
	return WithdrawalResult{
		Entry: r.Outcome, Intent: r.Intent, Trace: c.Link.Trace(r.Intent.Seq), AuthCode: paid.AuthCode,
		Card: masked, Amount: w.Amount, Fee: fee, Commission: commission,
	}, nil
}

// checkDaily applies the per-card daily limits to today's withdrawals.
func (c *Cards) checkDaily(key string, amount decimal.Decimal) error {
	var used decimal.Decimal
	count := 0
	err := c.Link.Ledger.Day(c.Link.Ledger.CurrentDay(), func(e ledger.Entry) error {
		if e.Kind != SvcWithdrawal {
			return nil
		}
		var p struct {
			CardKey string `json:"card_key"`
			Amount  string `json:"amount"`
		}
		if json.Unmarshal(e.Payload, &p) != nil || p.CardKey != key {
			return nil
		}
		a, err := money.ParseWire(p.Amount)
		if err != nil {
			return fmt.Errorf("terminal: withdrawal entry %d: %w", e.Seq, err)
		}
		used = used.Add(a)
		count++
		return nil
	})
	if err != nil {
		return err
	}
	lim := c.Tariff.Limits
	if count+1 > lim.PerCardDayCount {
		return &LimitError{Field: "card", Rule: "per_card_day_count", Limit: fmt.Sprint(lim.PerCardDayCount), Used: fmt.Sprint(count)}
	}
	if used.Add(amount).GreaterThan(lim.PerCardDay.Decimal) {
		return &LimitError{Field: "amount", Rule: "per_card_day", Limit: money.FormatWire(lim.PerCardDay.Decimal), Used: money.FormatWire(used)}
	}
	return nil
}

// BalanceInquiry asks the bank for a card's available balance. It is
// recorded (that it happened, not the balance) and moves no money.
func (c *Cards) BalanceInquiry(ctx context.Context, operator, cardText, pinText, idemKey string) (decimal.Decimal, ledger.Entry, error) {
	card, err := idcheck.Card(cardText)
	if err != nil {
		return decimal.Zero, ledger.Entry{}, err
	}
	if err := checkPIN(pinText); err != nil {
		return decimal.Zero, ledger.Entry{}, err
	}
	masked := idcheck.MaskCard(card)
	r, err := c.Link.do(ctx, request{
		Operator: operator, IdemKey: idemKey,
		Req:    HostRequest{Service: SvcBalanceInquiry, Card: card, PIN: pinText},
		Intent: map[string]any{"card": masked},
		Approved: func(intent ledger.Entry, reply HostReply) (ledger.Draft, error) {
			payload, err := json.Marshal(map[string]any{"intent": intent.Seq, "trace": c.Link.Trace(intent.Seq), "card": masked})
			return ledger.Draft{Kind: SvcBalanceInquiry, Payload: payload}, err
		},
	})
	if err != nil {
		return decimal.Zero, ledger.Entry{}, err
	}
	bal, err := money.ParseWire(r.Reply.Balance)
	if err != nil {
		return decimal.Zero, r.Outcome, fmt.Errorf("terminal: the bank's balance %q: %w", r.Reply.Balance, err)
	}
	return bal, r.Outcome, nil
}

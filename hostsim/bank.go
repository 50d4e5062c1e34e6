package hostsim

import (
	"fmt"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/terminal"
)

// WrongPIN is the PIN the bank always refuses, code "55". Every other PIN
// is right.
const WrongPIN = "000000"

// The bank holds one balance per card, keyed by the masked card number
// (first 6, last 4 digits) so that the journal, which holds only masked
// numbers, is enough to rebuild it: two cards that mask alike share a
// balance. A card starts with Options.CardBalance.
//
//	PIN 000000                  declined 55 (wrong PIN)
//	balance_inquiry             approved, Balance = the card's balance
//	withdrawal above balance    declined 51 (insufficient funds)
//	withdrawal                  approved, AuthCode = 6 digits; the amount leaves the balance
//
// A reversal puts the amount back.

// balance is what a masked card holds. The caller holds s.mu.
func (s *Sim) balance(card string) decimal.Decimal {
	if b, ok := s.balances[card]; ok {
		return b
	}
	return s.cardBalance
}

// decideBank decides a withdrawal or balance inquiry.
func (s *Sim) decideBank(l *JournalLine, r terminal.HostRequest) {
	bal := s.balance(l.Card)
	if r.PIN == WrongPIN {
		decline(l, CodeWrongPIN)
		return
	}
	if r.Service == terminal.SvcBalanceInquiry {
		approve(l)
		l.Balance = money.FormatWire(bal)
		return
	}
	amount, _ := money.ParseWire(r.Amount) // checked by checkRequest
	if amount.GreaterThan(bal) {
		decline(l, CodeNoFunds)
		return
	}
	approve(l)
	l.AuthCode = authCode(r.Trace)
	l.Balance = money.FormatWire(bal.Sub(amount))
}

// reversedBalance is the card's balance once the withdrawal d is undone.
func (s *Sim) reversedBalance(d JournalLine) string {
	amount, _ := money.ParseWire(d.Amount) // journaled valid
	return money.FormatWire(s.balance(d.Card).Add(amount))
}

// applyBank sets a card's balance from a line that says it.
func (s *Sim) applyBank(l JournalLine) error {
	if l.Card == "" || l.Balance == "" {
		return fmt.Errorf("%s of trace %s without card and balance", l.Service, l.Trace)
	}
	b, err := money.ParseWire(l.Balance)
	if err != nil {
		return err
	}
	s.balances[l.Card] = b
	return nil
}

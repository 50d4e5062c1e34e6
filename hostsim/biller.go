package hostsim

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/terminal"
)

// The billers: every biller id exists, and every account of digits whose
// number does not end in "0000". What is due on an account starts at an
// amount from 20.00 to 300.00 derived from a hash of the biller and the
// account, and the customer's masked name is picked the same way. The
// period of a bill is the current month in the hosts' zone.
//
//	account ending 0000   LookupBill: *terminal.DeclineError 14; payment, topup: declined 14
//	bill_payment          approved, Reference = "R" + 12 digits; the due goes down, never below 0.00
//	topup                 approved, Reference
//
// A payment forwarded from the station's offline queue (Queued) is treated
// the same. A reversal restores what the payment took off the due.

// billKey names an account at a biller.
type billKey struct{ biller, account string }

// customers returns the masked names a biller gives.
func customers() []string {
	return []string{"张*", "王*", "李*", "赵*", "刘*", "陈*", "杨*", "黄*", "周*", "吴*", "欧阳*", "孙*"}
}

// noAccount reports whether an account does not exist.
func noAccount(account string) bool { return strings.HasSuffix(account, "0000") }

// initialDue is what is due on an account before any payment:
// 20.00 to 300.00.
func initialDue(k billKey) decimal.Decimal {
	return decimal.New(int64(2000+hashNumber(28001, "due", k.biller, k.account)), -2)
}

// due is what is due on an account now. The caller holds s.mu.
func (s *Sim) due(k billKey) decimal.Decimal {
	if d, ok := s.dues[k]; ok {
		return d
	}
	return initialDue(k)
}

// bill answers LookupBill. The caller holds s.mu.
func (s *Sim) bill(biller, account string) (terminal.Bill, error) {
	if noAccount(account) {
		return terminal.Bill{}, &terminal.DeclineError{Service: terminal.SvcBillPayment, Code: CodeNoAccount, Reason: reasonFor(CodeNoAccount)}
	}
	k, names := billKey{biller, account}, customers()
	return terminal.Bill{
		Biller: biller, Account: account,
		Customer: names[hashNumber(uint64(len(names)), "customer", biller, account)],
		Period:   s.time().In(s.zone).Format("2006-01"),
		Due:      money.FormatWire(s.due(k)),
	}, nil
}

// decideBiller decides a bill payment or a topup.
func (s *Sim) decideBiller(l *JournalLine, r terminal.HostRequest) {
	if noAccount(r.Account) {
		decline(l, CodeNoAccount)
		return
	}
	approve(l)
	l.Reference = billerReference(r.Trace)
	if r.Service == terminal.SvcBillPayment {
		amount, _ := money.ParseWire(r.Amount) // checked by checkRequest
		l.Due = money.FormatWire(decimal.Max(s.due(billKey{r.Biller, r.Account}).Sub(amount), decimal.Zero))
	}
}

// restoredDue is what is due once the payment rec is undone.
func (s *Sim) restoredDue(rec *record) string {
	return money.FormatWire(s.due(billKey{rec.line.Biller, rec.line.Account}).Add(rec.reduced))
}

// applyPayment applies an approved bill payment and remembers what it took
// off the due, for a reversal.
func (s *Sim) applyPayment(rec *record, l JournalLine) error {
	before := s.due(billKey{l.Biller, l.Account})
	if err := s.applyDue(l); err != nil {
		return err
	}
	rec.reduced = before.Sub(s.dues[billKey{l.Biller, l.Account}])
	return nil
}

// applyDue sets what is due on an account from a line that says it.
func (s *Sim) applyDue(l JournalLine) error {
	if l.Biller == "" || l.Account == "" || l.Due == "" {
		return fmt.Errorf("%s of trace %s without biller, account and due", l.Service, l.Trace)
	}
	d, err := money.ParseWire(l.Due)
	if err != nil {
		return err
	}
	s.dues[billKey{l.Biller, l.Account}] = d
	return nil
}

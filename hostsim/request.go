package hostsim

import (
	"fmt"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/terminal"
)

// Hosts, as terminal.HostName names them.
const (
	hostBank    = "bank"
	hostBiller  = "biller"
	hostCarrier = "carrier"
	hostInsurer = "insurer"
	hostTelecom = "telecom"
	hostSocial  = "social"
)

// Carriers of a ticket.
const (
	carrierRail = "rail"
	carrierAir  = "air"
)

// Lengths of request fields, in runes.
const (
	maxTrace = 64
	maxShort = 32
	maxText  = 128
)

// RequestError is a request the hosts cannot read: a field is missing or
// malformed. Nothing happened at the host. Over HTTP it is answered 400.
// Its text never holds the value of the card or PIN field.
type RequestError struct {
	Field string // JSON name, e.g. "amount" or "ticket.date"
	Rule  string
}

// Error names the field and the rule it breaks.
func (e *RequestError) Error() string {
	return fmt.Sprintf("hostsim: malformed request: %s: %s", e.Field, e.Rule)
}

func knownService(s string) bool {
	switch s {
	case terminal.SvcWithdrawal, terminal.SvcBalanceInquiry, terminal.SvcBillPayment,
		terminal.SvcTopup, terminal.SvcTicketOrder, terminal.SvcTicketCancel,
		terminal.SvcPolicyIssue, terminal.SvcPolicyCancel, terminal.SvcSIMSale, terminal.SvcContribution:
		return true
	}
	return false
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// checkText checks a free-text field: UTF-8, no control characters, at
// most max runes, and present when required. Errors are *RequestError.
func checkText(field, v string, max int, required bool) error {
	if rule := textRule(v, max, required); rule != "" {
		return &RequestError{Field: field, Rule: rule}
	}
	return nil
}

// textRule returns the rule a free-text field breaks, or "".
func textRule(v string, max int, required bool) string {
	switch {
	case v == "" && required:
		return "missing"
	case !utf8.ValidString(v):
		return "not UTF-8"
	case utf8.RuneCountInString(v) > max:
		return fmt.Sprintf("longer than %d characters", max)
	}
	for _, r := range v {
		if unicode.IsControl(r) {
			return "holds a control character"
		}
	}
	return ""
}

// positiveAmount reads a required amount in the wire form.
func positiveAmount(field, v string) (decimal.Decimal, error) {
	if v == "" {
		return decimal.Decimal{}, &RequestError{Field: field, Rule: "missing"}
	}
	d, err := money.ParseWire(v)
	if err != nil {
		return decimal.Decimal{}, &RequestError{Field: field, Rule: "want CNY with two places, e.g. 500.00"}
	}
	if !d.IsPositive() {
		return decimal.Decimal{}, &RequestError{Field: field, Rule: "must be above zero"}
	}
	return d, nil
}

// checkRequest reports the first field of r a host cannot read. The rules
// are structural; whether a host agrees (balance, account, dates) is its
// decision, answered as a decline.
func checkRequest(r terminal.HostRequest) error {
	if err := checkText("trace", r.Trace, maxTrace, true); err != nil {
		return err
	}
	if err := checkText("terminal", r.Terminal, maxShort, false); err != nil {
		return err
	}
	if !knownService(r.Service) {
		return &RequestError{Field: "service", Rule: "unknown: want withdrawal, balance_inquiry, bill_payment, topup, ticket_order, ticket_cancel, policy_issue, policy_cancel, sim_sale or contribution"}
	}
	switch r.Service {
	case terminal.SvcWithdrawal, terminal.SvcBalanceInquiry:
		if len(r.Card) < 16 || len(r.Card) > 19 || !allDigits(r.Card) {
			return &RequestError{Field: "card", Rule: "want 16 to 19 digits"}
		}
		if len(r.PIN) < 4 || len(r.PIN) > 12 || !allDigits(r.PIN) {
			return &RequestError{Field: "pin", Rule: "want 4 to 12 digits"}
		}
		if r.Service == terminal.SvcWithdrawal {
			if _, err := positiveAmount("amount", r.Amount); err != nil {
				return err
			}
		}
	case terminal.SvcBillPayment, terminal.SvcTopup:
		if err := checkBillKey(r.Biller, r.Account); err != nil {
			return err
		}
		if _, err := positiveAmount("amount", r.Amount); err != nil {
			return err
		}
	case terminal.SvcTicketOrder:
		if r.Amount != "" {
			if _, err := positiveAmount("amount", r.Amount); err != nil {
				return err
			}
		}
		return checkTicketOrder(r.Ticket)
	case terminal.SvcTicketCancel:
		if r.Ticket == nil {
			return &RequestError{Field: "ticket", Rule: "missing"}
		}
		return checkText("ticket.number", r.Ticket.Number, maxShort, true)
	case terminal.SvcPolicyIssue, terminal.SvcPolicyCancel:
		return checkPolicy(r)
	case terminal.SvcSIMSale:
		return checkSIM(r)
	case terminal.SvcContribution:
		return checkContribution(r)
	}
	return nil
}

// checkBillKey checks a biller id and an account number.
func checkBillKey(biller, account string) error {
	if err := checkText("biller", biller, maxShort, true); err != nil {
		return err
	}
	if account == "" {
		return &RequestError{Field: "account", Rule: "missing"}
	}
	if len(account) > maxShort || !allDigits(account) {
		return &RequestError{Field: "account", Rule: fmt.Sprintf("want 1 to %d digits", maxShort)}
	}
	return nil
}

func checkTicketOrder(t *terminal.TicketDetails) error {
	if t == nil {
		return &RequestError{Field: "ticket", Rule: "missing"}
	}
	if t.Carrier != carrierRail && t.Carrier != carrierAir {
		return &RequestError{Field: "ticket.carrier", Rule: "want rail or air"}
	}
	for _, f := range []struct {
		name, v  string
		required bool
	}{
		{"ticket.passenger", t.Passenger, true}, {"ticket.id_number", t.IDNumber, true},
		{"ticket.from", t.From, true}, {"ticket.to", t.To, true}, {"ticket.class", t.Class, false},
	} {
		if err := checkText(f.name, f.v, maxShort, f.required); err != nil {
			return err
		}
	}
	if _, err := time.Parse(time.DateOnly, t.Date); err != nil {
		return &RequestError{Field: "ticket.date", Rule: "want YYYY-MM-DD"}
	}
	return nil
}

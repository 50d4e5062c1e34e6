package hostsim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/terminal"
)

// Journal events.
const (
	EventSend    = "send"    // the host decided a request: approved, declined or pending
	EventIssue   = "issue"   // a waitlisted order was decided on a Status inquiry: approved or declined
	EventReverse = "reverse" // the host took a reversal: reversed, or none for a trace it never saw
)

// Waitlist fates of a pending ticket order.
const (
	WaitlistIssue = "issue" // the next Status inquiry issues the ticket
	WaitlistFail  = "fail"  // the next Status inquiry declines the order (T2)
)

// JournalLine is one decision of a host, one JSON object on one line of
// the journal. The journal holds no card number, no PIN and no full ID
// number: Card is masked (first 6, last 4), Ticket.IDNumber and
// Ticket.Passenger are masked. The fields, in the order they are written:
//
//	time       RFC 3339 in UTC, fractional seconds when not zero
//	event      send, issue or reverse
//	host       bank, biller, carrier, insurer, telecom or social ("" only on a reverse of a trace never seen)
//	trace      the request's trace number
//	terminal   the station terminal that sent it
//	service    withdrawal, balance_inquiry, bill_payment, topup, ticket_order, ticket_cancel,
//	           policy_issue, policy_cancel, sim_sale, contribution
//	status     send: approved, declined or pending; issue: approved or declined;
//	           reverse: reversed, or none (never seen: a later request with this trace is refused)
//	code       "00" approved; otherwise the reason code
//	reason     the host's words for a decline
//	amount     CNY, two places: what was asked or approved; a ticket's fare
//	auth_code  bank authorisation code
//	reference  biller reference, ticket number, or (pending) the waitlist order number
//	order      the waitlist order number (pending and issue lines)
//	waitlist   pending only: issue or fail, what the next Status inquiry does
//	biller, account
//	card       masked card number
//	balance    the card's balance after the decision (withdrawal, balance inquiry, reversal)
//	due        what is due on the account after the decision (bill payment and its reversal)
//	ticket     {carrier, passenger, id_number, from, to, date, class, number}: the passenger
//	           masked as idcheck.MaskName does (张*), the ID number as idcheck.MaskID does
//	policy     {product, holder, id_number, object, sum_insured, start, number}: the
//	           holder and ID number masked as for a ticket
//	sim        {carrier, plan, number, iccid, holder, id_number}: the ICCID masked as
//	           simcard.MaskICCID does (first 6, last 4), holder and ID number as for a ticket
//	contribution {scheme, year, name, id_number, person, grade, category}: the name and
//	           ID number masked as for a ticket, person the host's person number
//	until      policy_issue approved: the last day of the cooling-off period
//	refund     ticket_cancel, policy_cancel: the refund; on its reversal, the refund taken back
//	queued     the payment was forwarded from the station's offline queue
//
// Empty fields are left out. A reverse line repeats the service, host and
// the amounts it restores (amount, card and balance; biller, account and
// due; the ticket number in reference).
type JournalLine struct {
	Time      time.Time      `json:"time"`
	Event     string         `json:"event"`
	Host      string         `json:"host,omitempty"`
	Trace     string         `json:"trace"`
	Terminal  string         `json:"terminal,omitempty"`
	Service   string         `json:"service,omitempty"`
	Status    string         `json:"status"`
	Code      string         `json:"code,omitempty"`
	Reason    string         `json:"reason,omitempty"`
	Amount    string         `json:"amount,omitempty"`
	AuthCode  string         `json:"auth_code,omitempty"`
	Reference string         `json:"reference,omitempty"`
	Order     string         `json:"order,omitempty"`
	Waitlist  string         `json:"waitlist,omitempty"`
	Biller    string         `json:"biller,omitempty"`
	Account   string         `json:"account,omitempty"`
	Card      string         `json:"card,omitempty"`
	Balance   string         `json:"balance,omitempty"`
	Due       string         `json:"due,omitempty"`
	Ticket    *JournalTicket `json:"ticket,omitempty"`
	Policy    *JournalPolicy `json:"policy,omitempty"`
	SIM       *JournalSIM    `json:"sim,omitempty"`
	// Contribution: a member's residents' insurance contribution (social.go).
	Contribution *JournalContribution `json:"contribution,omitempty"`
	Until        string               `json:"until,omitempty"`
	Refund       string               `json:"refund,omitempty"`
	Queued       bool                 `json:"queued,omitempty"`
}

// JournalTicket is a ticket as the journal holds it: terminal.TicketDetails
// with the passenger's name and ID number masked.
type JournalTicket struct {
	Carrier   string `json:"carrier"`
	Passenger string `json:"passenger,omitempty"` // masked: 张*
	IDNumber  string `json:"id_number,omitempty"` // masked: 4401**********1234
	From      string `json:"from,omitempty"`
	To        string `json:"to,omitempty"`
	Date      string `json:"date,omitempty"`
	Class     string `json:"class,omitempty"`
	Number    string `json:"number,omitempty"`
}

// JournalPolicy is a policy as the journal holds it: terminal.PolicyDetails
// with the holder's name and ID number masked.
type JournalPolicy struct {
	Product    string `json:"product"`
	Holder     string `json:"holder,omitempty"`    // masked: 王*
	IDNumber   string `json:"id_number,omitempty"` // masked: 4115**********1234
	Object     string `json:"object,omitempty"`
	SumInsured string `json:"sum_insured,omitempty"`
	Start      string `json:"start,omitempty"`
	Number     string `json:"number,omitempty"`
}

// maxJournalLine bounds one journal line; requests are bounded well below.
const maxJournalLine = 16 << 10

// FormatJournalLine returns l as one JSON object without the final newline,
// after checking it as ParseJournalLine does. The time is written in UTC.
func FormatJournalLine(l JournalLine) ([]byte, error) {
	l.Time = l.Time.UTC()
	if err := l.check(); err != nil {
		return nil, fmt.Errorf("hostsim: journal line: %w", err)
	}
	b, err := json.Marshal(l)
	if err != nil {
		return nil, fmt.Errorf("hostsim: journal line: %w", err)
	}
	return b, nil
}

// ParseJournalLine reads one journal line (without its newline): exactly
// one JSON object with only the fields of JournalLine, whose values pass
// the checks FormatJournalLine makes: a known event, service and status, a
// host that matches the service, amounts in the two-place wire form
// (money.ParseWire), and a card, ID number and passenger name that are
// masked. The time is returned in UTC.
func ParseJournalLine(b []byte) (JournalLine, error) {
	var l JournalLine
	if len(b) > maxJournalLine {
		return l, fmt.Errorf("hostsim: journal line: longer than %d bytes", maxJournalLine)
	}
	if !utf8.Valid(b) {
		return l, errors.New("hostsim: journal line: not UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return JournalLine{}, fmt.Errorf("hostsim: journal line: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return JournalLine{}, errors.New("hostsim: journal line: more than one JSON value")
	}
	l.Time = l.Time.UTC()
	if err := l.check(); err != nil {
		return JournalLine{}, fmt.Errorf("hostsim: journal line: %w", err)
	}
	return l, nil
}

// check reports the first field of l that is not valid.
func (l JournalLine) check() error {
	bad := func(field, rule string) error { return fmt.Errorf("%s: %s", field, rule) }
	if l.Time.IsZero() {
		return bad("time", "missing")
	}
	if y := l.Time.Year(); y < 1 || y > 9999 {
		return bad("time", "year out of range")
	}
	var statuses []string
	switch l.Event {
	case EventSend:
		statuses = []string{terminal.StatusApproved, terminal.StatusDeclined, terminal.StatusPending}
	case EventIssue:
		statuses = []string{terminal.StatusApproved, terminal.StatusDeclined}
	case EventReverse:
		statuses = []string{terminal.StatusReversed, terminal.StatusNone}
	default:
		return bad("event", "want send, issue or reverse")
	}
	if !oneOf(l.Status, statuses...) {
		return bad("status", fmt.Sprintf("want %s for a %s line", strings.Join(statuses, " or "), l.Event))
	}
	if rule := textRule(l.Trace, maxTrace, true); rule != "" {
		return bad("trace", rule)
	}
	if rule := textRule(l.Terminal, maxShort, false); rule != "" {
		return bad("terminal", rule)
	}
	switch {
	case l.Service == "" && l.Event == EventReverse && l.Status == terminal.StatusNone:
		if l.Host != "" {
			return bad("host", "must be empty without a service")
		}
	case !knownService(l.Service):
		return bad("service", "unknown")
	case l.Host != terminal.HostName(l.Service):
		return bad("host", "want "+terminal.HostName(l.Service)+" for "+l.Service)
	}
	if (l.Event == EventIssue || l.Status == terminal.StatusPending) && l.Service != terminal.SvcTicketOrder {
		return bad("service", "only a ticket_order is waitlisted")
	}
	if l.Waitlist != "" && (l.Status != terminal.StatusPending || !oneOf(l.Waitlist, WaitlistIssue, WaitlistFail)) {
		return bad("waitlist", "issue or fail, on a pending line only")
	}
	if l.Status == terminal.StatusPending && l.Waitlist == "" {
		return bad("waitlist", "missing on a pending line")
	}
	for _, f := range []struct{ name, v string }{
		{"code", l.Code}, {"reason", l.Reason}, {"auth_code", l.AuthCode}, {"reference", l.Reference},
		{"order", l.Order}, {"biller", l.Biller}, {"account", l.Account},
	} {
		if rule := textRule(f.v, maxText, false); rule != "" {
			return bad(f.name, rule)
		}
	}
	for _, f := range []struct{ name, v string }{
		{"amount", l.Amount}, {"balance", l.Balance}, {"due", l.Due}, {"refund", l.Refund},
	} {
		if f.v == "" {
			continue
		}
		if _, err := money.ParseWire(f.v); err != nil {
			return bad(f.name, err.Error())
		}
	}
	if l.Card != "" && !maskedCard(l.Card) {
		return bad("card", "not masked (want first 6 and last 4 digits, * between)")
	}
	if t := l.Ticket; t != nil {
		if !oneOf(t.Carrier, carrierRail, carrierAir) {
			return bad("ticket.carrier", "want rail or air")
		}
		if t.IDNumber != "" && !maskedID(t.IDNumber) {
			return bad("ticket.id_number", "not masked (want first 4 and last 4, * between)")
		}
		if t.Passenger != "" && !maskedName(t.Passenger) {
			return bad("ticket.passenger", "not masked (want the family name, * for the rest)")
		}
		if t.Date != "" {
			if _, err := time.Parse(time.DateOnly, t.Date); err != nil {
				return bad("ticket.date", "want YYYY-MM-DD")
			}
		}
		for _, f := range []struct{ name, v string }{
			{"ticket.from", t.From}, {"ticket.to", t.To}, {"ticket.class", t.Class}, {"ticket.number", t.Number},
		} {
			if rule := textRule(f.v, maxText, false); rule != "" {
				return bad(f.name, rule)
			}
		}
	}
	if p := l.Policy; p != nil {
		if err := p.check(); err != nil {
			return err
		}
	}
	if c := l.SIM; c != nil {
		if err := c.check(); err != nil {
			return err
		}
	}
	if c := l.Contribution; c != nil {
		if err := c.check(); err != nil {
			return err
		}
	}
	if l.Until != "" {
		if _, err := time.Parse(time.DateOnly, l.Until); err != nil {
			return bad("until", "want YYYY-MM-DD")
		}
	}
	return nil
}

// check reports the first field of a journal policy that is not valid.
func (p *JournalPolicy) check() error {
	bad := func(field, rule string) error { return fmt.Errorf("%s: %s", field, rule) }
	if rule := textRule(p.Product, maxShort, true); rule != "" {
		return bad("policy.product", rule)
	}
	if p.IDNumber != "" && !maskedID(p.IDNumber) {
		return bad("policy.id_number", "not masked (want first 4 and last 4, * between)")
	}
	if p.Holder != "" && !maskedName(p.Holder) {
		return bad("policy.holder", "not masked (want the family name, * for the rest)")
	}
	if p.SumInsured != "" {
		if _, err := money.ParseWire(p.SumInsured); err != nil {
			return bad("policy.sum_insured", err.Error())
		}
	}
	if p.Start != "" {
		if _, err := time.Parse(time.DateOnly, p.Start); err != nil {
			return bad("policy.start", "want YYYY-MM-DD")
		}
	}
	for _, f := range []struct{ name, v string }{{"policy.object", p.Object}, {"policy.number", p.Number}} {
		if rule := textRule(f.v, maxText, false); rule != "" {
			return bad(f.name, rule)
		}
	}
	return nil
}

func oneOf(s string, set ...string) bool {
	for _, x := range set {
		if s == x {
			return true
		}
	}
	return false
}

// maskedCard reports whether c is what idcheck.MaskCard gives for a card
// number: 16 to 19 characters, 6 digits, '*'s, 4 digits; or only '*'s.
func maskedCard(c string) bool {
	if strings.Trim(c, "*") == "" {
		return true
	}
	return len(c) >= 16 && len(c) <= 19 && allDigits(c[:6]) && allDigits(c[len(c)-4:]) &&
		strings.Trim(c[6:len(c)-4], "*") == ""
}

// maskedID reports whether id is what idcheck.MaskID gives: at least 18
// characters, all '*' but the first 4 and the last 4; or only '*'s.
func maskedID(id string) bool {
	r := []rune(id)
	return strings.Trim(id, "*") == "" || len(r) >= 18 && strings.Trim(string(r[4:len(r)-4]), "*") == ""
}

// maskedName reports whether n is what idcheck.MaskName gives: one rune,
// then only '*'s.
func maskedName(n string) bool {
	_, size := utf8.DecodeRuneInString(n)
	return size > 0 && strings.Trim(n[size:], "*") == ""
}

// JournalError is a journal line that cannot be read or replayed.
type JournalError struct {
	Path string // "" when read from a reader
	Line int    // from 1
	Err  error
}

// Error names the file (if known) and the line.
func (e *JournalError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("hostsim: journal line %d: %v", e.Line, e.Err)
	}
	return fmt.Sprintf("hostsim: journal %s line %d: %v", e.Path, e.Line, e.Err)
}

// Unwrap returns what is wrong with the line.
func (e *JournalError) Unwrap() error { return e.Err }

// ReadJournal calls fn with each line of the journal r, numbered from 1.
// A line that ParseJournalLine refuses (an empty line too, or a last line
// that does not parse) stops it with a *JournalError naming the line; so
// does an error from fn.
func ReadJournal(r io.Reader, fn func(n int, l JournalLine) error) error {
	_, torn, err := scanJournal(r, fn)
	if err != nil {
		return err
	}
	if torn != nil {
		return torn
	}
	return nil
}

// scanJournal reads the journal from r. It returns how many bytes of whole
// lines it read. A last line without its newline that does not parse is a
// torn write (the host stopped while writing it, so never answered): it is
// returned as torn, not as err. A last line without its newline that does
// parse is passed to fn, and counted in good.
func scanJournal(r io.Reader, fn func(n int, l JournalLine) error) (good int64, torn *JournalError, err error) {
	br := bufio.NewReader(r)
	for n := 1; ; n++ {
		b, rerr := br.ReadBytes('\n')
		if rerr != nil && rerr != io.EOF {
			return good, nil, fmt.Errorf("hostsim: journal line %d: %w", n, rerr)
		}
		if rerr == io.EOF && len(b) == 0 {
			return good, nil, nil
		}
		l, perr := ParseJournalLine(bytes.TrimSuffix(b, []byte("\n")))
		if perr != nil {
			je := &JournalError{Line: n, Err: perr}
			if rerr == io.EOF {
				return good, je, nil
			}
			return good, nil, je
		}
		if err := fn(n, l); err != nil {
			return good, nil, &JournalError{Line: n, Err: err}
		}
		good += int64(len(b))
		if rerr == io.EOF {
			return good, nil, nil
		}
	}
}

package hostsim

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/idcheck"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/terminal"
)

// The social-insurance host (社保), which takes residents' yearly
// contributions to the medical (城乡居民医保) and pension (城乡居民养老
// 保险) schemes of the county. Dates are days in the hosts' zone.
//
// Who a person is, to the host, follows from their ID number's order code
// (the 15th to 17th characters):
//
//	999        not registered in this county: refused C1
//	900 – 919  低保 (dibao)
//	920 – 939  特困 (tekun)
//	940 – 959  重度残疾 (disabled)
//	any other  standard
//
// A lookup (LookupContribution) and a contribution request are decided
// by the same rules, in this order:
//
//	C3  the scheme has no such coverage year, or today is outside its
//	    contribution window
//	C1  the person is not registered in this county
//	C4  pension only: the person is under 16 or 60 or over in the
//	    coverage year (a person of 60 draws the pension, not pays in)
//	C2  the person has paid this scheme for this year already
//	C5  the grade is not one of the year's grades, or (a contribution)
//	    the amount is not the grade less the category's subsidy
//
// else the lookup answers due with the category and the amount, and a
// contribution is approved: Reference = the confirmation number ("SB",
// the year, 12 digits), Amount = what was paid. A reversal undoes the
// contribution: the person has not paid for the year.

// socialYear is the host's own table for a scheme's coverage year; the
// demo tariff carries the same.
type socialYear struct {
	open, close string
	grades      []string
	subsidies   map[string]string
}

var socialSubsidiesMedical2026 = map[string]string{"dibao": "280.00", "tekun": "380.00", "disabled": "380.00"}
var socialSubsidiesMedical2027 = map[string]string{"dibao": "300.00", "tekun": "400.00", "disabled": "400.00"}
var socialSubsidiesPension = map[string]string{"dibao": "100.00", "tekun": "200.00", "disabled": "200.00"}
var socialPensionGrades = []string{"200.00", "300.00", "500.00", "1000.00", "2000.00"}

// socialYears are the schemes' years the host takes contributions for.
var socialYears = map[string]map[int]socialYear{
	"medical": {
		2026: {"2025-09-01", "2025-12-31", []string{"380.00"}, socialSubsidiesMedical2026},
		2027: {"2026-09-01", "2026-12-31", []string{"400.00"}, socialSubsidiesMedical2027},
	},
	"pension": {
		2026: {"2026-01-01", "2026-12-31", socialPensionGrades, socialSubsidiesPension},
		2027: {"2027-01-01", "2027-12-31", socialPensionGrades, socialSubsidiesPension},
	},
}

// Bounds of the pension scheme: who pays in.
const (
	pensionMinAge = 16
	pensionMaxAge = 59
)

// paidKey is one person's contribution to one scheme for one year.
type paidKey struct {
	scheme string
	year   int
	person string
}

// personNumber is the host's number for the person with ID number id
// (个人编号): what its journal holds instead of the ID number, and how it
// knows a person who has paid.
func personNumber(id string) string { return "P" + digits(12, "person", id) }

// socialCategory is the category of the person with ID number id, or ""
// for a person not registered in this county.
func socialCategory(id string) string {
	if len(id) != 18 {
		return ""
	}
	order, err := strconv.Atoi(id[14:17])
	switch {
	case err != nil || order == 999:
		return ""
	case order >= 900 && order <= 919:
		return "dibao"
	case order >= 920 && order <= 939:
		return "tekun"
	case order >= 940 && order <= 959:
		return "disabled"
	}
	return "standard"
}

// socialDecision is the host's word on a member: a refusal code, or the
// category and the amount due.
type socialDecision struct {
	code, reason string
	category     string
	due          decimal.Decimal
}

// decideMember applies the rules to q. The caller holds s.mu.
func (s *Sim) decideMember(q *terminal.ContributionDetails) socialDecision {
	y, ok := socialYears[q.Scheme][q.Year]
	today := s.today().Format(time.DateOnly)
	switch {
	case !ok:
		return socialDecision{code: CodeWindowClosed, reason: fmt.Sprintf("no %s contributions for %d", q.Scheme, q.Year)}
	case today < y.open || today > y.close:
		return socialDecision{code: CodeWindowClosed, reason: fmt.Sprintf("the window for %d is %s to %s", q.Year, y.open, y.close)}
	}
	cat := socialCategory(q.IDNumber)
	if cat == "" {
		return socialDecision{code: CodeNotRegistered, reason: reasonFor(CodeNotRegistered)}
	}
	if q.Scheme == "pension" {
		born, _ := strconv.Atoi(q.IDNumber[6:10])
		if age := q.Year - born; age < pensionMinAge || age > pensionMaxAge {
			return socialDecision{code: CodeNotEligible, reason: fmt.Sprintf("not eligible: %d years old in %d; the pension takes contributions from %d to %d", age, q.Year, pensionMinAge, pensionMaxAge)}
		}
	}
	if s.paid[paidKey{q.Scheme, q.Year, personNumber(q.IDNumber)}] != "" {
		return socialDecision{code: CodeAlreadyPaid, reason: reasonFor(CodeAlreadyPaid)}
	}
	grade, err := money.ParseWire(q.Grade)
	found := false
	for _, g := range y.grades {
		found = found || err == nil && g == money.FormatWire(grade)
	}
	if !found {
		return socialDecision{code: CodeContributionAmount, reason: "no such grade: " + q.Grade}
	}
	due := grade
	if sub, ok := y.subsidies[cat]; ok {
		due = due.Sub(decimal.RequireFromString(sub))
		if due.IsNegative() {
			due = decimal.Zero
		}
	}
	return socialDecision{category: cat, due: due}
}

// LookupContribution says what a member owes for the year, or why the
// host will not take their contribution. It journals nothing.
func (s *Sim) LookupContribution(ctx context.Context, q terminal.ContributionDetails) (terminal.ContributionDue, error) {
	if err := checkContributionDetails(&q); err != nil {
		return terminal.ContributionDue{}, err
	}
	if ctx.Err() != nil {
		return terminal.ContributionDue{}, notSent(ctx)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(); err != nil {
		return terminal.ContributionDue{}, err
	}
	if err := s.downFor(terminal.SvcContribution); err != nil {
		return terminal.ContributionDue{}, err
	}
	d := s.decideMember(&q)
	if d.code != "" {
		return terminal.ContributionDue{Status: terminal.DueRefused, Code: d.code, Reason: d.reason}, nil
	}
	return terminal.ContributionDue{Status: terminal.DueOwed, Category: d.category, Amount: money.FormatWire(d.due)}, nil
}

// decideSocial decides a member's contribution.
func (s *Sim) decideSocial(l *JournalLine, r terminal.HostRequest) {
	d := s.decideMember(r.Contribution)
	if d.code != "" {
		decline(l, d.code)
		l.Reason = d.reason
		return
	}
	l.Contribution.Category = d.category
	if asked, _ := money.ParseWire(r.Amount); !asked.Equal(d.due) {
		decline(l, CodeContributionAmount)
		l.Reason = "the amount due is " + money.FormatWire(d.due) + " for a " + d.category + " member"
		return
	}
	approve(l)
	l.Reference = "SB" + strconv.Itoa(r.Contribution.Year) + digits(12, "contribution", r.Trace)
}

// maskContribution is what the journal holds of a contribution request:
// the name and ID masked, and the host's person number.
func maskContribution(c *terminal.ContributionDetails) *JournalContribution {
	return &JournalContribution{
		Scheme: c.Scheme, Year: c.Year, Name: idcheck.MaskName(c.Name), IDNumber: idcheck.MaskID(c.IDNumber),
		Person: personNumber(c.IDNumber), Grade: c.Grade, Category: c.Category,
	}
}

// applyContribution records the member as paid for the year.
func (s *Sim) applyContribution(l JournalLine) error {
	c := l.Contribution
	if c == nil || c.Person == "" || l.Reference == "" {
		return fmt.Errorf("contribution %s approved without its member, person number and confirmation", l.Trace)
	}
	k := paidKey{c.Scheme, c.Year, c.Person}
	if t := s.paid[k]; t != "" {
		return fmt.Errorf("contribution %s: person %s paid %s %d already (trace %s)", l.Trace, c.Person, c.Scheme, c.Year, t)
	}
	s.paid[k] = l.Trace
	return nil
}

// unpay records the reversal of a contribution.
func (s *Sim) unpay(l JournalLine) error {
	c := l.Contribution
	if c == nil {
		return fmt.Errorf("reversal of contribution %s without its member", l.Trace)
	}
	k := paidKey{c.Scheme, c.Year, c.Person}
	if s.paid[k] != l.Trace {
		return fmt.Errorf("reversal of contribution %s, which is not the person's payment in force", l.Trace)
	}
	delete(s.paid, k)
	return nil
}

// checkContributionDetails checks the structure of a member's details.
func checkContributionDetails(c *terminal.ContributionDetails) error {
	if c == nil {
		return &RequestError{Field: "contribution", Rule: "missing"}
	}
	if c.Scheme != "medical" && c.Scheme != "pension" {
		return &RequestError{Field: "contribution.scheme", Rule: "want medical or pension"}
	}
	if c.Year < 2000 || c.Year > 2200 {
		return &RequestError{Field: "contribution.year", Rule: "want a year from 2000 to 2200"}
	}
	if err := checkText("contribution.name", c.Name, maxShort, true); err != nil {
		return err
	}
	if len(c.IDNumber) != 18 || !allDigits(c.IDNumber[:17]) || !(allDigits(c.IDNumber[17:]) || c.IDNumber[17] == 'X') {
		return &RequestError{Field: "contribution.id_number", Rule: "want 17 digits and a digit or X"}
	}
	if _, err := positiveAmount("contribution.grade", c.Grade); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{{"contribution.category", c.Category}, {"contribution.household", c.Household}} {
		if err := checkText(f.name, f.v, maxShort, false); err != nil {
			return err
		}
	}
	return nil
}

// checkContribution checks the structure of a contribution request. The
// amount may be zero: a fully subsidised member still registers.
func checkContribution(r terminal.HostRequest) error {
	if r.Amount == "" {
		return &RequestError{Field: "amount", Rule: "missing"}
	}
	if d, err := money.ParseWire(r.Amount); err != nil || d.IsNegative() {
		return &RequestError{Field: "amount", Rule: "want CNY with two places, from 0.00"}
	}
	return checkContributionDetails(r.Contribution)
}

// JournalContribution is a member's contribution as the journal holds it:
// terminal.ContributionDetails with the name and ID number masked, the
// host's person number instead, and the category it decided.
type JournalContribution struct {
	Scheme   string `json:"scheme"`
	Year     int    `json:"year"`
	Name     string `json:"name,omitempty"`      // masked: 王*
	IDNumber string `json:"id_number,omitempty"` // masked: 4115**********1234
	Person   string `json:"person,omitempty"`    // the host's person number: P and 12 digits
	Grade    string `json:"grade,omitempty"`
	Category string `json:"category,omitempty"`
}

// check reports the first field of a journal contribution that is not valid.
func (c *JournalContribution) check() error {
	bad := func(field, rule string) error { return fmt.Errorf("%s: %s", field, rule) }
	if c.Scheme != "medical" && c.Scheme != "pension" {
		return bad("contribution.scheme", "want medical or pension")
	}
	if c.Year < 2000 || c.Year > 2200 {
		return bad("contribution.year", "want a year from 2000 to 2200")
	}
	if c.IDNumber != "" && !maskedID(c.IDNumber) {
		return bad("contribution.id_number", "not masked (want first 4 and last 4, * between)")
	}
	if c.Name != "" && !maskedName(c.Name) {
		return bad("contribution.name", "not masked (want the family name, * for the rest)")
	}
	if c.Person != "" && (len(c.Person) != 13 || c.Person[0] != 'P' || !allDigits(c.Person[1:])) {
		return bad("contribution.person", "want P and 12 digits")
	}
	if c.Grade != "" {
		if _, err := money.ParseWire(c.Grade); err != nil {
			return bad("contribution.grade", err.Error())
		}
	}
	if c.Category != "" && !oneOf(c.Category, "standard", "dibao", "tekun", "disabled") {
		return bad("contribution.category", "want standard, dibao, tekun or disabled")
	}
	return nil
}

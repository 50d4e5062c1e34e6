package terminal

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/idcheck"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/tariff"
)

// Contributions collects residents' medical and pension insurance
// contributions (城乡居民医保 / 养老保险 代收) for a household: several
// members at once, each for the coverage year whose window is open. The
// schemes, their windows, grades and subsidies come from the tariff; the
// social-insurance host says per member what category it knows them by
// and what they owe, or refuses them, and confirms each payment.
//
// Each member is its own request under the host rule (an intent, a trace,
// a status inquiry and a reversal on an unknown outcome), so a household
// ends with exactly the members the host confirmed charged; one entry
// (KindHousehold) then lists every member for the receipt.
type Contributions struct {
	Link   *Link
	Lookup ContributionLookup
	Tariff *tariff.Tariff
	Today  func() time.Time // now, in the station's zone
}

// KindHousehold is the entry that lists every member of a household's
// contributions, paid or not: the receipt the villager takes home. It
// moves no money; each paid member's SvcContribution entry does.
const KindHousehold = "contribution_household"

// MaxMembers bounds a household.
const MaxMembers = 12

// Member is one person of a household as the shopkeeper types them.
type Member struct {
	Name     string
	IDNumber string
	Scheme   string          // medical or pension
	Grade    decimal.Decimal // pension: the grade (档次) chosen; medical: zero, or the year's rate
}

// Household is a household paying for its members.
type Household struct {
	Operator string
	Head     string // the head of the household (户主), name or number; optional
	Members  []Member
	IdemKey  string
}

// Member outcomes.
const (
	MemberDue      = "due"      // quoted: the host will take Amount
	MemberRefused  = "refused"  // the host will not take this member's contribution (lookup): nothing asked, nothing charged
	MemberPaid     = "paid"     // the host confirmed: charged
	MemberDeclined = "declined" // the host declined the payment: nothing charged
	MemberReversed = "reversed" // no clear answer: reversed, nothing charged
	MemberNotSent  = "not_sent" // the host could not be reached: nothing charged
)

// MemberLine is what became (or would become) of one member.
type MemberLine struct {
	Row        int    // from 1, as typed
	Name       string // as on the ID card
	ID         string // masked
	Scheme     string
	SchemeName string
	Year       int
	Grade      decimal.Decimal
	Status     string // Member…
	Category   string // as the host reported it
	Amount     decimal.Decimal
	Fee        decimal.Decimal
	Commission decimal.Decimal
	Code       string // refused, declined: the host's code
	Reason     string
	Entry      uint64 // paid: the contribution entry
	Trace      string
	Reference  string // paid: the host's confirmation number
}

// Charged says the member's money was taken.
func (l MemberLine) Charged() bool { return l.Status == MemberPaid }

// HouseholdQuote is what a household would pay: the members the host
// will take and those it refuses.
type HouseholdQuote struct {
	Head       string
	Members    []MemberLine
	Total      decimal.Decimal // take this much cash: the members due, with fees
	Commission decimal.Decimal
}

// checked is a member that passed the station's own checks.
type checked struct {
	row    int
	name   string
	id     string
	scheme tariff.Scheme
	year   tariff.SchemeYear
	grade  decimal.Decimal
}

// MemberError says which member (row, from 1) an input error is about.
type MemberError struct {
	Row int
	Err error
}

func (e *MemberError) Error() string { return fmt.Sprintf("member %d: %v", e.Row, e.Err) }
func (e *MemberError) Unwrap() error { return e.Err }

// WindowClosedError says a scheme takes no contributions today, when its
// last window closed and when the next opens.
type WindowClosedError struct {
	Row        int
	Scheme     string
	SchemeName string
	Today      string
	LastYear   int    // 0: none
	LastClose  string // YYYY-MM-DD
	NextYear   int    // 0: none known
	NextOpen   string
}

func (e *WindowClosedError) Error() string {
	s := fmt.Sprintf("terminal: member %d: the %s contribution window is closed on %s", e.Row, e.Scheme, e.Today)
	if e.LastYear != 0 {
		s += fmt.Sprintf("; %d closed on %s", e.LastYear, e.LastClose)
	}
	if e.NextYear != 0 {
		s += fmt.Sprintf("; %d opens on %s", e.NextYear, e.NextOpen)
	}
	return s + "; nothing was recorded"
}

// Zh says the same in the shopkeeper's words.
func (e *WindowClosedError) Zh() string {
	s := fmt.Sprintf("%s现在不在缴费期，今天不能代收", e.SchemeName)
	if e.LastYear != 0 {
		s += fmt.Sprintf("：%d 年度的缴费已于 %s截止", e.LastYear, civilZh(e.LastClose))
	}
	if e.NextYear != 0 {
		s += fmt.Sprintf("；%d 年度从 %s开始缴费，请到时再来", e.NextYear, civilZh(e.NextOpen))
	} else {
		s += "；下一年度的缴费时间还没有公布"
	}
	return s
}

// civilZh writes a date YYYY-MM-DD as 2026年9月1日.
func civilZh(d string) string {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return d
	}
	return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
}

// LookupError says the social-insurance host could not be asked about a
// member (unreachable, or no answer): nothing was recorded.
type LookupError struct {
	Row int
	Err error
}

func (e *LookupError) Error() string {
	return fmt.Sprintf("terminal: contribution quote, member %d: %v", e.Row, e.Err)
}
func (e *LookupError) Unwrap() error { return e.Err }

// ErrNoContributions means the tariff in force lists no contribution schemes.
var ErrNoContributions = errors.New("terminal: the tariff in force lists no residents' insurance schemes")

// NothingToPayError says the host refused every member: nothing was asked,
// nothing recorded.
type NothingToPayError struct {
	Members []MemberLine
}

func (e *NothingToPayError) Error() string {
	return fmt.Sprintf("terminal: the social-insurance host takes none of the %d member(s): nothing was recorded", len(e.Members))
}

// schemeZh names a scheme the shopkeeper may type.
func schemeID(s string) string {
	switch strings.TrimSpace(s) {
	case "medical", "医保", "医疗", "医疗保险":
		return tariff.SchemeMedical
	case "pension", "养老", "养老保险":
		return tariff.SchemePension
	}
	return strings.TrimSpace(s)
}

// check checks a household as far as the station can without the host:
// the names, the ID numbers, no member listed twice for a scheme, the
// schemes and their windows, the grades. It records nothing.
func (s *Contributions) check(h Household) ([]checked, error) {
	if len(s.Tariff.Contributions) == 0 {
		return nil, ErrNoContributions
	}
	if head := strings.TrimSpace(h.Head); utf8.RuneCountInString(head) > 20 || strings.IndexFunc(head, unicode.IsControl) >= 0 {
		return nil, &InputError{Field: "head", Rule: "the head of the household: at most 20 characters", RuleZh: "户主最多写 20 个字"}
	}
	switch {
	case len(h.Members) == 0:
		return nil, &InputError{Field: "member", Rule: "at least one member", RuleZh: "请至少填一位家庭成员"}
	case len(h.Members) > MaxMembers:
		return nil, &InputError{Field: "member", Rule: fmt.Sprintf("at most %d members at once", MaxMembers),
			RuleZh: fmt.Sprintf("一次最多 %d 位家庭成员，其余的请再办一笔", MaxMembers)}
	}
	today := s.Today().Format(time.DateOnly)
	seen := map[string]int{}
	out := make([]checked, 0, len(h.Members))
	for i, m := range h.Members {
		row := i + 1
		bad := func(err error) ([]checked, error) { return nil, &MemberError{Row: row, Err: err} }
		name := strings.TrimSpace(m.Name)
		if !personName(name) {
			return bad(&InputError{Field: "name", Rule: "the member's name as on the ID card, 2 to 20 letters", RuleZh: "请照身份证写姓名，2 到 20 个字"})
		}
		id, err := idcheck.ResidentID(m.IDNumber, s.Today())
		if err != nil {
			return bad(err)
		}
		sc, ok := s.Tariff.Scheme(schemeID(m.Scheme))
		if !ok {
			var ids, names []string
			for _, x := range s.Tariff.Contributions {
				ids, names = append(ids, x.ID), append(names, x.Name+"（"+x.ID+"）")
			}
			return bad(&InputError{Field: "scheme", Rule: "one of " + strings.Join(ids, ", "), RuleZh: "险种只能是 " + strings.Join(names, "、")})
		}
		if first, ok := seen[sc.ID+"/"+id]; ok {
			return bad(&InputError{Field: "id", Rule: fmt.Sprintf("listed twice for %s: also member %d", sc.ID, first),
				RuleZh: fmt.Sprintf("这个人的%s已经在第 %d 位填过了，一个人一年只缴一次，请删掉重复的一行", sc.Name, first)})
		}
		seen[sc.ID+"/"+id] = row
		y, closed := window(sc, today, row)
		if closed != nil {
			return nil, closed
		}
		grade := m.Grade
		if sc.ID == tariff.SchemeMedical && grade.IsZero() {
			grade = y.Grades[0].Decimal
		}
		if !y.HasGrade(grade) {
			var list []string
			for _, g := range y.Grades {
				list = append(list, money.FormatWire(g.Decimal))
			}
			if sc.ID == tariff.SchemeMedical {
				return bad(&InputError{Field: "grade", Rule: fmt.Sprintf("medical %d is one rate, %s: leave the grade out", y.Year, list[0]),
					RuleZh: fmt.Sprintf("医保 %d 年度只有一个标准 %s 元，不用填档次", y.Year, list[0])})
			}
			return bad(&InputError{Field: "grade", Rule: fmt.Sprintf("one of %s for %d", strings.Join(list, ", "), y.Year),
				RuleZh: fmt.Sprintf("%d 年度的缴费档次只能是 %s 元，请顾客选一档", y.Year, strings.Join(list, "、"))})
		}
		out = append(out, checked{row: row, name: name, id: id, scheme: sc, year: y, grade: grade})
	}
	return out, nil
}

// Check checks a household without asking the host and without recording
// anything: the screen calls it before it asks for the quote.
func (s *Contributions) Check(h Household) error {
	_, err := s.check(h)
	return err
}

// details is what the host is asked about member c.
func (c checked) details(head string) ContributionDetails {
	return ContributionDetails{Scheme: c.scheme.ID, Year: c.year.Year, Name: c.name, IDNumber: c.id,
		Grade: money.FormatWire(c.grade), Household: strings.TrimSpace(head)}
}

// line is the member's line before the host has said anything.
func (c checked) line() MemberLine {
	return MemberLine{Row: c.row, Name: c.name, ID: idcheck.MaskID(c.id), Scheme: c.scheme.ID, SchemeName: c.scheme.Name,
		Year: c.year.Year, Grade: c.grade}
}

// lookup asks the host what member c owes, and prices it from the tariff.
// A host that cannot be reached is an error; a refusal is a line.
func (s *Contributions) lookup(ctx context.Context, head string, c checked) (MemberLine, error) {
	l := c.line()
	if s.Lookup == nil {
		return l, fmt.Errorf("terminal: no social-insurance host to ask: %w", ErrUnreachable)
	}
	cctx, cancel := s.Link.call(ctx)
	d, err := s.Lookup.LookupContribution(cctx, c.details(head))
	cancel()
	if err != nil {
		return l, err
	}
	if d.Status != DueOwed {
		l.Status, l.Code, l.Reason = MemberRefused, d.Code, d.Reason
		return l, nil
	}
	due := c.year.Due(c.grade, d.Category)
	if amount, err := money.ParseWire(d.Amount); err != nil || !amount.Equal(due) || !knownCategory(d.Category) {
		l.Status, l.Code = MemberRefused, "tariff"
		l.Reason = fmt.Sprintf("the host says %s (%s) is due; the tariff gives %s: the tariff may be out of date", d.Amount, d.Category, money.FormatWire(due))
		return l, nil
	}
	l.Status, l.Category, l.Amount = MemberDue, d.Category, due
	l.Fee, l.Commission = c.year.Fee.Apply(due), c.year.Commission.Apply(due)
	return l, nil
}

func knownCategory(c string) bool {
	for _, x := range tariff.Categories {
		if c == x {
			return true
		}
	}
	return false
}

// Quote checks the household and asks the host, member by member, what
// each owes. Nothing is recorded and no money moves. A member the host
// refuses is in the quote with its reason and is not charged.
func (s *Contributions) Quote(ctx context.Context, h Household) (HouseholdQuote, error) {
	cs, err := s.check(h)
	if err != nil {
		return HouseholdQuote{}, err
	}
	q := HouseholdQuote{Head: strings.TrimSpace(h.Head)}
	for _, c := range cs {
		l, err := s.lookup(ctx, h.Head, c)
		if err != nil {
			return HouseholdQuote{}, &LookupError{Row: c.row, Err: err}
		}
		q.add(l)
	}
	return q, nil
}

// add adds a member's line and, if it is charged or due, its money.
func (q *HouseholdQuote) add(l MemberLine) {
	q.Members = append(q.Members, l)
	if l.Status == MemberDue || l.Status == MemberPaid {
		q.Total = q.Total.Add(l.Amount).Add(l.Fee)
		q.Commission = q.Commission.Add(l.Commission)
	}
}

// rowKey is the idempotency key of member row's intent.
func rowKey(household string, row int) string { return household + ":" + strconv.Itoa(row) }

// householdKey is the idempotency key of the household entry.
func householdKey(household string) string { return "household:" + household }

// Package civildate parses the calendar dates people type: the delivery
// promised for a sale, a ticket's travel date, a day asked for on the
// command line. Every form of the screen and every flag of the command
// line parses its dates here, so that one date is refused or accepted
// everywhere alike.
//
// A date is written YYYY-MM-DD in ASCII digits, as an HTML date input
// sends it: 2026-11-25. Refused, each with its own words: an empty
// field; full-width digits (２０２６-１１-２５, typed with a Chinese input
// method), which would otherwise pass for a date on one page and not on
// another; any other shape (20261125, 2026/11/25, 2026-1-5); a month
// outside 1 to 12 (2026-13-01); a day the month does not have
// (2026-02-30); a year outside MinYear to MaxYear.
package civildate

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Layout is the one form of a date: 2006-01-02.
const Layout = time.DateOnly

// Years accepted.
const (
	MinYear = 2000
	MaxYear = 2099
)

// Error reports a date typed wrongly: the field, and the rule in English
// (Rule) and in plain Chinese (RuleZh).
type Error struct {
	Field, Rule, RuleZh string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Rule) }

// Parse reads the date s typed in field and returns it at midnight UTC.
// Surrounding spaces are ignored; anything else that is not a date of
// the form YYYY-MM-DD that exists is an *Error.
func Parse(field, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	bad := func(rule, zh string) (time.Time, error) {
		return time.Time{}, &Error{Field: field, Rule: rule, RuleZh: zh}
	}
	if s == "" {
		return bad("give a date like 2026-11-25", "请写日期，例如 2026-11-25")
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r >= '０' && r <= '９' || r == '－' || r == '／' }) {
		return bad("write the date with ordinary (half-width) digits, like 2026-11-25", "日期要用半角数字（切换到英文输入法）写成 2026-11-25 这样")
	}
	if len(s) != 10 || s[4] != '-' || s[7] != '-' || !digits(s[:4]) || !digits(s[5:7]) || !digits(s[8:]) {
		return bad("a date like 2026-11-25 (year-month-day)", "要写成 2026-11-25 这样的日期（年-月-日）")
	}
	y, _ := strconv.Atoi(s[:4])
	mo, _ := strconv.Atoi(s[5:7])
	d, _ := strconv.Atoi(s[8:])
	if y < MinYear || y > MaxYear {
		return bad(fmt.Sprintf("the year must be from %d to %d", MinYear, MaxYear), fmt.Sprintf("年份要在 %d 到 %d 之间", MinYear, MaxYear))
	}
	if mo < 1 || mo > 12 {
		return bad("there is no month "+s[5:7]+": months are 01 to 12", "没有 "+s[5:7]+" 月：月份要在 01 到 12 之间")
	}
	if last := DaysIn(y, time.Month(mo)); d < 1 || d > last {
		return bad(fmt.Sprintf("%d-%02d has days 01 to %02d", y, mo, last), fmt.Sprintf("%d 年 %d 月只有 %d 天（日要在 01 到 %02d 之间）", y, mo, last, last))
	}
	return time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC), nil
}

// On returns the calendar date of t in t's own zone, at midnight UTC as
// Parse returns dates, so that the two compare.
func On(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Format writes t's calendar date as Parse reads it.
func Format(t time.Time) string { return t.Format(Layout) }

// DaysIn returns the number of days of month m of year y.
func DaysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

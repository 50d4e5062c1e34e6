package tariff

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Contribution is the service of collecting a resident's yearly
// contribution to the residents' medical or pension insurance (城乡居民
// 医保 / 养老保险 代收). It is optional: a tariff without contribution
// schemes collects none.
const Contribution = "contribution"

// Schemes a tariff may list.
const (
	SchemeMedical = "medical" // 城乡居民基本医疗保险: one rate per year
	SchemePension = "pension" // 城乡居民基本养老保险: the villager chooses a grade (档次)
)

// Categories of a person, as the social-insurance host reports them.
// CategoryStandard pays the grade in full; the others are subsidised:
// the government pays the year's subsidy of the category and the person
// pays the rest (never below zero).
const (
	CategoryStandard = "standard" // 一般
	CategoryDibao    = "dibao"    // 低保: minimum living allowance
	CategoryTekun    = "tekun"    // 特困: destitute
	CategoryDisabled = "disabled" // 重度残疾: severely disabled
)

// Categories lists every category, standard first.
var Categories = []string{CategoryStandard, CategoryDibao, CategoryTekun, CategoryDisabled}

// CategoryZh names a category for the shopkeeper and the receipt.
func CategoryZh(c string) string {
	switch c {
	case CategoryStandard:
		return "一般"
	case CategoryDibao:
		return "低保"
	case CategoryTekun:
		return "特困"
	case CategoryDisabled:
		return "重度残疾"
	}
	return c
}

// Scheme is one residents' insurance scheme the station collects for,
// with a row per coverage year:
//
//	{"id":"medical","name":"城乡居民基本医疗保险","years":[
//	  {"year":2027,"open":"2026-09-01","close":"2026-12-31","grades":["400.00"],
//	   "subsidies":{"dibao":"300.00","tekun":"400.00","disabled":"400.00"},
//	   "fee":{"kind":"none"},"commission":{"kind":"fixed","amount":"2.00"}}]}
type Scheme struct {
	ID    string       `json:"id"`   // medical or pension
	Name  string       `json:"name"` // as the receipt prints it
	Years []SchemeYear `json:"years"`
}

// SchemeYear is what a scheme asks of a person for one coverage year.
type SchemeYear struct {
	Year int `json:"year"` // the coverage year
	// Open and Close are the first and the last day of the contribution
	// window, civil dates (YYYY-MM-DD) in the station's zone, both
	// included.
	Open  string `json:"open"`
	Close string `json:"close"`
	// Grades are the yearly amounts a person may pay, ascending: one for
	// medical (the rate), the 档次 for pension.
	Grades []Amount `json:"grades"`
	// Subsidies are what the government pays of the chosen grade for a
	// subsidised category; a category not listed gets none.
	Subsidies map[string]Amount `json:"subsidies,omitempty"`
	// Fee is charged to the villager and Commission earned by the shop,
	// per member, on the member's amount.
	Fee        Rule `json:"fee"`
	Commission Rule `json:"commission"`
}

// Due is what a person of category pays on grade: the grade less the
// category's subsidy, never below zero.
func (y SchemeYear) Due(grade decimal.Decimal, category string) decimal.Decimal {
	s, ok := y.Subsidies[category]
	if !ok || category == CategoryStandard {
		return grade
	}
	if d := grade.Sub(s.Decimal); d.IsPositive() {
		return d
	}
	return decimal.Zero
}

// HasGrade reports whether grade is one of the year's grades.
func (y SchemeYear) HasGrade(grade decimal.Decimal) bool {
	for _, g := range y.Grades {
		if g.Equal(grade) {
			return true
		}
	}
	return false
}

// OpenOn reports whether day (YYYY-MM-DD) lies in the year's window.
func (y SchemeYear) OpenOn(day string) bool { return day >= y.Open && day <= y.Close }

// Scheme finds a contribution scheme by id.
func (t *Tariff) Scheme(id string) (Scheme, bool) {
	for _, s := range t.Contributions {
		if s.ID == id {
			return s, true
		}
	}
	return Scheme{}, false
}

// ContributionPricing is the fee and commission per member of a scheme's
// coverage year.
func (t *Tariff) ContributionPricing(scheme string, year int) (Pricing, bool) {
	s, ok := t.Scheme(scheme)
	if !ok {
		return Pricing{}, false
	}
	y, ok := s.Year(year)
	return Pricing{Fee: y.Fee, Commission: y.Commission}, ok
}

// OpenYear returns the year of s whose window holds day, if any.
func (s Scheme) OpenYear(day string) (SchemeYear, bool) {
	for _, y := range s.Years {
		if y.OpenOn(day) {
			return y, true
		}
	}
	return SchemeYear{}, false
}

// Year returns the row of coverage year n.
func (s Scheme) Year(n int) (SchemeYear, bool) {
	for _, y := range s.Years {
		if y.Year == n {
			return y, true
		}
	}
	return SchemeYear{}, false
}

// LastClosed returns the latest year whose window closed before day, and
// NextOpen the earliest whose window opens after it.
func (s Scheme) LastClosed(day string) (SchemeYear, bool) {
	var out SchemeYear
	found := false
	for _, y := range s.Years {
		if y.Close < day && (!found || y.Close > out.Close) {
			out, found = y, true
		}
	}
	return out, found
}

// NextOpen returns the year whose window opens first after day.
func (s Scheme) NextOpen(day string) (SchemeYear, bool) {
	var out SchemeYear
	found := false
	for _, y := range s.Years {
		if y.Open > day && (!found || y.Open < out.Open) {
			out, found = y, true
		}
	}
	return out, found
}

// Bounds of a scheme year.
var maxGrade = MustAmount("100000.00")

const maxGrades = 20

// checkContributions reports the first field of the contribution schemes
// that breaks a rule.
func (t *Tariff) checkContributions() error {
	bad := func(field, format string, args ...any) error {
		return &Error{Field: field, Rule: fmt.Sprintf(format, args...)}
	}
	seen := map[string]bool{}
	for i, s := range t.Contributions {
		field := fmt.Sprintf("contributions[%d]", i)
		switch {
		case s.ID != SchemeMedical && s.ID != SchemePension:
			return bad(field+".id", "%q: medical or pension", s.ID)
		case seen[s.ID]:
			return bad(field+".id", "%q is listed twice", s.ID)
		case s.Name == "":
			return bad(field+".name", "missing")
		case len(s.Years) == 0:
			return bad(field+".years", "missing: at least one coverage year")
		}
		seen[s.ID] = true
		years := map[int]bool{}
		var windows []SchemeYear
		for j, y := range s.Years {
			yf := fmt.Sprintf("%s.years[%d]", field, j)
			if y.Year < 2000 || y.Year > 2200 {
				return bad(yf+".year", "a coverage year from 2000 to 2200")
			}
			if years[y.Year] {
				return bad(yf+".year", "%d is listed twice", y.Year)
			}
			years[y.Year] = true
			for _, d := range []struct{ name, v string }{{"open", y.Open}, {"close", y.Close}} {
				if _, err := time.Parse(time.DateOnly, d.v); err != nil {
					return bad(yf+"."+d.name, "want a date YYYY-MM-DD")
				}
			}
			if y.Close < y.Open {
				return bad(yf+".close", "%s is before open %s", y.Close, y.Open)
			}
			for _, w := range windows {
				if y.Open <= w.Close && w.Open <= y.Close {
					return bad(yf+".open", "the window overlaps that of %d: one year is open at a time", w.Year)
				}
			}
			windows = append(windows, y)
			if len(y.Grades) == 0 || len(y.Grades) > maxGrades {
				return bad(yf+".grades", "1 to %d amounts", maxGrades)
			}
			if s.ID == SchemeMedical && len(y.Grades) != 1 {
				return bad(yf+".grades", "medical has one rate a year")
			}
			for k, g := range y.Grades {
				gf := fmt.Sprintf("%s.grades[%d]", yf, k)
				switch {
				case !g.IsPositive() || g.GreaterThan(maxGrade.Decimal):
					return bad(gf, "above 0.00 and at most %s", maxGrade)
				case k > 0 && !g.GreaterThan(y.Grades[k-1].Decimal):
					return bad(gf, "grades go up: %s is not above %s", g, y.Grades[k-1])
				}
			}
			cats := make([]string, 0, len(y.Subsidies))
			for c := range y.Subsidies {
				cats = append(cats, c)
			}
			slices.Sort(cats)
			for _, c := range cats {
				if c == CategoryStandard || !slices.Contains(Categories, c) {
					return bad(yf+".subsidies."+c, "not a subsidised category: %s", strings.Join(Categories[1:], ", "))
				}
				if v := y.Subsidies[c]; !v.IsPositive() || v.GreaterThan(maxGrade.Decimal) {
					return bad(yf+".subsidies."+c, "above 0.00 and at most %s", maxGrade)
				}
			}
			if err := y.Fee.check(yf + ".fee"); err != nil {
				return err
			}
			if err := y.Commission.check(yf + ".commission"); err != nil {
				return err
			}
		}
	}
	return nil
}

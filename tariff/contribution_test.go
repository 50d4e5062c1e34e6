package tariff_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/tariff"
)

func TestContributionDue(t *testing.T) {
	tf := demo(t)
	tests := []struct {
		scheme   string
		year     int
		grade    string
		category string
		want     string
	}{
		{"medical", 2027, "400.00", "standard", "400.00"},
		{"medical", 2027, "400.00", "dibao", "100.00"},
		{"medical", 2027, "400.00", "tekun", "0.00"},
		{"medical", 2027, "400.00", "disabled", "0.00"},
		{"medical", 2026, "380.00", "dibao", "100.00"},
		{"pension", 2026, "300.00", "standard", "300.00"},
		{"pension", 2026, "300.00", "dibao", "200.00"},
		{"pension", 2026, "200.00", "tekun", "0.00"},
		{"pension", 2026, "1000.00", "disabled", "800.00"},
	}
	for _, tt := range tests {
		t.Run(tt.scheme+"/"+tt.grade+"/"+tt.category, func(t *testing.T) {
			s, ok := tf.Scheme(tt.scheme)
			if !ok {
				t.Fatalf("no scheme %s", tt.scheme)
			}
			y, ok := s.Year(tt.year)
			if !ok {
				t.Fatalf("no year %d", tt.year)
			}
			g := decimal.RequireFromString(tt.grade)
			if !y.HasGrade(g) {
				t.Fatalf("grade %s not in %d", tt.grade, tt.year)
			}
			if got := y.Due(g, tt.category).StringFixed(2); got != tt.want {
				t.Errorf("due = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestContributionWindows(t *testing.T) {
	tf := demo(t)
	med, _ := tf.Scheme("medical")
	pen, _ := tf.Scheme("pension")
	tests := []struct {
		s          tariff.Scheme
		day        string
		open       int // 0: none open
		last, next int
	}{
		{med, "2026-11-20", 2027, 2026, 0},
		{med, "2026-09-01", 2027, 2026, 0},
		{med, "2026-08-31", 0, 2026, 2027},
		{med, "2027-01-01", 0, 2027, 0},
		{pen, "2026-11-20", 2026, 0, 2027},
		{pen, "2027-12-31", 2027, 2026, 0},
	}
	for _, tt := range tests {
		t.Run(tt.s.ID+"/"+tt.day, func(t *testing.T) {
			y, ok := tt.s.OpenYear(tt.day)
			if (tt.open != 0) != ok || ok && y.Year != tt.open {
				t.Errorf("open year = %d %v, want %d", y.Year, ok, tt.open)
			}
			l, ok := tt.s.LastClosed(tt.day)
			if (tt.last != 0) != ok || ok && l.Year != tt.last {
				t.Errorf("last closed = %d %v, want %d", l.Year, ok, tt.last)
			}
			n, ok := tt.s.NextOpen(tt.day)
			if (tt.next != 0) != ok || ok && n.Year != tt.next {
				t.Errorf("next open = %d %v, want %d", n.Year, ok, tt.next)
			}
		})
	}
}

func TestCheckRefusesContributions(t *testing.T) {
	tests := []struct {
		name, old, new, field string
	}{
		{"BadScheme", `{"id": "medical"`, `{"id": "dental"`, "contributions[0].id"},
		{"Twice", `{"id": "pension"`, `{"id": "medical"`, "contributions[1].id"},
		{"NoName", `"name": "城乡居民基本养老保险"`, `"name": ""`, "contributions[1].name"},
		{"YearTwice", `{"year": 2027, "open": "2026-09-01"`, `{"year": 2026, "open": "2026-09-01"`, "contributions[0].years[1].year"},
		{"BadDate", `"open": "2026-09-01"`, `"open": "2026-9-1"`, "contributions[0].years[1].open"},
		{"CloseBeforeOpen", `"close": "2026-12-31", "grades": ["400.00"]`, `"close": "2026-08-31", "grades": ["400.00"]`, "contributions[0].years[1].close"},
		{"Overlap", `"open": "2026-09-01"`, `"open": "2025-12-01"`, "contributions[0].years[1].open"},
		{"TwoMedicalRates", `"grades": ["400.00"]`, `"grades": ["400.00", "500.00"]`, "contributions[0].years[1].grades"},
		{"GradesDown", `"grades": ["200.00", "300.00", "500.00", "1000.00", "2000.00"],
       "subsidies": {"dibao": "100.00", "tekun": "200.00", "disabled": "200.00"},
       "fee": {"kind": "none"}, "commission": {"kind": "fixed", "amount": "2.00"}},
      {"year": 2027`, `"grades": ["200.00", "300.00", "300.00", "1000.00", "2000.00"],
       "subsidies": {"dibao": "100.00", "tekun": "200.00", "disabled": "200.00"},
       "fee": {"kind": "none"}, "commission": {"kind": "fixed", "amount": "2.00"}},
      {"year": 2027`, "contributions[1].years[0].grades[2]"},
		{"ZeroGrade", `"grades": ["400.00"]`, `"grades": ["0.00"]`, "contributions[0].years[1].grades[0]"},
		{"UnknownCategory", `"subsidies": {"dibao": "300.00"`, `"subsidies": {"wubao": "300.00"`, "contributions[0].years[1].subsidies.wubao"},
		{"StandardSubsidy", `"subsidies": {"dibao": "300.00"`, `"subsidies": {"standard": "300.00"`, "contributions[0].years[1].subsidies.standard"},
		{"BadCommission", `"commission": {"kind": "fixed", "amount": "2.00"}},
      {"year": 2027, "open": "2026-09-01"`, `"commission": {"kind": "fixed"}},
      {"year": 2027, "open": "2026-09-01"`, "contributions[0].years[0].commission.amount"},
	}
	body := string(demoBody(t))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(body, tt.old) {
				t.Fatalf("demo tariff lacks %q", tt.old)
			}
			_, err := tariff.Parse([]byte(strings.Replace(body, tt.old, tt.new, 1)))
			var te *tariff.Error
			if !errors.As(err, &te) || te.Field != tt.field {
				t.Fatalf("err = %v, want a tariff.Error on %s", err, tt.field)
			}
		})
	}
}

// TestContributionsAreOptional: a tariff signed before contributions
// were collected is still a tariff.
func TestContributionsAreOptional(t *testing.T) {
	body := string(demoBody(t))
	i := strings.Index(body, `,
  "contributions": [`)
	if i < 0 {
		t.Fatal("the demo tariff has no contributions")
	}
	tf, err := tariff.Parse([]byte(body[:i] + "\n}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tf.Scheme("medical"); ok || len(tf.Contributions) != 0 {
		t.Errorf("schemes: %+v", tf.Contributions)
	}
}

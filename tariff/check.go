package tariff

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/villagepost/bianmin/ledger"
)

// Defaults for what a tariff may leave out.
var (
	DefaultPerTransaction  = MustAmount("1000.00")
	DefaultPerCardDay      = MustAmount("2000.00")
	DefaultPerCardDayCount = 5
	DefaultTimeoutSeconds  = 60
	DefaultRetries         = 3
	DefaultLowCash         = MustAmount("500.00")
)

var (
	versionRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)
	skuRE     = regexp.MustCompile(`^[A-Z][A-Z0-9_-]{0,31}$`)
	billerRE  = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)
)

// BillerKinds are the kinds of biller a tariff may list.
var BillerKinds = []string{"electricity", "water", "gas", "mobile"}

// Check fills in defaults for what the tariff leaves out and reports the
// first field that breaks a rule.
func (t *Tariff) Check() error {
	t.defaults()
	bad := func(field, format string, args ...any) error {
		return &Error{Field: field, Rule: fmt.Sprintf(format, args...)}
	}
	if t.Format != Format {
		return bad("format", "is %q, want %q", t.Format, Format)
	}
	if !versionRE.MatchString(t.Version) {
		return bad("version", "%q: 1 to 32 letters, digits, '.', '_' or '-'", t.Version)
	}
	if t.Issuer == "" || utf8.RuneCountInString(t.Issuer) > 64 {
		return bad("issuer", "the issuing post office, 1 to 64 characters")
	}
	for _, f := range []struct{ name, day string }{{"valid_from", t.ValidFrom}, {"valid_until", t.ValidUntil}} {
		if _, err := time.Parse(time.DateOnly, f.day); err != nil {
			return bad(f.name, "%q is not a date like 2026-12-01", f.day)
		}
	}
	if t.ValidUntil < t.ValidFrom {
		return bad("valid_until", "%s is before valid_from %s", t.ValidUntil, t.ValidFrom)
	}
	if _, err := ledger.ParseCutoff(t.Cutoff); err != nil {
		return bad("cutoff", "%q is not a time like 23:00", t.Cutoff)
	}
	if t.Host.TimeoutSeconds < 5 || t.Host.TimeoutSeconds > 300 {
		return bad("host.timeout_seconds", "%d: between 5 and 300", t.Host.TimeoutSeconds)
	}
	if t.Host.Retries < 0 || t.Host.Retries > 10 {
		return bad("host.retries", "%d: between 0 and 10", t.Host.Retries)
	}
	l := t.Limits
	switch {
	case !l.PerTransaction.IsPositive():
		return bad("limits.per_transaction", "must be above zero")
	case l.PerCardDay.LessThan(l.PerTransaction.Decimal):
		return bad("limits.per_card_day", "%s is below the per-transaction limit %s", l.PerCardDay, l.PerTransaction)
	case l.PerCardDayCount < 1 || l.PerCardDayCount > 100:
		return bad("limits.per_card_day_count", "%d: between 1 and 100", l.PerCardDayCount)
	}
	for _, s := range Services {
		p, ok := t.Services[s]
		if !ok {
			return bad("services."+s, "missing: every service needs a fee and a commission")
		}
		if err := p.Fee.check("services." + s + ".fee"); err != nil {
			return err
		}
		if err := p.Commission.check("services." + s + ".commission"); err != nil {
			return err
		}
	}
	for name, p := range t.Services {
		if slices.Contains(Services, name) {
			continue
		}
		if !slices.Contains(OptionalServices, name) {
			return bad("services."+name, "not a service: %s", strings.Join(append(slices.Clone(Services), OptionalServices...), ", "))
		}
		if err := p.Fee.check("services." + name + ".fee"); err != nil {
			return err
		}
		if err := p.Commission.check("services." + name + ".commission"); err != nil {
			return err
		}
	}
	if err := t.checkInsurance(); err != nil {
		return err
	}
	if err := t.checkSIMCards(); err != nil {
		return err
	}
	if err := t.checkContributions(); err != nil {
		return err
	}
	seen := map[string]bool{}
	for i, b := range t.Billers {
		field := fmt.Sprintf("billers[%d]", i)
		switch {
		case !billerRE.MatchString(b.ID):
			return bad(field+".id", "%q: lower-case letters, digits, '_' or '-'", b.ID)
		case seen[b.ID]:
			return bad(field+".id", "%q is listed twice", b.ID)
		case b.Name == "":
			return bad(field+".name", "missing")
		case !slices.Contains(BillerKinds, b.Kind):
			return bad(field+".kind", "%q: one of %s", b.Kind, strings.Join(BillerKinds, ", "))
		case b.Kind == "mobile" && len(b.Denominations) == 0:
			return bad(field+".denominations", "a mobile operator needs its top-up amounts")
		}
		seen[b.ID] = true
		if err := b.Account.check(field + ".account"); err != nil {
			return err
		}
		for j, d := range b.Denominations {
			if !d.IsPositive() {
				return bad(fmt.Sprintf("%s.denominations[%d]", field, j), "must be above zero")
			}
		}
	}
	seen = map[string]bool{}
	for i, it := range t.Goods {
		field := fmt.Sprintf("goods[%d]", i)
		switch {
		case !skuRE.MatchString(it.SKU) || it.SKU == ledger.Currency:
			return bad(field+".sku", "%q: capitals, digits, '_' or '-', starting with a capital, like FERT-50KG", it.SKU)
		case seen[it.SKU]:
			return bad(field+".sku", "%q is listed twice", it.SKU)
		case it.Name == "":
			return bad(field+".name", "missing")
		case it.Unit == "":
			return bad(field+".unit", "missing, e.g. 袋(50kg)")
		case !it.Price.IsPositive():
			return bad(field+".price", "must be above zero")
		}
		seen[it.SKU] = true
	}
	return nil
}

func (t *Tariff) defaults() {
	if t.Cutoff == "" {
		t.Cutoff = ledger.DefaultCutoff
	}
	if t.Host.TimeoutSeconds == 0 {
		t.Host.TimeoutSeconds = DefaultTimeoutSeconds
	}
	if t.Host.Retries == 0 {
		t.Host.Retries = DefaultRetries
	}
	if t.Limits.PerTransaction.IsZero() {
		t.Limits.PerTransaction = DefaultPerTransaction
	}
	if t.Limits.PerCardDay.IsZero() {
		t.Limits.PerCardDay = DefaultPerCardDay
	}
	if t.Limits.PerCardDayCount == 0 {
		t.Limits.PerCardDayCount = DefaultPerCardDayCount
	}
	if t.LowCash.IsZero() {
		t.LowCash = DefaultLowCash
	}
}

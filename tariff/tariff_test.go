package tariff_test

import (
	"crypto/rand"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/tariff"
	"golang.org/x/mod/sumdb/note"
)

func demoBody(tb testing.TB) []byte {
	tb.Helper()
	body, err := os.ReadFile("demo-tariff.json")
	if err != nil {
		tb.Fatal(err)
	}
	return body
}

func demo(tb testing.TB) *tariff.Tariff {
	tb.Helper()
	t, err := tariff.Parse(demoBody(tb))
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

func TestDemoTariff(t *testing.T) {
	tf := demo(t)
	if tf.Version != "DEMO-2026-11" || tf.Host.Timeout().Seconds() != 60 || tf.Limits.PerCardDayCount != 5 {
		t.Errorf("demo tariff: %+v", tf)
	}
	if b, ok := tf.Biller("state-grid"); !ok || !b.Queueing {
		t.Errorf("state-grid: %+v %v", b, ok)
	}
	if it, ok := tf.Item("FERT-UREA-50KG"); !ok || it.Price.String() != "135" || !it.Delivery {
		t.Errorf("urea: %+v %v", it, ok)
	}
	if _, ok := tf.Item("NOPE"); ok {
		t.Error("unknown SKU found")
	}
	if !tf.ValidOn("2026-11-22") || tf.ValidOn("2025-12-31") || tf.ValidOn("2028-01-01") {
		t.Error("validity period")
	}
}

func TestDefaults(t *testing.T) {
	body := string(demoBody(t))
	for _, cut := range []string{
		`  "cutoff": "23:00",` + "\n",
		`  "host": {"timeout_seconds": 60, "retries": 3},` + "\n",
		`  "limits": {"per_transaction": "1000.00", "per_card_day": "2000.00", "per_card_day_count": 5},` + "\n",
	} {
		if !strings.Contains(body, cut) {
			t.Fatalf("demo tariff lacks %q", cut)
		}
		body = strings.Replace(body, cut, "", 1)
	}
	tf, err := tariff.Parse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if tf.Cutoff != "23:00" || tf.Host.TimeoutSeconds != 60 || tf.Host.Retries != 3 ||
		tf.Limits.PerTransaction.String() != "1000" || tf.Limits.PerCardDay.String() != "2000" || tf.Limits.PerCardDayCount != 5 {
		t.Errorf("defaults: cutoff %s host %+v limits %+v", tf.Cutoff, tf.Host, tf.Limits)
	}
}

func TestRules(t *testing.T) {
	tf := demo(t)
	tests := []struct {
		service, which, amount, want string
	}{
		{"withdrawal", "fee", "500.00", "0.00"},
		{"withdrawal", "commission", "100.00", "0.50"},
		{"withdrawal", "commission", "200.00", "0.50"}, // a band's up_to is inclusive
		{"withdrawal", "commission", "200.01", "1.00"},
		{"withdrawal", "commission", "500.00", "1.00"},
		{"withdrawal", "commission", "1000.00", "2.00"},   // 0.2%
		{"withdrawal", "commission", "1999.99", "3.00"},   // 4.00 held at max 3.00
		{"bill_payment", "commission", "50.00", "0.20"},   // 0.15 raised to min 0.20
		{"bill_payment", "commission", "333.33", "1.00"},  // 0.99999 rounds half up
		{"bill_payment", "commission", "216.50", "0.65"},  // 0.6495 rounds up to 0.65
		{"bill_payment", "commission", "216.49", "0.65"},  // 0.64947 rounds to 0.65
		{"bill_payment", "commission", "1000.00", "2.00"}, // 3.00 held at max 2.00
		{"topup", "commission", "50.00", "0.50"},
		{"ticket_order", "fee", "356.50", "5.00"},
		{"ticket_order", "commission", "356.50", "3.00"},
		{"sale", "commission", "270.00", "13.50"},
		{"sale", "commission", "3.50", "0.18"}, // 0.175 rounds half up
	}
	for _, tt := range tests {
		p, ok := tf.Pricing(tt.service)
		if !ok {
			t.Fatalf("no pricing for %s", tt.service)
		}
		rule := p.Fee
		if tt.which == "commission" {
			rule = p.Commission
		}
		got := rule.Apply(decimal.RequireFromString(tt.amount))
		if got.StringFixed(2) != tt.want {
			t.Errorf("%s %s on %s = %s, want %s", tt.service, tt.which, tt.amount, got.StringFixed(2), tt.want)
		}
	}
}

// TestCheckRefuses changes one thing in the demo tariff at a time; each
// change is refused naming the field.
func TestCheckRefuses(t *testing.T) {
	tests := []struct {
		name, old, new, field string
	}{
		{"Format", `"bianmin-tariff-v1"`, `"bianmin-tariff-v9"`, "format"},
		{"Version", `"DEMO-2026-11"`, `"demo 11"`, "version"},
		{"Period", `"valid_until": "2027-12-31"`, `"valid_until": "2025-12-31"`, "valid_until"},
		{"Date", `"valid_from": "2026-01-01"`, `"valid_from": "2026-02-30"`, "valid_from"},
		{"Cutoff", `"cutoff": "23:00"`, `"cutoff": "25:00"`, "cutoff"},
		{"Timeout", `"timeout_seconds": 60`, `"timeout_seconds": 3600`, "host.timeout_seconds"},
		{"DayBelowTxn", `"per_card_day": "2000.00"`, `"per_card_day": "500.00"`, "limits.per_card_day"},
		{"Count", `"per_card_day_count": 5`, `"per_card_day_count": 1000`, "limits.per_card_day_count"},
		{"UnknownKind", `{"kind": "fixed", "amount": "5.00"}`, `{"kind": "flat", "amount": "5.00"}`, "services.ticket_order.fee.kind"},
		{"FixedNoAmount", `{"kind": "fixed", "amount": "5.00"}`, `{"kind": "fixed"}`, "services.ticket_order.fee.amount"},
		{"PercentOver100", `"percent": "5"}`, `"percent": "500"}`, "services.sale.commission.percent"},
		{"MinAboveMax", `"min": "0.20", "max": "2.00"`, `"min": "3.00", "max": "2.00"`, "services.bill_payment.commission.min"},
		{"BandsFall", `{"up_to": "500.00", "amount": "1.00"}`, `{"up_to": "100.00", "amount": "1.00"}`, "services.withdrawal.commission.bands[1].up_to"},
		{"LastBandBounded", `{"percent": "0.2"}`, `{"up_to": "900.00", "percent": "0.2"}`, "services.withdrawal.commission.bands[2].up_to"},
		{"MissingService", `"topup": {`, `"top_up": {`, "services.topup"},
		{"BillerKind", `"kind": "gas"`, `"kind": "coal"`, "billers[2].kind"},
		{"BillerTwice", `"id": "county-water"`, `"id": "state-grid"`, "billers[1].id"},
		{"ExampleBreaksRule", `"example": "800123456"`, `"example": "900123456"`, "billers[2].account.example"},
		{"MobileNoDenominations", `"denominations": ["30.00", "50.00", "100.00", "200.00"]`, `"denominations": []`, "billers[3].denominations"},
		{"BadSKU", `"sku": "DAILY-SOAP"`, `"sku": "soap"`, "goods[3].sku"},
		{"ZeroPrice", `"price": "3.50"`, `"price": "0.00"`, "goods[3].price"},
		{"BadAmount", `"price": "3.50"`, `"price": "3.5"`, "tariff"},
		{"FloatAmount", `"price": "3.50"`, `"price": 3.50`, "tariff"},
		{"UnknownField", `"low_cash": "500.00"`, `"low_cash": "500.00", "bonus": "1.00"`, "tariff"},
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

func TestAccountNumbers(t *testing.T) {
	tf := demo(t)
	tests := []struct {
		biller, input, want string
		ok                  bool
	}{
		{"state-grid", "5100123456", "5100123456", true},
		{"state-grid", "５１００ １２３ ４５６", "5100123456", true}, // full-width, spaced
		{"state-grid", "510012345", "", false},             // 9 digits
		{"state-grid", "51001234567", "", false},           // 11 digits
		{"state-grid", "51001234a6", "", false},
		{"town-gas", "800123456", "800123456", true},
		{"town-gas", "700123456", "", false}, // wrong prefix
		{"china-mobile", "138-0013-8000", "13800138000", true},
		{"china-mobile", "12800138000", "", false},
		{"county-water", "", "", false},
	}
	for _, tt := range tests {
		b, _ := tf.Biller(tt.biller)
		got, err := b.CheckAccount(tt.input)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("%s CheckAccount(%q) = %q, %v", tt.biller, tt.input, got, err)
		}
		var ae *tariff.AccountError
		if err != nil && (!errors.As(err, &ae) || !strings.Contains(err.Error(), "like")) {
			t.Errorf("%s %q: error %v does not show an example", tt.biller, tt.input, err)
		}
	}
}

func TestSignedTariff(t *testing.T) {
	skey, vkey, err := note.GenerateKey(rand.Reader, "demo-postoffice")
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := note.NewSigner(skey)
	verifier, _ := note.NewVerifier(vkey)
	file, err := tariff.Sign(demoBody(t), signer)
	if err != nil {
		t.Fatal(err)
	}
	tf, err := tariff.Open(file, verifier)
	if err != nil || tf.Version != "DEMO-2026-11" {
		t.Fatalf("Open = %v, %v", tf, err)
	}

	// Another post office's key.
	_, otherV, _ := note.GenerateKey(rand.Reader, "demo-postoffice")
	other, _ := note.NewVerifier(otherV)
	if _, err := tariff.Open(file, other); !errors.Is(err, tariff.ErrSignature) {
		t.Errorf("other key: %v, want ErrSignature", err)
	}
	// A price changed after signing.
	changed := []byte(strings.Replace(string(file), `"price": "135.00"`, `"price": "125.00"`, 1))
	if _, err := tariff.Open(changed, verifier); !errors.Is(err, tariff.ErrSignature) {
		t.Errorf("changed price: %v, want ErrSignature", err)
	}
	// The bare JSON, unsigned.
	var te *tariff.Error
	if _, err := tariff.Open(demoBody(t), verifier); !errors.As(err, &te) {
		t.Errorf("unsigned: %v, want tariff.Error", err)
	}
	// A broken body is refused at signing.
	if _, err := tariff.Sign([]byte(`{"format":"x"}`), signer); err == nil {
		t.Error("signed a broken tariff")
	}
}

func FuzzParse(f *testing.F) {
	f.Add(demoBody(f))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		tf, err := tariff.Parse(body)
		if err != nil {
			return
		}
		for _, s := range tariff.Services {
			p, _ := tf.Pricing(s)
			for _, amt := range []string{"0.01", "199.99", "1000.00", "99999999.99"} {
				if v := p.Commission.Apply(decimal.RequireFromString(amt)); v.IsNegative() {
					t.Fatalf("%s commission on %s is negative: %s", s, amt, v)
				}
			}
		}
	})
}

// FuzzAccount checks the billers' account-number rule on any input: an
// accepted number is plain ASCII digits that keep the rule and are
// accepted again unchanged; a refused one is an *AccountError.
func FuzzAccount(f *testing.F) {
	for _, s := range []string{"5100123456", "５１００ １２３ ４５６", "800123456", "138-0013-8000", "", "51001234a6", "\u3000\u3000", "8８"} {
		f.Add(s)
	}
	tf := demo(f)
	f.Fuzz(func(t *testing.T, input string) {
		for _, b := range tf.Billers {
			got, err := b.CheckAccount(input)
			if err != nil {
				var ae *tariff.AccountError
				if !errors.As(err, &ae) || got != "" {
					t.Fatalf("%s %q: %q, %v", b.ID, input, got, err)
				}
				continue
			}
			r := b.Account
			if len(got) < r.MinDigits || len(got) > r.MaxDigits || strings.Trim(got, "0123456789") != "" {
				t.Fatalf("%s accepted %q as %q", b.ID, input, got)
			}
			ok := len(r.Prefixes) == 0
			for _, p := range r.Prefixes {
				ok = ok || strings.HasPrefix(got, p)
			}
			if !ok {
				t.Fatalf("%s accepted %q without its prefix", b.ID, got)
			}
			if again, err := b.CheckAccount(got); err != nil || again != got {
				t.Fatalf("%s: %q is not accepted again unchanged: %q, %v", b.ID, got, again, err)
			}
		}
	})
}

package tariff_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/tariff"
)

func TestPremium(t *testing.T) {
	tf := demo(t)
	tests := []struct {
		product, sum, want string
	}{
		{"farmhouse", "100000.00", "150.00"},
		{"farmhouse", "10000.00", "20.00"},   // 15.00 is below the minimum premium
		{"farmhouse", "123456.78", "185.19"}, // 185.18517 rounds half up
		{"machinery", "85000.00", "680.00"},
		{"machinery", "5000.00", "50.00"},
		{"home", "30000.00", "60.00"},
	}
	for _, tt := range tests {
		t.Run(tt.product+"/"+tt.sum, func(t *testing.T) {
			p, ok := tf.Product(tt.product)
			if !ok {
				t.Fatalf("the demo tariff has no product %s", tt.product)
			}
			if got := p.Premium(decimal.RequireFromString(tt.sum)); got.StringFixed(2) != tt.want {
				t.Errorf("premium = %s, want %s", got.StringFixed(2), tt.want)
			}
		})
	}
	if _, ok := tf.Product("car"); ok {
		t.Error("the demo tariff sells car insurance")
	}
}

func TestCheckRefusesProducts(t *testing.T) {
	tests := []struct {
		name, old, new, field string
	}{
		{"NoPricing", `"policy_issue": {`, `"policy_issue_x": {`, "services.policy_issue_x"},
		{"BadID", `"id": "home"`, `"id": "Home"`, "insurance[2].id"},
		{"Twice", `"id": "home"`, `"id": "farmhouse"`, "insurance[2].id"},
		{"NoName", `"name": "农机保险"`, `"name": ""`, "insurance[1].name"},
		{"ZeroRate", `"rate_permille": "8"`, `"rate_permille": "0"`, "insurance[1].rate_permille"},
		{"RateTooFine", `"rate_permille": "8"`, `"rate_permille": "8.00001"`, "insurance[1].rate_permille"},
		{"MaxBelowMin", `"min_sum": "5000.00", "max_sum": "100000.00"`, `"min_sum": "5000.00", "max_sum": "4000.00"`, "insurance[2].max_sum"},
		{"MaxAbsurd", `"max_sum": "100000.00"`, `"max_sum": "99000000.00"`, "insurance[2].max_sum"},
		{"ZeroMin", `"min_sum": "5000.00", "max_sum": "100000.00"`, `"min_sum": "0.00", "max_sum": "100000.00"`, "insurance[2].min_sum"},
		{"BadCommission", `"percent": "15"`, `"percent": "150"`, "services.policy_issue.commission.percent"},
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

// TestInsuranceIsOptional: a tariff without products and without the
// policy_issue pricing is still a tariff (every tariff signed before
// insurance was sold).
func TestInsuranceIsOptional(t *testing.T) {
	body := string(demoBody(t))
	i := strings.Index(body, `,
    "policy_issue": {`)
	j := strings.Index(body, `,
  "insurance": [`)
	if i < 0 || j < 0 {
		t.Fatal("the demo tariff has no policy_issue pricing or no insurance products")
	}
	end := strings.Index(body[i+1:], "}\n    }") + i + 1 + len("}\n    }")
	old := body[:i] + body[end:j] + "\n}\n"
	tf, err := tariff.Parse([]byte(old))
	if err != nil {
		t.Fatalf("a tariff without insurance: %v\n%s", err, old)
	}
	if len(tf.Insurance) != 0 {
		t.Errorf("products: %+v", tf.Insurance)
	}
	if _, ok := tf.Pricing(tariff.PolicyIssue); ok {
		t.Error("policy_issue is priced")
	}
}

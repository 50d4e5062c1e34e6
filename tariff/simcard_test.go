package tariff_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/villagepost/bianmin/tariff"
)

func TestSIMPlans(t *testing.T) {
	tf := demo(t)
	p, ok := tf.SIMPlan("cmcc-39")
	if !ok {
		t.Fatal("the demo tariff has no plan cmcc-39")
	}
	if p.Carrier != "china-mobile" || p.Price.StringFixed(2) != "50.00" || p.FirstTopup.StringFixed(2) != "30.00" || p.Commission.StringFixed(2) != "15.00" {
		t.Errorf("cmcc-39 = %+v", p)
	}
	if _, ok := tf.SIMPlan("cmcc-99"); ok {
		t.Error("the demo tariff sells plan cmcc-99")
	}
}

func TestCheckRefusesSIMPlans(t *testing.T) {
	tests := []struct {
		name, old, new, field string
	}{
		{"BadID", `"plan": "cucc-19"`, `"plan": "CUCC 19"`, "sim_cards[1].plan"},
		{"Twice", `"plan": "cucc-19"`, `"plan": "cmcc-39"`, "sim_cards[1].plan"},
		{"UnknownCarrier", `"carrier": "china-telecom"`, `"carrier": "china-tietong"`, "sim_cards[2].carrier"},
		{"NoName", `"name": "中国联通 大王卡"`, `"name": ""`, "sim_cards[1].name"},
		{"ZeroPrice", `"price": "30.00", "first_topup": "20.00"`, `"price": "0.00", "first_topup": "0.00"`, "sim_cards[1].price"},
		{"AbsurdPrice", `"price": "30.00"`, `"price": "3000.00"`, "sim_cards[1].price"},
		{"TopupAbovePrice", `"first_topup": "20.00"`, `"first_topup": "31.00"`, "sim_cards[1].first_topup"},
		{"NegativeCommission", `"commission": "10.00"}`, `"commission": "-1.00"}`, "sim_cards[1].commission"},
		{"CommissionAbovePrice", `"commission": "10.00"}`, `"commission": "30.01"}`, "sim_cards[1].commission"},
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

package main

import (
	"github.com/villagepost/bianmin/internal/textwidth"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/tariff"
)

// showInsuranceProducts lists the tariff's property insurance products
// for tariff show: the premium rule (per thousand of the sum insured, at
// least the minimum), the sums the product covers, and the fee and the
// shop's commission per policy.
func (m *Main) showInsuranceProducts(t *tariff.Tariff) error {
	if len(t.Insurance) == 0 {
		return nil
	}
	m.printf("\n财产保险（一年期）：\n", "\nproperty insurance (one year):\n")
	pr, _ := t.Pricing(tariff.PolicyIssue)
	m.printf("每张保单：手续费 %s，佣金 %s。\n", "per policy: fee %s, commission %s.\n", m.ruleText(pr.Fee), m.ruleText(pr.Commission))
	it := textwidth.Table{}
	for _, p := range t.Insurance {
		it.Add("", p.ID, p.Name,
			m.say("保费为保额的", "premium ")+p.RatePermille.String()+m.say("‰，最低", " per thousand of the sum, at least ")+money.FormatReceipt(p.MinPremium.Decimal),
			m.say("保额", "sum insured ")+money.FormatReceipt(p.MinSum.Decimal)+m.say("到", " to ")+money.FormatReceipt(p.MaxSum.Decimal))
	}
	return it.Write(m.Stdout)
}

package receipts

// Labels of a phone-number card receipt.
var (
	lPlan         = Text{"套餐", "Plan"}
	lICCID        = Text{"ICCID", "ICCID"}
	lOwner        = Text{"机主", "Holder"}
	lPrice        = Text{"卡费", "Price"}
	lFirstTopup   = Text{"含首充话费", "First top-up included"}
	lRegistration = Text{"实名登记号", "Registration"}
)

// simSale prints a card sold with its buyer's real-name registration:
// the phone number, the plan, the masked ICCID and ID, the registration
// number and the price. Its code carries the number as the account and
// the registration number as the reference.
func (b *builder) simSale() {
	p := b.p
	b.line(lPhone, p.str("number"))
	b.setRef("account", p.str("number"))
	b.line(lPlan, p.str("plan_name"))
	b.line(lICCID, p.str("iccid"))
	b.line(lOwner, p.str("holder"))
	b.line(lID, p.str("id"))
	b.line(lRegistration, p.str("registration"))
	b.setRef("ref", p.str("registration"))
	b.money(lFirstTopup, "first_topup")
	b.capital(b.money(lPrice, "amount"))
	b.notice("号卡已按实名登记在机主名下，请妥善保管；本单可作购卡凭证。",
		"The number is registered in the holder's real name; keep this slip as proof of purchase.")
}

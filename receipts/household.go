package receipts

import (
	"encoding/json"
	"fmt"

	"github.com/villagepost/bianmin/money"
)

// Labels of a residents' insurance contribution receipt.
var (
	lHead     = Text{"户主", "Household head"}
	lScheme   = Text{"险种", "Scheme"}
	lYear     = Text{"缴费年度", "Coverage year"}
	lCategory = Text{"人员类别", "Category"}
	lGrade    = Text{"缴费档次", "Grade"}
	lConfirm  = Text{"确认号", "Confirmation"}
	lMember   = Text{"成员", "Member"}
)

// categoryText names a category the social-insurance host reports.
func categoryText(c string) Text {
	switch c {
	case "standard":
		return Text{"一般", "standard"}
	case "dibao":
		return Text{"低保", "minimum allowance (dibao)"}
	case "tekun":
		return Text{"特困", "destitute (tekun)"}
	case "disabled":
		return Text{"重度残疾", "severely disabled"}
	}
	return same(c)
}

// notChargedText says why a member of a household was not charged.
func notChargedText(status, code, reason string) Text {
	switch status {
	case "refused", "declined":
		return Text{"社保拒收：" + refusalZh(code), fmt.Sprintf("refused by the host (%s: %s)", code, reason)}
	case "reversed":
		return Text{"社保未回音，已冲正", "no answer from the host: reversed"}
	case "not_sent":
		return Text{"连不上社保，未发出", "the host could not be reached"}
	}
	return same(status)
}

// refusalZh says in words what a social-insurance host's code means.
func refusalZh(code string) string {
	switch code {
	case "C1":
		return "未在本县参保登记"
	case "C2":
		return "本年度已缴过"
	case "C3":
		return "不在缴费期"
	case "C4":
		return "不符合缴费年龄"
	case "C5", "tariff":
		return "金额与社保不符"
	}
	return "代码 " + code
}

// contribution prints one paid member's contribution.
func (b *builder) contribution() {
	p := b.p
	b.line(lHead, p.str("head"))
	b.line(lScheme, p.str("scheme_name"))
	b.line(lYear, p.str("year"))
	b.line(lMember, p.str("name"))
	b.line(lID, p.str("id"))
	b.text(lCategory, categoryText(p.str("category")))
	if p.str("scheme") == "pension" {
		b.money(lGrade, "grade")
	}
	b.money(lAmount, "amount")
	if b.fee(lServiceFee, "fee") {
		b.capital(b.money(lTotal, "total"))
	} else {
		b.capital(b.amount("total"))
	}
	b.line(lConfirm, p.str("reference"))
	b.setRef("ref", p.str("reference"))
}

// household prints every member of a household's contributions: the
// scheme, year, category and amount and the host's confirmation number
// of each member charged, why each other member was not, and the total.
func (b *builder) household() error {
	var members []struct {
		Row        int    `json:"row"`
		Name       string `json:"name"`
		ID         string `json:"id"`
		SchemeName string `json:"scheme_name"`
		Year       int    `json:"year"`
		Status     string `json:"status"`
		Category   string `json:"category"`
		Amount     string `json:"amount"`
		Fee        string `json:"fee"`
		Reference  string `json:"reference"`
		Code       string `json:"code"`
		Reason     string `json:"reason"`
	}
	raw, _ := json.Marshal(b.p["members"])
	if err := json.Unmarshal(raw, &members); err != nil {
		return fmt.Errorf("household members: %w", err)
	}
	b.line(lHead, b.p.str("head"))
	for _, m := range members {
		b.r.Lines = append(b.r.Lines, Line{Label: Text{fmt.Sprintf("%d. %s", m.Row, m.Name), fmt.Sprintf("%d. %s", m.Row, m.Name)}, Value: same(m.ID)})
		b.r.Lines = append(b.r.Lines, Line{Label: same("  " + m.SchemeName), Value: Text{fmt.Sprintf("%d年度", m.Year), fmt.Sprintf("%d", m.Year)}})
		if m.Status != "paid" {
			why := notChargedText(m.Status, m.Code, m.Reason)
			b.r.Lines = append(b.r.Lines, Line{Label: Text{"  未收钱", "  not charged"}, Value: why})
			continue
		}
		cat := categoryText(m.Category)
		amount, _ := money.ParseWire(m.Amount)
		fee, _ := money.ParseWire(m.Fee)
		b.r.Lines = append(b.r.Lines, Line{Label: Text{"  " + cat.Zh, "  " + cat.En}, Value: same(money.FormatReceipt(amount.Add(fee))), Money: true})
		b.r.Lines = append(b.r.Lines, Line{Label: Text{"  " + lConfirm.Zh, "  " + lConfirm.En}, Value: same(m.Reference)})
	}
	b.capital(b.money(lTotal, "total"))
	b.notice(fmt.Sprintf("共 %d 人缴费成功，以社保确认号为准；未收钱的成员可以另行缴费。", int(b.p.seq("paid"))),
		fmt.Sprintf("%d member(s) paid, as confirmed by the social-insurance host; members not charged may pay again later.", int(b.p.seq("paid"))))
	return nil
}

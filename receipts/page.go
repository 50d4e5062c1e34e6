package receipts

import (
	"fmt"
	"strconv"

	"github.com/villagepost/bianmin/money"
)

// page is one copy of a receipt as every form prints it: text, ESC/POS
// and PDF lay out the same pages.
type page struct {
	Header  []string // centred: station, id and phone, title and copy, reprint
	Lines   []line   // label and value
	Capital string   // the amount in capitals, if any
	Notices []string
	Sign    []string // the shop copy's signature line and confirmation
	Code    string   // the verification code, printed as a QR code and in text
}

type line struct {
	Label, Value string
	Money        bool
}

// Copies of a receipt.
var (
	customerCopy = Text{"顾客联", "CUSTOMER COPY"}
	shopCopy     = Text{"商户存根", "MERCHANT COPY"}
)

// Sentences of the shop copy a cardholder signs.
var (
	signLine = Text{"持卡人签名：________________", "Cardholder: ________________"}
	// The confirmation card slips carry.
	confirm = Text{"本人确认以上交易，同意将其记入本卡账户。", "I confirm the above transaction and agree to its entry in my card account."}
)

// pages returns the copies of the receipt in lang ("zh" or "en").
func (r *Receipt) pages(lang string) []page {
	copies := []Text{customerCopy}
	if r.ShopCopy {
		copies = append(copies, shopCopy)
	}
	var out []page
	for _, c := range copies {
		p := page{Code: r.Code.String()}
		st := r.Station
		p.Header = append(p.Header, st.Name)
		idPhone := Text{"站号" + st.ID, "Station " + st.ID}
		if st.Phone != "" {
			idPhone.Zh += " 电话" + st.Phone
			idPhone.En += " Tel " + st.Phone
		}
		p.Header = append(p.Header, idPhone.In(lang), r.Title.In(lang)+" · "+c.In(lang))
		if r.Reprint > 0 {
			p.Header = append(p.Header, Text{fmt.Sprintf("重打 第 %d 次", r.Reprint), fmt.Sprintf("REPRINT #%d", r.Reprint)}.In(lang))
		}
		p.Lines = append(p.Lines,
			line{Label: Text{"时间", "Time"}.In(lang), Value: r.Time.In(st.Zone).Format("2006-01-02 15:04:05")},
			line{Label: Text{"账本序号", "Entry"}.In(lang), Value: strconv.FormatUint(r.Seq, 10)},
			line{Label: Text{"操作员", "Operator"}.In(lang), Value: r.Operator},
		)
		for _, l := range r.Lines {
			p.Lines = append(p.Lines, line{Label: l.Label.In(lang), Value: l.Value.In(lang), Money: l.Money})
		}
		if r.Capitals {
			p.Capital = Text{"大写 ", "In words (大写) "}.In(lang) + money.Capital(r.Capital)
		}
		for _, n := range r.Notices {
			p.Notices = append(p.Notices, n.In(lang))
		}
		if c == shopCopy {
			p.Sign = []string{confirm.In(lang), signLine.In(lang)}
		}
		out = append(out, p)
	}
	return out
}

// scanHint is printed under the QR code.
var scanHint = Text{"扫码可核验本单真伪（邮政支局公布各站公钥）", "Scan to check this receipt against the station's public key"}

package settlement

import (
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"
	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/internal/cjkfont"
	"github.com/villagepost/bianmin/money"
)

// WriteReport writes the day report the shopkeeper prints and signs: one
// A4 page in Chinese with the day's figures per service, the cash, what
// the shop and the post office owe each other, what was carried over,
// and lines to sign. name is the station's name; ttf the CJK font
// (cjkfont.TTF). The PDF is dated with closedAt, so it is the same every
// time it is made.
func WriteReport(w io.Writer, f *File, name string, closedAt time.Time, zone *time.Location, ttf []byte) error {
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(closedAt)
	pdf.SetModificationDate(closedAt)
	pdf.SetCatalogSort(true)
	pdf.SetTitle(fmt.Sprintf("日结报告 %s %s", f.Station, f.Day), true)
	pdf.AddUTF8FontFromBytes(cjkfont.Family, "", ttf)
	pdf.SetMargins(18, 16, 18)
	pdf.SetAutoPageBreak(true, 16)
	pdf.AddPage()
	font := func(size float64) { pdf.SetFont(cjkfont.Family, "", size) }
	c := f.Close

	font(18)
	pdf.CellFormat(0, 10, "便民服务站日结报告", "", 1, "C", false, 0, "")
	font(11)
	pdf.CellFormat(0, 7, fmt.Sprintf("%s（站号 %s）    营业日 %s", name, f.Station, f.Day), "", 1, "C", false, 0, "")
	late := ""
	if c.Late {
		late = "（前一天忘记日结，次日补结）"
	}
	pdf.CellFormat(0, 6, fmt.Sprintf("日结时间 %s%s", closedAt.In(zone).Format("2006-01-02 15:04"), late), "", 1, "C", false, 0, "")
	pdf.CellFormat(0, 6, fmt.Sprintf("印章编号 %s    价目表 %s", f.Fingerprint, dash(f.Tariff)), "", 1, "C", false, 0, "")
	pdf.Ln(3)

	section := func(title string) {
		pdf.Ln(2)
		font(12)
		pdf.CellFormat(0, 7, title, "B", 1, "L", false, 0, "")
		font(10)
	}
	row := func(widths []float64, cells []string, aligns string) {
		for i, cell := range cells {
			pdf.CellFormat(widths[i], 6.5, cell, "", 0, string(aligns[i]), false, 0, "")
		}
		pdf.Ln(-1)
	}

	section("一、业务汇总")
	widths := []float64{52, 22, 34, 28, 28}
	font(10)
	row(widths, []string{"业务", "笔数", "金额", "手续费", "佣金"}, "LRRRR")
	var fees, commission decimal.Decimal
	other := ""
	for _, t := range sortTotals(c.Totals) {
		if _, money := principal[t.Kind]; !money {
			other += fmt.Sprintf("%s %d 笔；", KindZh(t.Kind), t.Count)
			continue
		}
		row(widths, []string{KindZh(t.Kind), strconv.FormatInt(t.Count, 10), yuan(t.Amount), yuan(t.Fees), yuan(t.Commission)}, "LRRRR")
		fees, commission = fees.Add(t.Fees), commission.Add(t.Commission)
	}
	row(widths, []string{"合计", "", "", yuan(fees), yuan(commission)}, "LRRRR")
	if other != "" {
		font(9)
		pdf.MultiCell(0, 5, "其他记录："+other, "", "L", false)
	}

	section("二、钱箱现金")
	counted, variance := "未清点", "—"
	if c.Cash.Counted != nil {
		counted = yuan(*c.Cash.Counted)
		switch {
		case c.Cash.Variance.IsNegative():
			variance = "短款 " + yuan(c.Cash.Variance.Neg())
		case c.Cash.Variance.IsPositive():
			variance = "长款 " + yuan(c.Cash.Variance)
		default:
			variance = "账实相符"
		}
	}
	w2 := []float64{40, 40, 40, 44}
	row(w2, []string{"期初现金", "应有现金", "实点现金", "长短款"}, "LLLL")
	row(w2, []string{yuan(c.Cash.Open), yuan(c.Cash.Expected), counted, variance}, "LLLL")

	section("三、与邮政结算")
	owes := "双方两清"
	switch {
	case c.Owed.Close.IsPositive():
		owes = "邮政应付本店 " + yuan(c.Owed.Close)
	case c.Owed.Close.IsNegative():
		owes = "本店应交邮政 " + yuan(c.Owed.Close.Neg())
	}
	today := "本日两清"
	switch {
	case c.Owed.Net.IsPositive():
		today = "本日邮政应付本店 " + yuan(c.Owed.Net)
	case c.Owed.Net.IsNegative():
		today = "本日本店应交邮政 " + yuan(c.Owed.Net.Neg())
	}
	pdf.MultiCell(0, 6.5, fmt.Sprintf("期初 %s；%s；期末：%s。（大写：%s）", yuan(c.Owed.Open), today, owes, money.Capital(c.Owed.Close.Abs())), "", "L", false)

	section("四、结转到下一营业日的待处理业务")
	if len(c.Carried) == 0 {
		pdf.CellFormat(0, 6.5, "无", "", 1, "L", false, 0, "")
	}
	for _, x := range c.Carried {
		amount := ""
		if x.Amount != "" {
			if d, err := money.ParseWire(x.Amount); err == nil {
				amount = yuan(d)
			}
		}
		pdf.CellFormat(0, 6.5, fmt.Sprintf("流水号 %s  %s  %s  %s  自 %s", x.Trace, KindZh(x.Service), amount, stateZh(x.State), x.Since.In(zone).Format("01-02 15:04")), "", 1, "L", false, 0, "")
	}

	section("五、账本")
	pdf.MultiCell(0, 6.5, fmt.Sprintf("本日账目第 %d 至第 %d 笔（日结为第 %d 笔），接续前一日第 %d 笔。末笔哈希 %s…。开业以来共 %d 笔。",
		c.First, c.Last, f.Last.Seq, f.Prev.Seq, hex.EncodeToString(f.Last.Hash[:8]), f.Last.Seq), "", "L", false)
	if f.Ack != "" {
		if a, err := ParseAck(ackText(f.Ack)); err == nil {
			pdf.MultiCell(0, 6.5, fmt.Sprintf("邮政支局已确认收到截至 %s（第 %d 笔）的日结。", a.Day, a.Last.Seq), "", "L", false)
		}
	}

	pdf.Ln(10)
	font(11)
	pdf.CellFormat(85, 8, "店主签字：____________________", "", 0, "L", false, 0, "")
	pdf.CellFormat(0, 8, "日期：____________", "", 1, "L", false, 0, "")
	pdf.Ln(4)
	pdf.CellFormat(85, 8, "邮政支局核对：________________", "", 0, "L", false, 0, "")
	pdf.CellFormat(0, 8, "日期：____________", "", 1, "L", false, 0, "")
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("settlement: day report: %w", err)
	}
	return nil
}

// stateZh says what a carried request waits for.
func stateZh(state string) string {
	switch state {
	case "forward":
		return "断网受理，待发送"
	case "reverse":
		return "待冲正"
	case "unknown":
		return "结果不明，待查询"
	case "waitlist":
		return "候补中"
	}
	return state
}

func yuan(d decimal.Decimal) string { return money.FormatReceipt(d) }

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// ackText is the text part of a signed acknowledgement note.
func ackText(signed string) string {
	if i := strings.Index(signed, "\n\n"); i >= 0 {
		return signed[:i+1]
	}
	return signed
}

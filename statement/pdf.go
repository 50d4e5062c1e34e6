package statement

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/jung-kurt/gofpdf"
	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/internal/cjkfont"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/settlement"
)

func yuan(d decimal.Decimal) string { return money.FormatReceipt(d) }

// owes says in words who owes whom.
func owes(d decimal.Decimal) string {
	switch {
	case d.IsPositive():
		return "邮政应付本店 " + yuan(d)
	case d.IsNegative():
		return "本店应交邮政 " + yuan(d.Neg())
	}
	return "两清"
}

// doc is an A4 page set up for Chinese text.
type doc struct {
	pdf *gofpdf.Fpdf
}

func newDoc(title string, orientation string, made time.Time, ttf []byte) *doc {
	pdf := gofpdf.New(orientation, "mm", "A4", "")
	pdf.SetCreationDate(made)
	pdf.SetModificationDate(made)
	pdf.SetCatalogSort(true)
	pdf.SetTitle(title, true)
	pdf.AddUTF8FontFromBytes(cjkfont.Family, "", ttf)
	pdf.SetMargins(14, 14, 14)
	pdf.SetAutoPageBreak(true, 14)
	pdf.AliasNbPages("{nb}")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-10)
		pdf.SetFont(cjkfont.Family, "", 8)
		pdf.CellFormat(0, 5, fmt.Sprintf("%s    第 %d 页，共 {nb} 页", title, pdf.PageNo()), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	return &doc{pdf}
}

func (d *doc) font(size float64) { d.pdf.SetFont(cjkfont.Family, "", size) }

func (d *doc) line(h float64, text, align string) {
	d.pdf.CellFormat(0, h, text, "", 1, align, false, 0, "")
}

func (d *doc) section(title string) {
	d.pdf.Ln(2)
	d.font(12)
	d.pdf.CellFormat(0, 7, title, "B", 1, "L", false, 0, "")
	d.font(9.5)
}

func (d *doc) row(widths []float64, cells []string, aligns string) {
	for i, c := range cells {
		d.pdf.CellFormat(widths[i], 6, c, "", 0, string(aligns[i]), false, 0, "")
	}
	d.pdf.Ln(-1)
}

// WritePDF writes the statement in Chinese on A4: the month per service,
// then every day per service with what was owed after it, then the
// deposit. made dates the document, so the same month gives the same PDF.
func (s *Statement) WritePDF(w io.Writer, made time.Time, ttf []byte) error {
	st := s.Station
	d := newDoc(fmt.Sprintf("便民服务站月结单 %s %s", st.ID, s.Month), "P", made, ttf)
	d.font(18)
	d.line(10, "便民服务站月结单", "C")
	d.font(11)
	d.line(7, fmt.Sprintf("站号 %s    加盟人 %s    %s", st.ID, st.Franchisee, s.Month), "C")
	d.line(6, fmt.Sprintf("按邮政支局已接收的日结文件编制，共 %d 个营业日。编制日期 %s", len(s.Days), made.Format(time.DateOnly)), "C")

	d.section("一、本月按业务汇总")
	widths := []float64{56, 20, 36, 34, 36}
	d.row(widths, []string{"业务", "笔数", "金额", "手续费", "佣金"}, "LRRRR")
	for _, t := range s.Services {
		d.row(widths, []string{settlement.KindZh(t.Kind), strconv.FormatInt(t.Count, 10), yuan(t.Amount), yuan(t.Fees), yuan(t.Commission)}, "LRRRR")
	}
	d.row(widths, []string{"合计", strconv.FormatInt(s.Count, 10), yuan(s.Amount), yuan(s.Fees), yuan(s.Commission)}, "LRRRR")

	d.section("二、与邮政结算及押金")
	d.pdf.MultiCell(0, 6, fmt.Sprintf("月初：%s。本月净额：%s。月末：%s。", owes(s.OwedOpen), owes(s.Net), owes(s.OwedClose)), "", "L", false)
	d.pdf.MultiCell(0, 6, fmt.Sprintf("押金 %s；加上月末邮政应付（或减去本店应交）后，押金余额 %s（大写：%s%s）。",
		yuan(st.Deposit), yuan(s.DepositBalance()), negWord(s.DepositBalance()), money.Capital(s.DepositBalance().Abs())), "", "L", false)
	if st.Forks > 0 || st.Held > 0 {
		d.pdf.MultiCell(0, 6, fmt.Sprintf("注意：该站有 %d 个分叉文件留证、%d 个文件等待缺失的营业日，相关营业日未计入。", st.Forks, st.Held), "", "L", false)
	}

	d.section("三、逐日明细")
	dw := []float64{24, 40, 14, 28, 22, 22, 30}
	d.row(dw, []string{"营业日", "业务", "笔数", "金额", "手续费", "佣金", "当日应结"}, "LLRRRRR")
	for _, day := range s.Days {
		label := day.Day
		if day.Late {
			label += "*"
		}
		for i, t := range day.Services {
			first := ""
			if i == 0 {
				first = label
			}
			d.row(dw, []string{first, settlement.KindZh(t.Kind), strconv.FormatInt(t.Count, 10), yuan(t.Amount), yuan(t.Fees), yuan(t.Commission), ""}, "LLRRRRR")
		}
		if len(day.Services) == 0 {
			d.row(dw, []string{label, "（无业务）", "", "", "", "", ""}, "LLRRRRR")
		}
		d.row(dw, []string{"", "当日合计", strconv.FormatInt(day.Count, 10), yuan(day.Amount), yuan(day.Fees), yuan(day.Commission), yuan(day.Net)}, "LLRRRRR")
		d.font(8.5)
		variance := ""
		if !day.Variance.IsZero() {
			variance = "；钱箱长短款 " + yuan(day.Variance)
		}
		d.line(5, fmt.Sprintf("        日终：%s；押金余额 %s%s", owes(day.Owed), yuan(day.Deposit), variance), "L")
		d.font(9.5)
	}
	if len(s.Days) == 0 {
		d.line(6, "本月没有已接收的日结文件。", "L")
	}
	d.font(8.5)
	d.line(5, "注：* 为次日补做的日结。金额为各笔业务本金；手续费、佣金为本店所得。", "L")
	d.pdf.Ln(8)
	d.font(11)
	d.pdf.CellFormat(90, 8, "邮政支局（盖章）：______________", "", 0, "L", false, 0, "")
	d.pdf.CellFormat(0, 8, "加盟人签字：______________", "", 1, "L", false, 0, "")
	if err := d.pdf.Output(w); err != nil {
		return fmt.Errorf("statement: PDF: %w", err)
	}
	return nil
}

func negWord(d decimal.Decimal) string {
	if d.IsNegative() {
		return "负"
	}
	return ""
}

// WritePDF writes the region's month in Chinese on landscape A4: one line
// per station and the totals.
func (r *Region) WritePDF(w io.Writer, made time.Time, ttf []byte) error {
	d := newDoc("便民服务站月结汇总 "+r.Month, "L", made, ttf)
	d.font(18)
	d.line(10, "便民服务站月结汇总", "C")
	d.font(11)
	d.line(7, fmt.Sprintf("%s    共 %d 个服务站    编制日期 %s", r.Month, len(r.Statements), made.Format(time.DateOnly)), "C")
	d.pdf.Ln(2)
	d.font(9)
	widths := []float64{18, 30, 12, 16, 32, 26, 26, 30, 30, 28, 18}
	d.row(widths, []string{"站号", "加盟人", "天数", "笔数", "金额", "手续费", "佣金", "本月净额", "月末应结", "押金余额", "备注"}, "LLRRRRRRRRL")
	for _, s := range r.Statements {
		st := s.Station
		note := ""
		switch {
		case st.Status == "retired":
			note = "已退出"
		case st.Forks > 0:
			note = "有分叉"
		case st.Held > 0:
			note = "缺日"
		}
		d.row(widths, []string{st.ID, st.Franchisee, strconv.Itoa(len(s.Days)), strconv.FormatInt(s.Count, 10), yuan(s.Amount), yuan(s.Fees),
			yuan(s.Commission), yuan(s.Net), yuan(s.OwedClose), yuan(s.DepositBalance()), note}, "LLRRRRRRRRL")
	}
	d.row(widths, []string{"合计", "", "", strconv.FormatInt(r.Count, 10), yuan(r.Amount), yuan(r.Fees), yuan(r.Commission), yuan(r.Net),
		yuan(r.OwedClose), yuan(r.Deposits.Add(r.OwedClose)), ""}, "LLRRRRRRRRL")
	d.font(8.5)
	d.pdf.Ln(2)
	d.line(5, "月末应结：正数为邮政应付服务站，负数为服务站应交邮政。押金余额 = 押金 + 月末应结。", "L")
	if err := d.pdf.Output(w); err != nil {
		return fmt.Errorf("statement: PDF: %w", err)
	}
	return nil
}

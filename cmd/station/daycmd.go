package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/villagepost/bianmin/internal/textwidth"
	"github.com/villagepost/bianmin/shopfront"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/settlement"
	"github.com/villagepost/bianmin/terminal"
)

// runReport shows the business day so far (the X report): nothing is
// recorded.
func (m *Main) runReport(ctx context.Context, args []string) error {
	st, asJSON, err := m.openView("report", args)
	if err != nil {
		return err
	}
	defer st.Close()
	d, done, err := st.Days()
	if err != nil {
		return err
	}
	defer done()
	c, err := d.Report()
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(m.Stdout, c)
	}
	title := m.say("今日截至现在", "the day so far")
	if c.Late {
		title = m.say("上一个营业日还没有日结", "the previous business day, not closed yet")
	}
	m.printf("服务站 %s 营业日 %s（%s），第 %d 至 %d 笔：\n", "station %s, business day %s (%s), entries %d to %d:\n",
		st.Ledger.Genesis().Terminal, c.Day, title, c.First, c.Last)
	return m.printFigures(st, c)
}

// printFigures shows a day's figures.
func (m *Main) printFigures(st *shopfront.Folder, c settlement.Close) error {
	t := textwidth.Table{Right: map[int]bool{2: true, 3: true, 4: true, 5: true}}
	t.Add("", m.say("业务", "service"), m.say("笔数", "count"), m.say("金额", "amount"), m.say("手续费", "fees"), m.say("佣金", "commission"))
	var other []string
	for _, x := range c.Totals {
		if x.Amount.IsZero() && x.Fees.IsZero() && x.Commission.IsZero() {
			other = append(other, fmt.Sprintf("%s %d", m.kindName(x.Kind), x.Count))
			continue
		}
		t.Add("", m.kindName(x.Kind), fmt.Sprint(x.Count), money.FormatReceipt(x.Amount), money.FormatReceipt(x.Fees), money.FormatReceipt(x.Commission))
	}
	t.Write(m.Stdout)
	if len(other) > 0 {
		m.printf("  其他记录：%s\n", "  other entries: %s\n", strings.Join(other, m.say("，", ", ")))
	}
	m.printf("钱箱：期初 %s，应有 %s", "drawer: opened with %s, should hold %s", money.FormatReceipt(c.Cash.Open), money.FormatReceipt(c.Cash.Expected))
	if c.Cash.Counted != nil {
		m.printf("，实点 %s，", ", counted %s, ", money.FormatReceipt(*c.Cash.Counted))
		switch v := c.Cash.Variance; {
		case v.IsNegative():
			m.printf("短款 %s", "short by %s", money.FormatReceipt(v.Neg()))
		case v.IsPositive():
			m.printf("长款 %s", "over by %s", money.FormatReceipt(v))
		default:
			m.printf("账实相符", "they agree")
		}
	}
	m.printf("。\n", ".\n")
	m.printf("与邮政结算：期初 %s，本日 %s，现在 %s（%s）。\n", "with the post office: opened at %s, today %s, now %s (%s).\n",
		money.FormatReceipt(c.Owed.Open), money.FormatReceipt(c.Owed.Net), money.FormatReceipt(c.Owed.Close), m.owesText(c.Owed.Close))
	if n := len(c.Carried); n > 0 {
		m.printf("还有 %d 笔在等银行或缴费单位（station queue 可查看）。\n", "%d item(s) wait for a host (see station queue).\n", n)
	}
	if _, a, err := st.LatestAck(); err == nil && a != nil {
		m.printf("邮政支局已确认收到截至 %s 的日结（第 %d 笔）。\n", "the post office has acknowledged the days through %s (entry %d).\n", a.Day, a.Last.Seq)
	}
	return nil
}

func (m *Main) owesText(d decimal.Decimal) string {
	switch {
	case d.IsPositive():
		return m.say("邮政应付本店", "the post office owes the shop")
	case d.IsNegative():
		return m.say("本店应交邮政", "the shop owes the post office")
	}
	return m.say("两清", "even")
}

// runCloseDay closes the business day: the cash is counted, the day_close
// recorded, and the settlement file written with its CSV and PDF.
func (m *Main) runCloseDay(ctx context.Context, args []string) error {
	fs := m.flags("close-day")
	var w worker
	var h hostFlag
	w.register(fs)
	h.register(fs)
	countedText := fs.String("counted", "", "the cash counted in the drawer, e.g. 3456.70")
	carry := fs.Bool("carry", false, "carry requests still waiting for a host over to the next day (the owner confirms)")
	by := fs.String("by", "", "the owner approving the close (not needed when the operator is the owner)")
	byPinFile := fs.String("by-pin-file", "", "file with that owner's PIN (else STATION_BY_PIN, else asked)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if *countedText == "" {
		return m.missingFlag("counted", "请先清点钱箱，用 --counted 写上点出的现金，例如 --counted 3456.70。", "count the drawer and give the cash with --counted, e.g. --counted 3456.70.")
	}
	counted, err := money.Parse("counted", *countedText, money.Limits{AllowZero: true})
	if err != nil {
		return err
	}
	st, err := m.openStation(w.dir, true)
	if err != nil {
		return err
	}
	defer st.Close()
	t, err := st.CurrentTariff()
	if err != nil {
		return err
	}
	op, err := m.signIn(st, w)
	if err != nil {
		return err
	}
	approver, err := m.ownerApproval(st, op, *by, *byPinFile)
	if err != nil {
		return err
	}
	if err := m.unlockOnly(st, w.passFile); err != nil {
		return err
	}
	// A day the clock has left behind is closed as it stands, before
	// anything (a recovery with the hosts) is recorded for the new day;
	// otherwise what waits for a host is settled first if it can be.
	var pending *terminal.Pending
	probe, done, err := st.Days()
	if err != nil {
		return err
	}
	if _, ended := probe.Open(); ended {
		pending = probe.Pending
		defer done()
	} else {
		done()
		c := &shopfront.Counter{Folder: st, Op: op, Tariff: t}
		if err := m.openLink(ctx, c, h); err != nil {
			return err
		}
		defer c.CloseLink()
		pending = c.Link.Pending
	}
	d := &terminal.Days{Ledger: st.Ledger, Pending: pending, Tariff: t.Version}
	e, figures, err := d.Close(terminal.CloseRequest{Operator: op.ID, Counted: &counted, Carry: *carry})
	var closed *terminal.ClosedError
	if errors.As(err, &closed) {
		return m.rewriteClosed(st, closed.Day)
	}
	if err != nil {
		return err
	}
	files, err := st.WriteDay(e)
	if err != nil {
		return refuse(err, "营业日 %s 已经日结（账本第 %d 笔），但日结文件没写成。请再运行一次 station close-day 补写。",
			"business day %s is closed (entry %d) but its file was not written. Run station close-day again to write it.", e.Day, e.Seq)
	}
	if *asJSON {
		return writeJSON(m.Stdout, map[string]any{"seq": e.Seq, "day": e.Day, "approved_by": approver, "figures": figures,
			"file": files.File, "csv": files.CSV, "pdf": files.PDF})
	}
	m.printf("营业日 %s 已日结，店主 %s 确认，记在账本第 %d 笔。\n", "business day %s is closed, approved by %s, ledger entry %d.\n", e.Day, approver, e.Seq)
	if err := m.printFigures(st, figures); err != nil {
		return err
	}
	m.printf("日结文件：%s\n表格：%s\n日结报告（请打印签字）：%s\n", "settlement file: %s\nspreadsheet: %s\nday report (print and sign): %s\n", files.File, files.CSV, files.PDF)
	return nil
}

// rewriteClosed answers a close of a day already closed: it writes the
// day's files again if they are missing (a crash after the close).
func (m *Main) rewriteClosed(st *shopfront.Folder, day string) error {
	if _, err := os.Stat(st.SettlementPath(day, ".bms")); err == nil {
		return refuse(nil, "营业日 %s 已经日结过了；之后的业务算下一个营业日。", "business day %s is closed already; what comes next belongs to the next day.", day)
	}
	var close ledger.Entry
	err := st.Ledger.Day(day, func(e ledger.Entry) error {
		if e.Kind == ledger.KindDayClose {
			close = e
		}
		return nil
	})
	if err != nil || close.Seq == 0 {
		return refuse(err, "找不到营业日 %s 的日结记录。", "no day_close for business day %s.", day)
	}
	files, err := st.WriteDay(close)
	if err != nil {
		return err
	}
	m.printf("营业日 %s 早已日结；日结文件补写好了：%s\n", "business day %s was closed already; its file is written now: %s\n", day, files.File)
	return nil
}

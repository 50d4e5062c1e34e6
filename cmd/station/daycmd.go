package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/villagepost/bianmin/internal/textwidth"
	"os"
	"path/filepath"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/internal/cjkfont"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/settlement"
	"github.com/villagepost/bianmin/terminal"
)

// settlementsDir is where a station writes its daily files.
const settlementsDir = "settlements"

// Days opens the day-close service of a station; close the returned
// pending store when done.
func (st *Folder) Days() (*terminal.Days, func() error, error) {
	pending, err := terminal.OpenPending(st.DBPath(pendingFile))
	if err != nil {
		return nil, nil, refuse(err, "打不开待处理业务文件 %s。", "cannot open the pending file %s.", st.Path(pendingFile))
	}
	version := ""
	if t, err := st.LoadedTariff(); err == nil {
		version = t.Version
	}
	return &terminal.Days{Ledger: st.Ledger, Pending: pending, Tariff: version}, pending.Close, nil
}

// DayFiles are the files of a closed day.
type DayFiles struct{ File, CSV, PDF string }

// SettlementPath is where the file of a station's day goes:
// settlements/T0001-20261120.bms.
func (st *Folder) SettlementPath(day, ext string) string {
	return st.Path(filepath.Join(settlementsDir, st.Ledger.Genesis().Terminal+"-"+strings.ReplaceAll(day, "-", "")+ext))
}

// writeDay writes the settlement file of the day closed by entry close,
// with its CSV and PDF companions. Each is written whole or not at all.
func (m *Main) writeDay(st *Folder, close ledger.Entry) (DayFiles, error) {
	// A file must extend what the post office acknowledged.
	if err := st.CheckAcks(); err != nil {
		return DayFiles{}, err
	}
	ack, _, err := st.LatestAck()
	if err != nil {
		return DayFiles{}, err
	}
	f, err := settlement.FromLedger(st.Ledger, close.Seq, ack)
	if err != nil {
		return DayFiles{}, err
	}
	data, err := f.Sign(st.Key)
	if err != nil {
		return DayFiles{}, err
	}
	var csv, pdf bytes.Buffer
	if err := settlement.WriteCSV(&csv, f, st.Ledger.Zone()); err != nil {
		return DayFiles{}, err
	}
	ttf, err := cjkfont.TTF()
	if err != nil {
		return DayFiles{}, err
	}
	if err := settlement.WriteReport(&pdf, f, st.Ledger.Genesis().Name, close.Time, st.Ledger.Zone(), ttf); err != nil {
		return DayFiles{}, err
	}
	out := DayFiles{st.SettlementPath(f.Day, ".bms"), st.SettlementPath(f.Day, ".csv"), st.SettlementPath(f.Day, ".pdf")}
	if err := os.MkdirAll(st.Path(settlementsDir), 0o700); err != nil {
		return out, err
	}
	for _, w := range []struct {
		path string
		data []byte
	}{{out.File, data}, {out.CSV, csv.Bytes()}, {out.PDF, pdf.Bytes()}} {
		if err := writeWhole(w.path, w.data); err != nil {
			return out, refuse(err, "写不了 %s。", "cannot write %s.", w.path)
		}
	}
	return out, nil
}

// writeWhole writes a file through a temporary one, so that a crash leaves
// the old file or the new one, never half of it.
func writeWhole(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if serr := f.Sync(); err == nil {
		err = serr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// closeForgotten closes, late, a business day the shop forgot to close,
// before anything of the new day is recorded. It runs whenever the key is
// unlocked and says what it did.
func (m *Main) closeForgotten(st *Folder, operator string) error {
	d, done, err := st.Days()
	if err != nil {
		return err
	}
	defer done()
	day, ended := d.Open()
	if !ended || st.Ledger.LastDay() != day {
		return nil
	}
	e, c, err := d.Close(terminal.CloseRequest{Operator: operator, Carry: true})
	if err != nil {
		return err
	}
	files, err := m.writeDay(st, e)
	if err != nil {
		return err
	}
	m.printf("注意：上一个营业日 %s 没有日结，现已补做日结（现金没有清点", "note: business day %s was not closed; it is closed now (cash not counted",
		day)
	if n := len(c.Carried); n > 0 {
		m.printf("，%d 笔待处理业务结转到今天", ", %d pending item(s) carried to today", n)
	}
	m.printf("），日结文件 %s。请清点钱箱：station cash count --counted 金额。\n", "); file %s. Count the drawer: station cash count --counted AMOUNT.\n", files.File)
	return nil
}

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
func (m *Main) printFigures(st *Folder, c settlement.Close) error {
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
		c := &Counter{Folder: st, Op: op, Tariff: t}
		if err := m.openLink(ctx, c, h); err != nil {
			return err
		}
		defer c.close()
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
	files, err := m.writeDay(st, e)
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
func (m *Main) rewriteClosed(st *Folder, day string) error {
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
	files, err := m.writeDay(st, close)
	if err != nil {
		return err
	}
	m.printf("营业日 %s 早已日结；日结文件补写好了：%s\n", "business day %s was closed already; its file is written now: %s\n", day, files.File)
	return nil
}

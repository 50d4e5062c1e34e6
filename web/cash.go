package web

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/settlement"
	"github.com/villagepost/bianmin/terminal"
)

// cashData keeps one key per form of the drawer page.
type cashData struct {
	InKey, OutKey, CountKey string
	Owners                  []string // who may approve cash the owner takes back
}

func (s *Server) cashForm(q *req) {
	s.showCash(q, newForm(nil), &cashData{InKey: token(), OutKey: token(), CountKey: token()})
}

func (s *Server) showCash(q *req, f *form, d *cashData) {
	ops, _ := s.st.Operators()
	for _, o := range ops {
		if o.Role == terminal.RoleOwner {
			d.Owners = append(d.Owners, o.ID)
		}
	}
	if f.V("owner") == "" && len(d.Owners) > 0 {
		f.Values.Set("owner", d.Owners[0])
		if q.ss.op.Role == terminal.RoleOwner {
			f.Values.Set("owner", q.ss.op.ID)
		}
	}
	s.renderForm(q, "cash", f, d)
}

func cashKeys(f *form) *cashData {
	return &cashData{InKey: f.V("in_key"), OutKey: f.V("out_key"), CountKey: f.V("count_key")}
}

// cashMove puts cash into the drawer or takes it out.
func (s *Server) cashMove(q *req) {
	f := newForm(q.r.PostForm)
	d := cashKeys(f)
	dir := f.V("dir")
	key := d.InKey
	if dir == "out" {
		key = d.OutKey
	}
	if key == "" {
		s.forbidden(q) // not a form this screen gave
		return
	}
	amount, err := money.Parse("amount", f.V("amount"), money.Limits{})
	if err != nil {
		s.refuse(q, f, err, "")
		s.showCash(q, f, d)
		return
	}
	move := terminal.CashMove{Operator: q.ss.op.ID, Amount: amount, Reason: f.V("reason"), Note: strings.TrimSpace(f.V("note")), IdemKey: "web:" + key}
	if dir == "out" && move.Reason == terminal.ReasonOwner {
		// Only the courier hand-over is a clerk's to do: the owner taking
		// cash back needs the owner's PIN, as a void and the day close do.
		approver, ok := s.ownerApproves(q, f)
		if !ok {
			s.showCash(q, f, d)
			return
		}
		move.Approver = approver
	}
	s.work.Lock()
	drawer := s.st.Services().Drawer
	do := drawer.In
	if dir == "out" {
		do = drawer.Out
	}
	e, err := do(move)
	s.work.Unlock()
	if err != nil {
		s.refuse(q, f, err, "")
		s.showCash(q, f, d)
		return
	}
	l := q.ss.lang
	verb := say(l, "已存入 ", "Put in ")
	if dir == "out" {
		verb = say(l, "已取出 ", "Taken out ")
	}
	o := &outcome{Title: say(l, "钱箱", "Cash drawer"), Big: verb + money.FormatReceipt(amount), Capital: money.Capital(amount),
		Lines: []string{say(l, "记在账本第 ", "Ledger entry ") + itoa(e.Seq) + say(l, " 笔。", ".")}, Receipt: e.Seq, Next: "/cash"}
	s.issue(q, o)
	s.finish(q, key, o)
}

// cashCount records a count of the drawer; a difference is booked as a
// cash variance.
func (s *Server) cashCount(q *req) {
	f := newForm(q.r.PostForm)
	d := cashKeys(f)
	counted, err := money.Parse("counted", f.V("counted"), money.Limits{AllowZero: true})
	if err != nil || d.CountKey == "" {
		if err != nil {
			s.refuse(q, f, err, "")
		}
		s.showCash(q, f, d)
		return
	}
	s.work.Lock()
	c, err := s.st.Services().Drawer.Count(q.ss.op.ID, counted, "web:"+d.CountKey)
	s.work.Unlock()
	if err != nil {
		s.refuse(q, f, err, "")
		s.showCash(q, f, d)
		return
	}
	l := q.ss.lang
	s.finish(q, d.CountKey, &outcome{Title: say(l, "钱箱清点", "Drawer count"), Big: say(l, "实点 ", "Counted ") + money.FormatReceipt(c.Counted),
		Lines: []string{say(l, "应有 ", "expected ") + money.FormatReceipt(c.Expected) + say(l, "，", ", ") + variance(l, c.Counted.Sub(c.Expected)),
			say(l, "记在账本第 ", "Ledger entry ") + itoa(c.Entry.Seq) + say(l, " 笔。", ".")}, Next: "/cash"})
}

// variance says a difference between counted and expected cash in the
// command line's words.
func variance(l string, v decimal.Decimal) string {
	switch {
	case v.IsNegative():
		return say(l, "短款 ", "short by ") + money.FormatReceipt(v.Neg())
	case v.IsPositive():
		return say(l, "长款 ", "over by ") + money.FormatReceipt(v)
	}
	return say(l, "账实相符", "they agree")
}

type reportData struct {
	C      settlement.Close
	Closed *ledger.Entry // a closed day's report: its day_close entry
}

// report shows the day so far (the X report), or with ?day= the report of
// a closed day as its close recorded it; nothing is recorded.
func (s *Server) report(q *req) {
	f := newForm(nil)
	d := &reportData{}
	if day := q.r.URL.Query().Get("day"); day != "" {
		err := s.st.Day(day, func(e ledger.Entry) error {
			if e.Kind == ledger.KindDayClose {
				if err := json.Unmarshal(e.Payload, &d.C); err != nil {
					return err
				}
				d.Closed = &e
			}
			return nil
		})
		if err != nil {
			f.Top = s.st.Explain(err, q.ss.lang)
		}
		if d.Closed != nil {
			s.renderForm(q, "report", f, d)
			return
		}
	}
	c, err := s.st.Report()
	if err != nil {
		f.Top = s.st.Explain(err, q.ss.lang)
	}
	d.C = c
	s.renderForm(q, "report", f, d)
}

type closeData struct {
	C         settlement.Close
	Owners    []string
	Confirm   bool
	Counted   string
	Variance  string
	HasCarry  bool
	ClosedDay string
}

func (s *Server) closeForm(q *req) {
	f := newForm(nil)
	f.Key = token()
	s.showClose(q, f, false)
}

func (s *Server) showClose(q *req, f *form, confirm bool) {
	d := &closeData{Confirm: confirm}
	c, err := s.st.Report()
	if err != nil {
		f.Top = s.st.Explain(err, q.ss.lang)
	}
	d.C = c
	d.HasCarry = len(c.Carried) > 0
	ops, _ := s.st.Operators()
	for _, o := range ops {
		if o.Role == terminal.RoleOwner {
			d.Owners = append(d.Owners, o.ID)
		}
	}
	if f.V("owner") == "" && len(d.Owners) > 0 {
		f.Values.Set("owner", d.Owners[0])
	}
	if confirm {
		counted, _ := money.Parse("counted", f.V("counted"), money.Limits{AllowZero: true})
		d.Counted = money.FormatReceipt(counted)
		d.Variance = variance(q.ss.lang, counted.Sub(c.Cash.Expected))
	}
	s.renderForm(q, "close", f, d)
}

// closeCheck shows the count against what the drawer should hold before
// the owner confirms.
func (s *Server) closeCheck(q *req) {
	f := newForm(q.r.PostForm)
	f.Key = q.r.PostFormValue("key")
	if _, err := money.Parse("counted", f.V("counted"), money.Limits{AllowZero: true}); err != nil {
		s.refuse(q, f, err, "")
		s.showClose(q, f, false)
		return
	}
	s.showClose(q, f, true)
}

// closeDay closes the business day with the owner's PIN and writes the
// settlement file.
func (s *Server) closeDay(q *req) {
	f := newForm(q.r.PostForm)
	f.Key = q.r.PostFormValue("key")
	counted, err := money.Parse("counted", f.V("counted"), money.Limits{AllowZero: true})
	if err != nil {
		s.refuse(q, f, err, "")
		s.showClose(q, f, false)
		return
	}
	approver, ok := s.ownerApproves(q, f)
	if !ok {
		s.showClose(q, f, true)
		return
	}
	s.work.Lock()
	c, err := s.st.CloseDay(q.r.Context(), q.ss.op.ID, approver, counted, f.V("carry") == "1")
	s.work.Unlock()
	if err != nil {
		var pe *terminal.PendingError
		if errors.As(err, &pe) || fieldOf(err) != "" {
			s.refuse(q, f, err, "")
			s.showClose(q, f, true)
			return
		}
		s.failed(q, f.Key, err, "/close")
		return
	}
	l := q.ss.lang
	s.finish(q, f.Key, &outcome{
		Title: say(l, "营业日 ", "Business day ") + c.Entry.Day + say(l, " 已日结", " is closed"),
		Big:   say(l, "实点 ", "Counted ") + money.FormatReceipt(counted),
		Lines: []string{
			say(l, "应有 ", "expected ") + money.FormatReceipt(c.Figures.Cash.Expected) + say(l, "，", ", ") + variance(l, c.Figures.Cash.Variance),
			say(l, "店主 ", "approved by owner ") + approver + say(l, " 确认，记在账本第 ", ", ledger entry ") + itoa(c.Entry.Seq) + say(l, " 笔。", "."),
			say(l, "日结文件已写好，交邮政用。请打开日结报告，打印后签字。", "The settlement file for the post office is written. Open the day report, print it and sign it."),
		},
		Report: "/report?day=" + c.Entry.Day,
		Next:   "/",
	})
}

package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/settlement"
	"github.com/villagepost/bianmin/terminal"
)

// row is one entry of the journal, as the shop reads it.
type row struct {
	Seq      uint64
	Time     string
	Kind     string // in the shop's words
	Raw      string // the ledger's kind
	Operator string
	CashIn   string // cash that came into the drawer
	CashOut  string
	Detail   string
	Receipt  bool // it moved money and has a receipt
	Voidable bool // a void may be asked for (terminal decides)
}

type journalData struct {
	Day    string
	Today  bool // Day is the open business day
	Closed bool // Day is closed
	Query  string
	System bool // the 系统记录 view: the program's own records
	Hidden int  // entries of the other view
	Rows   []row
	Days   []dayLink
}

// dayLink is one business day the journal can show, one tap away.
type dayLink struct {
	Day, Label string
	Closed     bool
	Shown      bool
}

// dayLinks lists the open day and the last days before it, newest first,
// each named as a person says it.
func (s *Server) dayLinks(lang, open, shown string) []dayLink {
	days, _ := s.st.Days()
	if len(days) == 0 || days[len(days)-1] != open {
		days = append(days, open)
	}
	var out []dayLink
	for i := len(days) - 1; i >= 0 && len(out) < 7; i-- {
		d := days[i]
		out = append(out, dayLink{Day: d, Label: dayWords(lang, d, open), Closed: d < open, Shown: d == shown})
	}
	return out
}

// dayWords names a business day: 今天 for the open day, else 12月5日.
func dayWords(lang, day, open string) string {
	if day == open {
		return say(lang, "今天（", "today (") + dayShort(lang, day) + ")"
	}
	return dayShort(lang, day)
}

func dayShort(lang, day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	if lang == "en" {
		return t.Format("2 Jan")
	}
	return terminal.DayZh(day)
}

// cashMove is what an entry did to the drawer.
func cashMove(e ledger.Entry) decimal.Decimal {
	d := decimal.Zero
	for _, p := range e.Postings {
		if p.Account == terminal.AccountCash && p.Commodity == ledger.Currency {
			d = d.Add(p.Signed())
		}
	}
	return d
}

// moves reports whether an entry moved money (and so has a receipt).
func moves(e ledger.Entry) bool {
	for _, p := range e.Postings {
		if p.Commodity == ledger.Currency {
			return true
		}
	}
	return false
}

func (s *Server) rowOf(e ledger.Entry, lang string) row {
	rw := row{Seq: e.Seq, Time: e.Time.In(s.st.Info().Zone).Format("15:04:05"), Kind: settlement.KindName(e.Kind, lang), Raw: e.Kind, Operator: e.Operator, Receipt: moves(e)}
	switch c := cashMove(e); {
	case c.IsPositive():
		rw.CashIn = money.FormatReceipt(c)
	case c.IsNegative():
		rw.CashOut = money.FormatReceipt(c.Neg())
	}
	rw.Detail = detailOf(e, lang, s.st.Services().Tariff)
	switch e.Kind {
	case "sale", "bill_payment", "topup":
		rw.Voidable = s.st.Services().Voids.Check(e.Seq) == nil
	}
	return rw
}

// journal lists today's entries, newest first, filtered by a search
// that matches the number, the kind, the operator or the details.
func (s *Server) journal(q *req) {
	f := newForm(q.r.URL.Query())
	st, err := s.st.Status()
	if err != nil {
		f.Top = s.st.Explain(err, q.ss.lang)
	}
	d := &journalData{Day: st.Day, Query: strings.TrimSpace(f.V("q")), System: f.V("view") == "system"}
	if v := f.V("day"); v != "" {
		if _, err := time.Parse(time.DateOnly, v); err == nil {
			d.Day = v
		}
	}
	d.Today, d.Closed = d.Day == st.Day, d.Day < st.Day
	d.Days = s.dayLinks(q.ss.lang, st.Day, d.Day)
	needle := strings.ToLower(d.Query)
	err = s.st.Day(d.Day, func(e ledger.Entry) error {
		if business(e.Kind) == d.System {
			d.Hidden++
			return nil
		}
		rw := s.rowOf(e, q.ss.lang)
		hay := strings.ToLower(strings.Join([]string{strconv.FormatUint(rw.Seq, 10), rw.Kind, e.Kind, rw.Operator, rw.Detail, rw.CashIn, rw.CashOut}, " "))
		if needle == "" || strings.Contains(hay, needle) {
			d.Rows = append(d.Rows, rw)
		}
		return nil
	})
	if err != nil {
		f.Top = s.st.Explain(err, q.ss.lang)
	}
	for i, j := 0, len(d.Rows)-1; i < j; i, j = i+1, j-1 {
		d.Rows[i], d.Rows[j] = d.Rows[j], d.Rows[i]
	}
	s.renderForm(q, "journal", f, d)
}

// toDeliver lists the sales whose goods still wait for delivery, of any
// day: a delivery may be promised weeks ahead. A voided sale is not
// listed: its goods are back in stock and must not leave the shop.
func (s *Server) toDeliver(q *req, f *form) *deliverData {
	st, err := s.st.Status()
	if err != nil {
		f.Top = s.st.Explain(err, q.ss.lang)
		return &deliverData{}
	}
	today := st.Day
	d := &deliverData{}
	index := map[uint64]int{}
	var voided []uint64
	err = s.st.Entries(func(e ledger.Entry) error {
		var p struct {
			Sale     uint64 `json:"sale"`
			Original uint64 `json:"original"`
			Total    string `json:"total"`
			Delivery *terminal.Delivery
		}
		switch e.Kind {
		case "sale", "delivery", terminal.KindVoid:
		default:
			return nil
		}
		json.Unmarshal(e.Payload, &p)
		switch {
		case e.Kind == "sale" && p.Delivery != nil:
			index[e.Seq] = len(d.Open)
			d.Open = append(d.Open, openSale{Seq: e.Seq, To: p.Delivery.To, By: p.Delivery.Promised, Total: p.Total, day: e.Day})
		case e.Kind == "delivery":
			if i, ok := index[p.Sale]; ok {
				d.Open[i].Received = true
			}
		case e.Kind == terminal.KindVoid:
			voided = append(voided, p.Original)
		}
		return nil
	})
	if err != nil {
		f.Top = s.st.Explain(err, q.ss.lang)
		return &deliverData{}
	}
	gone := map[int]bool{}
	for _, seq := range voided {
		if i, ok := index[seq]; ok {
			gone[i] = true
		}
	}
	open := d.Open[:0]
	for i, o := range d.Open {
		// A received sale stays in view on its own business day, as a
		// check of what was done; older received ones are finished.
		if gone[i] || (o.Received && o.day != today) {
			continue
		}
		open = append(open, o)
	}
	d.Open = open
	return d
}

func (s *Server) entryOf(q *req) (ledger.Entry, bool) {
	seq, err := strconv.ParseUint(q.r.PathValue("seq"), 10, 64)
	if err != nil {
		s.notFound(q)
		return ledger.Entry{}, false
	}
	e, err := s.st.Entry(seq)
	if err != nil {
		s.notFound(q)
		return ledger.Entry{}, false
	}
	return e, true
}

func (s *Server) notFound(q *req) {
	q.status = 404
	s.render(q, "problem", &outcome{Bad: true, Title: say(q.ss.lang, "没有这一笔", "No such entry"),
		Message: s.st.Explain(ledger.ErrNotFound, q.ss.lang), Next: "/journal"})
}

type voidData struct {
	Row       row
	Owners    []terminal.Operator
	NeedOwner bool
}

func (s *Server) voidForm(q *req) {
	e, ok := s.entryOf(q)
	if !ok {
		return
	}
	if err := s.st.Services().Voids.Check(e.Seq); err != nil {
		// Refused before the owner is asked for a PIN.
		q.status = http.StatusConflict
		s.render(q, "problem", &outcome{Bad: true, Title: say(q.ss.lang, "这笔不能撤销", "This entry cannot be voided"),
			Message: s.st.Explain(err, q.ss.lang), Next: "/journal"})
		return
	}
	f := newForm(nil)
	f.Key = token()
	s.showVoid(q, f, e)
}

func (s *Server) showVoid(q *req, f *form, e ledger.Entry) {
	ops, err := s.st.Operators()
	if err != nil {
		f.Top = s.st.Explain(err, q.ss.lang)
	}
	var owners []terminal.Operator
	for _, o := range ops {
		if o.Role == terminal.RoleOwner {
			owners = append(owners, o)
		}
	}
	if f.V("owner") == "" && len(owners) > 0 {
		f.Values.Set("owner", owners[0].ID)
		if q.ss.op.Role == terminal.RoleOwner {
			f.Values.Set("owner", q.ss.op.ID)
		}
	}
	s.renderForm(q, "void", f, &voidData{Row: s.rowOf(e, q.ss.lang), Owners: owners})
}

// ownerApproves checks the PIN of the owner who approves a void or a
// close; it returns the owner's id or puts the problem next to the PIN.
func (s *Server) ownerApproves(q *req, f *form) (string, bool) {
	op, err := s.authenticate(q, f.V("owner"), f.V("owner_pin"))
	f.Values.Del("owner_pin")
	if err != nil {
		f.Errors["owner_pin"] = s.st.Explain(err, q.ss.lang)
		return "", false
	}
	if op.Role != terminal.RoleOwner {
		f.Errors["owner_pin"] = s.st.Explain(terminal.ErrNotOwner, q.ss.lang)
		return "", false
	}
	return op.ID, true
}

// void reverses a same-day sale or queued payment, with the owner's PIN.
func (s *Server) void(q *req) {
	e, ok := s.entryOf(q)
	if !ok {
		return
	}
	f := newForm(q.r.PostForm)
	f.Key = q.r.PostFormValue("key")
	reason := strings.TrimSpace(f.V("reason"))
	if reason == "" {
		f.Errors["reason"] = say(q.ss.lang, "请写明撤销原因，例如“顾客不要了”。", "Say why, e.g. the customer changed their mind.")
	}
	approver, ok := s.ownerApproves(q, f)
	if !ok || f.Bad() {
		s.showVoid(q, f, e)
		return
	}
	s.work.Lock()
	r, err := s.st.Services().Voids.Void(q.ss.op.ID, approver, e.Seq, reason)
	s.work.Unlock()
	if err != nil {
		s.failed(q, f.Key, err, "/journal")
		return
	}
	l := q.ss.lang
	o := &outcome{
		Title:   say(l, "已撤销第 ", "Voided entry ") + itoa(r.Original.Seq) + say(l, " 笔", ""),
		Big:     say(l, "请退给顾客现金 ", "Give back ") + money.FormatReceipt(r.Refund),
		Capital: money.Capital(r.Refund),
		Lines:   []string{say(l, "店主 ", "approved by owner ") + approver + say(l, " 批准，记在账本第 ", ", ledger entry ") + itoa(r.Entry.Seq) + say(l, " 笔。", ".")},
		Receipt: r.Entry.Seq, Next: "/journal",
	}
	s.issue(q, o)
	s.finish(q, f.Key, o)
}

type queueData struct {
	Pending []terminal.PendingItem
	Refunds []terminal.RefundDue
	Keys    map[uint64]string
}

// queue lists what waits for a host and the refunds owed.
func (s *Server) queue(q *req) {
	f := newForm(nil)
	d := &queueData{Keys: map[uint64]string{}}
	var err error
	if d.Pending, err = s.st.Pending(); err != nil {
		f.Top = s.st.Explain(err, q.ss.lang)
	}
	if d.Refunds, err = s.st.Services().Refunds.Due(); err != nil {
		f.Top = s.st.Explain(err, q.ss.lang)
	}
	for _, r := range d.Refunds {
		d.Keys[r.Entry] = token()
	}
	s.renderForm(q, "queue", f, d)
}

// refund hands back a refund owed; paying it twice records nothing more.
func (s *Server) refund(q *req) {
	key := q.r.PostFormValue("key")
	seq, err := strconv.ParseUint(q.r.PathValue("seq"), 10, 64)
	if err != nil || key == "" {
		s.forbidden(q)
		return
	}
	s.work.Lock()
	r, err := s.st.Services().Refunds.Pay(q.ss.op.ID, seq)
	s.work.Unlock()
	if err != nil {
		s.failed(q, key, err, "/queue")
		return
	}
	l := q.ss.lang
	o := &outcome{Title: say(l, "退款已付", "Refund paid"), Big: say(l, "请退给顾客现金 ", "Give back ") + money.FormatReceipt(r.Amount),
		Capital: money.Capital(r.Amount), Receipt: r.Entry.Seq, Next: "/queue",
		Lines: []string{say(l, "记在账本第 ", "Ledger entry ") + itoa(r.Entry.Seq) + say(l, " 笔。", ".")}}
	if r.Before {
		o = &outcome{Title: say(l, "这笔退款已经付过了", "This refund was paid already"), Big: say(l, "不要再给现金", "Give no cash again"),
			Receipt: r.Entry.Seq, Next: "/queue",
			Lines: []string{say(l, "已在账本第 ", "It was paid in ledger entry ") + itoa(r.Entry.Seq) + say(l, " 笔付过 ", " (") + money.FormatReceipt(r.Amount) + say(l, "，这次没有记账。", "); nothing was recorded now.")}}
	}
	s.issue(q, o)
	s.finish(q, key, o)
}

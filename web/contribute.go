package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/tariff"
	"github.com/villagepost/bianmin/terminal"
)

// The residents' medical and pension insurance screen (医保养老代收): a
// household's members on one form, the host's quote for each to show the
// villager, then one payment for all of them. Every rule is
// terminal.Contributions'; this file only lays out what it says.

func (s *Server) contributeRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /contribute", s.auth(s.contributeForm))
	mux.HandleFunc("POST /contribute/row", s.auth(s.contributeRow))
	mux.HandleFunc("POST /contribute/edit", s.auth(s.contributeEdit))
	mux.HandleFunc("POST /contribute/check", s.auth(s.contributeCheck))
	mux.HandleFunc("POST /contribute", s.auth(s.contributePay))
}

// contribData is what the household form offers: the schemes open today,
// what it says of the closed ones, the pension grades, and the rows.
type contribData struct {
	Open   []terminal.SchemeWindow
	Closed []string
	Grades []string // the open pension year's grades, CNY two places
	// Medical: the medical scheme is open, so a row may choose no grade.
	Medical bool
	Rows    []int // from 1
	More    bool  // another row may be added
}

// contribData lays out the form f for n member rows.
func (s *Server) contribData(q *req, f *form, n int) *contribData {
	d := &contribData{}
	svc := s.st.Services().Contributions
	if svc == nil || len(svc.Tariff.Contributions) == 0 {
		if f.Top == "" {
			f.Top = s.st.Explain(terminal.ErrNoContributions, q.ss.lang)
		}
		return d
	}
	for _, w := range svc.Windows() {
		if !w.Open {
			d.Closed = append(d.Closed, closedWords(q.ss.lang, w.Closed))
			continue
		}
		d.Open = append(d.Open, w)
		d.Medical = d.Medical || w.Scheme.ID == tariff.SchemeMedical
		if w.Scheme.ID == tariff.SchemePension {
			for _, g := range w.Year.Grades {
				d.Grades = append(d.Grades, money.FormatWire(g.Decimal))
			}
		}
	}
	if len(d.Open) == 0 {
		return d
	}
	for i := 1; i <= n; i++ {
		d.Rows = append(d.Rows, i)
		if f.V(rowField("scheme", i)) == "" {
			f.Values.Set(rowField("scheme", i), d.Open[0].Scheme.ID)
		}
	}
	d.More = n < terminal.MaxMembers
	f.Values.Set("rows", strconv.Itoa(n))
	return d
}

// closedWords says when a closed scheme closed and when it opens again.
func closedWords(l string, e *terminal.WindowClosedError) string {
	if l != "en" {
		return e.Zh() + "。"
	}
	s := e.SchemeName + " takes no contributions today"
	if e.LastYear != 0 {
		s += fmt.Sprintf(": %d closed on %s", e.LastYear, e.LastClose)
	}
	if e.NextYear != 0 {
		return s + fmt.Sprintf("; %d opens on %s, come back then.", e.NextYear, e.NextOpen)
	}
	return s + "; the next year's dates are not out yet."
}

func rowField(name string, row int) string { return name + strconv.Itoa(row) }

// rowsOf is how many member rows form f has, at least one.
func rowsOf(f *form) int {
	n, err := strconv.Atoi(f.V("rows"))
	if err != nil || n < 1 {
		return 1
	}
	return min(n, terminal.MaxMembers)
}

func (s *Server) contributeForm(q *req) {
	f := newForm(nil)
	f.Key = token()
	s.renderForm(q, "contribute", f, s.contribData(q, f, 1))
}

// contributeRow shows the form again with one more empty row; nothing is
// checked.
func (s *Server) contributeRow(q *req) {
	f := newForm(q.r.PostForm)
	f.Key = q.r.PostFormValue("key")
	s.renderForm(q, "contribute", f, s.contribData(q, f, min(rowsOf(f)+1, terminal.MaxMembers)))
}

// contributeEdit takes what was typed back from the quote to the form.
func (s *Server) contributeEdit(q *req) {
	f := newForm(q.r.PostForm)
	f.Key = q.r.PostFormValue("key")
	s.renderForm(q, "contribute", f, s.contribData(q, f, rowsOf(f)))
}

// householdTyped reads the household off the form. Rows left empty (no
// name, no ID number) are dropped and the rest numbered again, so that
// "member 2" in a message is the second row on the screen.
func (s *Server) householdTyped(q *req, f *form) terminal.Household {
	h := terminal.Household{Operator: q.ss.op.ID, Head: f.V("head"), IdemKey: "web:" + f.Key}
	n, kept := rowsOf(f), 0
	for i := 1; i <= n; i++ {
		name, id := strings.TrimSpace(f.V(rowField("name", i))), strings.TrimSpace(f.V(rowField("id", i)))
		scheme, grade := f.V(rowField("scheme", i)), f.V(rowField("grade", i))
		for _, k := range []string{"name", "id", "scheme", "grade"} {
			f.Values.Del(rowField(k, i))
		}
		if name == "" && id == "" {
			continue
		}
		kept++
		f.Values.Set(rowField("name", kept), name)
		f.Values.Set(rowField("id", kept), id)
		f.Values.Set(rowField("scheme", kept), scheme)
		f.Values.Set(rowField("grade", kept), grade)
		m := terminal.Member{Name: name, IDNumber: id, Scheme: scheme}
		if grade != "" {
			g, err := money.Parse("grade", grade, money.Limits{})
			if err != nil {
				s.refuseMember(q, f, &terminal.MemberError{Row: kept, Err: err})
			}
			m.Grade = g
		}
		h.Members = append(h.Members, m)
	}
	f.Values.Set("rows", strconv.Itoa(max(kept, 1)))
	return h
}

// refuseMember puts the station's message for err next to the member's
// field it is about (name2, id1 …), or at the top of the form.
func (s *Server) refuseMember(q *req, f *form, err error) {
	msg := s.st.Explain(err, q.ss.lang)
	var me *terminal.MemberError
	if errors.As(err, &me) {
		switch field := fieldOf(me.Err); field {
		case "name", "id", "scheme", "grade":
			f.Errors[rowField(field, me.Row)] = msg
			return
		}
	}
	if fieldOf(err) == "head" {
		f.Errors["head"] = msg
		return
	}
	f.Top = msg
}

// contributeTyped reads and checks the household; on bad input it shows
// the form again with the member's row and field marked.
func (s *Server) contributeTyped(q *req) (*form, terminal.Household, bool) {
	f := newForm(q.r.PostForm)
	f.Key = q.r.PostFormValue("key")
	svc := s.st.Services().Contributions
	h := s.householdTyped(q, f)
	if !f.Bad() && svc != nil && f.Key != "" {
		err := svc.Check(h)
		if err == nil {
			return f, h, true
		}
		s.refuseMember(q, f, err)
	}
	s.renderForm(q, "contribute", f, s.contribData(q, f, rowsOf(f)))
	return f, h, false
}

// contributeCheck asks the host what each member owes and shows the
// villager the quote: nothing is recorded.
func (s *Server) contributeCheck(q *req) {
	f, h, ok := s.contributeTyped(q)
	if !ok {
		return
	}
	l := q.ss.lang
	sv := s.st.Services()
	hq, err := sv.Contributions.Quote(q.r.Context(), h)
	if err != nil {
		s.refuseMember(q, f, err)
		s.renderForm(q, "contribute", f, s.contribData(q, f, rowsOf(f)))
		return
	}
	var lines []string
	if hq.Head != "" {
		lines = append(lines, say(l, "户主 ", "Household of ")+hq.Head)
	}
	due := 0
	for _, m := range hq.Members {
		if m.Status == terminal.MemberDue {
			due++
		}
		lines = append(lines, memberWords(l, m))
	}
	if due == 0 {
		f.Top = say(l, "社保系统一位也不收，没有要交的钱，不要收钱。什么都没有记。", "The social-insurance host takes none of them: nothing to pay, take no cash. Nothing was recorded.") +
			" " + strings.Join(lines, " ")
		s.renderForm(q, "contribute", f, s.contribData(q, f, rowsOf(f)))
		return
	}
	lines = append(lines, say(l, fmt.Sprintf("共 %d 人可以缴。没有列出金额的成员不收钱。", due), fmt.Sprintf("%d member(s) can pay. Members with no amount are not charged.", due)))
	// The quote carries the tariff it was priced under, as every
	// confirmation does (reprice.go): the fee is the tariff's.
	s.renderPriced(q, "contribquote", f, sv.Tariff, &confirmData{Action: "/contribute", Back: "/contribute", Edit: true,
		Service: say(l, "城乡居民医保、养老保险代收：请收现金", "Residents' medical and pension insurance: take in cash"),
		Lines:   lines, Amount: money.FormatReceipt(hq.Total), Capital: money.Capital(hq.Total), Verb: say(l, "确认收款并缴费", "Cash taken: pay")})
}

// contributePay pays the household: each member the host takes under the
// host rule, one receipt for all. The same key pays once: a double click
// or a reload is answered from the ledger.
func (s *Server) contributePay(q *req) {
	f, h, ok := s.contributeTyped(q)
	if !ok {
		return
	}
	s.work.Lock()
	sv := s.st.Services()
	if s.repriced(q, f, sv.Tariff) {
		// A newer tariff came in since the quote: nothing is paid, the
		// villager is shown the quote again under the tariff in force.
		s.work.Unlock()
		s.contributeCheck(q)
		return
	}
	r, err := sv.Contributions.Pay(q.r.Context(), h)
	s.work.Unlock()
	l := q.ss.lang
	var (
		np *terminal.NothingToPayError
		hp *terminal.HouseholdPartError
	)
	switch {
	case errors.As(err, &np):
		s.failed(q, f.Key, err, "/contribute")
		return
	case errors.As(err, &hp):
		// Stopped partway (a full disk): the members paid are paid, each
		// with its own receipt; take their cash only.
		out := &outcome{Bad: true,
			Title:   say(l, fmt.Sprintf("只缴成了 %d 人", len(hp.Charged)), fmt.Sprintf("Only %d member(s) paid", len(hp.Charged))),
			Big:     say(l, "只收现金 ", "Take only ") + money.FormatReceipt(hp.Total),
			Capital: money.Capital(hp.Total),
			Message: s.st.Explain(err, l), Next: "/contribute",
		}
		for _, m := range hp.Charged {
			out.Lines = append(out.Lines, memberWords(l, m)+say(l, "收据在账本第 ", " Receipt: ledger entry ")+itoa(m.Entry)+say(l, " 笔。", "."))
		}
		if len(hp.Charged) == 1 {
			out.Receipt = hp.Charged[0].Entry
		}
		s.finish(q, f.Key, out)
		return
	case err != nil && fieldOf(err) != "":
		s.refuseMember(q, f, err)
		s.renderForm(q, "contribute", f, s.contribData(q, f, rowsOf(f)))
		return
	case err != nil:
		s.failedHost(q, f.Key, err, "/contribute")
		return
	}
	out := &outcome{
		Title:   say(l, fmt.Sprintf("缴费成功 %d 人", r.Paid), fmt.Sprintf("%d member(s) paid", r.Paid)),
		Big:     say(l, "收现金 ", "Take ") + money.FormatReceipt(r.Total),
		Capital: money.Capital(r.Total),
		Receipt: r.Entry.Seq, Next: "/contribute",
	}
	if r.Head != "" {
		out.Lines = append(out.Lines, say(l, "户主 ", "Household of ")+r.Head)
	}
	for _, m := range r.Members {
		out.Lines = append(out.Lines, memberWords(l, m))
	}
	if r.Paid < len(r.Members) {
		out.Lines = append(out.Lines, say(l, "没有缴成的成员没有收钱，只收上面的合计。", "Members not paid are not charged: take only the total above."))
	}
	out.Lines = append(out.Lines, say(l, "本店佣金 ", "Shop commission ")+money.FormatReceipt(r.Commission)+
		say(l, "。回执记在账本第 ", ". The receipt is ledger entry ")+itoa(r.Entry.Seq)+say(l, " 笔。", "."))
	s.issue(q, out)
	s.finish(q, f.Key, out)
}

// memberWords says what is (or became) of one member: the amount and the
// category, the confirmation number, or why they are not charged.
func memberWords(l string, m terminal.MemberLine) string {
	who := say(l, fmt.Sprintf("%d. %s（%s）%s %d 年度：", m.Row, m.Name, m.ID, m.SchemeName, m.Year),
		fmt.Sprintf("%d. %s (%s) %s %d: ", m.Row, m.Name, m.ID, m.SchemeName, m.Year))
	grade := ""
	if m.Scheme == tariff.SchemePension {
		grade = say(l, "，档次 ", ", grade ") + money.FormatReceipt(m.Grade)
	}
	cat := say(l, tariff.CategoryZh(m.Category)+"人员", m.Category)
	amount := money.FormatReceipt(m.Amount.Add(m.Fee))
	switch m.Status {
	case terminal.MemberDue:
		return who + cat + grade + say(l, "，应缴 ", ", due ") + amount
	case terminal.MemberPaid:
		return who + cat + grade + say(l, "，已缴 ", ", paid ") + amount + say(l, "，确认号 ", ", confirmation ") + m.Reference
	case terminal.MemberRefused, terminal.MemberDeclined:
		return who + say(l, fmt.Sprintf("社保系统不收（代码 %s：%s），不收这个人的钱。", m.Code, terminal.ContributionCodeZh(m.Code, m.Reason)),
			fmt.Sprintf("refused by the social-insurance host (code %s: %s); not charged.", m.Code, m.Reason))
	case terminal.MemberReversed:
		return who + say(l, fmt.Sprintf("没有收到社保系统的回音，已冲正（流水号 %s）：没有缴成，不收这个人的钱，可以稍后再为他缴。", m.Trace),
			fmt.Sprintf("no answer from the social-insurance host, reversed (trace %s): not paid, not charged; pay for them again later.", m.Trace))
	}
	return who + say(l, "连不上社保系统，没有缴，不收这个人的钱。请等网络恢复后再为他缴。",
		"the social-insurance host could not be reached: not paid, not charged. Pay for them when the network is back.")
}

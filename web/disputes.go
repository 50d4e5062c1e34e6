package web

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/settlement"
	"github.com/villagepost/bianmin/terminal"
)

// disputeRow is one dispute on the 业务纠纷 page, in the shop's words.
type disputeRow struct {
	terminal.Dispute
	ServiceName string
	Next        string // what to do next, and by when
	Open        bool   // something is still to be done
	Key         string // a fresh idempotency key for its refund button
}

type disputesData struct {
	Rows []disputeRow
}

// disputeWords says what the station's records or a host's answer say
// became of a request.
func disputeWords(lang, state string) string {
	w, ok := map[string][2]string{
		"approved": {"成功", "approved"}, "confirmed": {"成功", "approved"},
		"declined": {"被拒绝", "declined"}, "refused": {"被拒绝", "declined"},
		"reversed": {"已冲正（没有扣款）", "reversed (nothing taken)"}, "reversal_due": {"待冲正", "reversal owed"},
		"not_sent": {"没有发出", "not sent"}, "queued": {"断网受理，排队待发", "queued"},
		"waitlisted": {"候补中", "waitlisted"}, "pending": {"候补中", "waitlisted"}, "voided": {"已撤销", "voided"},
		"none": {"没有这笔记录", "no record of it"}, terminal.HostNoAnswer: {"没有回音", "no answer"}, "open": {"结果不明", "unknown"},
	}[state]
	if !ok {
		return say(lang, "结果不明", "unknown")
	}
	return say(lang, w[0], w[1])
}

// hostWords names the host a service asks.
func hostWords(lang, service string) string {
	switch terminal.HostName(service) {
	case "bank":
		return say(lang, "银行", "The bank")
	case "biller":
		return say(lang, "缴费单位", "The biller")
	case "insurer":
		return say(lang, "保险公司", "The insurer")
	case "telecom":
		return say(lang, "运营商", "The telecom carrier")
	case "social":
		return say(lang, "社保系统", "The social-insurance host")
	}
	return say(lang, "票务系统", "The ticket carrier")
}

// disputeNextWords says what to do next about a dispute, and by when.
func disputeNextWords(lang, today string, dp terminal.Dispute) string {
	switch dp.State {
	case terminal.DisputeRefund:
		return say(lang, "邮政支局答复：要退给顾客 "+money.FormatReceipt(dp.Refund)+"（"+dp.Reason+"）。请点“退款”把钱退给顾客。",
			"The post office decided "+money.FormatReceipt(dp.Refund)+" is owed ("+dp.Reason+"). Press Refund and give it to the customer.")
	case terminal.DisputeRefunded:
		return say(lang, "已退给顾客 "+money.FormatReceipt(dp.Refund)+"（第 "+itoa(dp.Paid)+" 笔），这笔纠纷办完了。",
			"Refunded "+money.FormatReceipt(dp.Refund)+" (entry "+itoa(dp.Paid)+"): done.")
	case terminal.DisputeNoneOwed:
		return say(lang, "邮政支局答复：不用退钱（"+dp.Reason+"）。请把答复告诉顾客，这笔纠纷办完了。",
			"The post office decided nothing is owed ("+dp.Reason+"). Tell the customer: done.")
	}
	if today > dp.AnswerBy {
		return say(lang, "邮政支局应在 "+dp.AnswerBy+" 前答复，还没有答复：请打电话问邮政支局。现在不要付钱。",
			"The post office was to answer by "+dp.AnswerBy+" and has not: call the post office. Pay nothing yet.")
	}
	return say(lang, "等邮政支局答复（"+dp.AnswerBy+" 前）。答复到了会显示在这里；现在不要付钱。",
		"Waiting for the post office's answer (by "+dp.AnswerBy+"). It shows here when it comes; pay nothing yet.")
}

// disputes lists the station's disputes: those with something still to
// do first, each with what to do next.
func (s *Server) disputes(q *req) {
	f := newForm(nil)
	d := &disputesData{}
	ds := s.st.Services().Disputes
	if ds == nil {
		f.Top = say(q.ss.lang, "本站程序不能登记业务纠纷。请联系邮政支局。", "This station's program keeps no disputes. Call the post office.")
		s.renderForm(q, "disputes", f, d)
		return
	}
	list, err := ds.List()
	if err != nil {
		f.Top = s.st.Explain(err, q.ss.lang)
	}
	today := s.now().In(s.st.Info().Zone).Format("2006-01-02")
	var done []disputeRow
	for i := len(list) - 1; i >= 0; i-- { // newest first
		dp := list[i]
		row := disputeRow{Dispute: dp, ServiceName: settlement.KindName(dp.Service, q.ss.lang), Next: disputeNextWords(q.ss.lang, today, dp),
			Open: dp.State == terminal.DisputeWaiting || dp.State == terminal.DisputeRefund}
		if dp.State == terminal.DisputeRefund {
			row.Key = token()
		}
		if row.Open {
			d.Rows = append(d.Rows, row)
		} else {
			done = append(done, row)
		}
	}
	d.Rows = append(d.Rows, done...)
	s.renderForm(q, "disputes", f, d)
}

// disputeFormData is what the dispute form offers beyond its fields: the
// members of a household's contribution receipt to choose from.
type disputeFormData struct {
	Members []memberChoice
}

type memberChoice struct {
	Row   int
	Words string
}

// memberChoices lists the members of a household's receipt the host was
// asked about, in the shop's words, to choose the one disputed.
func memberChoices(lang string, members []terminal.DisputeMember) []memberChoice {
	var out []memberChoice
	for _, m := range members {
		if m.Entry == 0 {
			continue
		}
		st := say(lang, "没有缴成，没有收钱", "not paid, not charged")
		switch m.Status {
		case terminal.MemberPaid:
			st = say(lang, "已缴 ", "paid ") + money.FormatReceipt(m.Amount)
		case terminal.MemberReversed:
			st = say(lang, "没有回音，已冲正，没有收钱", "no answer, reversed, not charged")
		}
		out = append(out, memberChoice{Row: m.Row, Words: say(lang,
			fmt.Sprintf("%d. %s（%s）%s %d 年度，%s", m.Row, m.Name, m.ID, m.SchemeName, m.Year, st),
			fmt.Sprintf("%d. %s (%s) %s %d, %s", m.Row, m.Name, m.ID, m.SchemeName, m.Year, st))})
	}
	return out
}

func (s *Server) disputeForm(q *req) {
	f := newForm(nil)
	f.Key = token()
	if s.st.Services().Disputes == nil {
		f.Top = say(q.ss.lang, "本站程序不能登记业务纠纷。请联系邮政支局。", "This station's program keeps no disputes. Call the post office.")
	}
	s.render(q, "dispute", f)
}

// disputeEdit takes what was typed back from the confirmation to the
// form. Nothing is checked or recorded.
func (s *Server) disputeEdit(q *req) {
	f := newForm(q.r.PostForm)
	f.Key = q.r.PostFormValue("key")
	d := &disputeFormData{}
	if s.st.Services().Disputes != nil {
		d.Members = memberChoices(q.ss.lang, s.householdMembers(f.V("entry")))
	}
	s.renderForm(q, "dispute", f, d)
}

// disputeTyped reads the form: the entry by its number or the receipt's
// code (both, if given, must agree) and what the villager says. On bad
// input it shows the form again with the field marked and returns false.
func (s *Server) disputeTyped(q *req) (*form, uint64, bool) {
	f := newForm(q.r.PostForm)
	f.Key = q.r.PostFormValue("key")
	l := q.ss.lang
	ds := s.st.Services().Disputes
	if ds == nil || f.Key == "" {
		s.forbidden(q)
		return f, 0, false
	}
	code, typed := strings.TrimSpace(f.V("code")), strings.TrimSpace(toHalfWidth(f.V("entry")))
	var seq uint64
	if typed != "" {
		n, err := strconv.ParseUint(typed, 10, 64)
		if err != nil || n == 0 {
			f.Errors["entry"] = say(l, "“账本序号”要写收据上的账本序号，是一个数字，例如 7", "Entry number: the number printed on the receipt as the entry, e.g. 7")
		}
		seq = n
	}
	if code != "" {
		n, err := ds.EntryOfCode(code)
		var de *terminal.DisputeError
		switch {
		case errors.As(err, &de):
			f.Errors["code"] = say(l, de.RuleZh+"。", de.Rule+".")
		case err != nil:
			f.Top = s.st.Explain(err, l)
		case seq != 0 && seq != n:
			f.Errors["entry"] = say(l, "账本序号 "+itoa(seq)+" 和验证码说的第 "+itoa(n)+" 笔不是同一笔。只填一个就行。",
				"Entry number "+itoa(seq)+" and the code's entry "+itoa(n)+" differ: fill in one of them.")
		default:
			seq = n
		}
	}
	if code == "" && typed == "" {
		f.Errors["entry"] = say(l, "请填收据上的账本序号，或者照抄收据二维码下面的验证码。", "Fill in the receipt's entry number, or copy the code under its QR code.")
	}
	if err := terminal.CheckSays(f.V("says")); err != nil {
		var de *terminal.DisputeError
		errors.As(err, &de)
		f.Errors["says"] = say(l, de.RuleZh+"。", "What the customer says: "+de.Rule+".")
	}
	if f.Bad() {
		s.render(q, "dispute", f)
		return f, 0, false
	}
	// A household's contribution receipt: each member's payment went to
	// the host on its own, so the dispute is about the member the
	// customer means (the only one the host was asked about needs no
	// choice).
	members, household, err := ds.HouseholdOf(seq)
	if err != nil {
		f.Top = s.st.Explain(err, l)
		s.render(q, "dispute", f)
		return f, 0, false
	}
	if !household {
		f.Values.Del("member")
		f.Values.Set("entry", itoa(seq))
		return f, seq, true
	}
	row, _ := strconv.Atoi(f.V("member"))
	n, err := ds.MemberEntry(seq, max(row, 0))
	if err == nil {
		f.Values.Set("entry", itoa(seq)) // the receipt shown; n is the member's
		return f, n, true
	}
	var de *terminal.DisputeError
	d := &disputeFormData{Members: memberChoices(l, members)}
	switch {
	case !errors.As(err, &de):
		f.Top = s.st.Explain(err, l)
	case row == 0 && len(d.Members) > 1:
		f.Errors["member"] = say(l, "这是一户人家 "+itoa(uint64(len(d.Members)))+" 位成员的缴费回执：请问顾客说的是哪一位，点选后再按下一步。",
			"This receipt is a household's, for "+itoa(uint64(len(d.Members)))+" members: ask the customer which one, choose it, then press Next.")
	default:
		f.Errors["member"] = say(l, de.RuleZh+"。", de.Rule+".")
	}
	s.renderForm(q, "dispute", f, d)
	return f, 0, false
}

// disputeCheck shows the entry found, what the villager says, what the
// station's records say and what the host answers now, for the villager
// to check before the dispute is registered.
func (s *Server) disputeCheck(q *req) {
	f, seq, ok := s.disputeTyped(q)
	if !ok {
		return
	}
	l := q.ss.lang
	s.work.Lock()
	look, err := s.st.Services().Disputes.Look(q.r.Context(), seq)
	s.work.Unlock()
	if err != nil {
		s.disputeRefused(q, f, err)
		return
	}
	if look.Before != nil {
		f.Top = say(l, "这笔业务已经登记过纠纷（第 "+itoa(look.Before.Seq)+" 笔），不用再登记。请到“业务纠纷”看它办到哪一步了。",
			"This request has a dispute already (entry "+itoa(look.Before.Seq)+"): nothing to register again. See Disputes for where it stands.")
		s.render(q, "dispute", f)
		return
	}
	zone := s.st.Info().Zone
	host := disputeWords(l, look.HostStatus)
	if a, err := money.ParseWire(look.HostAmount); err == nil && a.IsPositive() {
		host += say(l, "，", ", ") + money.FormatReceipt(a)
	}
	lines := []string{
		say(l, "第 ", "Entry ") + itoa(seq) + say(l, " 笔 ", " ") + settlement.KindName(look.Service, l) + say(l, "，流水号 ", ", trace ") + look.Trace +
			say(l, "，", ", ") + look.Entry.Time.In(zone).Format("2006-01-02 15:04"),
		say(l, "顾客说：", "The customer says: ") + strings.TrimSpace(f.V("says")),
		say(l, "本站账上：", "Station's records: ") + disputeWords(l, look.StationState) + say(l, "；", "; ") +
			hostWords(l, look.Service) + say(l, "现在说：", " now: ") + host + say(l, "（", " (") + look.Asked.In(zone).Format("15:04") + say(l, " 查询）", ")"),
		say(l, "邮政支局会在 "+look.AnswerBy+" 前答复。现在不要付钱。", "The post office answers by "+look.AnswerBy+". Pay nothing now."),
	}
	if shown := f.V("entry"); shown != itoa(seq) {
		// A member of a household's receipt: say which.
		for _, m := range s.householdMembers(shown) {
			if m.Entry == seq {
				lines = append([]string{say(l, "回执第 "+shown+" 笔上的第 "+strconv.Itoa(m.Row)+" 位家庭成员："+m.Name+"（"+m.ID+"）",
					"Member "+strconv.Itoa(m.Row)+" on the receipt of entry "+shown+": "+m.Name+" ("+m.ID+")")}, lines...)
			}
		}
	}
	s.renderForm(q, "confirm", f, &confirmData{Action: "/dispute", Back: "/dispute", Edit: true, Service: say(l, "登记业务纠纷", "Register a dispute"),
		Lines: lines, Amount: money.FormatReceipt(look.Amount), Capital: money.Capital(look.Amount), Verb: say(l, "确认登记", "Register it")})
}

// householdMembers lists the members of the household receipt whose
// entry number is shown, or none.
func (s *Server) householdMembers(shown string) []terminal.DisputeMember {
	n, err := strconv.ParseUint(shown, 10, 64)
	if err != nil {
		return nil
	}
	members, _, err := s.st.Services().Disputes.HouseholdOf(n)
	if err != nil {
		s.logf("web: dispute: household %d: %v", n, err)
	}
	return members
}

// disputeRefused shows why a dispute cannot be registered, next to the
// field it is about.
func (s *Server) disputeRefused(q *req, f *form, err error) {
	var de *terminal.DisputeError
	if errors.As(err, &de) && (de.Field == "entry" || de.Field == "code" || de.Field == "says") {
		f.Errors[de.Field] = say(q.ss.lang, de.RuleZh+"。", de.Rule+".")
	} else {
		f.Top = s.st.Explain(err, q.ss.lang)
	}
	s.render(q, "dispute", f)
}

// disputeOpen registers the dispute: the host is asked again and its
// answer kept with what the villager says, and the receipt printed.
func (s *Server) disputeOpen(q *req) {
	f, seq, ok := s.disputeTyped(q)
	if !ok {
		return
	}
	l := q.ss.lang
	s.work.Lock()
	dp, added, err := s.st.Services().Disputes.Open(q.r.Context(), terminal.DisputeRequest{Operator: q.ss.op.ID, Entry: seq, Says: f.V("says")})
	s.work.Unlock()
	if err != nil {
		s.disputeRefused(q, f, err)
		return
	}
	zone := s.st.Info().Zone
	host := disputeWords(l, dp.HostStatus)
	if a, err := money.ParseWire(dp.HostAmount); err == nil && a.IsPositive() {
		host += say(l, "，", ", ") + money.FormatReceipt(a)
	}
	title := say(l, "已登记业务纠纷（第 ", "Dispute registered (entry ") + itoa(dp.Seq) + say(l, " 笔）", ")")
	if !added {
		title = say(l, "这笔业务已经登记过纠纷（第 ", "This request has a dispute already (entry ") + itoa(dp.Seq) + say(l, " 笔），没有再记", "); nothing more recorded")
	}
	out := &outcome{
		Title: title,
		Big:   say(l, "现在不要付钱", "Pay nothing now"),
		Lines: []string{
			say(l, "第 ", "Entry ") + itoa(dp.Disputed) + say(l, " 笔 ", " ") + settlement.KindName(dp.Service, l) + " " + money.FormatReceipt(dp.Amount) + say(l, "，流水号 ", ", trace ") + dp.Trace,
			say(l, "顾客说：", "The customer says: ") + dp.Says,
			say(l, "本站账上：", "The station's records: ") + disputeWords(l, dp.StationState),
			hostWords(l, dp.Service) + say(l, "当时说：", " said: ") + host + say(l, "（", " (asked ") + dp.Asked.In(zone).Format("2006-01-02 15:04") + say(l, " 查询）", ")"),
			say(l, "邮政支局会在 "+dp.AnswerBy+" 前答复。答复到了，首页和“业务纠纷”会显示。请把收据交给顾客。",
				"The post office answers by "+dp.AnswerBy+"; the start screen and Disputes show it when it comes. Give the customer the receipt."),
			say(l, "记在账本第 ", "Ledger entry ") + itoa(dp.Seq) + say(l, " 笔。", "."),
		},
		Receipt: dp.Seq, Next: "/disputes",
	}
	if added {
		s.issue(q, out)
	} else {
		out.Paper, _ = s.st.ReceiptText(dp.Seq, l)
	}
	s.finish(q, f.Key, out)
}

// disputeRefund pays from the drawer the refund the post office decided
// a villager is owed, once, with a receipt. A second press pays nothing
// and says which entry paid it.
func (s *Server) disputeRefund(q *req) {
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
		s.failed(q, key, err, "/disputes")
		return
	}
	l := q.ss.lang
	o := &outcome{Title: say(l, "业务纠纷退款已付", "Dispute refund paid"), Big: say(l, "请退给顾客现金 ", "Give back ") + money.FormatReceipt(r.Amount),
		Capital: money.Capital(r.Amount), Receipt: r.Entry.Seq, Next: "/disputes",
		Lines: []string{say(l, "邮政支局答复的退款（第 ", "The refund the post office decided (entry ") + itoa(seq) + say(l, " 笔），从钱箱付出。", "), paid from the drawer."),
			say(l, "记在账本第 ", "Ledger entry ") + itoa(r.Entry.Seq) + say(l, " 笔。请把收据交给顾客。", ". Give the customer the receipt.")}}
	if r.Before {
		o = &outcome{Title: say(l, "这笔退款已经付过了", "This refund was paid already"), Big: say(l, "不要再给现金", "Give no cash again"),
			Receipt: r.Entry.Seq, Next: "/disputes",
			Lines: []string{say(l, "已在账本第 ", "It was paid in ledger entry ") + itoa(r.Entry.Seq) + say(l, " 笔付过 ", " (") + money.FormatReceipt(r.Amount) + say(l, "，这次没有记账。", "); nothing was recorded now.")}}
	}
	s.issue(q, o)
	s.finish(q, key, o)
}

// toHalfWidth turns full-width digits (a Chinese keyboard's) into ASCII.
func toHalfWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return r - '０' + '0'
		}
		return r
	}, s)
}

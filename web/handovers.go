package web

import (
	"errors"
	"strconv"
	"strings"

	"github.com/villagepost/bianmin/decision"
	"github.com/villagepost/bianmin/handover"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/settlement"
	"github.com/villagepost/bianmin/tariff"
	"github.com/villagepost/bianmin/terminal"
)

// TakenOver is what the start screen says of a station this one took
// over from: how many of its items are still to be done.
type TakenOver struct {
	From string
	Open int
}

// TakenOverOf counts, per old station, the items of list not done yet.
func TakenOverOf(list []terminal.HandoverItem) []TakenOver {
	var out []TakenOver
	for _, it := range list {
		if len(out) == 0 || out[len(out)-1].From != it.From {
			out = append(out, TakenOver{From: it.From})
		}
		if it.State != terminal.ItemDone {
			out[len(out)-1].Open++
		}
	}
	return out
}

// handoverRow is one item taken over, on the 承接事项 page.
type handoverRow struct {
	terminal.HandoverItem
	Text string // what it is
	Next string // what to do now
	// Act is the button's words when the item can be finished from the
	// screen now; Needs is the field it needs ("received_by" for a
	// delivery, "decision" for a dispute not decided yet).
	Act, Needs string
	Key        string // a fresh idempotency key for its form
}

type handoversData struct {
	Rows []handoverRow
}

// handoverText says what an item is, in the words of station handover
// list.
func handoverText(l string, it terminal.HandoverItem, billers []tariff.Biller) string {
	var b strings.Builder
	svc := settlement.KindName(it.Service, l)
	amount := money.FormatReceipt(it.Amount)
	switch it.Kind {
	case handover.Queued:
		b.WriteString(say(l, "断网排队的"+svc+" "+amount+"，缴费单位还没确认", "queued "+svc+" "+amount+", not confirmed by the biller"))
	case handover.Waitlist:
		b.WriteString(say(l, "候补的车票 "+amount+"，还没出票", "waitlisted ticket order "+amount+", not issued"))
	case handover.Reversal:
		b.WriteString(say(l, svc+"的冲正还没送到", "reversal of a "+svc+" not acknowledged"))
	case handover.Refund:
		b.WriteString(say(l, "该退给顾客的钱 "+amount, "refund owed "+amount))
	case handover.Delivery:
		var goods []string
		lines, err := handover.Goods(it.What)
		for _, g := range lines {
			goods = append(goods, g.SKU+say(l, "×", " x ")+strconv.FormatInt(g.Qty, 10))
		}
		if err != nil {
			goods = []string{it.What}
		}
		b.WriteString(say(l, "答应送的货：", "goods promised: ") + strings.Join(goods, ", "))
	case handover.Dispute:
		b.WriteString(say(l, "业务纠纷（"+svc+"）", "dispute ("+svc+")"))
	}
	b.WriteString(say(l, "，原站第 "+itoa(it.Entry)+" 笔", ", old station's entry "+itoa(it.Entry)))
	if it.Trace != "" {
		b.WriteString(say(l, "，流水号 ", ", trace ") + it.Trace)
	}
	if biller, account, ok := strings.Cut(it.What, ":"); it.Kind == handover.Queued && ok {
		for _, x := range billers {
			if x.ID == biller {
				biller = x.Name
			}
		}
		b.WriteString(say(l, "，", ", ") + biller + say(l, " 户号 ", " account ") + account)
	}
	switch {
	case it.Kind == handover.Delivery && it.Note != "":
		b.WriteString(say(l, "，送到 "+it.Note, ", to "+it.Note))
	case it.Kind == handover.Dispute && it.Note != "":
		b.WriteString(say(l, "，顾客说："+it.Note, ", the customer says: "+it.Note))
	case it.Note != "":
		b.WriteString(say(l, "（"+it.Note+"）", " ("+it.Note+")"))
	}
	if it.Due != "" {
		b.WriteString(say(l, "，"+it.Due+" 前", ", by "+it.Due))
	}
	return b.String()
}

// handoverStep names how an item was finished.
func handoverStep(l, step string) string {
	w, ok := map[string][2]string{
		terminal.StepConfirmed: {"对方已收到，钱已转给对方", "the host had it; the money went on to it"},
		terminal.StepRefunded:  {"已退给顾客", "paid back to the customer"},
		terminal.StepReversed:  {"冲正已送到", "the reversal reached the host"},
		terminal.StepDelivered: {"货已送到", "delivered"},
		terminal.StepDecided:   {"邮政支局答复不用退钱", "the post office decided nothing is owed"},
	}[step]
	if !ok {
		return step
	}
	return say(l, w[0], w[1])
}

// handoverRowOf says what to do now about an item, as station handover
// list does, with the button that does it.
func handoverRowOf(l string, it terminal.HandoverItem, billers []tariff.Biller) handoverRow {
	r := handoverRow{HandoverItem: it, Text: handoverText(l, it, billers)}
	switch {
	case it.State == terminal.ItemDone:
		r.Next = say(l, "已办完（账本第 "+itoa(it.Done)+" 笔，"+handoverStep(l, it.Step)+"）。", "Done (entry "+itoa(it.Done)+", "+handoverStep(l, it.Step)+").")
		return r
	case it.State == terminal.ItemRefund:
		r.Next = say(l, "邮政支局答复：要退给顾客 "+money.FormatReceipt(it.Refund)+"（"+it.Reason+"）。请点“退款”，从钱箱退给顾客。",
			"The post office decided "+money.FormatReceipt(it.Refund)+" is owed ("+it.Reason+"). Press Refund and pay it from the drawer.")
		r.Act = say(l, "退款 ", "Refund ") + money.FormatReceipt(it.Refund)
	default:
		switch it.Kind {
		case handover.Queued, handover.Waitlist:
			r.Next = say(l, "请点“去问对方”：按原流水号去问对方，已经收到的，钱转给对方；没有收到的，冲正后把钱退给顾客。",
				"Press Ask the host: it asks by the original trace; if the host has it, the money goes on to it; if not, it is reversed and the customer paid back.")
			r.Act = say(l, "去问对方", "Ask the host")
		case handover.Reversal:
			r.Next = say(l, "请点“发送冲正”：冲正送到后，顾客的钱就恢复了；没有钱要付。", "Press Send the reversal: once it arrives the customer's money is put right. No cash moves here.")
			r.Act = say(l, "发送冲正", "Send the reversal")
		case handover.Refund:
			r.Next = say(l, "请点“退款”，从钱箱退给顾客 "+money.FormatReceipt(it.Amount)+"。", "Press Refund and pay "+money.FormatReceipt(it.Amount)+" from the drawer.")
			r.Act = say(l, "退款 ", "Refund ") + money.FormatReceipt(it.Amount)
		case handover.Delivery:
			r.Next = say(l, "用本店的货送到后，填上签收人，点“已送到”。", "Deliver from this shop's stock, then fill in who received it and press Delivered.")
			r.Act, r.Needs = say(l, "已送到", "Delivered"), "received_by"
		case handover.Dispute:
			r.Next = say(l, "等邮政支局答复；收到答复文件后，在下面选这个文件（或者把文件里的全部文字贴进来），点“记下答复”。现在不要付钱。",
				"Wait for the post office's decision; when the decision file comes, choose it below (or paste all its text) and press Record the decision. Pay nothing now.")
			r.Act, r.Needs = say(l, "记下答复", "Record the decision"), "decision"
		}
	}
	r.Key = token()
	return r
}

// handovers lists what this station took over from a station that left:
// what is still to do first, each with what to do and its button.
func (s *Server) handovers(q *req) {
	f := newForm(nil)
	d := &handoversData{}
	sv := s.st.Services()
	hs := sv.Handovers
	if hs == nil {
		f.Top = say(q.ss.lang, "本站程序不能办承接事项。请联系邮政支局。", "This station's program keeps no hand-overs. Call the post office.")
		s.renderForm(q, "handovers", f, d)
		return
	}
	list, err := hs.List()
	if err != nil {
		f.Top = s.st.Explain(err, q.ss.lang)
	}
	var done []handoverRow
	for _, it := range list {
		r := handoverRowOf(q.ss.lang, it, sv.Tariff.Billers)
		if it.State == terminal.ItemDone {
			done = append(done, r)
		} else {
			d.Rows = append(d.Rows, r)
		}
	}
	d.Rows = append(d.Rows, done...)
	s.renderForm(q, "handovers", f, d)
}

// handoverFinish takes the next step on one item, through the same
// terminal.Handovers the command line's station handover finish uses.
// A second press of the same form shows the first outcome; a press from
// another page once the item is done says which entry finished it.
func (s *Server) handoverFinish(q *req) {
	l := q.ss.lang
	key := q.r.PostFormValue("key")
	n, err := strconv.Atoi(q.r.PathValue("n"))
	hs := s.st.Services().Handovers
	if err != nil || n <= 0 || key == "" || hs == nil {
		s.forbidden(q)
		return
	}
	from := q.r.PostFormValue("from")
	receivedBy := strings.TrimSpace(q.r.PostFormValue("received_by"))
	// The decision: the file chosen, or else the text pasted (the box
	// stays for a screen whose browser cannot choose a file).
	var msg []byte
	text, file := q.r.PostFormValue("decision"), q.r.PostFormValue("decision_file")
	if strings.TrimSpace(file) != "" {
		text = file
	}
	if text := strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n")); text != "" {
		msg = []byte(text + "\n")
	}
	if len(msg) > decision.MaxNote {
		s.handoverRefused(q, key, &terminal.HandoverError{Field: "decision", Rule: "this is not a decision file (too long)", RuleZh: "这不是邮政支局的答复文件（太长了）"})
		return
	}
	s.work.Lock()
	fin, err := hs.Finish(q.r.Context(), terminal.FinishRequest{Operator: q.ss.op.ID, From: from, Item: n, ReceivedBy: receivedBy, Decision: msg})
	s.work.Unlock()
	if err != nil {
		s.handoverRefused(q, key, err)
		return
	}
	it := fin.Item
	o := &outcome{Next: "/handovers"}
	title := say(l, "承接事项第 "+strconv.Itoa(it.N)+" 项", "Hand-over item "+strconv.Itoa(it.N))
	switch {
	case fin.Step == terminal.StepConfirmed:
		o.Title, o.Big = title+say(l, "：对方已经收到", ": the host has it"), say(l, "不要付现金", "Hand out no cash")
		o.Lines = append(o.Lines, say(l, "对方已经收到这笔（流水号 "+it.Trace+"，回执号 "+fin.Reference+"），"+money.FormatReceipt(fin.Amount)+" 转给对方，顾客不用再做什么。",
			"The host has it (trace "+it.Trace+", reference "+fin.Reference+"); "+money.FormatReceipt(fin.Amount)+" goes on to it. Nothing more for the customer."))
	case fin.Step == terminal.StepRefunded:
		o.Title = title + say(l, "：退给顾客", ": paid back")
		o.Big, o.Capital = say(l, "请退给顾客现金 ", "Give back ")+money.FormatReceipt(fin.CashOut), money.Capital(fin.CashOut)
		o.Receipt = fin.Entry.Seq // the villager takes home what was paid back, and for whom
		if it.Kind == handover.Queued || it.Kind == handover.Waitlist {
			o.Lines = append(o.Lines, say(l, "对方没有收到这笔（流水号 "+it.Trace+"，已冲正，以后也不会再扣）。", "The host does not have it (trace "+it.Trace+", reversed: it will never be taken)."))
		}
	case fin.Step == terminal.StepReversed:
		o.Title, o.Big = title+say(l, "：冲正已送到", ": reversal sent"), say(l, "不要付现金", "Hand out no cash")
		o.Lines = append(o.Lines, say(l, "冲正已送到（流水号 "+it.Trace+"），顾客的钱会恢复。", "The reversal reached the host (trace "+it.Trace+"); the customer's money is put right."))
	case fin.Step == terminal.StepDelivered:
		o.Title, o.Big = title+say(l, "：已送到", ": delivered"), say(l, "签收人 ", "Received by ")+receivedBy
	case fin.Step == terminal.StepDecided && fin.Outcome == decision.RefundOwed:
		o.Title, o.Big = title+say(l, "：邮政支局答复要退钱", ": a refund is owed"), say(l, "要退给顾客 ", "Owed to the customer: ")+money.FormatReceipt(fin.Amount)
		o.Lines = append(o.Lines, say(l, "答复已记下。请回到“承接事项”点“退款”，从钱箱退给顾客。", "The decision is recorded. Go back to Hand-over and press Refund to pay it from the drawer."))
	case fin.Step == terminal.StepDecided:
		o.Title, o.Big = title+say(l, "：不用退钱", ": nothing owed"), say(l, "不要付现金", "Hand out no cash")
		o.Lines = append(o.Lines, say(l, "邮政支局答复不用退钱。请把答复告诉顾客，这一项办完了。", "The post office decided nothing is owed. Tell the customer: done."))
	}
	o.Lines = append(o.Lines, say(l, "记在账本第 ", "Ledger entry ")+itoa(fin.Entry.Seq)+say(l, " 笔。", "."))
	s.issue(q, o)
	s.finish(q, key, o)
}

// handoverRefused shows why a step was not taken: nothing was recorded.
func (s *Server) handoverRefused(q *req, key string, err error) {
	l := q.ss.lang
	var he *terminal.HandoverError
	var we *terminal.HandoverWaitError
	o := &outcome{Bad: true, Title: say(l, "没有办成", "Not done"), Next: "/handovers"}
	switch {
	case errors.As(err, &he):
		field := map[string][2]string{"received_by": {"签收人", "Received by"}, "decision": {"邮政支局的答复", "The post office's decision"}}[he.Field]
		o.Message = say(l, he.RuleZh+"。什么都没有记。", he.Rule+"; nothing was recorded.")
		if strings.Contains(he.RuleZh, "--decision") { // the command line's words: say the screen's
			he = &terminal.HandoverError{Field: he.Field, Rule: "choose the post office's decision file (or paste all its text)", RuleZh: "请选邮政支局的答复文件（或者把文件里的全部文字贴进来）"}
		}
		if field[0] != "" {
			o.Message = say(l, "“"+field[0]+"”："+he.RuleZh+"。什么都没有记。", field[1]+": "+he.Rule+"; nothing was recorded.")
		}
		if strings.Contains(he.Rule, "finished already") {
			o.Title = say(l, "这一项已经办完了", "This item is done already")
		}
	case errors.As(err, &we) && we.Status != "":
		o.Message = say(l, "流水号 "+we.Trace+" 还在候补（"+we.Status+"），结果还没出来；什么都没有记。请过些时候再办这一项。",
			we.Trace+" is still "+we.Status+" at the host; nothing was recorded. Try this item again later.")
	case errors.As(err, &we):
		o.Message = say(l, "没有收到对方的回音（流水号 "+we.Trace+"），什么都没有记，钱没有动。请等网络恢复后再办这一项。",
			"No answer about "+we.Trace+": nothing was recorded and no money moved. Try this item again when the network is back.")
	default:
		o.Message = s.st.Explain(err, l)
	}
	s.finish(q, key, o)
}

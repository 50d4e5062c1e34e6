package web

import (
	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/tariff"
	"github.com/villagepost/bianmin/terminal"
)

type billData struct {
	Billers []tariff.Biller
	Bill    *terminal.Bill
	Due     decimal.Decimal
}

// billers lists the billers of one sort: phone operators for top-ups,
// the others for bills.
func (s *Server) billers(mobile bool) []tariff.Biller {
	var out []tariff.Biller
	for _, b := range s.st.Services().Tariff.Billers {
		if (len(b.Denominations) > 0) == mobile {
			out = append(out, b)
		}
	}
	return out
}

func (s *Server) billForm(q *req) {
	f := newForm(nil)
	f.Key = token()
	if bs := s.billers(false); len(bs) > 0 {
		f.Values.Set("biller", bs[0].ID)
	}
	s.renderForm(q, "bill", f, &billData{Billers: s.billers(false)})
}

// billLookup asks the biller what is due. When it cannot be reached the
// form stays open for an amount: billers that take queued payments get
// the payment later.
func (s *Server) billLookup(q *req) {
	f := newForm(q.r.PostForm)
	f.Key = q.r.PostFormValue("key")
	d := &billData{Billers: s.billers(false)}
	s.work.Lock()
	bill, err := s.st.Services().Bills.Lookup(q.r.Context(), f.V("biller"), f.V("account"))
	s.work.Unlock()
	if err != nil {
		s.refuse(q, f, err, "")
		s.renderForm(q, "bill", f, d)
		return
	}
	d.Bill = &bill
	if due, err := money.ParseWire(bill.Due); err == nil {
		d.Due = due
		if due.IsPositive() && f.V("amount") == "" {
			f.Values.Set("amount", money.FormatWire(due))
		}
	}
	s.renderForm(q, "bill", f, d)
}

// billCheck turns the screen to the villager with the total to pay and
// the change to give.
func (s *Server) billCheck(q *req) {
	s.payCheck(q, "bill", tariff.BillPayment)
}

func (s *Server) payCheck(q *req, page, priced string) {
	f := newForm(q.r.PostForm)
	f.Key = q.r.PostFormValue("key")
	sv := s.st.Services()
	amount, err := money.Parse("amount", f.V("amount"), money.Limits{})
	if err != nil {
		s.refuse(q, f, err, "")
	}
	var paid decimal.Decimal
	if f.V("paid") != "" {
		if paid, err = money.Parse("paid", f.V("paid"), money.Limits{}); err != nil {
			s.refuse(q, f, err, "")
		}
	}
	bl, ok := sv.Tariff.Biller(f.V("biller"))
	if !ok {
		f.Errors["biller"] = say(q.ss.lang, "请选一个缴费单位。", "Choose a biller.")
	}
	if !f.Bad() {
		p := terminal.BillPayment{Biller: f.V("biller"), Account: f.V("account"), Amount: amount, Paid: paid}
		if err := sv.Bills.Check(p, page == "topup"); err != nil {
			s.refuse(q, f, err, "")
		}
	}
	if f.Bad() {
		s.renderForm(q, page, f, &billData{Billers: s.billers(page == "topup")})
		return
	}
	pr, _ := sv.Tariff.Pricing(priced)
	total := amount.Add(pr.Fee.Apply(amount))
	l := q.ss.lang
	lines := []string{bl.Name + "  " + f.V("account")}
	if c := f.V("customer"); c != "" {
		lines[0] += say(l, "（户名 ", " (") + c + say(l, "）", ")")
	}
	if fee := total.Sub(amount); fee.IsPositive() {
		lines = append(lines, say(l, "金额 ", "amount ")+money.FormatReceipt(amount)+say(l, "，手续费 ", ", fee ")+money.FormatReceipt(fee))
	}
	if paid.IsPositive() {
		lines = append(lines, say(l, "顾客交来 ", "handed over ")+money.FormatReceipt(paid))
		if paid.GreaterThan(total) {
			lines = append(lines, say(l, "找零 ", "change ")+money.FormatReceipt(paid.Sub(total)))
		}
	}
	svc, verb := say(l, "缴费", "Bill payment"), say(l, "确认缴费", "Confirm payment")
	if page == "topup" {
		svc, verb = say(l, "话费充值", "Phone top-up"), say(l, "确认充值", "Confirm top-up")
	}
	s.confirmPriced(q, f, sv.Tariff, &confirmData{Action: "/" + page, Back: "/" + page, Edit: true, Service: svc, Lines: lines,
		Amount: money.FormatReceipt(total), Capital: money.Capital(total), Verb: verb})
}

func (s *Server) billPay(q *req) { s.pay(q, "bill") }

func (s *Server) pay(q *req, page string) {
	f := newForm(q.r.PostForm)
	f.Key = q.r.PostFormValue("key")
	amount, err := money.Parse("amount", f.V("amount"), money.Limits{})
	var paid decimal.Decimal
	if err == nil && f.V("paid") != "" {
		paid, err = money.Parse("paid", f.V("paid"), money.Limits{})
	}
	if err != nil || f.Key == "" {
		if err != nil {
			s.refuse(q, f, err, "")
		}
		s.renderForm(q, page, f, &billData{Billers: s.billers(page == "topup")})
		return
	}
	p := terminal.BillPayment{Operator: q.ss.op.ID, Biller: f.V("biller"), Account: f.V("account"), Amount: amount, Paid: paid, IdemKey: "web:" + f.Key}
	s.work.Lock()
	sv := s.st.Services()
	if s.repriced(q, f, sv.Tariff) {
		s.work.Unlock()
		priced := tariff.BillPayment
		if page == "topup" {
			priced = tariff.Topup
		}
		s.payCheck(q, page, priced)
		return
	}
	bills := sv.Bills
	var r terminal.BillResult
	if page == "topup" {
		r, err = bills.Topup(q.r.Context(), p)
	} else {
		r, err = bills.Pay(q.r.Context(), p)
	}
	s.work.Unlock()
	if err != nil {
		if fieldOf(err) != "" {
			s.refuse(q, f, err, "")
			s.renderForm(q, page, f, &billData{Billers: s.billers(page == "topup")})
			return
		}
		s.failedHost(q, f.Key, err, "/"+page)
		return
	}
	l := q.ss.lang
	who := r.Account
	if r.Customer != "" {
		who += say(l, "（户名 ", " (") + r.Customer + say(l, "）", ")")
	}
	svc := say(l, "缴费", "Bill payment")
	if page == "topup" {
		svc = say(l, "话费充值", "Top-up")
	}
	o := &outcome{
		Title:   svc + say(l, "成功", " done"),
		Big:     say(l, "收现金 ", "Take ") + money.FormatReceipt(r.Total),
		Capital: money.Capital(r.Total),
		Lines:   []string{r.Biller.Name + " " + who + " " + money.FormatReceipt(r.Amount) + say(l, "，回执号 ", ", reference ") + r.Reference},
		Receipt: r.Entry.Seq, Next: "/" + page,
	}
	if r.Queued {
		o.Title = say(l, "网络不通，已受理排队（受理回执）", "Network down: accepted into the queue")
		o.Lines = []string{
			r.Biller.Name + " " + who + " " + money.FormatReceipt(r.Amount),
			say(l, "将在 ", "It will be confirmed by ") + r.ConfirmBy.In(s.st.Info().Zone).Format("2006-01-02 15:04") +
				say(l, " 前确认到账，网络恢复后自动发送；如被退回，钱退给顾客。", "; it is sent when the network is back. If refused, the money goes back to the customer."),
		}
	}
	if r.Change.IsPositive() {
		o.Lines = append(o.Lines, say(l, "找零 ", "Give change ")+money.FormatReceipt(r.Change))
	}
	o.Lines = append(o.Lines, say(l, "流水号 ", "trace ")+r.Trace+say(l, "，本店佣金 ", ", shop commission ")+money.FormatReceipt(r.Commission)+
		say(l, "。记在账本第 ", ". Ledger entry ")+itoa(r.Entry.Seq)+say(l, " 笔。", "."))
	s.issue(q, o)
	s.finish(q, f.Key, o)
}

func (s *Server) topupForm(q *req) {
	f := newForm(nil)
	f.Key = token()
	if bs := s.billers(true); len(bs) > 0 {
		f.Values.Set("biller", bs[0].ID)
	}
	s.renderForm(q, "topup", f, &billData{Billers: s.billers(true)})
}

func (s *Server) topupCheck(q *req) { s.payCheck(q, "topup", tariff.Topup) }

func (s *Server) topup(q *req) { s.pay(q, "topup") }

package web

import (
	"strconv"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/tariff"
	"github.com/villagepost/bianmin/terminal"
)

type ticketData struct {
	Carriers []carrierClasses // the train first: most tickets are rail
}

type carrierClasses struct {
	Carrier string
	Classes []string
}

func ticketClasses() *ticketData {
	return &ticketData{Carriers: []carrierClasses{{"rail", terminal.TicketClasses("rail")}, {"air", terminal.TicketClasses("air")}}}
}

func (s *Server) ticketForm(q *req) {
	f := newForm(nil)
	f.Key = token()
	f.Values.Set("carrier", "rail")
	f.Values.Set("class", terminal.TicketClasses("rail")[0])
	s.renderForm(q, "ticket", f, ticketClasses())
}

// ticketOf is the order typed in f.
func (s *Server) ticketOf(q *req, f *form, fare decimal.Decimal) terminal.TicketOrder {
	return terminal.TicketOrder{Operator: q.ss.op.ID, Carrier: f.V("carrier"), Passenger: f.V("passenger"),
		IDNumber: f.V("id"), From: f.V("from"), To: f.V("to"), Date: f.V("date"), Class: f.V("class"), Fare: fare, IdemKey: "web:" + f.Key}
}

func (s *Server) ticketCheck(q *req) {
	f := newForm(q.r.PostForm)
	f.Key = q.r.PostFormValue("key")
	fare, err := money.Parse("fare", f.V("fare"), money.Limits{})
	if err != nil {
		s.refuse(q, f, err, "")
		s.renderForm(q, "ticket", f, ticketClasses())
		return
	}
	sv := s.st.Services()
	if err := sv.Tickets.Check(s.ticketOf(q, f, fare)); err != nil {
		s.refuse(q, f, err, "")
		s.renderForm(q, "ticket", f, ticketClasses())
		return
	}
	pr, _ := sv.Tariff.Pricing(tariff.TicketOrder)
	fee := pr.Fee.Apply(fare)
	total := fare.Add(fee)
	l := q.ss.lang
	s.confirmPriced(q, f, sv.Tariff, &confirmData{Action: "/ticket", Back: "/ticket", Edit: true, Service: say(l, "订票", "Ticket order"),
		Lines: []string{
			f.V("passenger") + "  " + f.V("from") + " → " + f.V("to") + "  " + f.V("date") + "  " + f.V("class"),
			say(l, "票价 ", "fare ") + money.FormatReceipt(fare) + say(l, "，服务费 ", ", service fee ") + money.FormatReceipt(fee),
		},
		Amount: money.FormatReceipt(total), Capital: money.Capital(total), Verb: say(l, "确认订票", "Confirm order")})
}

func (s *Server) ticketOrder(q *req) {
	f := newForm(q.r.PostForm)
	f.Key = q.r.PostFormValue("key")
	fare, err := money.Parse("fare", f.V("fare"), money.Limits{})
	if err != nil || f.Key == "" {
		if err != nil {
			s.refuse(q, f, err, "")
		}
		s.renderForm(q, "ticket", f, ticketClasses())
		return
	}
	s.work.Lock()
	sv := s.st.Services()
	if s.repriced(q, f, sv.Tariff) {
		s.work.Unlock()
		s.ticketCheck(q)
		return
	}
	r, err := sv.Tickets.Order(q.r.Context(), s.ticketOf(q, f, fare))
	s.work.Unlock()
	if err != nil {
		if fieldOf(err) != "" {
			s.refuse(q, f, err, "")
			s.renderForm(q, "ticket", f, ticketClasses())
			return
		}
		s.failedHost(q, f.Key, err, "/ticket")
		return
	}
	l := q.ss.lang
	o := &outcome{
		Title:   say(l, "出票成功，票号 ", "Ticket issued, number ") + r.Ticket,
		Big:     say(l, "收现金 ", "Take ") + money.FormatReceipt(r.Total),
		Capital: money.Capital(r.Total),
		Lines: []string{
			say(l, "票价 ", "fare ") + money.FormatReceipt(r.Fare) + say(l, "，服务费 ", ", service fee ") + money.FormatReceipt(r.Fee),
			say(l, "订单号（退票用）", "order number (for a cancel) ") + itoa(r.Entry.Seq) + say(l, "，流水号 ", ", trace ") + r.Trace +
				say(l, "，本店佣金 ", ", shop commission ") + money.FormatReceipt(r.Commission) + say(l, "。记在账本第 ", ". Ledger entry ") + itoa(r.Entry.Seq) + say(l, " 笔。", "."),
		},
		Receipt: r.Entry.Seq, Next: "/ticket",
	}
	if r.Status == terminal.TicketWaitlisted {
		o.Title = say(l, "已排入候补，订单号 ", "On the waiting list, order ") + r.OrderRef
		o.Lines = append(o.Lines, say(l, "票还没出：钱先存着，出票或候补失败时会告诉你；失败时全额退给顾客。", "No ticket yet: the cash is held until the carrier issues it or gives up; then it all goes back."))
	}
	s.issue(q, o)
	s.finish(q, f.Key, o)
}

type ticketListData struct {
	Open []terminal.OpenTicket
	Keys map[uint64]string // a fresh idempotency key per cancel button
}

func (s *Server) ticketList(q *req) {
	f := newForm(nil)
	open, err := s.st.Services().Tickets.Open()
	if err != nil {
		f.Top = s.st.Explain(err, q.ss.lang)
	}
	d := &ticketListData{Open: open, Keys: map[uint64]string{}}
	for _, t := range open {
		d.Keys[t.Order] = token()
	}
	s.renderForm(q, "tickets", f, d)
}

// ticketCancel cancels an order under the carrier's rule.
func (s *Server) ticketCancel(q *req) {
	key := q.r.PostFormValue("key")
	order, err := strconv.ParseUint(q.r.PostFormValue("order"), 10, 64)
	if err != nil || key == "" {
		s.forbidden(q)
		return
	}
	l := q.ss.lang
	if q.r.PostFormValue("sure") != "1" {
		s.confirmCancel(q, order, key)
		return
	}
	s.work.Lock()
	r, err := s.st.Services().Tickets.Cancel(q.r.Context(), q.ss.op.ID, order, "web:"+key)
	s.work.Unlock()
	if err != nil {
		s.failedHost(q, key, err, "/tickets")
		return
	}
	o := &outcome{
		Title:   say(l, "已退票，订单号 ", "Cancelled, order ") + itoa(order),
		Big:     say(l, "请退给顾客现金 ", "Give back ") + money.FormatReceipt(r.Refund),
		Capital: money.Capital(r.Refund),
		Lines: []string{say(l, "退票费（承运人留下）", "cancellation charge (kept by the carrier) ") + money.FormatReceipt(r.Kept) +
			say(l, "。记在账本第 ", ". Ledger entry ") + itoa(r.Entry.Seq) + say(l, " 笔。", ".")},
		Receipt: r.Entry.Seq, Next: "/tickets",
	}
	s.issue(q, o)
	s.finish(q, key, o)
}

// confirmCancel asks once more before a ticket is cancelled: a wrong
// click must not cost the villager the ticket.
func (s *Server) confirmCancel(q *req, order uint64, key string) {
	open, err := s.st.Services().Tickets.Open()
	if err != nil {
		s.failed(q, key, err, "/tickets")
		return
	}
	l := q.ss.lang
	for _, t := range open {
		if t.Order != order {
			continue
		}
		f := newForm(nil)
		f.Key = key
		f.Values.Set("order", itoa(order))
		f.Values.Set("sure", "1")
		s.renderForm(q, "confirm", f, &confirmData{Action: "/tickets/cancel", Back: "/tickets", Service: say(l, "退票", "Cancel a ticket"),
			Lines:  []string{t.Passenger + "  " + t.From + " → " + t.To + "  " + t.Date + "  " + t.Class, say(l, "票号 ", "ticket ") + t.Ticket + t.OrderRef},
			Amount: money.FormatReceipt(t.Total), Capital: money.Capital(t.Total), Verb: say(l, "确认退票", "Confirm cancel")})
		return
	}
	s.failed(q, key, terminal.ErrNotOpenTicket, "/tickets")
}

package web

import (
	"errors"
	"strings"

	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/simcard"
	"github.com/villagepost/bianmin/tariff"
	"github.com/villagepost/bianmin/terminal"
)

// simRow is a card in stock as the 号卡 page lists it.
type simRow struct {
	Number, ICCID, PlanName, Price string
	Key                            string // a fresh idempotency key for its 退回 button
}

type simData struct {
	Stock []simRow
	Plans []tariff.SIMPlan
}

// simPage lists the stock, or says why it cannot.
func (s *Server) simPage(q *req, f *form) *simData {
	sv := s.st.Services()
	d := &simData{Plans: sv.Tariff.SIMCards}
	if sv.SIM == nil || len(sv.Tariff.SIMCards) == 0 {
		f.Top = s.st.Explain(terminal.ErrNoSIMCards, q.ss.lang)
		return d
	}
	stock, err := terminal.SIMStock(sv.SIM.Link.Ledger)
	if err != nil {
		f.Top = s.st.Explain(err, q.ss.lang)
		return d
	}
	for _, c := range stock {
		r := simRow{Number: c.Number, ICCID: simcard.MaskICCID(c.ICCID), PlanName: c.Plan, Key: token()}
		if p, ok := sv.Tariff.SIMPlan(c.Plan); ok {
			r.PlanName, r.Price = p.Name, money.FormatReceipt(p.Price.Decimal)
		}
		d.Stock = append(d.Stock, r)
	}
	return d
}

func (s *Server) simList(q *req) {
	f := newForm(nil)
	s.renderForm(q, "sim", f, s.simPage(q, f))
}

// simSellForm asks for the buyer of the card chosen in the list.
func (s *Server) simSellForm(q *req) {
	f := newForm(nil)
	f.Key = token()
	f.Values.Set("number", q.r.URL.Query().Get("number"))
	s.renderForm(q, "simsell", f, s.simPage(q, f))
}

// simOrderOf is the sale typed in the form.
func (s *Server) simOrderOf(q *req) (*form, terminal.SIMOrder) {
	f := newForm(q.r.PostForm)
	f.Key = q.r.PostFormValue("key")
	return f, terminal.SIMOrder{Operator: q.ss.op.ID, Number: f.V("number"), Holder: f.V("buyer"), IDNumber: f.V("id"), IdemKey: "web:" + f.Key}
}

// simOrderTyped reads the sale form; on bad input it shows the form
// again with the field marked and returns false.
func (s *Server) simOrderTyped(q *req) (*form, terminal.SIMOrder, terminal.SIMCard, tariff.SIMPlan, bool) {
	f, o := s.simOrderOf(q)
	sim := s.st.Services().SIM
	if sim == nil {
		f.Top = s.st.Explain(terminal.ErrNoSIMCards, q.ss.lang)
	} else if c, p, err := sim.Check(o); err != nil {
		s.simRefuse(q, f, err)
	} else if f.Key != "" {
		return f, o, c, p, true
	}
	s.renderForm(q, "simsell", f, s.simPage(q, f))
	return f, o, terminal.SIMCard{}, tariff.SIMPlan{}, false
}

// simRefuse puts err next to its field; a phone number typed wrongly is
// the number field's.
func (s *Server) simRefuse(q *req, f *form, err error) {
	var (
		se *simcard.Error
		ie *terminal.InputError
	)
	switch {
	case errors.As(err, &se):
		f.Errors[se.Field] = s.st.Explain(err, q.ss.lang)
		return
	case errors.As(err, &ie) && ie.Field == "number":
		// The terminal's words point to the command line's stock list;
		// here the list is one tap away.
		f.Errors["number"] = say(q.ss.lang, "号码 "+f.V("number")+" 已经不在号卡库存里（刚卖出或退回了）。什么都没有记。请在上面另选一张卡。",
			"Number "+f.V("number")+" is no longer in stock (just sold or returned). Nothing was recorded. Choose another card above.")
		return
	}
	s.refuse(q, f, err, "")
}

// simCheck turns the screen to the customer: the card, what it costs,
// and the ID card to check against the name and number typed.
func (s *Server) simCheck(q *req) {
	f, _, c, p, ok := s.simOrderTyped(q)
	if !ok {
		return
	}
	l := q.ss.lang
	lines := []string{
		p.Name + say(l, "  号码 ", "  number ") + c.Number + "  ICCID " + simcard.MaskICCID(c.ICCID),
		say(l, "买卡人 ", "buyer ") + strings.TrimSpace(f.V("buyer")) + say(l, "  身份证号 ", "  ID number ") + strings.TrimSpace(f.V("id")),
		say(l, "收现金 ", "Take ") + money.FormatReceipt(p.Price.Decimal) + say(l, "（含首充话费 ", " cash (incl. first top-up ") + money.FormatReceipt(p.FirstTopup.Decimal) + say(l, "）", ")"),
		say(l, "请核对顾客的身份证原件：照片是本人，姓名、号码与上面一致。", "Check the ID card itself: photo, name and number as above."),
	}
	s.confirmPriced(q, f, s.st.Services().Tariff, &confirmData{Action: "/sim/sell", Back: "/sim/sell", Edit: true, Service: say(l, "卖号卡（实名登记）", "Phone-number card (real-name registration)"),
		Lines: lines, Amount: money.FormatReceipt(p.Price.Decimal), Capital: money.Capital(p.Price.Decimal), Verb: say(l, "确认登记并卖卡", "Confirm: register and sell")})
}

// simSell has the carrier register the buyer, and says what to do.
// Sell makes the checks itself, after it looks for a sale under the same
// key: a second tap on 确认 answers with the first, never a second sale.
func (s *Server) simSell(q *req) {
	f, o := s.simOrderOf(q)
	s.work.Lock()
	sv := s.st.Services()
	sim := sv.SIM
	switch {
	case f.Key == "":
		s.work.Unlock()
		s.forbidden(q)
		return
	case sim == nil:
		s.work.Unlock()
		s.failed(q, f.Key, terminal.ErrNoSIMCards, "/sim")
		return
	case s.repriced(q, f, sv.Tariff):
		s.work.Unlock()
		s.simCheck(q)
		return
	}
	r, err := sim.Sell(q.r.Context(), o)
	s.work.Unlock()
	if err != nil {
		if fieldOf(err) != "" {
			s.simRefuse(q, f, err)
			s.renderForm(q, "simsell", f, s.simPage(q, f))
			return
		}
		s.failedHost(q, f.Key, err, "/sim")
		return
	}
	l := q.ss.lang
	p := r.Plan
	out := &outcome{
		Title:   say(l, "实名登记成功，登记号 ", "Registered, number ") + r.Registration,
		Big:     say(l, "收现金 ", "Take ") + money.FormatReceipt(p.Price.Decimal),
		Capital: money.Capital(p.Price.Decimal),
		Lines: []string{
			p.Name + say(l, "，含首充话费 ", ", first top-up of ") + money.FormatReceipt(p.FirstTopup.Decimal) + say(l, "。", " included."),
			say(l, "号码 ", "Number ") + r.Card.Number + "，ICCID " + simcard.MaskICCID(r.Card.ICCID) + say(l, "。把卡交给顾客。", ". Hand the card over."),
			say(l, "流水号 ", "trace ") + r.Trace + say(l, "，本店佣金 ", ", shop commission ") + money.FormatReceipt(p.Commission.Decimal) +
				say(l, "。记在账本第 ", ". Ledger entry ") + itoa(r.Entry.Seq) + say(l, " 笔。", "."),
		},
		Receipt: r.Entry.Seq, Next: "/sim",
	}
	if l == "en" {
		out.Lines[1] = "Number " + r.Card.Number + ", ICCID " + simcard.MaskICCID(r.Card.ICCID) + ". Hand the card over."
	}
	s.issue(q, out)
	s.finish(q, f.Key, out)
}

// simSellEdit takes the name and ID number typed back from the
// customer's confirmation to the form; nothing is checked or recorded.
func (s *Server) simSellEdit(q *req) {
	f := newForm(q.r.PostForm)
	f.Key = q.r.PostFormValue("key")
	s.renderForm(q, "simsell", f, s.simPage(q, f))
}

// simReceiveForm records a consignment from the carrier.
func (s *Server) simReceiveForm(q *req) {
	f := newForm(nil)
	f.Key = token()
	if ps := s.st.Services().Tariff.SIMCards; len(ps) > 0 {
		f.Values.Set("plan", ps[0].Plan)
	}
	s.renderForm(q, "simreceive", f, s.simPage(q, f))
}

// simReceive reads one card a line; a bad line is named by its number
// and nothing is recorded.
func (s *Server) simReceive(q *req) {
	f := newForm(q.r.PostForm)
	f.Key = q.r.PostFormValue("key")
	l := q.ss.lang
	sim := s.st.Services().SIM
	var cards []simcard.Card
	for i, line := range strings.Split(strings.ReplaceAll(f.V("cards"), "\r", ""), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		c, err := simcard.Parse(line)
		if err != nil {
			f.Errors["cards"] = say(l, "第 ", "Line ") + itoa(uint64(i+1)) + say(l, " 行：", ": ") + s.st.Explain(err, l)
			break
		}
		cards = append(cards, c)
	}
	if sim == nil {
		f.Top = s.st.Explain(terminal.ErrNoSIMCards, l)
	}
	if f.Bad() || sim == nil || f.Key == "" {
		s.renderForm(q, "simreceive", f, s.simPage(q, f))
		return
	}
	s.work.Lock()
	e, err := sim.Receive(q.ss.op.ID, f.V("plan"), cards, strings.TrimSpace(f.V("note")), "web:"+f.Key)
	s.work.Unlock()
	if err != nil {
		field := fieldOf(err)
		if field == "card" {
			field = "cards"
		}
		if field == "" {
			s.failed(q, f.Key, err, "/sim")
			return
		}
		f.Errors[field] = s.st.Explain(relabel(q, err), l)
		s.renderForm(q, "simreceive", f, s.simPage(q, f))
		return
	}
	var numbers []string
	for _, c := range cards {
		numbers = append(numbers, c.Number)
	}
	s.finish(q, f.Key, &outcome{
		Title: say(l, "已收卡 ", "Received ") + itoa(uint64(len(cards))) + say(l, " 张（寄售）", " card(s) on consignment"),
		Lines: []string{strings.Join(numbers, say(l, "、", ", ")), say(l, "记在账本第 ", "Ledger entry ") + itoa(e.Seq) + say(l, " 笔。", ".")},
		Next:  "/sim",
	})
}

// simReturn sends one card back to the carrier, after one more question.
func (s *Server) simReturn(q *req) {
	key := q.r.PostFormValue("key")
	number := q.r.PostFormValue("number")
	if key == "" || number == "" {
		s.forbidden(q)
		return
	}
	l := q.ss.lang
	sim := s.st.Services().SIM
	if sim == nil {
		s.failed(q, key, terminal.ErrNoSIMCards, "/sim")
		return
	}
	if q.r.PostFormValue("sure") != "1" {
		f := newForm(nil)
		d := s.simPage(q, f)
		for _, c := range d.Stock {
			if c.Number != number {
				continue
			}
			f.Key = key
			f.Values.Set("number", number)
			f.Values.Set("sure", "1")
			s.renderForm(q, "confirm", f, &confirmData{Action: "/sim/return", Back: "/sim", Service: say(l, "号卡退回运营商", "Card back to the carrier"),
				Lines: []string{c.PlanName + say(l, "  号码 ", "  number ") + c.Number + "  ICCID " + c.ICCID,
					say(l, "退回后这张卡不在本店库存里，不能再卖。", "After the return the card is no longer in stock and cannot be sold here.")},
				Verb: say(l, "确认退回", "Confirm return")})
			return
		}
	}
	s.work.Lock()
	e, err := sim.Return(q.ss.op.ID, []string{number}, strings.TrimSpace(q.r.PostFormValue("note")), "web:"+key)
	s.work.Unlock()
	if err != nil {
		s.failed(q, key, err, "/sim")
		return
	}
	s.finish(q, key, &outcome{
		Title: say(l, "已退回运营商：", "Sent back to the carrier: ") + number,
		Lines: []string{say(l, "记在账本第 ", "Ledger entry ") + itoa(e.Seq) + say(l, " 笔。", ".")},
		Next:  "/sim",
	})
}

package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/villagepost/bianmin/idcheck"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/tariff"
	"github.com/villagepost/bianmin/terminal"
)

// confirmData is the customer-facing view: the amount huge, in figures
// and in 大写, turned toward the villager before any money moves.
type confirmData struct {
	Action  string // where the confirmation is sent
	Back    string // the form, to change something
	Edit    bool   // Back+"/edit" takes what was typed back to the form
	Service string
	Lines   []string
	Amount  string // ¥500.00
	Capital string // 伍佰元整
	Verb    string // what the button does
	PIN     bool   // the cardholder types the card PIN here
}

func (s *Server) withdrawForm(q *req) {
	f := newForm(nil)
	f.Key = token()
	s.render(q, "withdraw", f)
}

// withdrawCheck checks what was typed, with the same rules as the
// command line, and turns the screen to the villager.
func (s *Server) withdrawCheck(q *req) {
	f := newForm(q.r.PostForm)
	f.Key = q.r.PostFormValue("key")
	card, cerr := s.cardOf(q, f)
	if cerr != nil {
		s.refuse(q, f, cerr, "")
	}
	amount, aerr := money.Parse("amount", f.V("amount"), money.Limits{})
	if aerr != nil {
		s.refuse(q, f, aerr, "")
	}
	if f.Bad() {
		s.render(q, "withdraw", f)
		return
	}
	if f.Key == "" {
		s.forbidden(q)
		return
	}
	s.confirmWithdraw(q, f, s.st.Services().Tariff, card, money.FormatReceipt(amount), money.Capital(amount))
}

func (s *Server) confirmWithdraw(q *req, f *form, t *tariff.Tariff, card, amount, capital string) {
	s.confirmPriced(q, f, t, &confirmData{
		Action: "/withdraw", Back: "/withdraw", Edit: true,
		Service: say(q.ss.lang, "助农取款", "Cash withdrawal"),
		Lines:   []string{say(q.ss.lang, "卡号 ", "Card ") + idcheck.MaskCard(card)},
		Amount:  amount, Capital: capital,
		Verb: say(q.ss.lang, "确认取款", "Confirm withdrawal"),
		PIN:  true,
	})
}

// cardOf checks the card number of the form. A valid one is held in the
// session under the form's key, and the form shown again (to correct
// another field, to confirm, after a wrong PIN) carries only its masked
// form, which stands for the held number when sent back unchanged; an
// invalid one is not shown again at all (a typo of a real card is
// nearly the card). So no page the screen serves holds a whole card
// number.
func (s *Server) cardOf(q *req, f *form) (string, error) {
	typed := f.V("card")
	defer s.sessions.lock()()
	if held, ok := q.ss.cards[f.Key]; ok && f.Key != "" && typed == idcheck.MaskCard(held) {
		return held, nil
	}
	card, err := idcheck.Card(typed)
	if err != nil || f.Key == "" {
		f.Values.Del("card")
		return card, err
	}
	q.ss.holdCard(f.Key, card)
	f.Values.Set("card", idcheck.MaskCard(card))
	return card, nil
}

// withdraw asks the bank. Cash is handed over only on approval.
func (s *Server) withdraw(q *req) {
	f := newForm(q.r.PostForm)
	f.Key = q.r.PostFormValue("key")
	pinCode := f.V("pin")
	f.Values.Del("pin")
	amount, err := money.Parse("amount", f.V("amount"), money.Limits{})
	if err != nil {
		s.refuse(q, f, err, "")
		s.render(q, "withdraw", f)
		return
	}
	if f.Key == "" {
		s.forbidden(q)
		return
	}
	unlock := s.sessions.lock()
	card, held := q.ss.cards[f.Key]
	_, done := q.ss.done[f.Key]
	unlock()
	switch {
	case done: // sent again after it was answered: show the answer
		http.Redirect(q.w, q.r, "/done/"+url.PathEscape(f.Key), http.StatusSeeOther)
		return
	case !held: // a confirmation from another session, or a forged one
		s.forbidden(q)
		return
	}
	s.work.Lock()
	sv := s.st.Services()
	if s.repriced(q, f, sv.Tariff) {
		s.work.Unlock()
		s.withdrawCheck(q)
		return
	}
	r, err := sv.Cards.Withdraw(q.r.Context(), terminal.Withdrawal{Operator: q.ss.op.ID, Card: card, PIN: pinCode, Amount: amount, IdemKey: "web:" + f.Key})
	s.work.Unlock()
	if err != nil {
		switch fieldOf(err) {
		case "pin":
			s.refuse(q, f, err, "")
			s.confirmWithdraw(q, f, sv.Tariff, card, money.FormatReceipt(amount), money.Capital(amount))
		case "":
			s.failedHost(q, f.Key, err, "/withdraw")
		default:
			s.refuse(q, f, err, "")
			s.render(q, "withdraw", f)
		}
		return
	}
	l := q.ss.lang
	o := &outcome{
		Title:   say(l, "取款成功", "Withdrawal approved"),
		Big:     say(l, "请付给顾客现金 ", "Hand over ") + money.FormatReceipt(r.Amount),
		Capital: money.Capital(r.Amount),
		Lines: []string{
			say(l, "卡号 ", "card ") + r.Card + say(l, "  授权码 ", "  authorisation ") + r.AuthCode + say(l, "  流水号 ", "  trace ") + r.Trace,
		},
		Receipt: r.Entry.Seq, Next: "/withdraw",
	}
	if r.Fee.IsPositive() {
		o.Lines = append(o.Lines, say(l, "手续费 ", "fee ")+money.FormatReceipt(r.Fee)+say(l, "（从卡上扣）", " (taken from the card)"))
	}
	o.Lines = append(o.Lines,
		say(l, "本店佣金 ", "shop commission ")+money.FormatReceipt(r.Commission)+say(l, "。记在账本第 ", ". Ledger entry ")+itoa(r.Entry.Seq)+say(l, " 笔。", "."),
		say(l, "请持卡人在商户存根上签名。", "Have the cardholder sign the merchant copy."))
	s.issue(q, o)
	s.finish(q, f.Key, o)
	if err := sv.Cards.Link.Shown(r.Entry.Seq); err != nil {
		s.logf("web: withdrawal %d shown: %v", r.Entry.Seq, err)
	}
}

// shown: the shopkeeper settled a withdrawal the start screen reported
// (approved just before the program stopped), so no start reports it again.
func (s *Server) shown(q *req) {
	seq, err := strconv.ParseUint(q.r.PathValue("seq"), 10, 64)
	if err != nil {
		s.notFound(q)
		return
	}
	s.work.Lock()
	err = s.st.Services().Cards.Link.Shown(seq)
	s.work.Unlock()
	if err != nil {
		s.logf("web: withdrawal %d shown: %v", seq, err)
	}
	http.Redirect(q.w, q.r, "/", http.StatusSeeOther)
}

func (s *Server) inquiryForm(q *req) {
	f := newForm(nil)
	f.Key = token()
	s.render(q, "inquiry", f)
}

// inquiry reads a card's balance; nothing moves.
func (s *Server) inquiry(q *req) {
	f := newForm(q.r.PostForm)
	f.Key = q.r.PostFormValue("key")
	pinCode := f.V("pin")
	f.Values.Del("pin")
	card, err := s.cardOf(q, f)
	if err != nil {
		s.refuse(q, f, err, "")
		s.render(q, "inquiry", f)
		return
	}
	s.work.Lock()
	bal, e, err := s.st.Services().Cards.BalanceInquiry(q.r.Context(), q.ss.op.ID, card, pinCode, "web:"+f.Key)
	s.work.Unlock()
	if err != nil {
		if fieldOf(err) != "" {
			s.refuse(q, f, err, "")
			s.render(q, "inquiry", f)
			return
		}
		s.failedHost(q, f.Key, err, "/inquiry")
		return
	}
	l := q.ss.lang
	s.finish(q, f.Key, &outcome{
		Title:   say(l, "查询成功", "Balance"),
		Big:     say(l, "可用余额 ", "Available ") + money.FormatReceipt(bal),
		Capital: money.Capital(bal),
		Lines:   []string{say(l, "卡号 ", "card ") + idcheck.MaskCard(card), say(l, "查询记在账本第 ", "Inquiry recorded as ledger entry ") + itoa(e.Seq) + say(l, " 笔，没有动现金。", "; no cash moved.")},
		Next:    "/inquiry",
	})
}

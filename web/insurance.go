package web

import (
	"strconv"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/tariff"
	"github.com/villagepost/bianmin/terminal"
)

// insureData is what the insurance form offers: the tariff's products.
type insureData struct {
	Products []tariff.Product
}

func (s *Server) insureProducts() *insureData {
	return &insureData{Products: s.st.Services().Tariff.Insurance}
}

func (s *Server) insureForm(q *req) {
	f := newForm(nil)
	f.Key = token()
	if ps := s.st.Services().Tariff.Insurance; len(ps) > 0 {
		f.Values.Set("product", ps[0].ID)
	} else {
		f.Top = s.st.Explain(terminal.ErrNoInsurance, q.ss.lang)
	}
	s.renderForm(q, "insure", f, s.insureProducts())
}

// policyOf is the order typed in f.
func (s *Server) policyOf(q *req, f *form, sum decimal.Decimal) terminal.PolicyOrder {
	return terminal.PolicyOrder{Operator: q.ss.op.ID, Product: f.V("product"), Holder: f.V("holder"), IDNumber: f.V("id"),
		Object: f.V("object"), SumInsured: sum, IdemKey: "web:" + f.Key}
}

// insureTyped reads the form; on bad input it shows the form again with
// the field marked and returns false.
func (s *Server) insureTyped(q *req) (*form, terminal.PolicyOrder, bool) {
	f := newForm(q.r.PostForm)
	f.Key = q.r.PostFormValue("key")
	sum, err := money.Parse("sum", f.V("sum"), money.Limits{})
	if err == nil {
		o := s.policyOf(q, f, sum)
		if err = s.st.Services().Insurance.Check(o); err == nil && f.Key != "" {
			return f, o, true
		}
	}
	if err != nil {
		s.refuse(q, f, err, "")
	}
	s.renderForm(q, "insure", f, s.insureProducts())
	return f, terminal.PolicyOrder{}, false
}

// insureCheck shows the customer what they buy and what it costs.
func (s *Server) insureCheck(q *req) {
	f, o, ok := s.insureTyped(q)
	if !ok {
		return
	}
	sv := s.st.Services()
	pq, err := sv.Insurance.Quote(o.Product, o.SumInsured)
	if err != nil {
		s.refuse(q, f, err, "")
		s.renderForm(q, "insure", f, s.insureProducts())
		return
	}
	l := q.ss.lang
	lines := []string{
		pq.Product.Name + "  " + say(l, "被保险人 ", "insured ") + f.V("holder"),
		say(l, "保险标的 ", "insured object ") + f.V("object"),
		say(l, "保额 ", "sum insured ") + money.FormatReceipt(pq.SumInsured) + say(l, "，保费 ", ", premium ") + money.FormatReceipt(pq.Premium),
		say(l, "保险期间 ", "cover ") + pq.Start + say(l, " 至 ", " to ") + pq.End,
	}
	if pq.Fee.IsPositive() {
		lines = append(lines, say(l, "服务费 ", "service fee ")+money.FormatReceipt(pq.Fee))
	}
	s.confirmPriced(q, f, sv.Tariff, &confirmData{Action: "/insure", Back: "/insure", Edit: true, Service: say(l, "财产保险投保", "Property insurance"),
		Lines: lines, Amount: money.FormatReceipt(pq.Total), Capital: money.Capital(pq.Total), Verb: say(l, "确认投保", "Confirm purchase")})
}

// insureBuy asks the insurer to issue the policy.
func (s *Server) insureBuy(q *req) {
	f, o, ok := s.insureTyped(q)
	if !ok {
		return
	}
	s.work.Lock()
	sv := s.st.Services()
	if s.repriced(q, f, sv.Tariff) {
		s.work.Unlock()
		s.insureCheck(q)
		return
	}
	r, err := sv.Insurance.Buy(q.r.Context(), o)
	s.work.Unlock()
	if err != nil {
		if fieldOf(err) != "" {
			s.refuse(q, f, err, "")
			s.renderForm(q, "insure", f, s.insureProducts())
			return
		}
		s.failedHost(q, f.Key, err, "/insure")
		return
	}
	l := q.ss.lang
	pq := r.Quote
	out := &outcome{
		Title:   say(l, "投保成功，保单号 ", "Policy issued, number ") + r.Policy,
		Big:     say(l, "收现金 ", "Take ") + money.FormatReceipt(pq.Total),
		Capital: money.Capital(pq.Total),
		Lines: []string{
			pq.Product.Name + say(l, "，保额 ", ", sum insured ") + money.FormatReceipt(pq.SumInsured) + say(l, "，保费 ", ", premium ") + money.FormatReceipt(pq.Premium),
			say(l, "保险期间 ", "cover ") + pq.Start + say(l, " 至 ", " to ") + pq.End,
			say(l, "犹豫期到 ", "cooling-off period until ") + r.Until + say(l, "，这之前可以凭收据全额退保。", ": until then it can be cancelled for the whole premium, with the receipt."),
			say(l, "流水号 ", "trace ") + r.Trace + say(l, "，本店佣金 ", ", shop commission ") + money.FormatReceipt(pq.Commission) +
				say(l, "。记在账本第 ", ". Ledger entry ") + itoa(r.Entry.Seq) + say(l, " 笔。", "."),
		},
		Receipt: r.Entry.Seq, Next: "/insure",
	}
	s.issue(q, out)
	s.finish(q, f.Key, out)
}

type policyListData struct {
	Open []terminal.OpenPolicy
	Keys map[uint64]string // a fresh idempotency key per cancel button
}

func (s *Server) policyList(q *req) {
	f := newForm(nil)
	open, err := s.st.Services().Insurance.Open()
	if err != nil {
		f.Top = s.st.Explain(err, q.ss.lang)
	}
	d := &policyListData{Open: open, Keys: map[uint64]string{}}
	for _, p := range open {
		d.Keys[p.Sale] = token()
	}
	s.renderForm(q, "policies", f, d)
}

// policyCancel cancels a policy in its cooling-off period, after one more
// question: a wrong click must not cost the villager the cover.
func (s *Server) policyCancel(q *req) {
	key := q.r.PostFormValue("key")
	sale, err := strconv.ParseUint(q.r.PostFormValue("sale"), 10, 64)
	if err != nil || key == "" {
		s.forbidden(q)
		return
	}
	l := q.ss.lang
	if q.r.PostFormValue("sure") != "1" {
		open, err := s.st.Services().Insurance.Open()
		if err != nil {
			s.failed(q, key, err, "/policies")
			return
		}
		for _, p := range open {
			if p.Sale != sale {
				continue
			}
			f := newForm(nil)
			f.Key = key
			f.Values.Set("sale", itoa(sale))
			f.Values.Set("sure", "1")
			s.renderForm(q, "confirm", f, &confirmData{Action: "/policies/cancel", Back: "/policies", Service: say(l, "退保", "Cancel a policy"),
				Lines: []string{p.ProductName + "  " + p.Holder + "  " + p.Object, say(l, "保单号 ", "policy ") + p.Policy,
					say(l, "退保后没有保障了。", "After the cancel there is no cover.")},
				Amount: money.FormatReceipt(p.Premium), Capital: money.Capital(p.Premium), Verb: say(l, "确认退保", "Confirm cancel")})
			return
		}
		s.failed(q, key, terminal.ErrNotOpenPolicy, "/policies")
		return
	}
	s.work.Lock()
	r, err := s.st.Services().Insurance.Cancel(q.r.Context(), q.ss.op.ID, sale, "web:"+key)
	s.work.Unlock()
	if err != nil {
		s.failedHost(q, key, err, "/policies")
		return
	}
	out := &outcome{
		Title:   say(l, "已退保，保单号 ", "Cancelled, policy ") + r.Policy.Policy,
		Big:     say(l, "请退给顾客现金 ", "Give back ") + money.FormatReceipt(r.Refund),
		Capital: money.Capital(r.Refund),
		Lines:   []string{say(l, "记在账本第 ", "Ledger entry ") + itoa(r.Entry.Seq) + say(l, " 笔。", ".")},
		Receipt: r.Entry.Seq, Next: "/policies",
	}
	s.issue(q, out)
	s.finish(q, key, out)
}

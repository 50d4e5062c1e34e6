package web

import (
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/tariff"
	"github.com/villagepost/bianmin/terminal"
)

type shelfItem struct {
	tariff.Item
	Stock int64
}

type sellData struct {
	Items []shelfItem
}

func (s *Server) shelf(q *req, f *form) *sellData {
	sv := s.st.Services()
	stock, err := sv.Goods.Stock()
	if err != nil {
		f.Top = s.st.Explain(err, q.ss.lang)
	}
	d := &sellData{}
	for _, it := range sv.Tariff.Goods {
		d.Items = append(d.Items, shelfItem{it, stock[it.SKU]})
	}
	return d
}

func (s *Server) sellForm(q *req) {
	f := newForm(nil)
	f.Key = token()
	s.renderForm(q, "sell", f, s.shelf(q, f))
}

// saleOf reads the sale typed in f: a quantity per item, the cash handed
// over and the delivery.
func (s *Server) saleOf(q *req, f *form) (terminal.Sale, bool) {
	sale := terminal.Sale{Operator: q.ss.op.ID, IdemKey: "web:" + f.Key}
	for _, it := range s.st.Services().Tariff.Goods {
		name := "qty_" + it.SKU
		if v := strings.TrimSpace(f.V(name)); v == "" || v == "0" {
			continue // not bought
		}
		n, err := terminal.ParseQuantity("qty", f.V(name), 1)
		if err != nil {
			f.Errors[name] = s.st.Explain(relabel(q, err), q.ss.lang)
			continue
		}
		if n > 0 {
			sale.Lines = append(sale.Lines, terminal.Line{SKU: it.SKU, Qty: n})
		}
	}
	if f.V("paid") != "" {
		p, err := money.Parse("paid", f.V("paid"), money.Limits{})
		if err != nil {
			s.refuse(q, f, err, "")
		}
		sale.Paid = p
	}
	if to, by := strings.TrimSpace(f.V("deliver_to")), f.V("promised"); to != "" || by != "" {
		sale.Delivery = &terminal.Delivery{To: to, Promised: by}
		if err := s.st.Services().Goods.CheckDelivery(*sale.Delivery); err != nil {
			s.refuse(q, f, err, "")
		}
	}
	if len(sale.Lines) == 0 && !f.Bad() {
		f.Errors["items"] = say(q.ss.lang, "请至少给一样商品写上数量。", "Give a quantity for at least one item.")
	}
	return sale, !f.Bad()
}

func (s *Server) sellCheck(q *req) {
	f := newForm(q.r.PostForm)
	f.Key = q.r.PostFormValue("key")
	sale, ok := s.saleOf(q, f)
	if !ok {
		s.renderForm(q, "sell", f, s.shelf(q, f))
		return
	}
	l := q.ss.lang
	t := s.st.Services().Tariff
	var lines []string
	total := decimal.Zero
	for _, ln := range sale.Lines {
		it, _ := t.Item(ln.SKU)
		amount := it.Price.Mul(decimal.NewFromInt(ln.Qty))
		total = total.Add(amount)
		lines = append(lines, it.Name+" × "+strconv.FormatInt(ln.Qty, 10)+" "+it.Unit+"  "+money.FormatReceipt(amount))
	}
	if sale.Delivery != nil {
		lines = append(lines, say(l, "送到 ", "deliver to ")+sale.Delivery.To+say(l, "，最晚 ", " by ")+sale.Delivery.Promised)
	}
	if sale.Paid.GreaterThan(total) {
		lines = append(lines, say(l, "顾客交来 ", "handed over ")+money.FormatReceipt(sale.Paid)+say(l, "，找零 ", ", change ")+money.FormatReceipt(sale.Paid.Sub(total)))
	}
	s.confirmPriced(q, f, t, &confirmData{Action: "/sell", Back: "/sell", Edit: true, Service: say(l, "卖商品", "Sale"), Lines: lines,
		Amount: money.FormatReceipt(total), Capital: money.Capital(total), Verb: say(l, "确认卖出", "Confirm sale")})
}

func (s *Server) sell(q *req) {
	f := newForm(q.r.PostForm)
	f.Key = q.r.PostFormValue("key")
	sale, ok := s.saleOf(q, f)
	if !ok || f.Key == "" {
		s.renderForm(q, "sell", f, s.shelf(q, f))
		return
	}
	s.work.Lock()
	sv := s.st.Services()
	if s.repriced(q, f, sv.Tariff) {
		s.work.Unlock()
		s.sellCheck(q)
		return
	}
	r, err := sv.Goods.Sell(sale)
	s.work.Unlock()
	if err != nil {
		if fieldOf(err) != "" {
			s.refuse(q, f, err, "")
			s.renderForm(q, "sell", f, s.shelf(q, f))
			return
		}
		s.failed(q, f.Key, err, "/sell")
		return
	}
	l := q.ss.lang
	o := &outcome{
		Title:   say(l, "已售出", "Sold"),
		Big:     say(l, "收现金 ", "Take ") + money.FormatReceipt(r.Total),
		Capital: money.Capital(r.Total),
		Receipt: r.Entry.Seq, Next: "/sell",
	}
	if r.Change.IsPositive() {
		o.Lines = append(o.Lines, say(l, "找零 ", "Give change ")+money.FormatReceipt(r.Change))
	}
	o.Lines = append(o.Lines, say(l, "本店佣金 ", "shop commission ")+money.FormatReceipt(r.Commission)+say(l, "，记在账本第 ", ", ledger entry ")+itoa(r.Entry.Seq)+say(l, " 笔。", "."))
	if sale.Delivery != nil {
		o.Lines = append(o.Lines, say(l, "送货：", "Delivery: ")+sale.Delivery.Promised+say(l, " 前送到 ", ", to ")+sale.Delivery.To+
			say(l, "；送到后在“送货签收”登记签收人（销售第 ", "; when delivered, record who received it under Deliveries (sale ")+itoa(r.Entry.Seq)+say(l, " 笔）。", ")."))
	}
	s.issue(q, o)
	s.finish(q, f.Key, o)
}

type deliverData struct {
	Open []openSale
}

// openSale is a sale whose goods are still to be delivered.
type openSale struct {
	Seq      uint64
	To, By   string
	Total    string
	Received bool
	day      string // the sale's business day
}

func (s *Server) deliverForm(q *req) {
	f := newForm(nil)
	f.Key = token()
	if v := q.r.URL.Query().Get("sale"); v != "" {
		f.Values.Set("sale", v)
	}
	s.renderForm(q, "deliver", f, s.toDeliver(q, f))
}

func (s *Server) deliver(q *req) {
	f := newForm(q.r.PostForm)
	f.Key = q.r.PostFormValue("key")
	seq, err := strconv.ParseUint(strings.TrimSpace(f.V("sale")), 10, 64)
	if err != nil {
		f.Errors["sale"] = say(q.ss.lang, "请写销售记录的账本序号（整数）。", "Give the sale's entry number.")
		s.renderForm(q, "deliver", f, s.toDeliver(q, f))
		return
	}
	s.work.Lock()
	e, err := s.st.Services().Goods.Deliver(q.ss.op.ID, seq, strings.TrimSpace(f.V("received_by")))
	s.work.Unlock()
	if err != nil {
		field := fieldOf(err)
		if field == "" {
			field = "sale"
		}
		f.Errors[field] = s.st.Explain(relabel(q, err), q.ss.lang)
		s.renderForm(q, "deliver", f, s.toDeliver(q, f))
		return
	}
	l := q.ss.lang
	s.finish(q, f.Key, &outcome{
		Title: say(l, "已登记送货签收", "Delivery recorded"),
		Lines: []string{say(l, "第 ", "The goods of entry ") + itoa(seq) + say(l, " 笔的货已送到，", " were delivered, received by ") + f.V("received_by") +
			say(l, " 签收，记在账本第 ", "; ledger entry ") + itoa(e.Seq) + say(l, " 笔。", ".")},
		Next: "/deliver",
	})
}

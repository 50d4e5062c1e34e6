package main

import (
	"context"
	"strconv"
	"strings"

	"github.com/villagepost/bianmin/internal/textwidth"
	"github.com/villagepost/bianmin/shopfront"

	"time"

	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/terminal"
)

// openGoods opens the station and its goods counter on the current tariff.
// A view (the stock list) reads a copy while station serve runs.
func (m *Main) openGoods(ctx context.Context, dir string, view bool) (*shopfront.Folder, *terminal.Goods, error) {
	open := m.openStation
	if view {
		open = func(dir string, verifyNew bool) (*shopfront.Folder, error) { return m.openForView(ctx, dir, verifyNew) }
	}
	st, err := open(dir, true)
	if err != nil {
		return nil, nil, err
	}
	t, err := st.CurrentTariff()
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	zone := st.Ledger.Zone()
	return st, &terminal.Goods{Ledger: st.Ledger, Tariff: t, Today: func() time.Time { return m.Now().In(zone) }}, nil
}

// runStock shows the stock, or records a delivery from the post office or
// a count.
func (m *Main) runStock(ctx context.Context, args []string) error {
	action := "list"
	if len(args) > 0 && (args[0] == "in" || args[0] == "return" || args[0] == "count" || args[0] == "list") {
		action, args = args[0], args[1:]
	}
	fs := m.flags("stock " + action)
	var w worker
	w.register(fs)
	sku := fs.String("sku", "", "catalogue SKU, e.g. FERT-UREA-50KG")
	qty := fs.String("qty", "", "units delivered by (in) or sent back to (return) the post office")
	counted := fs.String("counted", "", "units counted on the shelf")
	note := fs.String("note", "", "a note, e.g. the delivery slip number")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	st, g, err := m.openGoods(ctx, w.dir, action == "list")
	if err != nil {
		return err
	}
	defer st.Close()
	var seq uint64 // the entry this command recorded, if any
	switch action {
	case "in":
		n, err := wholeNumber("qty", *qty, 1)
		if err != nil {
			return err
		}
		if err := m.signedIn(st, w); err != nil {
			return err
		}
		e, err := g.StockIn(w.operator, *sku, n, *note, shopfront.NewIdemKey("stock"))
		if err != nil {
			return err
		}
		seq = e.Seq
		if !*asJSON {
			m.printf("已入库 %s %d，记在账本第 %d 笔。\n", "received %s ×%d, ledger entry %d.\n", *sku, n, e.Seq)
		}
	case "return":
		n, err := wholeNumber("qty", *qty, 1)
		if err != nil {
			return err
		}
		if err := m.signedIn(st, w); err != nil {
			return err
		}
		e, err := g.StockReturn(w.operator, *sku, n, *note, shopfront.NewIdemKey("stockreturn"))
		if err != nil {
			return err
		}
		seq = e.Seq
		if !*asJSON {
			m.printf("已退回邮政 %s %d，记在账本第 %d 笔。\n", "returned %s ×%d to the post office, ledger entry %d.\n", *sku, n, e.Seq)
		}
	case "count":
		n, err := wholeNumber("counted", *counted, 0)
		if err != nil {
			return err
		}
		if err := m.signedIn(st, w); err != nil {
			return err
		}
		e, variance, err := g.CountStock(w.operator, *sku, n, shopfront.NewIdemKey("stockcount"))
		if err != nil {
			return err
		}
		seq = e.Seq
		if !*asJSON {
			m.printf("盘点 %s：实有 %d，差异 %+d，记在账本第 %d 笔。\n", "count of %s: %d on the shelf, difference %+d, ledger entry %d.\n", *sku, n, variance, e.Seq)
		}
	}
	stock, err := g.Stock()
	if err != nil {
		return err
	}
	if *asJSON {
		out := map[string]any{"stock": stock}
		if seq != 0 {
			out["seq"] = seq
		}
		return writeJSON(m.Stdout, out)
	}
	t := textwidth.Table{Right: map[int]bool{3: true}}
	for _, it := range g.Tariff.Goods {
		t.Add("", it.SKU, it.Name, strconv.FormatInt(stock[it.SKU], 10), it.Unit)
	}
	m.printf("库存：\n", "stock:\n")
	return t.Write(m.Stdout)
}

// wholeNumber reads a count a person typed.
func wholeNumber(field, s string, min int64) (int64, error) {
	return terminal.ParseQuantity(field, s, min)
}

// itemsFlag collects --item SKU:QTY flags.
type itemsFlag []string

func (f *itemsFlag) String() string { return strings.Join(*f, ",") }

func (f *itemsFlag) Set(s string) error {
	*f = append(*f, s)
	return nil
}

// lines reads the items as sale lines; QTY defaults to 1.
func (f itemsFlag) lines() ([]terminal.Line, error) {
	var out []terminal.Line
	for _, s := range f {
		sku, q, ok := strings.Cut(s, ":")
		if !ok {
			q = "1"
		}
		n, err := wholeNumber("qty", q, 1)
		if err != nil {
			return nil, err
		}
		out = append(out, terminal.Line{SKU: strings.ToUpper(strings.TrimSpace(sku)), Qty: n})
	}
	return out, nil
}

func (m *Main) runSell(ctx context.Context, args []string) error {
	fs := m.flags("sell")
	var w worker
	w.register(fs)
	var items itemsFlag
	fs.Var(&items, "item", "SKU:QTY, repeat for more items")
	paidText := fs.String("paid", "", "cash the customer handed over (default: exactly the total)")
	to := fs.String("deliver-to", "", "deliver to: the farmhouse or the field")
	promised := fs.String("promised", "", "delivery promised by, YYYY-MM-DD")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	st, g, err := m.openGoods(ctx, w.dir, false)
	if err != nil {
		return err
	}
	defer st.Close()
	lines, err := items.lines()
	if err != nil {
		return err
	}
	sale := terminal.Sale{Operator: w.operator, Lines: lines, IdemKey: shopfront.NewIdemKey("sale")}
	if *paidText != "" {
		if sale.Paid, err = money.Parse("paid", *paidText, money.Limits{}); err != nil {
			return err
		}
	}
	if *to != "" || *promised != "" {
		sale.Delivery = &terminal.Delivery{To: strings.TrimSpace(*to), Promised: *promised}
	}
	if err := m.signedIn(st, w); err != nil {
		return err
	}
	r, err := g.Sell(sale)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, map[string]any{"seq": r.Entry.Seq, "total": money.FormatWire(r.Total),
			"commission": money.FormatWire(r.Commission), "change": money.FormatWire(r.Change),
			"receipt": m.printReceipt(st, r.Entry.Seq, true)})
	}
	m.printf("已售出，合计 %s，", "sold, total %s, ", money.FormatReceipt(r.Total))
	if r.Change.IsPositive() {
		m.printf("找零 %s，", "give %s change, ", money.FormatReceipt(r.Change))
	}
	m.printf("本店佣金 %s，记在账本第 %d 笔。\n", "shop commission %s, ledger entry %d.\n", money.FormatReceipt(r.Commission), r.Entry.Seq)
	if sale.Delivery != nil {
		m.printf("送货：%s 前送到 %s；送到后请用 station deliver --sale %d 登记签收人。\n",
			"delivery: to %[2]s by %[1]s; when delivered record who received it with station deliver --sale %[3]d.\n",
			sale.Delivery.Promised, sale.Delivery.To, r.Entry.Seq)
	}
	m.printReceipt(st, r.Entry.Seq, false)
	return nil
}

func (m *Main) runDeliver(ctx context.Context, args []string) error {
	fs := m.flags("deliver")
	var w worker
	w.register(fs)
	sale := fs.Uint64("sale", 0, "the sale's entry number")
	receivedBy := fs.String("received-by", "", "who received the goods")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if *sale == 0 {
		return m.missingFlag("sale", "请用 --sale 给出销售记录的账本序号。", "give the sale's entry number with --sale.")
	}
	st, g, err := m.openGoods(ctx, w.dir, false)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := m.signedIn(st, w); err != nil {
		return err
	}
	e, err := g.Deliver(w.operator, *sale, strings.TrimSpace(*receivedBy))
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, map[string]any{"seq": e.Seq, "sale": *sale, "received_by": *receivedBy})
	}
	m.printf("已登记：第 %d 笔的货已送到，%s 签收，记在账本第 %d 笔。\n", "recorded: the goods of entry %d were delivered, received by %s, ledger entry %d.\n",
		*sale, *receivedBy, e.Seq)
	return nil
}

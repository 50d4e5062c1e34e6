package main

import (
	"context"
	"strconv"
	"time"

	"github.com/villagepost/bianmin/internal/textwidth"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/shopfront"
	"github.com/villagepost/bianmin/terminal"
)

// runInsure prices, sells, lists and cancels property insurance policies.
func (m *Main) runInsure(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return m.usageErr("请说明要做什么：station insure quote、buy、list 或 cancel。", "say what to do: station insure quote, buy, list or cancel.")
	}
	switch args[0] {
	case "quote":
		return m.insureQuote(args[1:])
	case "buy":
		return m.insureBuy(ctx, args[1:])
	case "list":
		return m.insureList(args[1:])
	case "cancel":
		return m.insureCancel(ctx, args[1:])
	}
	return m.usageErr("保险没有“%s”这个操作；可用 quote、buy、list、cancel。", "insure has no %q; use quote, buy, list or cancel.", args[0])
}

// printQuote tells the shopkeeper the price of a policy.
func (m *Main) printQuote(q terminal.PolicyQuote) {
	m.printf("%s，保额 %s：保费 %s（保额的 %s‰，最低 %s）。\n", "%s, sum insured %s: premium %s (%s per thousand of the sum, at least %s).\n",
		q.Product.Name, money.FormatReceipt(q.SumInsured), money.FormatReceipt(q.Premium), q.Product.RatePermille.String(), money.FormatReceipt(q.Product.MinPremium.Decimal))
	if q.Fee.IsPositive() {
		m.printf("  另收服务费 %s，共收现金 %s。\n", "  plus a service fee of %s: take %s in cash.\n", money.FormatReceipt(q.Fee), money.FormatReceipt(q.Total))
	}
	m.printf("  保险期间 %s 至 %s；犹豫期由保险公司出单时给出，印在收据上，犹豫期内可以全额退保。\n",
		"  cover %s to %s; the insurer gives the cooling-off period when it issues the policy, and the receipt prints it: until then it can be cancelled for the whole premium.\n", q.Start, q.End)
}

func (m *Main) insureQuote(args []string) error {
	fs := m.flags("insure quote")
	dir := fs.String("dir", "", "the station's data folder")
	product := fs.String("product", "", "the product: farmhouse (农房), machinery (农机) or home (家庭财产)")
	sum := fs.String("sum", "", "the sum insured, e.g. 100000")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	amount, err := money.Parse("sum", *sum, money.Limits{})
	if err != nil {
		return err
	}
	st, err := m.openStation(*dir, true)
	if err != nil {
		return err
	}
	defer st.Close()
	t, err := st.CurrentTariff()
	if err != nil {
		return err
	}
	zone := st.Ledger.Zone()
	ins := &terminal.Insurance{Tariff: t, Today: func() time.Time { return m.Now().In(zone) }}
	q, err := ins.Quote(*product, amount)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, map[string]any{"product": q.Product.ID, "name": q.Product.Name, "sum_insured": money.FormatWire(q.SumInsured),
			"premium": money.FormatWire(q.Premium), "fee": money.FormatWire(q.Fee), "total": money.FormatWire(q.Total),
			"commission": money.FormatWire(q.Commission), "start": q.Start, "end": q.End})
	}
	m.printQuote(q)
	return nil
}

func (m *Main) insureBuy(ctx context.Context, args []string) error {
	fs := m.flags("insure buy")
	var w worker
	var h hostFlag
	w.register(fs)
	h.register(fs)
	var o terminal.PolicyOrder
	fs.StringVar(&o.Product, "product", "", "the product: farmhouse (农房), machinery (农机) or home (家庭财产)")
	fs.StringVar(&o.Holder, "holder", "", "the insured person's name as on the ID card")
	fs.StringVar(&o.IDNumber, "id", "", "the insured person's resident ID number (18 characters)")
	fs.StringVar(&o.Object, "object", "", "what is insured, e.g. 砖木结构住房三间")
	sum := fs.String("sum", "", "the sum insured, e.g. 100000")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	var err error
	if o.SumInsured, err = money.Parse("sum", *sum, money.Limits{}); err != nil {
		return err
	}
	c, err := m.openCounter(ctx, w, h)
	if err != nil {
		return err
	}
	defer c.Close()
	o.Operator, o.IdemKey = c.Op.ID, shopfront.NewIdemKey("policy")
	r, err := c.Insurance().Buy(ctx, o)
	if err != nil {
		return m.serviceErr(c, err)
	}
	q := r.Quote
	if *asJSON {
		return writeJSON(m.Stdout, map[string]any{
			"seq": r.Entry.Seq, "intent": r.Intent.Seq, "trace": r.Trace, "policy": r.Policy, "until": r.Until,
			"product": q.Product.ID, "sum_insured": money.FormatWire(q.SumInsured), "premium": money.FormatWire(q.Premium),
			"fee": money.FormatWire(q.Fee), "total": money.FormatWire(q.Total), "commission": money.FormatWire(q.Commission),
			"start": q.Start, "end": q.End, "receipt": m.printReceipt(c.Folder, r.Entry.Seq, true),
		})
	}
	m.printf("投保成功，保单号 %s：收现金 %s（保费）。\n", "Policy issued, number %s: take %s in cash (the premium).\n", r.Policy, money.FormatReceipt(q.Total))
	m.printf("  保险期间 %s 至 %s；犹豫期到 %s，这之前可以全额退保。\n", "  cover %s to %s; cooling-off period until %s: until then it can be cancelled for the whole premium.\n",
		q.Start, q.End, r.Until)
	m.printf("  流水号 %s，本店佣金 %s。记在账本第 %d 笔。\n", "  trace %s, shop commission %s. Ledger entry %d.\n", r.Trace, money.FormatReceipt(q.Commission), r.Entry.Seq)
	m.printReceipt(c.Folder, r.Entry.Seq, false)
	return nil
}

func (m *Main) insureList(args []string) error {
	st, asJSON, err := m.openView("insure list", args)
	if err != nil {
		return err
	}
	defer st.Close()
	list, err := terminal.OpenPolicies(st.Ledger, m.Now().In(st.Ledger.Zone()))
	if err != nil {
		return err
	}
	if asJSON {
		out := []map[string]any{}
		for _, p := range list {
			out = append(out, map[string]any{
				"sale": p.Sale, "policy": p.Policy, "product": p.Product, "holder": p.Holder, "id": p.ID, "object": p.Object,
				"sum_insured": money.FormatWire(p.SumInsured), "premium": money.FormatWire(p.Premium), "start": p.Start, "end": p.End, "until": p.Until,
			})
		}
		return writeJSON(m.Stdout, out)
	}
	if len(list) == 0 {
		m.printf("没有还在犹豫期内的保单。\n", "No policies in their cooling-off period.\n")
		return nil
	}
	t := textwidth.Table{Right: map[int]bool{4: true}}
	t.Add(m.say("账本序号", "entry"), m.say("险种", "product"), m.say("被保险人", "insured"), m.say("保单号", "policy"),
		m.say("保费", "premium"), m.say("犹豫期至", "cooling-off until"))
	for _, p := range list {
		t.Add(strconv.FormatUint(p.Sale, 10), p.ProductName, p.Holder, p.Policy, money.FormatReceipt(p.Premium), p.Until)
	}
	return t.Write(m.Stdout)
}

func (m *Main) insureCancel(ctx context.Context, args []string) error {
	fs := m.flags("insure cancel")
	var w worker
	var h hostFlag
	w.register(fs)
	h.register(fs)
	sale := fs.Uint64("policy", 0, "the entry number of the policy's sale (station insure list shows it)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if *sale == 0 {
		return m.missingFlag("policy", "请用 --policy 给出保单的账本序号（station insure list 可查看）。", "give the policy's entry number with --policy (see station insure list).")
	}
	c, err := m.openCounter(ctx, w, h)
	if err != nil {
		return err
	}
	defer c.Close()
	r, err := c.Insurance().Cancel(ctx, c.Op.ID, *sale, shopfront.NewIdemKey("unpolicy"))
	if err != nil {
		return m.serviceErr(c, err)
	}
	if *asJSON {
		return writeJSON(m.Stdout, map[string]any{"seq": r.Entry.Seq, "sale": r.Policy.Sale, "policy": r.Policy.Policy, "trace": r.Trace,
			"refund": money.FormatWire(r.Refund), "receipt": m.printReceipt(c.Folder, r.Entry.Seq, true)})
	}
	m.printf("退保成功（保单号 %s）：请退给顾客现金 %s。记在账本第 %d 笔。\n", "Policy %s cancelled: give the customer %s back in cash. Ledger entry %d.\n",
		r.Policy.Policy, money.FormatReceipt(r.Refund), r.Entry.Seq)
	m.printReceipt(c.Folder, r.Entry.Seq, false)
	return nil
}

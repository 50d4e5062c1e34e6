package main

import (
	"context"
	"strings"
	"time"

	"github.com/villagepost/bianmin/internal/textwidth"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/shopfront"
	"github.com/villagepost/bianmin/simcard"
	"github.com/villagepost/bianmin/tariff"
	"github.com/villagepost/bianmin/terminal"
)

// showSIMPlans lists the tariff's phone-number card plans for tariff
// show: what the buyer pays, the call credit in it, and the shop's
// commission per card.
func (m *Main) showSIMPlans(t *tariff.Tariff) error {
	if len(t.SIMCards) == 0 {
		return nil
	}
	m.printf("\n号卡（寄售，每张）：\n", "\nphone-number cards (consigned, per card):\n")
	st := textwidth.Table{Right: map[int]bool{3: true}}
	for _, p := range t.SIMCards {
		st.Add("", p.Plan, p.Name, money.FormatReceipt(p.Price.Decimal),
			m.say("含首充", "incl. first top-up ")+money.FormatReceipt(p.FirstTopup.Decimal),
			m.say("佣金", "commission ")+money.FormatReceipt(p.Commission.Decimal))
	}
	return st.Write(m.Stdout)
}

// runSIM receives, lists, sells and returns phone-number cards.
func (m *Main) runSIM(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return m.usageErr("请说明要做什么：station sim receive、stock、sell 或 return。", "say what to do: station sim receive, stock, sell or return.")
	}
	switch args[0] {
	case "receive", "return":
		return m.simBatch(args[0], args[1:])
	case "stock":
		return m.simStock(args[1:])
	case "sell":
		return m.simSell(ctx, args[1:])
	}
	return m.usageErr("号卡没有“%s”这个操作；可用 receive、stock、sell、return。", "sim has no %q; use receive, stock, sell or return.", args[0])
}

// simBatch records a consignment received from the carrier, or unsold
// cards sent back: nothing goes to a host.
func (m *Main) simBatch(action string, args []string) error {
	fs := m.flags("sim " + action)
	var w worker
	w.register(fs)
	var cards, numbers itemsFlag
	plan := fs.String("plan", "", "receive: the plan, e.g. cmcc-39 (station tariff show lists them)")
	fs.Var(&cards, "card", "receive: ICCID,number of one card; repeat for more")
	fs.Var(&numbers, "number", "return: the phone number of one card; repeat for more")
	note := fs.String("note", "", "a note, e.g. the carrier's hand-over slip number")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	var parsed []simcard.Card
	for _, s := range cards {
		c, err := simcard.Parse(s)
		if err != nil {
			return err
		}
		parsed = append(parsed, c)
	}
	var nums []string
	for _, s := range numbers {
		n, err := simcard.Number(s)
		if err != nil {
			return err
		}
		nums = append(nums, n)
	}
	st, err := m.openStation(w.dir, true)
	if err != nil {
		return err
	}
	defer st.Close()
	t, err := st.CurrentTariff()
	if err != nil {
		return err
	}
	if err := m.signedIn(st, w); err != nil {
		return err
	}
	zone := st.Ledger.Zone()
	s := &terminal.SIMCards{Link: &terminal.Link{Ledger: st.Ledger}, Tariff: t, Today: func() time.Time { return m.Now().In(zone) }}
	var listed []string
	var seq uint64
	if action == "receive" {
		e, err := s.Receive(w.operator, *plan, parsed, *note, shopfront.NewIdemKey("sim"))
		if err != nil {
			return err
		}
		seq = e.Seq
		for _, c := range parsed {
			listed = append(listed, c.Number)
		}
	} else {
		e, err := s.Return(w.operator, nums, *note, shopfront.NewIdemKey("sim"))
		if err != nil {
			return err
		}
		seq, listed = e.Seq, nums
	}
	stock, err := terminal.SIMStock(st.Ledger)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, map[string]any{"seq": seq, "numbers": listed, "in_stock": len(stock)})
	}
	if action == "receive" {
		p, _ := t.SIMPlan(*plan)
		m.printf("收到%s %d 张（寄售）：%s。\n", "received %s ×%d on consignment: %s.\n", p.Name, len(listed), strings.Join(listed, "、"))
	} else {
		m.printf("已把号卡 %d 张退回运营商：%s。\n", "sent %d card(s) back to the carrier: %s.\n", len(listed), strings.Join(listed, "、"))
	}
	m.printf("  现有号卡库存 %d 张。记在账本第 %d 笔。\n", "  %d card(s) in stock. Ledger entry %d.\n", len(stock), seq)
	return nil
}

func (m *Main) simStock(args []string) error {
	st, asJSON, err := m.openView("sim stock", args)
	if err != nil {
		return err
	}
	defer st.Close()
	t, err := st.CurrentTariff()
	if err != nil {
		return err
	}
	stock, err := terminal.SIMStock(st.Ledger)
	if err != nil {
		return err
	}
	if asJSON {
		out := []map[string]any{}
		for _, c := range stock {
			out = append(out, map[string]any{"number": c.Number, "iccid": simcard.MaskICCID(c.ICCID), "plan": c.Plan, "received": c.Received})
		}
		return writeJSON(m.Stdout, out)
	}
	if len(stock) == 0 {
		m.printf("号卡库存是空的。\n", "no cards in stock.\n")
		return nil
	}
	m.printf("号卡库存（%d 张）：\n", "cards in stock (%d):\n", len(stock))
	for _, c := range stock {
		p, _ := t.SIMPlan(c.Plan)
		name, price := c.Plan, ""
		if p.Plan != "" {
			name, price = p.Name, money.FormatReceipt(p.Price.Decimal)
		}
		m.printf("  %s  %s  ICCID %s  %s\n", "  %s  %s  ICCID %s  %s\n", c.Number, name, simcard.MaskICCID(c.ICCID), price)
	}
	return nil
}

func (m *Main) simSell(ctx context.Context, args []string) error {
	fs := m.flags("sim sell")
	var w worker
	var h hostFlag
	w.register(fs)
	h.register(fs)
	var o terminal.SIMOrder
	fs.StringVar(&o.Number, "number", "", "the card's phone number, from station sim stock")
	fs.StringVar(&o.Holder, "name", "", "the buyer's name as on the ID card")
	fs.StringVar(&o.IDNumber, "id", "", "the buyer's resident ID number (18 characters)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	c, err := m.openCounter(ctx, w, h)
	if err != nil {
		return err
	}
	defer c.Close()
	zone := c.Ledger.Zone()
	s := &terminal.SIMCards{Link: c.Link, Tariff: c.Tariff, Today: func() time.Time { return m.Now().In(zone) }}
	o.Operator, o.IdemKey = c.Op.ID, shopfront.NewIdemKey("sim")
	r, err := s.Sell(ctx, o)
	if err != nil {
		return m.serviceErr(c, err)
	}
	p := r.Plan
	if *asJSON {
		return writeJSON(m.Stdout, map[string]any{
			"seq": r.Entry.Seq, "intent": r.Intent.Seq, "trace": r.Trace, "registration": r.Registration,
			"number": r.Card.Number, "iccid": simcard.MaskICCID(r.Card.ICCID), "plan": p.Plan, "price": money.FormatWire(p.Price.Decimal),
			"first_topup": money.FormatWire(p.FirstTopup.Decimal), "commission": money.FormatWire(p.Commission.Decimal),
			"receipt": m.printReceipt(c.Folder, r.Entry.Seq, true),
		})
	}
	m.printf("实名登记成功，登记号 %s：收现金 %s（%s，含首充话费 %s）。\n", "Registered, number %s: take %s in cash (%s, first top-up %s included).\n",
		r.Registration, money.FormatReceipt(p.Price.Decimal), p.Name, money.FormatReceipt(p.FirstTopup.Decimal))
	m.printf("  号码 %s，ICCID %s。把卡交给顾客。\n", "  number %s, ICCID %s. Hand the card over.\n", r.Card.Number, simcard.MaskICCID(r.Card.ICCID))
	m.printf("  流水号 %s，本店佣金 %s。记在账本第 %d 笔。\n", "  trace %s, shop commission %s. Ledger entry %d.\n", r.Trace, money.FormatReceipt(p.Commission.Decimal), r.Entry.Seq)
	m.printReceipt(c.Folder, r.Entry.Seq, false)
	return nil
}

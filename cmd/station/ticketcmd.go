package main

import (
	"context"
	"strconv"

	"github.com/villagepost/bianmin/internal/textwidth"
	"github.com/villagepost/bianmin/shopfront"

	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/terminal"
)

// runTicket orders, lists and cancels train and air tickets.
func (m *Main) runTicket(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return m.usageErr("请说明要做什么：station ticket order、list 或 cancel。", "say what to do: station ticket order, list or cancel.")
	}
	switch args[0] {
	case "order":
		return m.ticketOrder(ctx, args[1:])
	case "list":
		return m.ticketList(ctx, args[1:])
	case "cancel":
		return m.ticketCancel(ctx, args[1:])
	}
	return m.usageErr("票务没有“%s”这个操作；可用 order、list、cancel。", "ticket has no %q; use order, list or cancel.", args[0])
}

func (m *Main) ticketOrder(ctx context.Context, args []string) error {
	fs := m.flags("ticket order")
	var w worker
	var h hostFlag
	w.register(fs)
	h.register(fs)
	var o terminal.TicketOrder
	fs.StringVar(&o.Carrier, "carrier", "rail", "rail (train) or air")
	fs.StringVar(&o.Passenger, "passenger", "", "the passenger's name as on the ID card")
	fs.StringVar(&o.IDNumber, "id", "", "the passenger's resident ID number (18 characters)")
	fs.StringVar(&o.From, "from", "", "where the trip starts, e.g. 信阳")
	fs.StringVar(&o.To, "to", "", "where it ends, e.g. 郑州东")
	fs.StringVar(&o.Date, "date", "", "travel date, YYYY-MM-DD")
	fs.StringVar(&o.Class, "class", "", "class, e.g. 二等座 (train) or 经济舱 (air)")
	fare := fs.String("fare", "", "the fare, e.g. 153.50")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	var err error
	if o.Fare, err = money.Parse("fare", *fare, money.Limits{}); err != nil {
		return err
	}
	c, err := m.openCounter(ctx, w, h)
	if err != nil {
		return err
	}
	defer c.Close()
	o.Operator, o.IdemKey = c.Op.ID, shopfront.NewIdemKey("ticket")
	r, err := c.Tickets().Order(ctx, o)
	if err != nil {
		return m.serviceErr(c, err)
	}
	if *asJSON {
		return writeJSON(m.Stdout, map[string]any{
			"seq": r.Entry.Seq, "intent": r.Intent.Seq, "trace": r.Trace, "status": r.Status, "ticket": r.Ticket,
			"order_ref": r.OrderRef, "fare": money.FormatWire(r.Fare), "fee": money.FormatWire(r.Fee),
			"total": money.FormatWire(r.Total), "commission": money.FormatWire(r.Commission),
			"receipt": m.printReceipt(c.Folder, r.Entry.Seq, true),
		})
	}
	if r.Status == terminal.TicketWaitlisted {
		m.printf("已排入候补（订单号 %s）：收现金 %s（票价 %s，服务费 %s）。出票或候补失败都会自动更新；失败时钱全部退还顾客。\n",
			"On the waiting list (order %s): take %s in cash (fare %s, service fee %s). The order is updated by itself; if it fails the whole amount goes back to the customer.\n",
			r.OrderRef, money.FormatReceipt(r.Total), money.FormatReceipt(r.Fare), money.FormatReceipt(r.Fee))
	} else {
		m.printf("出票成功，票号 %s：收现金 %s（票价 %s，服务费 %s）。\n", "Ticket issued, number %s: take %s in cash (fare %s, service fee %s).\n",
			r.Ticket, money.FormatReceipt(r.Total), money.FormatReceipt(r.Fare), money.FormatReceipt(r.Fee))
	}
	m.printf("  订单号（退票用）%d，流水号 %s，本店佣金 %s。记在账本第 %d 笔。\n", "  order number (for cancelling) %d, trace %s, shop commission %s. Ledger entry %d.\n",
		r.Entry.Seq, r.Trace, money.FormatReceipt(r.Commission), r.Entry.Seq)
	m.printReceipt(c.Folder, r.Entry.Seq, false)
	return nil
}

func (m *Main) ticketList(ctx context.Context, args []string) error {
	st, asJSON, err := m.openView("ticket list", args)
	if err != nil {
		return err
	}
	defer st.Close()
	list, err := terminal.OpenTickets(st.Ledger, m.Now().In(st.Ledger.Zone()))
	if err != nil {
		return err
	}
	if asJSON {
		out := []map[string]any{}
		for _, o := range list {
			out = append(out, map[string]any{
				"order": o.Order, "status": o.Status, "ticket": o.Ticket, "order_ref": o.OrderRef, "carrier": o.Carrier,
				"passenger": o.Passenger, "id": o.ID, "from": o.From, "to": o.To, "date": o.Date, "class": o.Class,
				"fare": money.FormatWire(o.Fare), "total": money.FormatWire(o.Total),
			})
		}
		return writeJSON(m.Stdout, out)
	}
	if len(list) == 0 {
		m.printf("没有未出行的车票或候补订单。\n", "No open ticket orders.\n")
		return nil
	}
	t := textwidth.Table{Right: map[int]bool{6: true}}
	t.Add(m.say("订单号", "order"), m.say("状态", "status"), m.say("乘客", "passenger"), m.say("行程", "trip"),
		m.say("日期", "date"), m.say("座位", "class"), m.say("票价", "fare"), m.say("票号", "ticket"))
	for _, o := range list {
		status, ref := m.say("已出票", "issued"), o.Ticket
		if o.Status == terminal.TicketWaitlisted {
			status, ref = m.say("候补中", "waitlisted"), o.OrderRef
		}
		t.Add(strconv.FormatUint(o.Order, 10), status, o.Passenger, o.From+"→"+o.To, o.Date, o.Class, money.FormatReceipt(o.Fare), ref)
	}
	return t.Write(m.Stdout)
}

func (m *Main) ticketCancel(ctx context.Context, args []string) error {
	fs := m.flags("ticket cancel")
	var w worker
	var h hostFlag
	w.register(fs)
	h.register(fs)
	order := fs.Uint64("order", 0, "the order number (station ticket list shows it)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if *order == 0 {
		return m.missingFlag("order", "请用 --order 给出订单号（station ticket list 可查看）。", "give the order number with --order (see station ticket list).")
	}
	c, err := m.openCounter(ctx, w, h)
	if err != nil {
		return err
	}
	defer c.Close()
	r, err := c.Tickets().Cancel(ctx, c.Op.ID, *order, shopfront.NewIdemKey("cancel"))
	if err != nil {
		return m.serviceErr(c, err)
	}
	if *asJSON {
		return writeJSON(m.Stdout, map[string]any{"seq": r.Entry.Seq, "order": r.Order.Order, "trace": r.Trace,
			"refund": money.FormatWire(r.Refund), "kept": money.FormatWire(r.Kept), "receipt": m.printReceipt(c.Folder, r.Entry.Seq, true)})
	}
	what := m.say("退票成功", "Ticket cancelled")
	if r.Order.Status == terminal.TicketWaitlisted {
		what = m.say("候补订单已取消", "Waitlisted order withdrawn")
	}
	m.printf("%s：请退给顾客现金 %s。", "%s: give the customer %s back in cash.", what, money.FormatReceipt(r.Refund))
	if r.Kept.IsPositive() {
		m.printf("按承运方退票规则扣 %s。", " The carrier's rule keeps %s.", money.FormatReceipt(r.Kept))
	}
	m.printf("记在账本第 %d 笔。\n", " Ledger entry %d.\n", r.Entry.Seq)
	m.printReceipt(c.Folder, r.Entry.Seq, false)
	return nil
}

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/villagepost/bianmin/decision"
	"github.com/villagepost/bianmin/handover"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/shopfront"
	"github.com/villagepost/bianmin/terminal"
)

// runHandover takes over what a station that left still owed villagers
// (承接): load the post office's hand-over document, list the items,
// finish each; and, for a station about to leave, list what it owes.
func (m *Main) runHandover(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return m.usageErr("请说明要做什么：station handover load、list、finish 或 owed。", "say what to do: station handover load, list, finish or owed.")
	}
	switch args[0] {
	case "load":
		return m.handoverLoad(args[1:])
	case "list":
		return m.handoverList(args[1:])
	case "finish":
		return m.handoverFinish(ctx, args[1:])
	case "owed":
		return m.handoverOwed(args[1:])
	}
	return m.usageErr("交接没有“%s”这个操作；可用 load、list、finish、owed。", "handover has no %q; use load, list, finish or owed.", args[0])
}

// handoverErr says a refusal of the hand-over in plain words.
func (m *Main) handoverErr(err error) error {
	var he *terminal.HandoverError
	var we *terminal.HandoverWaitError
	switch {
	case errors.As(err, &he):
		return refuse(nil, "%[1]s。什么都没有记。", "%[2]s; nothing was recorded.", he.RuleZh, he.Rule)
	case errors.As(err, &we) && we.Status != "":
		return refuse(nil, "流水号 %s 还在候补（%s），结果还没出来；什么都没有记。请过些时候再办这一项。", "%s is still %s at the host; nothing was recorded. Try this item again later.", we.Trace, we.Status)
	case errors.As(err, &we):
		cause := we.Err
		if errors.Is(cause, terminal.ErrUnreachable) {
			// Said here, for the item's trace: the general words for an
			// unreachable host name the bank or a biller, not a carrier.
			cause = nil
		}
		return refuse(cause, "没有收到对方的回音（流水号 %s），什么都没有记，钱没有动。请等网络恢复后再办这一项。", "no answer about %s: nothing was recorded and no money moved. Try this item again when the network is back.", we.Trace)
	}
	return err
}

func (m *Main) handoverLoad(args []string) error {
	fs := m.flags("handover load")
	var w worker
	w.register(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return m.usageErr("命令行不对：%v", "bad command line: %v", err)
	}
	if fs.NArg() != 1 {
		return &usageError{"请给出邮政支局的交接单文件：station handover load --dir D --operator OP1 文件", "give the post office's hand-over document: station handover load --dir D --operator OP1 FILE"}
	}
	if err := m.needDir(w.dir); err != nil {
		return err
	}
	msg, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return refuse(err, "读不了文件 %s。", "cannot read %s.", fs.Arg(0))
	}
	if len(msg) > handover.MaxNote {
		return refuse(nil, "%s 不是交接单（太大了）。", "%s is not a hand-over document (too large).", fs.Arg(0))
	}
	st, err := m.openStation(w.dir, true)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := m.signedIn(st, w); err != nil {
		return err
	}
	e, d, err := st.Handovers().Load(w.operator, msg)
	if err != nil {
		return m.handoverErr(err)
	}
	if *asJSON {
		return writeJSON(m.Stdout, map[string]any{"seq": e.Seq, "from": d.From, "carried": money.FormatWire(d.Carried), "items": len(d.Items)})
	}
	if len(d.Items) == 0 {
		m.printf("收下了邮政支局的交接单：服务站 %s 没有留下要接手的事项（记在账本第 %d 笔）。\n", "Loaded the post office's hand-over document: station %s left nothing to take over (ledger entry %d).\n", d.From, e.Seq)
		return nil
	}
	m.printf("收下了邮政支局的交接单：接手服务站 %s 没办完的 %d 项，随单转来 %s（邮政支局在本站的结算里付给本站）。记在账本第 %d 笔。\n",
		"Loaded the post office's hand-over document: %[2]d item(s) station %[1]s left unfinished, with %[3]s carried (the post office pays it to this station through its settlement). Ledger entry %[4]d.\n",
		d.From, len(d.Items), money.FormatReceipt(d.Carried), e.Seq)
	m.printf("请用 station handover list 查看每一项要做什么。\n", "See what to do for each with station handover list.\n")
	return nil
}

func (m *Main) handoverList(args []string) error {
	fs := m.flags("handover list")
	dir := fs.String("dir", "", "the station's data folder")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	st, err := m.openStation(*dir, true)
	if err != nil {
		return err
	}
	defer st.Close()
	list, err := st.Handovers().List()
	if err != nil {
		return err
	}
	if *asJSON {
		out := []map[string]any{}
		for _, it := range list {
			out = append(out, map[string]any{"from": it.From, "item": it.N, "kind": it.Kind, "entry": it.Entry, "trace": it.Trace,
				"service": it.Service, "amount": money.FormatWire(it.Amount), "what": it.What, "due": it.Due, "note": it.Note,
				"state": it.State, "refund": money.FormatWire(it.Refund), "done": it.Done, "step": it.Step})
		}
		return writeJSON(m.Stdout, map[string]any{"items": out})
	}
	billers := billerNames(st)
	if len(list) == 0 {
		m.printf("本站没有接手别的服务站的事项。\n", "This station took nothing over from another.\n")
		return nil
	}
	from := ""
	for _, it := range list {
		if it.From != from {
			from = it.From
			m.printf("从服务站 %s 接手的事项（交接单记在账本第 %d 笔）：\n", "Taken over from station %s (hand-over document: entry %d):\n", it.From, it.Loaded)
		}
		m.printf("  %d. %s\n", "  %d. %s\n", it.N, m.itemText(it.Item, billers))
		m.printf("     %s\n", "     %s\n", m.itemNext(it))
	}
	return nil
}

// billerNames are the names of the billers of st's tariff by their ids
// (state-grid: 国家电网), as the screen shows them; none without a tariff
// (the ids are shown then).
func billerNames(st *shopfront.Folder) map[string]string {
	names := map[string]string{}
	t, err := st.LoadedTariff()
	if err != nil {
		return names
	}
	for _, b := range t.Billers {
		names[b.ID] = b.Name
	}
	return names
}

// itemText describes an item as the shopkeeper reads it; billers names
// the billers by their ids.
func (m *Main) itemText(it handover.Item, billers map[string]string) string {
	var b strings.Builder
	switch it.Kind {
	case handover.Queued:
		b.WriteString(m.say("断网排队的"+m.serviceZh(it.Service)+" "+money.FormatReceipt(it.Amount)+"，缴费单位还没确认",
			"queued "+m.serviceZh(it.Service)+" "+money.FormatReceipt(it.Amount)+", not confirmed by the biller"))
	case handover.Waitlist:
		b.WriteString(m.say("候补的车票 "+money.FormatReceipt(it.Amount)+"，还没出票", "waitlisted ticket order "+money.FormatReceipt(it.Amount)+", not issued"))
	case handover.Reversal:
		b.WriteString(m.say(m.serviceZh(it.Service)+"的冲正还没送到", "reversal of a "+m.serviceZh(it.Service)+" not acknowledged"))
	case handover.Refund:
		b.WriteString(m.say("该退给顾客的钱 "+money.FormatReceipt(it.Amount), "refund owed "+money.FormatReceipt(it.Amount)))
	case handover.Delivery:
		b.WriteString(m.say("答应送的货："+goodsText(it.What, "×"), "goods promised: "+goodsText(it.What, " x ")))
	case handover.Dispute:
		b.WriteString(m.say("业务纠纷（"+m.serviceZh(it.Service)+"）", "dispute ("+m.serviceZh(it.Service)+")"))
	}
	b.WriteString(m.say("，原站第 "+strconv.FormatUint(it.Entry, 10)+" 笔", ", old station's entry "+strconv.FormatUint(it.Entry, 10)))
	if it.Trace != "" {
		b.WriteString(m.say("，流水号 ", ", trace ") + it.Trace)
	}
	if it.Kind == handover.Queued && it.What != "" {
		// What is biller:account; the biller is named as the screen names it.
		if biller, account, ok := strings.Cut(it.What, ":"); ok {
			if name := billers[biller]; name != "" {
				biller = name
			}
			b.WriteString(m.say("，", ", ") + biller + m.say(" 户号 ", " account ") + account)
		} else {
			b.WriteString(m.say("，户号 ", ", account ") + it.What)
		}
	}
	switch {
	case it.Kind == handover.Delivery && it.Note != "":
		b.WriteString(m.say("，送到 "+it.Note, ", to "+it.Note))
	case it.Kind == handover.Dispute && it.Note != "":
		b.WriteString(m.say("，顾客说："+it.Note, ", the customer says: "+it.Note))
	case it.Note != "":
		b.WriteString(m.say("（"+it.Note+"）", " ("+it.Note+")"))
	}
	if it.Due != "" {
		b.WriteString(m.say("，"+it.Due+" 前", ", by "+it.Due))
	}
	return b.String()
}

func goodsText(what, times string) string {
	goods, err := handover.Goods(what)
	if err != nil {
		return what
	}
	var parts []string
	for _, g := range goods {
		parts = append(parts, fmt.Sprintf("%s%s%d", g.SKU, times, g.Qty))
	}
	return strings.Join(parts, ", ")
}

// itemNext says what to do next about an item taken over.
func (m *Main) itemNext(it terminal.HandoverItem) string {
	n := strconv.Itoa(it.N)
	cmd := "station handover finish --item " + n
	switch {
	case it.State == terminal.ItemDone:
		return m.say("已办完（账本第 "+strconv.FormatUint(it.Done, 10)+" 笔，"+stepZh(it.Step)+"）。", "done (entry "+strconv.FormatUint(it.Done, 10)+", "+it.Step+").")
	case it.State == terminal.ItemRefund:
		return m.say("邮政支局答复：要退给顾客 "+money.FormatReceipt(it.Refund)+"（"+it.Reason+"）。要做："+cmd+"，从钱箱退给顾客。",
			"the post office decided "+money.FormatReceipt(it.Refund)+" is owed ("+it.Reason+"). To do: "+cmd+", paid from the drawer.")
	}
	switch it.Kind {
	case handover.Queued, handover.Waitlist:
		return m.say("要做："+cmd+"。本机按原流水号去问对方：已经收到的，钱转给对方；没有收到的，冲正后把钱退给顾客。",
			"To do: "+cmd+". It asks the host by the original trace: if the host has it, the money goes on to it; if not, it is reversed and the customer paid back.")
	case handover.Reversal:
		return m.say("要做："+cmd+"。本机把冲正送到对方，顾客的钱就恢复了；没有钱要付。", "To do: "+cmd+". It sends the reversal; the customer's money is put right. No cash moves here.")
	case handover.Refund:
		return m.say("要做："+cmd+"，从钱箱退给顾客 "+money.FormatReceipt(it.Amount)+"。", "To do: "+cmd+", pay "+money.FormatReceipt(it.Amount)+" from the drawer.")
	case handover.Delivery:
		return m.say("要做：用本店的货送到后，"+cmd+" --received-by 签收人。", "To do: deliver from this shop's stock, then "+cmd+" --received-by NAME.")
	case handover.Dispute:
		return m.say("要做：等邮政支局答复；收到答复文件后 "+cmd+" --decision 答复文件。现在不要付钱。", "To do: wait for the post office's decision; then "+cmd+" --decision FILE. Pay nothing now.")
	}
	return ""
}

func stepZh(step string) string {
	switch step {
	case terminal.StepConfirmed:
		return "对方已收到，钱已转给对方"
	case terminal.StepRefunded:
		return "已退给顾客"
	case terminal.StepReversed:
		return "冲正已送到"
	case terminal.StepDelivered:
		return "货已送到"
	case terminal.StepDecided:
		return "邮政支局答复不用退钱"
	}
	return step
}

func (m *Main) handoverFinish(ctx context.Context, args []string) error {
	fs := m.flags("handover finish")
	var w worker
	var h hostFlag
	w.register(fs)
	h.register(fs)
	item := fs.Int("item", 0, "the item's number on the hand-over list")
	from := fs.String("from", "", "the old station, when items of several were taken over")
	receivedBy := fs.String("received-by", "", "a delivery: who received the goods")
	decisionFile := fs.String("decision", "", "a dispute: the post office's decision file")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if *item <= 0 {
		return m.missingFlag("item", "请用 --item 给出交接清单上的项号（station handover list 可查看）。", "give the item's number with --item (see station handover list).")
	}
	var msg []byte
	if *decisionFile != "" {
		b, err := os.ReadFile(*decisionFile)
		if err != nil {
			return refuse(err, "读不了答复文件 %s。", "cannot read the decision file %s.", *decisionFile)
		}
		if len(b) > decision.MaxNote {
			return refuse(nil, "%s 不是邮政支局的纠纷答复文件（太大了）。", "%s is not a decision file (too large).", *decisionFile)
		}
		msg = b
	}
	c, err := m.openCounter(ctx, w, h)
	if err != nil {
		return err
	}
	defer c.Close()
	hs := c.LinkedHandovers()
	f, err := hs.Finish(ctx, terminal.FinishRequest{Operator: w.operator, From: *from, Item: *item, ReceivedBy: strings.TrimSpace(*receivedBy), Decision: msg})
	if err != nil {
		return m.handoverErr(err)
	}
	if *asJSON {
		out := map[string]any{"seq": f.Entry.Seq, "item": f.Item.N, "kind": f.Item.Kind, "step": f.Step,
			"amount": money.FormatWire(f.Amount), "cash_out": money.FormatWire(f.CashOut), "host_status": f.HostStatus, "reference": f.Reference, "outcome": f.Outcome}
		if f.CashOut.IsPositive() {
			out["receipt"] = m.printReceipt(c.Folder, f.Entry.Seq, true)
		}
		return writeJSON(m.Stdout, out)
	}
	it := f.Item
	switch {
	case f.Step == terminal.StepConfirmed:
		m.printf("第 %d 项：对方已经收到这笔（流水号 %s，回执号 %s），%s 转给对方，顾客不用再做什么。\n", "Item %d: the host has it (trace %s, reference %s); %s goes on to it. Nothing more for the customer.\n",
			it.N, it.Trace, f.Reference, money.FormatReceipt(f.Amount))
	case f.Step == terminal.StepRefunded && (it.Kind == handover.Queued || it.Kind == handover.Waitlist):
		m.printf("第 %d 项：对方没有收到这笔（流水号 %s，已冲正，以后也不会再扣）。请退给顾客现金 %s。\n", "Item %d: the host does not have it (trace %s, reversed: it will never be taken). Pay the customer %s in cash.\n",
			it.N, it.Trace, money.FormatReceipt(f.CashOut))
	case f.Step == terminal.StepRefunded:
		m.printf("第 %d 项：请退给顾客现金 %s。\n", "Item %d: pay the customer %s in cash.\n", it.N, money.FormatReceipt(f.CashOut))
	case f.Step == terminal.StepReversed:
		m.printf("第 %d 项：冲正已送到（流水号 %s），顾客的钱会恢复。没有现金要付。\n", "Item %d: the reversal reached the host (trace %s); the customer's money is put right. No cash to pay.\n", it.N, it.Trace)
	case f.Step == terminal.StepDelivered:
		m.printf("第 %d 项：已登记送货，签收人 %s。\n", "Item %d: delivery recorded, received by %s.\n", it.N, *receivedBy)
	case f.Step == terminal.StepDecided && f.Outcome == decision.RefundOwed:
		m.printf("第 %d 项：邮政支局答复要退给顾客 %s。请用 station handover finish --item %d 从钱箱退给顾客。\n", "Item %d: the post office decided %s is owed. Pay it with station handover finish --item %d.\n",
			it.N, money.FormatReceipt(f.Amount), it.N)
	case f.Step == terminal.StepDecided:
		m.printf("第 %d 项：邮政支局答复不用退钱。请把答复告诉顾客，这一项办完了。\n", "Item %d: the post office decided nothing is owed. Tell the customer: done.\n", it.N)
	}
	m.printf("  记在账本第 %d 笔。\n", "  Ledger entry %d.\n", f.Entry.Seq)
	if f.CashOut.IsPositive() {
		m.printReceipt(c.Folder, f.Entry.Seq, false)
	}
	return nil
}

// handoverOwed lists what this station still owes villagers: what the
// post office will carry to a successor if it leaves.
func (m *Main) handoverOwed(args []string) error {
	fs := m.flags("handover owed")
	dir := fs.String("dir", "", "the station's data folder")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	st, err := m.openStation(*dir, true)
	if err != nil {
		return err
	}
	defer st.Close()
	items, err := st.Handovers().Owed()
	if err != nil {
		return err
	}
	open := st.Ledger.Last().Seq
	closed := st.Ledger.Closed()
	if *asJSON {
		out := []map[string]any{}
		for _, it := range items {
			out = append(out, map[string]any{"item": it.N, "kind": it.Kind, "entry": it.Entry, "trace": it.Trace, "service": it.Service,
				"amount": money.FormatWire(it.Amount), "what": it.What, "due": it.Due, "note": it.Note})
		}
		return writeJSON(m.Stdout, map[string]any{"items": out, "carried": money.FormatWire(handover.Total(items)), "closed": closed, "last": open})
	}
	if len(items) == 0 {
		m.printf("本站没有欠村民的事项。\n", "This station owes villagers nothing.\n")
	} else {
		m.printf("本站还欠村民 %d 项，共 %s；本站退出时，邮政支局把它们转给接手的服务站：\n", "This station still owes villagers %d item(s), %s in all; if it leaves, the post office carries them to its successor:\n",
			len(items), money.FormatReceipt(handover.Total(items)))
		for _, it := range items {
			m.printf("  %d. %s\n", "  %d. %s\n", it.N, m.itemText(it, billerNames(st)))
		}
	}
	m.printf("退出前请先日结，把最后一天的日结文件交给邮政支局：邮政支局只按收到的日结文件结清。\n", "Before leaving, close the day and give the last day file to the post office: it settles only on the files it received.\n")
	return nil
}

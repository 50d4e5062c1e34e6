package main

import (
	"context"
	"strconv"

	"github.com/villagepost/bianmin/internal/textwidth"
	"github.com/villagepost/bianmin/shopfront"

	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/terminal"
)

// runQueue lists what waits for a host (unknown outcomes, reversals owed,
// queued payments, waitlisted orders) and the refunds owed to villagers.
// With --operator it first sends what it can.
func (m *Main) runQueue(ctx context.Context, args []string) error {
	fs := m.flags("queue")
	var w worker
	var h hostFlag
	w.register(fs)
	h.register(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	open := m.openStation
	if w.operator == "" {
		open = func(dir string, verifyNew bool) (*shopfront.Folder, error) { return m.openForView(ctx, dir, verifyNew) }
	}
	st, err := open(w.dir, true)
	if err != nil {
		return err
	}
	defer st.Close()
	var items []terminal.PendingItem
	if w.operator != "" {
		c, err := m.counterFor(ctx, st, w, h) // settles what it can on the way in
		if err != nil {
			return err
		}
		defer c.CloseLink()
		if items, err = c.Link.Items(); err != nil {
			return err
		}
	} else {
		p, err := terminal.OpenPending(st.DBPath(shopfront.PendingFile))
		if err != nil {
			return refuse(err, "打不开待处理业务文件 %s。", "cannot open the pending file %s.", st.Path(shopfront.PendingFile))
		}
		items, err = p.List()
		p.Close()
		if err != nil {
			return err
		}
	}
	refunds, err := (&terminal.Refunds{Ledger: st.Ledger}).Due()
	if err != nil {
		return err
	}
	zone := st.Ledger.Zone()
	if *asJSON {
		out := map[string]any{"pending": []map[string]any{}, "refunds": []map[string]any{}}
		for _, it := range items {
			x := map[string]any{"intent": it.Intent, "trace": it.Trace, "state": it.State, "service": it.Request.Service,
				"amount": it.Request.Amount, "since": it.Since.UTC(), "attempts": it.Attempts}
			if !it.ConfirmBy.IsZero() {
				x["confirm_by"] = it.ConfirmBy.UTC()
			}
			out["pending"] = append(out["pending"].([]map[string]any), x)
		}
		for _, r := range refunds {
			out["refunds"] = append(out["refunds"].([]map[string]any), map[string]any{
				"entry": r.Entry, "service": r.Service, "trace": r.Trace, "amount": money.FormatWire(r.Amount), "reason": r.Reason})
		}
		return writeJSON(m.Stdout, out)
	}
	if len(items) == 0 {
		m.printf("没有等待银行或缴费单位处理的业务。\n", "Nothing waits for a host.\n")
	} else {
		m.printf("等待处理的业务（网络恢复后自动发送）：\n", "Waiting for a host (sent by itself when the network is back):\n")
		t := textwidth.Table{Right: map[int]bool{3: true}}
		for _, it := range items {
			when := it.Since.In(zone).Format("01-02 15:04")
			note := m.pendingStateZh(it.State)
			if !it.ConfirmBy.IsZero() {
				note += m.say("，承诺 ", ", promised by ") + it.ConfirmBy.In(zone).Format("01-02 15:04") + m.say(" 前确认", "")
			}
			amount := ""
			if a, err := money.ParseWire(it.Request.Amount); err == nil {
				amount = money.FormatReceipt(a)
			}
			t.Add("", it.Trace, m.serviceZh(it.Request.Service), amount, when, note)
		}
		t.Write(m.Stdout)
	}
	if len(refunds) > 0 {
		m.printf("\n要退给顾客的钱（用 station refund --entry 序号 退款）：\n", "\nRefunds owed to customers (pay with station refund --entry N):\n")
		t := textwidth.Table{Right: map[int]bool{3: true}}
		for _, r := range refunds {
			t.Add("", strconv.FormatUint(r.Entry, 10), m.serviceZh(r.Service), money.FormatReceipt(r.Amount), r.Trace, r.Reason)
		}
		t.Write(m.Stdout)
	}
	return nil
}

func (m *Main) pendingStateZh(state string) string {
	switch state {
	case terminal.PendingUnknown:
		return m.say("结果不明，要先查询", "outcome unknown: to be inquired")
	case terminal.PendingReverse:
		return m.say("待冲正", "reversal owed")
	case terminal.PendingForward:
		return m.say("断网受理，待发送", "accepted offline, to be sent")
	case terminal.PendingWaitlist:
		return m.say("候补中", "on the waiting list")
	}
	return state
}

// runRefund hands a refund owed back to the villager.
func (m *Main) runRefund(ctx context.Context, args []string) error {
	fs := m.flags("refund")
	var w worker
	w.register(fs)
	seq := fs.Uint64("entry", 0, "the entry that owes the refund (station queue lists them)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if *seq == 0 {
		return m.missingFlag("entry", "请用 --entry 给出欠退款的账本序号（station queue 可查看）。", "give the entry that owes the refund with --entry (see station queue).")
	}
	st, err := m.openStation(w.dir, true)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := m.signedIn(st, w); err != nil {
		return err
	}
	r, err := (&terminal.Refunds{Ledger: st.Ledger}).Pay(w.operator, *seq)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, map[string]any{"seq": r.Entry.Seq, "refund_of": *seq, "amount": money.FormatWire(r.Amount),
			"paid_before": r.Before, "receipt": m.printReceipt(st, r.Entry.Seq, true)})
	}
	if r.Before {
		m.printf("第 %d 笔的退款 %s 已经在第 %d 笔付过了：这次没有记账，不要再给顾客现金。\n", "The refund of entry %d (%s) was paid already, in entry %d: nothing was recorded now; give no cash again.\n",
			*seq, money.FormatReceipt(r.Amount), r.Entry.Seq)
		return nil
	}
	m.printf("请退给顾客现金 %s（第 %d 笔的退款）。记在账本第 %d 笔。\n", "Give the customer %s back in cash (the refund of entry %d). Ledger entry %d.\n",
		money.FormatReceipt(r.Amount), *seq, r.Entry.Seq)
	m.printReceipt(st, r.Entry.Seq, false)
	return nil
}

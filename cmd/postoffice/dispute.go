package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/decision"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/office"
)

// runDispute lists the villagers' disputes the stations registered and
// records the post office's decisions on them.
func (m *Main) runDispute(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fail(exitUsage, "请说明要做什么：postoffice dispute list 或 decide。", "say what to do: postoffice dispute list or decide.")
	}
	switch args[0] {
	case "list":
		return m.disputeList(ctx, args[1:])
	case "decide":
		return m.disputeDecide(ctx, args[1:])
	}
	return fail(exitUsage, "业务纠纷没有“%s”这个操作；可用 list、decide。", "dispute has no %q; use list or decide.", args[0])
}

func (m *Main) disputeList(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("dispute list", flag.ContinueOnError)
	dir := fs.String("dir", "", "the post office's data folder")
	db := m.dbFlag(fs)
	station := fs.String("station", "", "one station, e.g. T0001 (default: every station)")
	open := fs.Bool("open", false, "only the disputes not decided yet")
	if _, err := m.flags(fs, args, 0); err != nil {
		return err
	}
	r, err := m.openRegistry(ctx, *dir, *db)
	if err != nil {
		return err
	}
	defer r.Close()
	v, err := m.verifier(*dir)
	if err != nil {
		return err
	}
	o := &office.Office{Dir: *dir, Registry: r, Verifier: v}
	ids := []string{*station}
	if *station == "" {
		list, err := o.Stations(ctx)
		if err != nil {
			return m.registryErr(err)
		}
		ids = ids[:0]
		for _, s := range list {
			ids = append(ids, s.ID)
		}
	}
	n := 0
	for _, id := range ids {
		list, err := o.Disputes(ctx, id, "")
		if err != nil {
			return m.registryErr(err)
		}
		for _, dp := range list {
			if *open && dp.State != office.DisputeOpen {
				continue
			}
			if n == 0 {
				m.printf("业务纠纷：\n", "Disputes:\n")
			}
			n++
			m.showDispute(m.Stdout, dp)
		}
	}
	if n == 0 {
		m.printf("没有业务纠纷。\n", "No disputes.\n")
	}
	return nil
}

// showDispute prints one dispute and what to do next.
func (m *Main) showDispute(w io.Writer, dp office.Dispute) {
	fmt.Fprintf(w, m.say("  %s 第 %d 笔（营业日 %s）：第 %d 笔 %s ¥%s，流水号 %s\n", "  %s entry %d (business day %s): entry %d %s ¥%s, trace %s\n"),
		dp.Station, dp.Seq, dp.Day, dp.Disputed, dp.Service, dp.Amount, dp.Trace)
	fmt.Fprintf(w, m.say("    顾客说：%s；服务站记录：%s；对方当时答复：%s %s\n", "    the customer says: %s; the station's records: %s; the host then: %s %s\n"),
		dp.Says, dp.StationState, dp.HostStatus, dp.HostAmount)
	var next string
	switch dp.State {
	case office.DisputeOpen:
		next = m.say(fmt.Sprintf("未答复（%s 前）：postoffice dispute decide --station %s --dispute %d --refund 金额 | --none --reason 理由", dp.AnswerBy, dp.Station, dp.Seq),
			fmt.Sprintf("not decided (answer by %s): postoffice dispute decide --station %s --dispute %d --refund AMOUNT | --none --reason WHY", dp.AnswerBy, dp.Station, dp.Seq))
	case office.DisputeDecided:
		next = m.say("已答复（"+outcomeZh(dp.Decision)+"），服务站还没有收下", "decided ("+outcomeEn(dp.Decision)+"); the station has not recorded it yet")
	case office.DisputeLoaded:
		next = m.say("服务站已收下答复（"+outcomeZh(dp.Decision)+"）", "the station recorded the decision ("+outcomeEn(dp.Decision)+")")
		if dp.Decision != nil && dp.Decision.Outcome == decision.RefundOwed {
			next += m.say("，退款还没有付给顾客", "; the refund is not paid yet")
		}
	case office.DisputeRefunded:
		next = m.say(fmt.Sprintf("已退款给顾客（第 %d 笔），办完了", dp.Paid), fmt.Sprintf("refunded (entry %d): done", dp.Paid))
	case office.DisputeForged:
		next = m.say("注意：服务站记的答复不是本支局签发的，请核查", "warning: the station recorded a decision this post office did not sign; check it")
	}
	fmt.Fprintf(w, "    %s\n", next)
}

func outcomeZh(d *decision.Decision) string {
	if d == nil {
		return "?"
	}
	if d.Outcome == decision.RefundOwed {
		return "退 ¥" + money.FormatWire(d.Refund)
	}
	return "不用退钱"
}

func outcomeEn(d *decision.Decision) string {
	if d == nil {
		return "?"
	}
	if d.Outcome == decision.RefundOwed {
		return "refund ¥" + money.FormatWire(d.Refund)
	}
	return "none owed"
}

func (m *Main) disputeDecide(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("dispute decide", flag.ContinueOnError)
	dir := fs.String("dir", "", "the post office's data folder")
	db := m.dbFlag(fs)
	station := fs.String("station", "", "the station, e.g. T0001")
	seq := fs.Uint64("dispute", 0, "the station's dispute entry (postoffice dispute list shows it)")
	refund := fs.String("refund", "", "a refund is owed: how much, in yuan (at most the disputed amount)")
	none := fs.Bool("none", false, "no refund is owed")
	reason := fs.String("reason", "", "the post office's words to the customer, one line")
	passFile := fs.String("passphrase-file", "", "file with the key passphrase (else POSTOFFICE_PASSPHRASE, else asked)")
	if _, err := m.flags(fs, args, 0); err != nil {
		return err
	}
	switch {
	case *station == "":
		return missingFlag("station", "请用 --station 给出服务站。", "give the station with --station.")
	case *seq == 0:
		return missingFlag("dispute", "请用 --dispute 给出纠纷的账本序号（postoffice dispute list 可查看）。", "give the dispute's entry with --dispute (see postoffice dispute list).")
	case (*refund == "") == !*none:
		return fail(exitUsage, "请二选一：--refund 金额（要退钱）或 --none（不用退钱）。", "give one of --refund AMOUNT (a refund is owed) or --none (nothing is owed).")
	case *reason == "":
		return missingFlag("reason", "请用 --reason 写下给顾客的答复理由。", "give the post office's words to the customer with --reason.")
	}
	outcome, amount := decision.NoneOwed, decimal.Zero
	if !*none {
		a, err := money.Parse("refund", *refund, money.Limits{})
		var me *money.Error
		if errors.As(err, &me) {
			return fail(exitFailed, "--refund：%s", "--refund: %s", m.say(me.Zh(), me.Error()))
		}
		if err != nil {
			return fail(exitFailed, "--refund：%v", "--refund: %v", err)
		}
		outcome, amount = decision.RefundOwed, a
	}
	r, err := m.openRegistry(ctx, *dir, *db)
	if err != nil {
		return err
	}
	defer r.Close()
	v, err := m.verifier(*dir)
	if err != nil {
		return err
	}
	signer, err := m.signer(*dir, *passFile)
	if err != nil {
		return err
	}
	o := &office.Office{Dir: *dir, Registry: r, Signer: signer, Verifier: v}
	dp, err := o.Decide(ctx, *station, *seq, outcome, amount, *reason)
	var de *office.DecideError
	if errors.As(err, &de) {
		return fail(exitFailed, "%[1]s，什么都没有签。", "%[2]s; nothing was signed.", de.Zh, de.Rule)
	}
	if err != nil {
		return m.registryErr(err)
	}
	m.printf("已答复 %s 第 %d 笔纠纷：%s。\n", "Decided dispute %[2]d of %[1]s: %[3]s.\n", dp.Station, dp.Seq, m.say(outcomeZh(dp.Decision), outcomeEn(dp.Decision)))
	m.printf("支局签章的答复：%s（服务站联网时自动收到；不联网就用U盘带去：station dispute load）\n",
		"The post office's signed decision: %s (the station gets it when online; else take it on a USB stick: station dispute load)\n", o.DecisionPath(dp.Station, dp.Seq))
	return nil
}

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/villagepost/bianmin/decision"
	"github.com/villagepost/bianmin/internal/textwidth"
	"github.com/villagepost/bianmin/shopfront"

	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/terminal"
)

// runDispute registers villagers' disputes, loads the post office's
// decisions and lists them.
func (m *Main) runDispute(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return m.usageErr("请说明要做什么：station dispute open、list 或 load。", "say what to do: station dispute open, list or load.")
	}
	switch args[0] {
	case "open":
		return m.disputeOpen(ctx, args[1:])
	case "list":
		return m.disputeList(args[1:])
	case "load":
		return m.disputeLoad(args[1:])
	}
	return m.usageErr("业务纠纷没有“%s”这个操作；可用 open、list、load。", "dispute has no %q; use open, list or load.", args[0])
}

func (m *Main) disputeOpen(ctx context.Context, args []string) error {
	fs := m.flags("dispute open")
	var w worker
	var h hostFlag
	w.register(fs)
	h.register(fs)
	seq := fs.Uint64("entry", 0, "the entry the customer disputes (its number is on the receipt: 账本序号)")
	code := fs.String("code", "", "or the receipt's verification code (printed under its QR code)")
	says := fs.String("says", "", "what the customer says went wrong")
	member := fs.Int("member", 0, "for a household's contribution receipt: the member's number on it (needed when it lists several)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if *seq == 0 && *code == "" {
		return m.missingFlag("entry", "请用 --entry 给出收据上的账本序号，或用 --code 给出收据的验证码。", "give the receipt's entry number with --entry, or its code with --code.")
	}
	if *says == "" {
		return m.missingFlag("says", "请用 --says 写下顾客说哪里不对，例如 --says \"卡上扣了钱，没拿到现金\"。", "write what the customer says went wrong with --says.")
	}
	if err := terminal.CheckSays(*says); err != nil {
		return err
	}
	st, err := m.openStation(w.dir, true)
	if err != nil {
		return err
	}
	defer st.Close()
	if *code != "" {
		n, err := st.EntryOfCode(*code)
		if err != nil {
			return err
		}
		if *seq != 0 && *seq != n {
			return refuse(nil, "--entry %d 和验证码说的第 %d 笔不是同一笔。只给一个就行。", "--entry %d and the code's entry %d differ; give one.", *seq, n)
		}
		*seq = n
	}
	if *seq, err = m.householdMember(st, *seq, *member); err != nil {
		return err
	}
	c, err := m.counterFor(ctx, st, w, h)
	if err != nil {
		return err
	}
	defer c.CloseLink()
	ds := st.Disputes()
	ds.Link = c.Link
	dp, added, err := ds.Open(ctx, terminal.DisputeRequest{Operator: w.operator, Entry: *seq, Says: *says})
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, map[string]any{"seq": dp.Seq, "added": added, "disputed": dp.Disputed, "trace": dp.Trace,
			"service": dp.Service, "amount": money.FormatWire(dp.Amount), "station_state": dp.StationState, "host_status": dp.HostStatus,
			"host_amount": dp.HostAmount, "answer_by": dp.AnswerBy, "receipt": m.printReceipt(st, dp.Seq, true)})
	}
	if !added {
		m.printf("这笔业务已经登记过纠纷（第 %d 笔），没有再记。\n", "this request has a dispute already (entry %d); nothing more recorded.\n", dp.Seq)
	}
	m.showDispute(st, dp)
	if added {
		m.printf("  记在账本第 %d 笔。\n", "  Ledger entry %d.\n", dp.Seq)
		m.printReceipt(st, dp.Seq, false)
	}
	return nil
}

// householdMember is the entry a dispute about seq names. A household's
// contribution receipt lists several members, each paid by a request of
// its own: the dispute is about the member the customer means (member, as
// numbered on the receipt), or the only one sent to the host. Any other
// entry is itself.
func (m *Main) householdMember(st *shopfront.Folder, seq uint64, member int) (uint64, error) {
	ds := st.Disputes()
	members, ok, err := ds.HouseholdOf(seq)
	if err != nil {
		return 0, err
	}
	if !ok {
		if member != 0 {
			return 0, refuse(nil, "第 %d 笔不是一户人家的医保养老缴费回执，不用 --member。", "entry %d is not a household's contribution receipt: leave out --member.", seq)
		}
		return seq, nil
	}
	if member < 0 {
		return 0, refuse(nil, "--member 要写回执上家庭成员的序号，例如 --member 2。", "--member is the member's number on the receipt, e.g. --member 2.")
	}
	n, err := ds.MemberEntry(seq, member)
	if err == nil || member != 0 {
		return n, err
	}
	var de *terminal.DisputeError
	if !errors.As(err, &de) {
		return 0, err
	}
	// Several members went to the host: list them, ask which.
	var zh, en []string
	first := 0
	for _, x := range members {
		if x.Entry == 0 {
			continue
		}
		if first == 0 {
			first = x.Row
		}
		zh = append(zh, fmt.Sprintf("%d. %s（%s）%s %d 年度，%s", x.Row, x.Name, x.ID, x.SchemeName, x.Year, memberStatusZh(x)))
		en = append(en, fmt.Sprintf("%d. %s (%s) %s %d, %s", x.Row, x.Name, x.ID, x.SchemeName, x.Year, memberStatusEn(x)))
	}
	if first == 0 {
		return 0, err
	}
	return 0, &shopfront.Refusal{
		Zh: fmt.Sprintf("第 %d 笔是一户人家的缴费回执，上面有 %d 位家庭成员交给了社保：%s。请问顾客说的是哪一位，用 --member 写他在回执上的序号，例如 --member %d。什么都没有记。",
			seq, len(zh), strings.Join(zh, "；"), first),
		En: fmt.Sprintf("entry %d is a household's contribution receipt; %d of its members went to the social-insurance host: %s. Ask the customer which one and give their number on the receipt with --member, e.g. --member %d. Nothing was recorded.",
			seq, len(en), strings.Join(en, "; "), first),
	}
}

// memberStatusZh says what became of a household member's payment.
func memberStatusZh(x terminal.DisputeMember) string {
	switch x.Status {
	case terminal.MemberPaid:
		return "已缴 " + money.FormatReceipt(x.Amount)
	case terminal.MemberReversed:
		return "没有回音，已冲正，没有收钱"
	}
	return "没有缴成，没有收钱"
}

func memberStatusEn(x terminal.DisputeMember) string {
	switch x.Status {
	case terminal.MemberPaid:
		return "paid " + money.FormatReceipt(x.Amount)
	case terminal.MemberReversed:
		return "no answer, reversed, not charged"
	}
	return "not paid, not charged"
}

// showDispute prints a dispute as the shopkeeper reads it.
func (m *Main) showDispute(st *shopfront.Folder, dp terminal.Dispute) {
	zone := st.Ledger.Zone()
	m.printf("业务纠纷（第 %d 笔）：第 %d 笔 %s %s，流水号 %s。\n", "Dispute (entry %d): entry %d %s %s, trace %s.\n",
		dp.Seq, dp.Disputed, m.serviceZh(dp.Service), money.FormatReceipt(dp.Amount), dp.Trace)
	m.printf("  顾客说：%s\n", "  The customer says: %s\n", dp.Says)
	m.printf("  本站账上：%s\n", "  Station's records: %s\n", m.stateWords(dp.StationState))
	host := m.stateWords(dp.HostStatus)
	if a, err := money.ParseWire(dp.HostAmount); err == nil && a.IsPositive() {
		host += "，" + money.FormatReceipt(a)
	}
	m.printf("  %s当时说：%s（%s 查询）\n", "  The %s said: %s (asked %s)\n", m.hostNameZh(terminal.HostName(dp.Service)), host, dp.Asked.In(zone).Format("2006-01-02 15:04"))
	m.printf("  %s\n", "  %s\n", m.disputeNext(dp))
}

// disputeNext says what to do next about a dispute.
func (m *Main) disputeNext(dp terminal.Dispute) string {
	switch dp.State {
	case terminal.DisputeRefund:
		return m.say("邮政支局答复：要退给顾客 "+money.FormatReceipt(dp.Refund)+"（"+dp.Reason+"）。请用 station refund --entry "+strconv.FormatUint(dp.Decided, 10)+" 把钱退给顾客。",
			"The post office decided "+money.FormatReceipt(dp.Refund)+" is owed ("+dp.Reason+"). Pay it with station refund --entry "+strconv.FormatUint(dp.Decided, 10)+".")
	case terminal.DisputeRefunded:
		return m.say("已退给顾客 "+money.FormatReceipt(dp.Refund)+"（第 "+strconv.FormatUint(dp.Paid, 10)+" 笔），这笔纠纷办完了。",
			"Refunded "+money.FormatReceipt(dp.Refund)+" (entry "+strconv.FormatUint(dp.Paid, 10)+"): done.")
	case terminal.DisputeNoneOwed:
		return m.say("邮政支局答复：不用退钱（"+dp.Reason+"）。请把答复告诉顾客，这笔纠纷办完了。",
			"The post office decided nothing is owed ("+dp.Reason+"). Tell the customer: done.")
	}
	return m.say("等邮政支局答复（"+dp.AnswerBy+" 前）。答复到了会显示在这里；现在不要付钱。",
		"Waiting for the post office's answer (by "+dp.AnswerBy+"). Pay nothing until it comes.")
}

// stateWords names what a side's records say became of a request.
func (m *Main) stateWords(s string) string {
	switch s {
	case "approved", "confirmed":
		return m.say("成功", "approved")
	case "declined", "refused":
		return m.say("被拒绝", "declined")
	case "reversed":
		return m.say("已冲正（没有扣款）", "reversed (nothing taken)")
	case "reversal_due":
		return m.say("待冲正", "reversal owed")
	case "not_sent":
		return m.say("没有发出", "not sent")
	case "queued":
		return m.say("断网受理，排队待发", "queued")
	case "waitlisted", "pending":
		return m.say("候补中", "waitlisted")
	case "voided":
		return m.say("已撤销", "voided")
	case "none":
		return m.say("没有这笔记录", "no record of it")
	case terminal.HostNoAnswer:
		return m.say("没有回音", "no answer")
	case "open":
		return m.say("结果不明", "unknown")
	}
	return s
}

func (m *Main) disputeList(args []string) error {
	fs := m.flags("dispute list")
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
	list, err := st.Disputes().List()
	if err != nil {
		return err
	}
	if *asJSON {
		out := []map[string]any{}
		for _, dp := range list {
			out = append(out, map[string]any{"seq": dp.Seq, "disputed": dp.Disputed, "trace": dp.Trace, "service": dp.Service,
				"amount": money.FormatWire(dp.Amount), "says": dp.Says, "state": dp.State, "answer_by": dp.AnswerBy,
				"decided": dp.Decided, "outcome": dp.Outcome, "refund": money.FormatWire(dp.Refund), "paid": dp.Paid})
		}
		return writeJSON(m.Stdout, map[string]any{"disputes": out})
	}
	if len(list) == 0 {
		m.printf("没有登记过业务纠纷。\n", "No disputes.\n")
		return nil
	}
	m.printf("业务纠纷：\n", "Disputes:\n")
	t := textwidth.Table{Right: map[int]bool{2: true}}
	for _, dp := range list {
		t.Add("", m.say("第 ", "entry ")+strconv.FormatUint(dp.Seq, 10)+m.say(" 笔", ""), m.serviceZh(dp.Service),
			money.FormatReceipt(dp.Amount), dp.Trace, m.disputeNext(dp))
	}
	t.Write(m.Stdout)
	return nil
}

func (m *Main) disputeLoad(args []string) error {
	fs := m.flags("dispute load")
	var w worker
	w.register(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return m.usageErr("命令行不对：%v", "bad command line: %v", err)
	}
	if fs.NArg() == 0 {
		return &usageError{"请给出邮政支局的纠纷答复文件：station dispute load --dir D --operator OP1 文件…", "give the post office's decision files: station dispute load --dir D --operator OP1 FILE…"}
	}
	if err := m.needDir(w.dir); err != nil {
		return err
	}
	msgs := make([][]byte, 0, fs.NArg())
	for _, name := range fs.Args() {
		b, err := os.ReadFile(name)
		if err != nil {
			return refuse(err, "读不了文件 %s。", "cannot read %s.", name)
		}
		if len(b) > decision.MaxNote {
			return refuse(nil, "%s 不是邮政支局的纠纷答复文件（太大了）。", "%s is not a decision file (too large).", name)
		}
		msgs = append(msgs, b)
	}
	st, err := m.openStation(w.dir, true)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := m.signedIn(st, w); err != nil {
		return err
	}
	var out []map[string]any
	for i, msg := range msgs {
		dp, added, err := st.Disputes().Decide(w.operator, msg)
		var de *terminal.DisputeError
		if errors.As(err, &de) {
			return refuse(nil, "%[1]s：%[2]s。什么都没有记。", "%[1]s: %[3]s; nothing was recorded.", fs.Arg(i), de.RuleZh, de.Rule)
		}
		if err != nil {
			return err
		}
		if *asJSON {
			out = append(out, map[string]any{"dispute": dp.Seq, "added": added, "decided": dp.Decided, "outcome": dp.Outcome,
				"refund": money.FormatWire(dp.Refund), "state": dp.State})
			continue
		}
		if !added {
			m.printf("第 %d 笔纠纷的这份答复已经收下过了。\n", "the decision on dispute %d was kept already.\n", dp.Seq)
			continue
		}
		m.printf("邮政支局的答复（第 %d 笔纠纷，第 %d 笔 %s）：\n", "The post office's decision (dispute %d, entry %d %s):\n", dp.Seq, dp.Disputed, m.serviceZh(dp.Service))
		m.printf("  %s\n", "  %s\n", m.disputeNext(dp))
		m.printf("  记在账本第 %d 笔。\n", "  Ledger entry %d.\n", dp.Decided)
	}
	if *asJSON {
		return writeJSON(m.Stdout, map[string]any{"decisions": out})
	}
	return nil
}

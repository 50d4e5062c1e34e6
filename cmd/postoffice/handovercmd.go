package main

import (
	"context"
	"errors"

	"github.com/villagepost/bianmin/handover"
	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/office"
	"github.com/villagepost/bianmin/registry"
	"github.com/villagepost/bianmin/tariff"
)

// enrolSuccessor enrols a station that takes over a retired one's
// village (承接) and writes the hand-over document for it.
func (m *Main) enrolSuccessor(ctx context.Context, o *office.Office, e registry.Enrolment, t *tariff.Tariff, old string) error {
	prev, err := o.Station(ctx, old)
	if err != nil {
		return m.registryErr(err)
	}
	switch {
	case prev.Status != registry.Retired || prev.Retirement == nil:
		return fail(exitFailed, "服务站 %[1]s 还没有退出：请先用 postoffice retire --station %[1]s 给它结清，再登记接手的服务站。什么都没有改动。",
			"station %[1]s has not retired: settle it first with postoffice retire --station %[1]s, then enrol its successor. Nothing was changed.", old)
	case prev.Retirement.Successor != "":
		return fail(exitFailed, "服务站 %s 已经由 %s 接手了，不能再登记一个接手的。什么都没有改动。",
			"station %s was taken over by %s already. Nothing was changed.", old, prev.Retirement.Successor)
	}
	signer, err := m.signer(o.Dir, "")
	if err != nil {
		return err
	}
	o.Signer = signer
	s, doc, err := o.EnrolSuccessor(ctx, e, t, old)
	var fe *office.HandoverFileError
	if errors.As(err, &fe) {
		return fail(exitFailed, "已登记服务站 %s，但写不了交接单 %s。", "station %s is enrolled, but the hand-over document cannot be written to %s.", s.ID, fe.Path)
	}
	if err != nil {
		return m.registryErr(err)
	}
	pub, _ := registry.PublicKey(s.Key)
	m.printf("已登记服务站 %s（加盟人 %s，押金 %s，价目表 %s），接手已退出的服务站 %s。\n印章编号 %s：请与服务站开通时打印的编号核对一致。\n",
		"Enrolled station %s (franchisee %s, deposit %s, tariff %s), taking over from retired station %s.\nSeal number %s: check it matches the one station init printed.\n",
		s.ID, s.Franchisee, money.FormatReceipt(s.Deposit), s.Tariff, old, keyfile.Fingerprint(pub))
	switch {
	case doc.Through.Seq == 0:
		m.printf("支局没有收到过 %s 的日结文件，没有它欠村民的记录，交接单上没有要接着办的。\n",
			"The post office never accepted a day file from %s: nothing it owed villagers is on record, nothing to take over.\n", old)
	case len(doc.Items) == 0:
		m.printf("%s 退出时没有欠村民的事，交接单上没有要接着办的。\n", "%s owed villagers nothing when it left: nothing to take over.\n", old)
	default:
		m.printf("%s 退出时还欠村民 %d 项，转给 %s 接着办；随交接单转过去的钱 %s（从 %s 的结清款里扣下的），算在 %s 的结算里：\n",
			"%s still owed villagers %d item(s) on leaving, carried to %s; the money carried with them, %s (kept back from %s's settlement), is owed to %s through its settlement:\n",
			old, len(doc.Items), s.ID, money.FormatReceipt(doc.Carried), old, s.ID)
		m.printItems(doc.Items)
	}
	m.printf("支局签章的交接单：%s\n请把它交给新服务站：station handover load --dir 服务站文件夹 --operator OP1 %s\n",
		"Hand-over document signed by the post office: %s\nGive it to the new station: station handover load --dir FOLDER --operator OP1 %s\n",
		o.HandoverPath(old, s.ID), o.HandoverPath(old, s.ID))
	return nil
}

// itemWords names an item's kind as the staff read it.
func (m *Main) itemWords(kind string) string {
	switch kind {
	case handover.Queued:
		return m.say("断网排队的缴费，缴费单位还没确认", "queued payment, not confirmed by the biller")
	case handover.Waitlist:
		return m.say("候补的车票，还没出票", "waitlisted ticket order, not issued")
	case handover.Reversal:
		return m.say("冲正还没送到", "reversal not acknowledged")
	case handover.Refund:
		return m.say("该退给顾客的钱还没退", "refund owed, not paid")
	case handover.Delivery:
		return m.say("答应送的货还没送", "goods promised, not delivered")
	case handover.Dispute:
		return m.say("业务纠纷还没了结", "dispute not settled")
	}
	return kind
}

// printItems lists what a station owed villagers.
func (m *Main) printItems(items []handover.Item) {
	for _, it := range items {
		m.printf("  %d. %s：第 %d 笔", "  %d. %s: entry %d", it.N, m.itemWords(it.Kind), it.Entry)
		if it.Trace != "" {
			m.printf("，流水号 %s", ", trace %s", it.Trace)
		}
		if it.Amount.IsPositive() {
			m.printf("，%s", ", %s", money.FormatReceipt(it.Amount))
		}
		if it.What != "" {
			m.printf("，%s", ", %s", it.What)
		}
		if it.Due != "" {
			m.printf("，%s 前", ", by %s", it.Due)
		}
		if it.Note != "" {
			m.printf("（%s）", " (%s)", it.Note)
		}
		m.printf("\n", "\n")
	}
}

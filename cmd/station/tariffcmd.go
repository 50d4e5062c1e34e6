package main

import (
	"context"

	"github.com/villagepost/bianmin/internal/textwidth"

	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/tariff"
	"github.com/villagepost/bianmin/terminal"
)

func (m *Main) runTariff(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return m.usageErr("请说明要做什么：station tariff load 或 show。", "say what to do: station tariff load or show.")
	}
	switch args[0] {
	case "load":
		return m.tariffLoad(args[1:])
	case "show":
		return m.tariffShow(args[1:])
	}
	return m.usageErr("价目表没有“%s”这个操作；可用 load、show。", "tariff has no %q; use load or show.", args[0])
}

func (m *Main) tariffLoad(args []string) error {
	fs := m.flags("tariff load")
	var w worker
	w.register(fs)
	file, err := m.fileArg(fs, args, "请给出价目表文件：station tariff load --dir D --operator OP1 文件", "give the tariff file: station tariff load --dir D --operator OP1 FILE")
	if err != nil {
		return err
	}
	st, err := m.openStation(w.dir, true)
	if err != nil {
		return err
	}
	defer st.Close()
	t, err := st.OpenTariff(file)
	if err != nil {
		return err
	}
	if day := st.Ledger.CurrentDay(); !t.ValidOn(day) {
		return refuse(nil, "价目表 %s 的有效期是 %s 至 %s，今天（%s）不能用；没有载入。请向支局要新的价目表。",
			"tariff %s is valid from %s to %s, not today (%s); not loaded. Ask the post office for a current one.",
			t.Version, t.ValidFrom, t.ValidUntil, day)
	}
	op, err := m.signIn(st, w)
	if err != nil {
		return err
	}
	if op.Role != terminal.RoleOwner {
		return refuse(terminal.ErrNotOwner, "只有店主才能载入价目表；没有载入。请店主来办。", "only an owner may load a tariff; it was not loaded. Ask the owner.")
	}
	if err := m.unlock(st, w.passFile, op.ID); err != nil {
		return err
	}
	e, err := st.LoadTariff(file, t, op.ID)
	if err != nil {
		return err
	}
	m.printf("已载入价目表 %s（%s，%s 至 %s），记在账本第 %d 笔。\n", "tariff %s loaded (%s, valid %s to %s), ledger entry %d.\n",
		t.Version, t.Issuer, t.ValidFrom, t.ValidUntil, e.Seq)
	return nil
}

func (m *Main) tariffShow(args []string) error {
	st, asJSON, err := m.openView("tariff show", args)
	if err != nil {
		return err
	}
	defer st.Close()
	t, err := st.LoadedTariff()
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(m.Stdout, t)
	}
	m.printf("价目表 %s，%s 签发，%s 至 %s 有效，营业日 %s 截止。\n", "tariff %s issued by %s, valid %s to %s, business day ends %s.\n",
		t.Version, t.Issuer, t.ValidFrom, t.ValidUntil, t.Cutoff)
	m.printf("取款限额：每笔 %s，每卡每天 %s、%d 笔。钱箱少于 %s 时提醒。\n\n",
		"withdrawal limits: %s a transaction, %s and %d withdrawals per card a day. Low-cash warning below %s.\n\n",
		money.FormatReceipt(t.Limits.PerTransaction.Decimal), money.FormatReceipt(t.Limits.PerCardDay.Decimal),
		t.Limits.PerCardDayCount, money.FormatReceipt(t.LowCash.Decimal))
	svc := textwidth.Table{}
	svc.Add(m.say("业务", "service"), m.say("手续费（顾客付）", "fee (customer)"), m.say("佣金（本店得）", "commission (shop)"))
	for _, s := range tariff.Services {
		p, _ := t.Pricing(s)
		svc.Add(m.kindName(s), m.ruleText(p.Fee), m.ruleText(p.Commission))
	}
	svc.Write(m.Stdout)
	m.printf("\n缴费单位：\n", "\nbillers:\n")
	bl := textwidth.Table{}
	for _, b := range t.Billers {
		queue := m.say("断网可先收款", "accepts queued payments")
		if !b.Queueing {
			queue = m.say("必须联网", "online only")
		}
		bl.Add("", b.ID, b.Name, m.say("户号例：", "account e.g. ")+b.Account.Example, queue)
	}
	bl.Write(m.Stdout)
	m.printf("\n商品：\n", "\ngoods:\n")
	gt := textwidth.Table{Right: map[int]bool{3: true}}
	for _, it := range t.Goods {
		deliver := ""
		if it.Delivery {
			deliver = m.say("送货上门", "delivered")
		}
		gt.Add("", it.SKU, it.Name, money.FormatReceipt(it.Price.Decimal), "/"+it.Unit, deliver)
	}
	if err := gt.Write(m.Stdout); err != nil {
		return err
	}
	if err := m.showInsuranceProducts(t); err != nil {
		return err
	}
	return m.showSIMPlans(t)
}

// ruleText describes a fee or commission rule in a few words.
func (m *Main) ruleText(r tariff.Rule) string {
	clamp := ""
	if r.Min != nil {
		clamp += m.say("，最低", ", min ") + money.FormatReceipt(r.Min.Decimal)
	}
	if r.Max != nil {
		clamp += m.say("，最高", ", max ") + money.FormatReceipt(r.Max.Decimal)
	}
	switch r.Kind {
	case tariff.Fixed:
		return m.say("每笔", "") + money.FormatReceipt(r.Amount.Decimal) + m.say("", " each") + clamp
	case tariff.Percent:
		return r.Percent.String() + "%" + clamp
	case tariff.Tiered:
		return m.say("分档", "tiered") + clamp
	}
	return m.say("无", "none")
}

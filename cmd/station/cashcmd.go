package main

import (
	"context"

	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/shopfront"
	"github.com/villagepost/bianmin/tariff"
	"github.com/villagepost/bianmin/terminal"
)

// runCash shows the drawer, or puts cash in, takes it out, or counts it.
func (m *Main) runCash(ctx context.Context, args []string) error {
	action := "show"
	if len(args) > 0 && (args[0] == "in" || args[0] == "out" || args[0] == "count") {
		action, args = args[0], args[1:]
	}
	fs := m.flags("cash " + action)
	var w worker
	w.register(fs)
	amountText := fs.String("amount", "", "amount, e.g. 500.00")
	countedText := fs.String("counted", "", "cash counted in the drawer, e.g. 1234.50")
	reason := fs.String("reason", "", "why: in as float (opening float) or owner (owner tops up); out as courier (to the post office courier) or owner (owner takes cash back)")
	note := fs.String("note", "", "a note, e.g. the courier's name")
	by := fs.String("by", "", "out --reason owner by a clerk: the owner who approves")
	byPinFile := fs.String("by-pin-file", "", "file with that owner's PIN (else STATION_BY_PIN, else asked)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	open := m.openStation
	if action == "show" {
		open = func(dir string, verifyNew bool) (*shopfront.Folder, error) { return m.openForView(ctx, dir, verifyNew) }
	}
	st, err := open(w.dir, true)
	if err != nil {
		return err
	}
	defer st.Close()
	d := &terminal.Drawer{Ledger: st.Ledger, LowCash: tariff.DefaultLowCash.Decimal}
	if t, err := st.LoadedTariff(); err == nil {
		d.LowCash = t.LowCash.Decimal
	}
	result := map[string]any{}
	switch action {
	case "in", "out":
		amount, err := money.Parse("amount", *amountText, money.Limits{})
		if err != nil {
			return err
		}
		if *reason == "" {
			return m.missingFlag("reason", "请用 --reason 说明原因：存入用 float（备用金）或 owner（店主补充）；取出用 courier（交押运员）或 owner（店主取回）。",
				"give --reason: in as float or owner; out as courier or owner.")
		}
		op, err := m.signIn(st, w)
		if err != nil {
			return err
		}
		var approver string
		if action == "out" && *reason == terminal.ReasonOwner {
			// Only the courier hand-over is a clerk's to do: the owner
			// taking cash back needs the owner, as a void does.
			if approver, err = m.ownerApproval(st, op, *by, *byPinFile); err != nil {
				return err
			}
		}
		if err := m.unlock(st, w.passFile, w.operator); err != nil {
			return err
		}
		move := d.In
		if action == "out" {
			move = d.Out
		}
		e, err := move(terminal.CashMove{Operator: w.operator, Amount: amount, Reason: *reason, Note: *note, IdemKey: shopfront.NewIdemKey("cash"), Approver: approver})
		if err != nil {
			return err
		}
		result["seq"] = e.Seq
		if !*asJSON {
			verb := m.say("存入", "put in")
			if action == "out" {
				verb = m.say("取出", "taken out")
			}
			m.printf("已%s %s，记在账本第 %d 笔。\n", "%[1]s %[2]s, ledger entry %[3]d.\n", verb, money.FormatReceipt(amount), e.Seq)
		}
		result["receipt"] = m.printReceipt(st, e.Seq, *asJSON)
	case "count":
		counted, err := money.Parse("counted", *countedText, money.Limits{AllowZero: true})
		if err != nil {
			return err
		}
		if err := m.signedIn(st, w); err != nil {
			return err
		}
		c, err := d.Count(w.operator, counted, shopfront.NewIdemKey("count"))
		if err != nil {
			return err
		}
		result["seq"], result["expected"], result["counted"], result["variance"] =
			c.Entry.Seq, money.FormatWire(c.Expected), money.FormatWire(c.Counted), money.FormatWire(c.Variance)
		if !*asJSON {
			m.printf("清点：应有 %s，实点 %s，", "count: expected %s, counted %s, ", money.FormatReceipt(c.Expected), money.FormatReceipt(c.Counted))
			switch {
			case c.Variance.IsNegative():
				m.printf("短款 %s。", "short by %s. ", money.FormatReceipt(c.Variance.Neg()))
			case c.Variance.IsPositive():
				m.printf("长款 %s。", "over by %s. ", money.FormatReceipt(c.Variance))
			default:
				m.printf("账实相符。", "they agree. ")
			}
			m.printf("记在账本第 %d 笔。\n", "Ledger entry %d.\n", c.Entry.Seq)
		}
	}
	cash, err := d.Cash()
	if err != nil {
		return err
	}
	if *asJSON {
		result["cash"], result["low"] = money.FormatWire(cash), d.Low(cash)
		return writeJSON(m.Stdout, result)
	}
	m.printf("钱箱现金：%s。\n", "cash in the drawer: %s.\n", money.FormatReceipt(cash))
	if d.Low(cash) {
		m.printf("现金不足 %s：取款可能付不出，请店主补充现金（station cash in --reason owner）。\n",
			"cash is below %s: withdrawals may not be paid out; the owner should top up (station cash in --reason owner).\n",
			money.FormatReceipt(d.LowCash))
	}
	return nil
}

package main

import (
	"context"
	"flag"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/shopfront"
	"github.com/villagepost/bianmin/terminal"
)

// payFlags are what a bill payment or top-up is given.
type payFlags struct {
	worker
	host     hostFlag
	biller   string
	amount   string
	paid     string
	asJSON   bool
	fs       *flag.FlagSet
	accountV *string
}

func (f *payFlags) register(m *Main, name, account, accountHelp string) {
	f.fs = m.flags(name)
	f.worker.register(f.fs)
	f.host.register(f.fs)
	f.fs.StringVar(&f.biller, "biller", "", "biller id from the tariff, e.g. state-grid (station tariff show lists them)")
	f.accountV = f.fs.String(account, "", accountHelp)
	f.fs.StringVar(&f.paid, "paid", "", "cash the customer handed over, to work out the change (default: exactly the total)")
	f.fs.BoolVar(&f.asJSON, "json", false, "print JSON")
}

// cash reads the amount and the cash handed over.
func (f *payFlags) cash(required bool) (amount, paid decimal.Decimal, err error) {
	if f.amount != "" || required {
		if amount, err = money.Parse("amount", f.amount, money.Limits{}); err != nil {
			return
		}
	}
	if f.paid != "" {
		paid, err = money.Parse("paid", f.paid, money.Limits{})
	}
	return
}

// runPayBill looks a bill up and pays it in cash.
func (m *Main) runPayBill(ctx context.Context, args []string) error {
	var f payFlags
	f.register(m, "pay-bill", "account", "the customer's account number with the biller")
	f.fs.StringVar(&f.amount, "amount", "", "amount to pay (default: what the biller says is due)")
	lookup := f.fs.Bool("lookup", false, "only look the bill up; pay nothing")
	if err := m.parse(f.fs, args); err != nil {
		return err
	}
	amount, paid, err := f.cash(false)
	if err != nil {
		return err
	}
	c, err := m.openCounter(ctx, f.worker, f.host)
	if err != nil {
		return err
	}
	defer c.Close()
	if *lookup {
		bill, err := c.Bills().Lookup(ctx, f.biller, *f.accountV)
		if err != nil {
			return err
		}
		if f.asJSON {
			return writeJSON(m.Stdout, bill)
		}
		due, _ := money.ParseWire(bill.Due)
		m.printf("户号 %s，户名 %s，%s 应缴 %s。\n", "account %s, customer %s, %s due: %s.\n", bill.Account, bill.Customer, bill.Period, money.FormatReceipt(due))
		return nil
	}
	r, err := c.Bills().Pay(ctx, terminal.BillPayment{Operator: c.Op.ID, Biller: f.biller, Account: *f.accountV, Amount: amount, Paid: paid, IdemKey: shopfront.NewIdemKey("bill")})
	if err != nil {
		return m.serviceErr(c, err)
	}
	return m.printPayment(c, f, r)
}

// runTopup tops a mobile phone up by one of the operator's amounts.
func (m *Main) runTopup(ctx context.Context, args []string) error {
	var f payFlags
	f.register(m, "topup", "phone", "the mobile number to top up")
	f.fs.StringVar(&f.amount, "amount", "", "one of the operator's top-up amounts, e.g. 50")
	if err := m.parse(f.fs, args); err != nil {
		return err
	}
	amount, paid, err := f.cash(true)
	if err != nil {
		return err
	}
	c, err := m.openCounter(ctx, f.worker, f.host)
	if err != nil {
		return err
	}
	defer c.Close()
	r, err := c.Bills().Topup(ctx, terminal.BillPayment{Operator: c.Op.ID, Biller: f.biller, Account: *f.accountV, Amount: amount, Paid: paid, IdemKey: shopfront.NewIdemKey("topup")})
	if err != nil {
		return m.serviceErr(c, err)
	}
	return m.printPayment(c, f, r)
}

// printPayment says what became of a payment and how much cash to take.
func (m *Main) printPayment(c *shopfront.Counter, f payFlags, r terminal.BillResult) error {
	zone := c.Ledger.Zone()
	if f.asJSON {
		out := map[string]any{
			"seq": r.Entry.Seq, "intent": r.Intent.Seq, "trace": r.Trace, "biller": r.Biller.ID, "account": r.Account,
			"customer": r.Customer, "amount": money.FormatWire(r.Amount), "fee": money.FormatWire(r.Fee),
			"total": money.FormatWire(r.Total), "commission": money.FormatWire(r.Commission), "change": money.FormatWire(r.Change),
			"reference": r.Reference, "queued": r.Queued, "receipt": m.printReceipt(c.Folder, r.Entry.Seq, true),
		}
		if r.Queued {
			out["confirm_by"] = r.ConfirmBy.In(zone).Format(time.RFC3339)
		}
		return writeJSON(m.Stdout, out)
	}
	who := r.Account
	if r.Customer != "" {
		who += m.say("（户名 "+r.Customer+"）", " ("+r.Customer+")")
	}
	if r.Queued {
		m.printf("网络不通，这笔%s已受理排队（受理回执）：%s %s %s。\n", "The network is down; this %s is accepted into the queue: %s %s %s.\n",
			m.serviceZh(r.Entry.Kind), r.Biller.Name, who, money.FormatReceipt(r.Amount))
		m.printf("  收现金 %s。将在 %s 前确认到账，网络恢复后自动发送；如被退回，钱退给顾客。\n",
			"  Take %s in cash. It will be confirmed by %s and is sent when the network is back; if refused, the money goes back to the customer.\n",
			money.FormatReceipt(r.Total), r.ConfirmBy.In(zone).Format("2006-01-02 15:04"))
	} else {
		m.printf("%s成功：%s %s %s，回执号 %s。\n", "%s paid: %s %s %s, reference %s.\n",
			m.serviceZh(r.Entry.Kind), r.Biller.Name, who, money.FormatReceipt(r.Amount), r.Reference)
		m.printf("  收现金 %s。\n", "  Take %s in cash.\n", money.FormatReceipt(r.Total))
	}
	if r.Change.IsPositive() {
		m.printf("  找零 %s。\n", "  Give %s change.\n", money.FormatReceipt(r.Change))
	}
	m.printf("  流水号 %s，本店佣金 %s。记在账本第 %d 笔。\n", "  trace %s, shop commission %s. Ledger entry %d.\n",
		r.Trace, money.FormatReceipt(r.Commission), r.Entry.Seq)
	m.printReceipt(c.Folder, r.Entry.Seq, false)
	return nil
}

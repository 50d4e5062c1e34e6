package main

import (
	"context"
	"flag"

	"github.com/villagepost/bianmin/idcheck"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/shopfront"
	"github.com/villagepost/bianmin/terminal"
)

// cardFlags are what a bank-card service is given.
type cardFlags struct {
	worker
	host    hostFlag
	card    string
	pinFile string
	asJSON  bool
}

func (f *cardFlags) register(m *Main, name string) *flag.FlagSet {
	fs := m.flags(name)
	f.worker.register(fs)
	f.host.register(fs)
	fs.StringVar(&f.card, "card", "", "the bank card number")
	fs.StringVar(&f.pinFile, "card-pin-file", "", "file with the cardholder's PIN (else STATION_CARD_PIN, else asked without echo)")
	fs.BoolVar(&f.asJSON, "json", false, "print JSON")
	return fs
}

// openCard checks the card number, opens the counter and reads the
// cardholder's PIN, which goes to the bank and nowhere else.
func (m *Main) openCard(ctx context.Context, f cardFlags) (c *shopfront.Counter, card, pinCode string, err error) {
	if card, err = idcheck.Card(f.card); err != nil {
		return nil, "", "", err
	}
	if c, err = m.openCounter(ctx, f.worker, f.host); err != nil {
		return nil, "", "", err
	}
	p, err := m.secret(f.pinFile, "STATION_CARD_PIN", "请持卡人输入银行卡密码：", "cardholder, type the card PIN: ", false)
	if err != nil {
		c.Close()
		return nil, "", "", err
	}
	return c, card, string(p), nil
}

// runWithdraw pays cash out of a villager's bank card (助农取款).
func (m *Main) runWithdraw(ctx context.Context, args []string) error {
	var f cardFlags
	fs := f.register(m, "withdraw")
	amountText := fs.String("amount", "", "cash to pay out, e.g. 500")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	amount, err := money.Parse("amount", *amountText, money.Limits{})
	if err != nil {
		return err
	}
	c, card, pinCode, err := m.openCard(ctx, f)
	if err != nil {
		return err
	}
	defer c.Close()
	r, err := c.Cards().Withdraw(ctx, terminal.Withdrawal{Operator: c.Op.ID, Card: card, PIN: pinCode, Amount: amount, IdemKey: shopfront.NewIdemKey("withdraw")})
	if err != nil {
		return m.serviceErr(c, err)
	}
	defer c.Link.Shown(r.Entry.Seq) // told to pay, by the time it returns
	if f.asJSON {
		return writeJSON(m.Stdout, map[string]any{
			"seq": r.Entry.Seq, "intent": r.Intent.Seq, "trace": r.Trace, "auth_code": r.AuthCode, "card": r.Card,
			"amount": money.FormatWire(r.Amount), "fee": money.FormatWire(r.Fee), "commission": money.FormatWire(r.Commission),
			"pay_out": money.FormatWire(r.Amount), "receipt": m.printReceipt(c.Folder, r.Entry.Seq, true),
		})
	}
	m.printf("取款成功。请付给顾客现金 %s。\n", "Withdrawal approved. Pay the customer %s in cash.\n", money.FormatReceipt(r.Amount))
	m.printf("  卡号 %s  授权码 %s  流水号 %s\n", "  card %s  authorisation %s  trace %s\n", r.Card, r.AuthCode, r.Trace)
	if r.Fee.IsPositive() {
		m.printf("  手续费 %s（从卡上扣）\n", "  fee %s (taken from the card)\n", money.FormatReceipt(r.Fee))
	}
	m.printf("  本店佣金 %s。记在账本第 %d 笔。\n", "  shop commission %s. Ledger entry %d.\n", money.FormatReceipt(r.Commission), r.Entry.Seq)
	m.printf("  请持卡人在商户存根上签名。\n", "  Have the cardholder sign the merchant copy.\n")
	m.printReceipt(c.Folder, r.Entry.Seq, false)
	return m.warnLowCash(c)
}

// runBalanceInquiry asks the bank for a card's balance.
func (m *Main) runBalanceInquiry(ctx context.Context, args []string) error {
	var f cardFlags
	fs := f.register(m, "balance-inquiry")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	c, card, pinCode, err := m.openCard(ctx, f)
	if err != nil {
		return err
	}
	defer c.Close()
	bal, e, err := c.Cards().BalanceInquiry(ctx, c.Op.ID, card, pinCode, shopfront.NewIdemKey("inquiry"))
	if err != nil {
		return err
	}
	if f.asJSON {
		return writeJSON(m.Stdout, map[string]any{"seq": e.Seq, "card": idcheck.MaskCard(card), "balance": money.FormatWire(bal)})
	}
	m.printf("卡号 %s 可用余额 %s。（查询记在账本第 %d 笔，没有动现金。）\n", "card %s: available balance %s. (Inquiry recorded as ledger entry %d; no cash moved.)\n",
		idcheck.MaskCard(card), money.FormatReceipt(bal), e.Seq)
	return nil
}

// warnLowCash tells the shopkeeper when the drawer runs low.
func (m *Main) warnLowCash(c *shopfront.Counter) error {
	d := &terminal.Drawer{Ledger: c.Ledger, LowCash: c.Tariff.LowCash.Decimal}
	cash, err := d.Cash()
	if err != nil {
		return err
	}
	if d.Low(cash) {
		m.printf("钱箱只剩 %s，已低于 %s：请店主补充现金（station cash in --reason owner）。\n",
			"the drawer holds only %s, below %s: the owner should top it up (station cash in --reason owner).\n",
			money.FormatReceipt(cash), money.FormatReceipt(d.LowCash))
	}
	return nil
}

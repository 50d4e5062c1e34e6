package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/shopfront"
	"github.com/villagepost/bianmin/terminal"
)

// hostFlag is where the bank, billers and carriers are: a hostsim URL, or
// the simulator built into the program.
type hostFlag struct{ url string }

func (h *hostFlag) register(fs *flag.FlagSet) {
	fs.StringVar(&h.url, "host", "", "host simulator URL, e.g. http://127.0.0.1:8090 (else STATION_HOST, else the built-in simulator)")
}

// openCounter opens the station in w.dir for w.operator.
func (m *Main) openCounter(ctx context.Context, w worker, h hostFlag) (*shopfront.Counter, error) {
	st, err := m.openStation(w.dir, true)
	if err != nil {
		return nil, err
	}
	c, err := m.counterFor(ctx, st, w, h)
	if err != nil {
		st.Close()
		return nil, err
	}
	return c, nil
}

// counterFor signs w.operator in at an open station and links it to its
// hosts.
func (m *Main) counterFor(ctx context.Context, st *shopfront.Folder, w worker, h hostFlag) (*shopfront.Counter, error) {
	t, err := st.CurrentTariff()
	if err != nil {
		return nil, err
	}
	op, err := m.signIn(st, w)
	if err != nil {
		return nil, err
	}
	if err := m.unlock(st, w.passFile, op.ID); err != nil {
		return nil, err
	}
	c := &shopfront.Counter{Folder: st, Op: op, Tariff: t}
	if err := m.openLink(ctx, c, h); err != nil {
		return nil, err
	}
	return c, nil
}

// openLink links the counter to the hosts named by --host (else
// STATION_HOST, else the built-in simulator) and says what recovery did.
func (m *Main) openLink(ctx context.Context, c *shopfront.Counter, h hostFlag) error {
	url := h.url
	if url == "" {
		url = m.Getenv("STATION_HOST")
	}
	r, err := c.LinkHosts(ctx, url)
	if err != nil {
		return err
	}
	m.reportRecovered(c.Ledger.Zone(), r)
	if err := c.Told(r.Untold); err != nil { // printed: not named again
		c.CloseLink()
		return err
	}
	return nil
}

// reportRecovered says what linking the hosts settled and whom the
// shopkeeper may still owe cash.
func (m *Main) reportRecovered(zone *time.Location, r shopfront.Recovered) {
	m.reportDrain(r.Drained)
	for _, u := range r.Untold {
		m.printf("%s\n", "%s\n", m.untoldText(zone, u))
	}
}

// untoldText tells the shopkeeper of a withdrawal the bank approved just
// before the program stopped, which the screen may never have shown: the
// villager may still be owed the cash, or may have had it already.
func (m *Main) untoldText(zone *time.Location, u terminal.CashOut) string {
	amount := money.FormatReceipt(u.Amount)
	return fmt.Sprintf(m.say(
		"注意：账本第 %[1]d 笔取款 %[2]s（卡 %[3]s，%[4]s，流水号 %[5]s）银行已经批准，顾客卡上已扣款，但程序在提示付现金之前停了。"+
			"如果还没有把 %[2]s 现金交给顾客，请现在付给他；已经付过就不要再付。拿不准就清点钱箱（station cash count）：账上已记付出，钱箱里多出 %[2]s 就是还没付。"+
			"收据可以重打：station receipt --seq %[1]d。",
		"Note: ledger entry %[1]d, a withdrawal of %[2]s (card %[3]s, %[4]s, trace %[5]s), was approved by the bank and taken from the card, but the program stopped before it said to pay the cash. "+
			"If the customer has not been given %[2]s in cash, pay it now; if they have, do not pay again. If unsure, count the drawer (station cash count): the ledger already counts the cash as paid, so %[2]s too many in the drawer means it was not paid. "+
			"The receipt can be reprinted: station receipt --seq %[1]d."),
		u.Seq, amount, u.Card, u.Time.In(zone).Format("01-02 15:04"), u.Trace)
}

// reportDrain says what recovery or a drain did, if anything.
func (m *Main) reportDrain(d terminal.Drained) {
	if d.Settled > 0 {
		m.printf("先处理完了 %d 笔上次没有完成的业务（station queue 可查看）。\n", "first settled %d item(s) left from before (see station queue).\n", d.Settled)
	}
	if n := len(d.Remaining); n > 0 {
		m.printf("还有 %d 笔业务在等网络恢复，恢复后会自动发送。\n", "%d item(s) wait for the network and will be sent when it is back.\n", n)
	}
}

// hostNameZh names a host for the shopkeeper.
func (m *Main) hostNameZh(host string) string {
	switch host {
	case "bank":
		return m.say("银行", "the bank")
	case "biller":
		return m.say("缴费单位", "the biller")
	case "insurer":
		return m.say("保险公司", "the insurer")
	case "telecom":
		return m.say("运营商", "the carrier")
	case "social":
		return m.say("社保系统", "the social-insurance host")
	}
	return m.say("票务系统", "the ticket carrier")
}

// serviceZh names a service for the shopkeeper.
func (m *Main) serviceZh(service string) string {
	switch service {
	case terminal.SvcWithdrawal:
		return m.say("取款", "withdrawal")
	case terminal.SvcBalanceInquiry:
		return m.say("查余额", "balance inquiry")
	case terminal.SvcBillPayment:
		return m.say("缴费", "bill payment")
	case terminal.SvcTopup:
		return m.say("话费充值", "top-up")
	case terminal.SvcTicketOrder:
		return m.say("订票", "ticket order")
	case terminal.SvcTicketCancel:
		return m.say("退票", "ticket cancel")
	case terminal.SvcPolicyIssue:
		return m.say("投保", "policy purchase")
	case terminal.SvcPolicyCancel:
		return m.say("退保", "policy cancel")
	case terminal.SvcSIMSale:
		return m.say("号卡实名登记", "card registration")
	case terminal.SvcContribution:
		return m.say("医保养老保险缴费", "residents' insurance contribution")
	}
	return service
}

package receipts

import "github.com/villagepost/bianmin/ledger"

// The receipt of a step a successor took on an item it took over from a
// station that left (承接, terminal.KindHandoverDone): which station owed
// it and under which of its entries, and what this station did — most
// often, a refund paid from its drawer.

var (
	lFromStation = Text{"原服务站", "Former station"}
	lFromEntry   = Text{"原站账本序号", "Its ledger entry"}
	lRefundPaid  = Text{"退给顾客", "Paid back"}
)

func (b *builder) handoverDone(e ledger.Entry) {
	p := b.p
	b.line(lFromStation, p.str("from"))
	b.line(lFromEntry, p.str("entry"))
	switch p.str("step") {
	case "refunded":
		b.capital(b.money(lRefundPaid, "amount"))
		b.notice("原服务站欠您的钱，由接手本村服务的本站退还现金。", "What the former station owed you, paid back in cash by this station, which took its place.")
	case "confirmed":
		b.capital(b.money(lAmount, "amount"))
		b.line(lReference, p.str("reference"))
		b.notice("对方已经收到这笔款项，您不用再做什么。", "The host has this payment: nothing more to do.")
	default:
		b.total = cashMoved(e)
		b.capital(b.total)
	}
}

package receipts

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
)

// Labels of receipt lines.
var (
	lCard       = Text{"卡号", "Card"}
	lAmount     = Text{"金额", "Amount"}
	lCash       = Text{"付现金", "Cash paid out"}
	lFee        = Text{"手续费", "Fee"}
	lTotal      = Text{"合计", "Total"}
	lDebited    = Text{"卡上扣款", "Debited"}
	lAuth       = Text{"授权码", "Auth code"}
	lTrace      = Text{"流水号", "Trace"}
	lBiller     = Text{"缴费单位", "Biller"}
	lAccount    = Text{"户号", "Account"}
	lPhone      = Text{"手机号", "Phone"}
	lCustomer   = Text{"户名", "Customer"}
	lReference  = Text{"回执号", "Reference"}
	lPaid       = Text{"实收", "Received"}
	lChange     = Text{"找零", "Change"}
	lPassenger  = Text{"乘客", "Passenger"}
	lID         = Text{"证件号", "ID"}
	lTrip       = Text{"行程", "Trip"}
	lDate       = Text{"乘车日期", "Date"}
	lClass      = Text{"座位", "Class"}
	lFare       = Text{"票价", "Fare"}
	lServiceFee = Text{"服务费", "Service fee"}
	lTicket     = Text{"票号", "Ticket"}
	lOrder      = Text{"候补订单号", "Waitlist order"}
	lRefund     = Text{"退款", "Refund"}
	lKept       = Text{"退票费", "Cancellation charge"}
	lOriginal   = Text{"原交易", "Original entry"}
	lReason     = Text{"原因", "Reason"}
	lApprovedBy = Text{"批准人", "Approved by"}
	lDeliverTo  = Text{"送货地点", "Deliver to"}
	lPromised   = Text{"承诺送达", "Promised by"}
	lNote       = Text{"备注", "Note"}
	lExpected   = Text{"应有", "Expected"}
	lCounted    = Text{"实点", "Counted"}
	lProduct    = Text{"险种", "Product"}
	lInsured    = Text{"被保险人", "Insured"}
	lObject     = Text{"保险标的", "Insured object"}
	lSumInsured = Text{"保险金额", "Sum insured"}
	lPremium    = Text{"保费", "Premium"}
	lPolicy     = Text{"保单号", "Policy"}
	lCover      = Text{"保险期间", "Cover"}
	lCoolingOff = Text{"犹豫期至", "Cooling-off until"}
	lVariance   = Text{"长短款", "Variance"}
	lSays       = Text{"顾客说", "Customer says"}
	lRecords    = Text{"本站记录", "Station's records"}
	lHostSays   = Text{"对方答复", "Host's answer"}
	lAnswerBy   = Text{"答复期限", "Answer by"}
	lOutcome    = Text{"邮政答复", "Post office's decision"}
)

// Titles of the kinds of entry that have receipts.
var titles = map[string]Text{
	"withdrawal":             {"助农取款", "Cash withdrawal"},
	"bill_payment":           {"缴费", "Bill payment"},
	"topup":                  {"话费充值", "Phone top-up"},
	"queued_confirmed":       {"缴费确认", "Payment confirmed"},
	"refund_due":             {"退款通知", "Refund due"},
	"refund_paid":            {"退款", "Refund"},
	"ticket_order":           {"订票", "Ticket order"},
	"ticket_issued":          {"候补出票", "Waitlisted ticket issued"},
	"ticket_failed":          {"候补失败", "Waitlisted order failed"},
	"ticket_cancel":          {"退票", "Ticket cancelled"},
	"policy_issue":           {"财产保险投保", "Property insurance"},
	"policy_cancel":          {"退保", "Policy cancelled"},
	"contribution":           {"城乡居民医保养老保险缴费", "Residents' insurance contribution"},
	"contribution_household": {"城乡居民医保养老保险代收回执", "Residents' insurance: household receipt"},
	"sim_sale":               {"号卡", "Phone-number card"},
	"sale":                   {"商品销售", "Sale"},
	"void":                   {"撤销", "Void"},
	"reversal":               {"冲正凭证", "Reversal"},
	"cash_in":                {"存入现金", "Cash in"},
	"cash_out":               {"取出现金", "Cash out"},
	"cash_count":             {"清点现金", "Cash count"},
	"dispute":                {"业务纠纷受理回执", "Dispute registered"},
	"dispute_decided":        {"纠纷答复", "Dispute decided"},
	"handover_done":          {"承接代办", "Taken over from a former station"},
}

func titleOf(kind string, p payload) Text {
	if kind == "bill_payment" && p.str("status") == "queued" {
		return Text{"缴费受理回执", "Bill payment accepted"}
	}
	if kind == "handover_done" && p.str("step") == "refunded" {
		return Text{"承接退款", "Refund for a former station"}
	}
	if kind == "ticket_order" && p.str("status") == "pending" {
		return Text{"候补订票受理回执", "Ticket waitlist accepted"}
	}
	if t, ok := titles[kind]; ok {
		return t
	}
	return same(kind)
}

// body fills in the receipt of entry e.
func (b *builder) body(e ledger.Entry, get Getter) error {
	p := b.p
	trace := p.str("trace")
	b.setRef("trace", trace)
	if err := b.kind(e, get); err != nil {
		return err
	}
	b.line(lTrace, trace)
	return nil
}

// kind fills in what a kind of entry says.
func (b *builder) kind(e ledger.Entry, get Getter) error {
	p := b.p
	switch e.Kind {
	case "withdrawal":
		b.line(lCard, p.str("card"))
		b.setRef("card", p.str("card"))
		b.capital(b.money(lCash, "amount"))
		if b.fee(lFee, "fee") {
			b.money(lDebited, "total")
		}
		b.line(lAuth, p.str("auth_code"))
		b.setRef("auth", p.str("auth_code"))
		b.r.ShopCopy = true
	case "bill_payment", "topup":
		b.line(lBiller, p.str("biller_name"))
		if e.Kind == "topup" {
			b.line(lPhone, p.str("account"))
		} else {
			b.line(lAccount, p.str("account"))
			b.line(lCustomer, p.str("customer"))
		}
		b.setRef("biller", p.str("biller"))
		b.setRef("account", p.str("account"))
		b.money(lAmount, "amount")
		if b.fee(lFee, "fee") {
			b.capital(b.money(lTotal, "total"))
		} else {
			b.capital(b.amount("total"))
		}
		if change := b.amount("change"); change.IsPositive() {
			b.money(lPaid, "paid")
			b.money(lChange, "change")
		}
		b.line(lReference, p.str("reference"))
		b.setRef("ref", p.str("reference"))
		if p.str("status") == "queued" {
			b.queued(p.str("confirm_by"))
		}
	case "queued_confirmed", "ticket_issued":
		b.original(get)
		b.capital(b.money(lAmount, "amount"))
		if e.Kind == "ticket_issued" {
			b.line(lTicket, p.str("reference"))
			b.notice("候补成功，已出票。", "The waitlisted order was filled: the ticket is issued.")
		} else {
			b.line(lReference, p.str("reference"))
			b.notice("这笔排队缴费已到账。", "The queued payment has reached the biller.")
		}
		b.setRef("ref", p.str("reference"))
	case "refund_due", "ticket_failed":
		b.original(get)
		b.capital(b.money(lRefund, "refund"))
		b.line(lReason, p.str("reason"))
		b.notice("没有办成，钱要退给您：请带上本单到店里领取退款。", "It did not go through and the money is owed back: bring this slip to the shop for the refund.")
	case "refund_paid":
		b.seqRef(get, "refund_of")
		b.capital(b.money(lRefund, "amount"))
		b.notice("退款已付给顾客。", "The refund was paid in cash.")
	case "ticket_order":
		b.ticket()
	case "ticket_cancel":
		b.seqRef(get, "order")
		b.line(lTicket, p.str("ticket"))
		b.setRef("ref", p.str("ticket"))
		b.money(lFare, "fare")
		b.money(lKept, "kept")
		b.capital(b.money(lRefund, "refund"))
		b.notice("已退票，退款已付现金；服务费不退。", "The ticket is cancelled and the refund paid in cash; the service fee is not refunded.")
	case "policy_issue":
		b.policy()
	case "sim_sale":
		b.simSale()
	case "handover_done":
		b.handoverDone(e)
	case "policy_cancel":
		b.seqRef(get, "sale")
		b.line(lProduct, p.str("product_name"))
		b.line(lPolicy, p.str("policy"))
		b.setRef("ref", p.str("policy"))
		b.money(lPremium, "premium")
		b.capital(b.money(lRefund, "refund"))
		b.notice("犹豫期内退保，保险合同解除，保费已按保险公司规定退还现金。", "Cancelled in the cooling-off period: the policy ends and the premium was refunded in cash under the insurer's rule.")
	case "contribution":
		b.contribution()
	case "contribution_household":
		return b.household()
	case "sale":
		return b.sale()
	case "void":
		b.seqRef(get, "original")
		b.line(lReason, p.str("reason"))
		b.line(lApprovedBy, p.str("approved_by"))
		b.capital(b.money(lRefund, "refund"))
		b.notice("原交易已撤销，钱已退还。", "The original entry is voided and the money given back.")
	case "reversal":
		return b.reversal(get)
	case "dispute":
		b.dispute(get)
	case "dispute_decided":
		b.seqRef(get, "dispute")
		b.capital(b.money(lRefund, "refund"))
		b.text(lOutcome, Text{"要退给顾客", "a refund is owed"})
		b.line(lReason, p.str("reason"))
		b.notice("邮政支局答复：这笔要退钱给您。请带上本单到店里领取退款。", "The post office decided a refund is owed: bring this slip to the shop for it.")
	case "cash_in", "cash_out":
		b.line(lReason, reasonText(p.str("reason")))
		b.line(lNote, p.str("note"))
		b.capital(b.money(lAmount, "amount"))
	case "cash_count":
		b.money(lExpected, "expected")
		b.capital(b.money(lCounted, "counted"))
		b.money(lVariance, "variance")
	default:
		b.total = cashMoved(e)
		b.capital(b.total)
	}
	return nil
}

// fee prints a fee line if there is a fee, and says whether there was.
func (b *builder) fee(label Text, key string) bool {
	if !b.amount(key).IsPositive() {
		return false
	}
	b.money(label, key)
	return true
}

// amount reads an amount from the payload without printing it.
func (b *builder) amount(key string) decimal.Decimal {
	d, err := money.ParseWire(b.p.str(key))
	if err != nil {
		return decimal.Zero
	}
	return d
}

// queued says what a payment accepted into the offline queue promises.
func (b *builder) queued(confirmBy string) {
	t, err := time.Parse(time.RFC3339, confirmBy)
	when := confirmBy
	if err == nil {
		when = t.In(b.r.Station.Zone).Format("2006-01-02 15:04")
		b.setRef("confirm", t.UTC().Format("20060102T1504Z"))
	}
	b.setRef("status", "queued")
	b.notice("受理回执：网络不通，钱已收下，缴费排队等待发送，将于 "+when+" 前确认到账；如被退回，钱全部退还。",
		"Payment accepted: the network is down, so it is queued and will be confirmed by "+when+"; if refused, the money is given back.")
}

// original names the entry that an entry concludes (payload "original").
func (b *builder) original(get Getter) { b.seqRef(get, "original") }

// seqRef prints the entry named by the payload's key and sets the code's
// orig reference.
func (b *builder) seqRef(get Getter, key string) {
	seq := b.p.seq(key)
	if seq == 0 {
		return
	}
	label := fmt.Sprintf("第 %d 笔", seq)
	en := fmt.Sprintf("entry %d", seq)
	if get != nil {
		if o, err := get(seq); err == nil {
			t := titleOf(o.Kind, nil)
			label, en = label+" "+t.Zh, en+" "+t.En
		}
	}
	b.text(lOriginal, Text{label, en})
	b.setRef("orig", fmt.Sprint(seq))
}

func (b *builder) ticket() {
	p := b.p
	carrier := Text{"火车票", "Train"}
	if p.str("carrier") == "air" {
		carrier = Text{"机票", "Flight"}
	}
	b.text(Text{"票种", "Carrier"}, carrier)
	b.line(lPassenger, p.str("passenger"))
	b.line(lID, p.str("id"))
	b.line(lTrip, p.str("from")+" → "+p.str("to"))
	b.line(lDate, p.str("date"))
	b.setRef("date", p.str("date"))
	b.line(lClass, p.str("class"))
	b.money(lFare, "amount")
	b.fee(lServiceFee, "fee")
	b.capital(b.money(lTotal, "total"))
	if p.str("status") == "pending" {
		b.line(lOrder, p.str("order_ref"))
		b.setRef("order", p.str("order_ref"))
		b.setRef("status", "waitlisted")
		b.notice("受理回执：已排入候补，钱已收下。出票后凭本单取票号；候补失败，钱全部退还。",
			"Accepted onto the waiting list; the money is held. Once issued, bring this slip for the ticket number; if it fails, all of it is given back.")
		return
	}
	b.line(lTicket, p.str("ticket"))
	b.setRef("ref", p.str("ticket"))
}

// policy prints a property insurance policy: what is insured, the
// premium, the policy number, the cover and the cooling-off deadline.
func (b *builder) policy() {
	p := b.p
	b.line(lProduct, p.str("product_name"))
	b.line(lInsured, p.str("holder"))
	b.line(lID, p.str("id"))
	b.line(lObject, p.str("object"))
	b.money(lSumInsured, "sum_insured")
	b.money(lPremium, "amount")
	if b.fee(lServiceFee, "fee") {
		b.capital(b.money(lTotal, "total"))
	} else {
		b.capital(b.amount("total"))
	}
	b.line(lPolicy, p.str("policy"))
	b.setRef("ref", p.str("policy"))
	b.text(lCover, Text{p.str("start") + " 至 " + p.str("end"), p.str("start") + " to " + p.str("end")})
	b.setRef("date", p.str("start"))
	b.line(lCoolingOff, p.str("until"))
	b.setRef("until", p.str("until"))
	b.notice("犹豫期内可凭本单到本店全额退保；保单以保险公司出具的为准。",
		"Until the end of the cooling-off period the policy can be cancelled at this shop for the whole premium, with this slip; the insurer's policy governs.")
}

func (b *builder) sale() error {
	var lines []struct {
		Name, Unit, Price, Amount string
		Qty                       int64
	}
	raw, _ := json.Marshal(b.p["lines"])
	if err := json.Unmarshal(raw, &lines); err != nil {
		return fmt.Errorf("sale lines: %w", err)
	}
	for _, l := range lines {
		price, _ := money.ParseWire(l.Price)
		amount, _ := money.ParseWire(l.Amount)
		b.r.Lines = append(b.r.Lines, Line{
			Label: same(fmt.Sprintf("%s %d%s×%s", l.Name, l.Qty, l.Unit, money.FormatReceipt(price))),
			Value: same(money.FormatReceipt(amount)), Money: true})
	}
	b.capital(b.money(lTotal, "total"))
	if change := b.amount("change"); change.IsPositive() {
		b.money(lPaid, "paid")
		b.money(lChange, "change")
	}
	if d, ok := b.p["delivery"].(map[string]any); ok {
		dp := payload(d)
		b.line(lDeliverTo, dp.str("to"))
		b.line(lPromised, dp.str("promised"))
		b.setRef("promised", dp.str("promised"))
		b.notice("送货上门：送到后请收货人签收。", "Delivered: the receiver signs on delivery.")
	}
	return nil
}

// reversal prints a reversal (冲正): the request that was undone, and that
// no money moved.
func (b *builder) reversal(get Getter) error {
	seq := b.p.seq("intent")
	if seq == 0 || get == nil {
		return fmt.Errorf("a reversal names no request")
	}
	intent, err := get(seq)
	if err != nil {
		return fmt.Errorf("the reversed request %d: %w", seq, err)
	}
	var ip payload
	if err := json.Unmarshal(intent.Payload, &ip); err != nil {
		return fmt.Errorf("the reversed request %d: %w", seq, err)
	}
	svc := titleOf(ip.str("service"), nil)
	b.text(lOriginal, Text{fmt.Sprintf("第 %d 笔 %s", seq, svc.Zh), fmt.Sprintf("entry %d %s", seq, svc.En)})
	b.setRef("orig", fmt.Sprint(seq))
	b.line(lCard, ip.str("card"))
	b.setRef("card", ip.str("card"))
	b.p = ip
	b.capital(b.money(lAmount, "amount"))
	b.notice("这笔交易没有成功，已冲正：没有扣款，也没有付现金。", "This request did not go through and was reversed: nothing was taken, no cash was paid.")
	return nil
}

// dispute prints a dispute's registration (业务纠纷受理回执): the entry
// disputed, what the customer says, what each side's records show, and
// by when the post office answers. Its total is the disputed amount.
func (b *builder) dispute(get Getter) {
	p := b.p
	b.seqRef(get, "disputed")
	b.total = b.amount("amount")
	b.money(lAmount, "amount")
	b.line(lSays, p.str("says"))
	b.text(lRecords, stateText(p.str("station_state")))
	host := stateText(p.str("host_status"))
	if a := b.amount("host_amount"); a.IsPositive() {
		host.Zh += " " + money.FormatReceipt(a)
		host.En += " " + money.FormatReceipt(a)
	}
	b.text(lHostSays, host)
	b.line(lAnswerBy, p.str("answer_by"))
	b.notice("已登记，邮政支局会在答复期限前答复。答复之前不付钱；答复要退钱的，凭本单到店里领取。",
		"Registered: the post office answers by the date above. Nothing is paid before it answers; if a refund is owed, bring this slip to the shop.")
}

// stateText names what a side's records say became of a request.
func stateText(s string) Text {
	switch s {
	case "approved", "confirmed":
		return Text{"成功", "approved"}
	case "declined", "refused":
		return Text{"被拒绝", "declined"}
	case "reversed":
		return Text{"已冲正", "reversed"}
	case "reversal_due":
		return Text{"待冲正", "reversal owed"}
	case "not_sent":
		return Text{"没有发出", "not sent"}
	case "queued":
		return Text{"排队待发", "queued"}
	case "waitlisted", "pending":
		return Text{"候补中", "waitlisted"}
	case "voided":
		return Text{"已撤销", "voided"}
	case "none":
		return Text{"没有这笔记录", "no record"}
	case "no_answer":
		return Text{"没有回音", "no answer"}
	case "open":
		return Text{"结果不明", "unknown"}
	}
	return same(s)
}

func reasonText(reason string) string {
	switch reason {
	case "float":
		return "备用金 float"
	case "owner":
		return "店主 owner"
	case "courier":
		return "交押运员 courier"
	}
	return reason
}

// cashMoved is how much cash an entry moved in or out of the drawer.
func cashMoved(e ledger.Entry) decimal.Decimal {
	var d decimal.Decimal
	for _, p := range e.Postings {
		if p.Account == "assets:cash" && p.Commodity == ledger.Currency {
			d = d.Add(p.Signed())
		}
	}
	return d.Abs()
}

package web

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/tariff"
)

// systemKinds are the entries the program keeps for itself: requests to
// hosts and what came of them behind the counter, operators, tariffs, keys
// and acknowledgements. They are shown on the 系统记录 view, never among
// the day's business.
var systemKinds = map[string]bool{
	"genesis": true, "operator_add": true, "tariff_load": true, "key_rotation": true, "postoffice_ack": true,
	"intent": true, "reversal_due": true, "not_sent": true, "queued_confirmed": true,
}

// business reports whether an entry of kind is part of the day's business
// as the shop sees it.
func business(kind string) bool { return !systemKinds[kind] }

// detailOf says what an entry was about in the shop's words: who, what,
// how much, and what is still to be done. It never shows a payload key.
func detailOf(e ledger.Entry, lang string, t *tariff.Tariff) string {
	var p map[string]any
	if json.Unmarshal(e.Payload, &p) != nil {
		return ""
	}
	str := func(k string) string {
		switch v := p[k].(type) {
		case string:
			return v
		case float64:
			return decimal.NewFromFloat(v).String()
		}
		return ""
	}
	var parts []string
	add := func(zh, en, v string) {
		if v != "" {
			parts = append(parts, say(lang, zh, en)+v)
		}
	}
	seq := func(zh, en, k string) {
		if v := str(k); v != "" && v != "0" {
			parts = append(parts, say(lang, zh+" "+v+" 笔", fmt.Sprintf(en, v)))
		}
	}
	yuan := func(k string) string {
		d, err := money.ParseWire(str(k))
		if err != nil {
			return ""
		}
		return money.FormatReceipt(d)
	}
	if n := str("biller_name"); n != "" {
		parts = append(parts, n)
	} else if id := str("biller"); id != "" && t != nil {
		if bl, ok := t.Biller(id); ok {
			parts = append(parts, bl.Name)
		}
	}
	switch e.Kind {
	case "topup":
		add("手机号 ", "phone ", str("account"))
	default:
		add("户号 ", "account ", str("account"))
	}
	add("户名 ", "name ", str("customer"))
	add("卡号 ", "card ", str("card"))
	add("乘客 ", "passenger ", str("passenger"))
	if from, to := str("from"), str("to"); from != "" && to != "" && e.Kind != "delivery" {
		parts = append(parts, from+" → "+to+" "+str("date")+" "+str("class"))
	}
	add("票号 ", "ticket ", str("ticket"))
	if e.Kind == "sale" {
		var lines []struct {
			Name string `json:"name"`
			Unit string `json:"unit"`
			Qty  int64  `json:"qty"`
		}
		b, _ := json.Marshal(p["lines"])
		json.Unmarshal(b, &lines)
		for _, l := range lines {
			parts = append(parts, fmt.Sprintf("%s × %d %s", l.Name, l.Qty, l.Unit))
		}
		if d, ok := p["delivery"].(map[string]any); ok {
			to, _ := d["to"].(string)
			by, _ := d["promised"].(string)
			add("送到 ", "deliver to ", to+say(lang, "，最晚 ", " by ")+by)
		}
	}
	if sku := str("sku"); sku != "" {
		name := sku
		if t != nil {
			if it, ok := t.Item(sku); ok {
				name = it.Name
			}
		}
		q := str("qty")
		if q == "" {
			q = str("counted")
		}
		parts = append(parts, name+" "+q)
	}
	if e.Kind == "delivery" {
		add("送到 ", "to ", str("to"))
		add("签收人 ", "received by ", str("received_by"))
		seq("销售第", "sale %s", "sale")
	}
	switch str("reason") {
	case "float":
		parts = append(parts, say(lang, "备用金", "float"))
	case "owner":
		parts = append(parts, say(lang, "店主", "owner"))
	case "courier":
		parts = append(parts, say(lang, "交押运员", "to the courier"))
	case "":
	default:
		add("原因：", "why: ", str("reason"))
	}
	add("备注：", "note: ", str("note"))
	switch e.Kind {
	case "void":
		seq("撤销第", "voids entry %s", "original")
		add("店主批准：", "approved by ", str("approved_by"))
	case "reversal":
		seq("冲正第", "reverses entry %s", "intent")
	case "receipt_reprint":
		seq("重打第", "reprint of entry %s", "seq")
	case "refund_paid":
		seq("退第", "refund of entry %s", "refund_of")
	case "cash_count":
		add("应有 ", "expected ", yuan("expected"))
		add("实点 ", "counted ", yuan("counted"))
	}
	switch str("status") {
	case "queued":
		parts = append(parts, say(lang, "排队等网络", "queued for the network"))
	case "pending":
		parts = append(parts, say(lang, "候补中", "on the waiting list"))
	}
	add("回执号 ", "reference ", str("reference"))
	add("流水号 ", "trace ", str("trace"))
	return strings.Join(parts, "  ")
}

// owedWords says who owes whom how much between the shop and the post
// office, without a minus sign: positive means the post office owes the
// shop.
func owedWords(lang string, d decimal.Decimal) string {
	switch {
	case d.IsPositive():
		return say(lang, "邮政应付本店 ", "the post office owes the shop ") + money.FormatReceipt(d)
	case d.IsNegative():
		return say(lang, "本店应交邮政 ", "the shop owes the post office ") + money.FormatReceipt(d.Neg())
	}
	return say(lang, "两清", "even")
}

// backWords shows a day's figure that may run below zero (a policy
// cancelled gives its commission back) in words, not with a minus sign an
// old eye misses: 扣回 ¥22.50.
func backWords(lang string, d decimal.Decimal) string {
	if d.IsNegative() {
		return say(lang, "扣回 ", "less ") + money.FormatReceipt(d.Neg())
	}
	return money.FormatReceipt(d)
}

package web

import (
	"errors"
	"strings"

	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/terminal"
)

// labels names each form field as its page labels it, short (without
// the hint in brackets), in Chinese and English, so that a message about
// a field uses the word the shopkeeper sees above it: the phone number of
// a top-up is 手机号, never 户号; the cash handed over is never "paid".
var labels = map[string]map[string][2]string{
	"withdraw": {"amount": {"取款金额", "amount"}},
	"bill":     {"account": {"户号", "account number"}, "amount": {"缴费金额", "amount to pay"}, "paid": {"顾客交来的现金", "cash handed over"}},
	"topup":    {"account": {"手机号", "phone number"}, "amount": {"充值金额", "top-up amount"}, "paid": {"顾客交来的现金", "cash handed over"}},
	"sell": {"qty": {"数量", "quantity"}, "paid": {"顾客交来的现金", "cash handed over"},
		"deliver_to": {"送货地点", "deliver to"}, "promised": {"承诺送达日期", "delivery promised by"}},
	"ticket": {"passenger": {"乘客姓名", "passenger name"}, "from": {"出发站", "from"}, "to": {"到达站", "to"},
		"date": {"乘车日期", "travel date"}, "class": {"座位等级", "class"}, "fare": {"票价", "fare"}},
	"insure": {"product": {"险种", "product"}, "holder": {"被保险人姓名", "insured person's name"}, "object": {"保险标的", "insured object"},
		"sum": {"保额", "sum insured"}},
	"sim": {"number": {"号码", "phone number"}, "buyer": {"买卡人姓名", "buyer's name"}, "plan": {"套餐", "plan"},
		"card": {"号卡（每行一张：ICCID,号码）", "cards (one a line: ICCID,number)"}},
	"cash":    {"amount": {"金额", "amount"}, "counted": {"实点现金", "cash counted"}},
	"close":   {"counted": {"实点现金", "cash counted"}},
	"deliver": {"sale": {"销售记录的账本序号", "sale's entry number"}, "received_by": {"签收人", "received by"}},
}

// pageOf is the page a request's form belongs to: the first part of its
// path (/topup/check is the topup page).
func pageOf(q *req) string {
	p := strings.TrimPrefix(q.r.URL.Path, "/")
	if i := strings.IndexByte(p, '/'); i >= 0 {
		p = p[:i]
	}
	return p
}

// relabel returns err with its field named as the page labels it, for a
// message; the form still places it by the field's own name.
func relabel(q *req, err error) error {
	var (
		me *money.Error
		ie *terminal.InputError
	)
	name := func(field string) (string, bool) {
		l, ok := labels[pageOf(q)][field]
		if !ok {
			return "", false
		}
		return say(q.ss.lang, l[0], l[1]), true
	}
	switch {
	case errors.As(err, &me):
		if n, ok := name(me.Field); ok {
			c := *me
			c.Field = n
			return &c
		}
	case errors.As(err, &ie):
		if n, ok := name(ie.Field); ok {
			c := *ie
			c.Field = n
			return &c
		}
	}
	return err
}

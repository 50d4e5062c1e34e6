package main

import (
	"encoding/json"
	"io"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
)

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// amountText prints a balance for a person: ¥1,234.50 for money, "40 FERT-50KG" for goods.
func amountText(commodity string, d decimal.Decimal) string {
	if commodity == ledger.Currency {
		return money.FormatReceipt(d)
	}
	return d.String() + " " + commodity
}

// kindZh names the kinds of entry in plain Chinese.
var kindZh = map[string]string{
	"genesis":          "开通服务站",
	"operator_add":     "添加操作员",
	"tariff_load":      "载入价目表",
	"intent":           "向银行/缴费单位发出请求",
	"declined":         "被拒绝",
	"not_sent":         "没有发出（断网）",
	"reversal_due":     "待冲正",
	"reversal":         "冲正",
	"withdrawal":       "助农取款",
	"balance_inquiry":  "查余额",
	"bill_payment":     "缴费",
	"topup":            "话费充值",
	"queued_confirmed": "排队缴费已确认",
	"refund_due":       "应退顾客",
	"refund_paid":      "退款给顾客",
	"ticket_order":     "票务订单",
	"ticket_issued":    "候补出票",
	"ticket_failed":    "候补失败",
	"ticket_cancel":    "退票",
	"sale":             "商品销售",
	"void":             "撤销",
	"delivery":         "送货签收",
	"cash_in":          "存入现金",
	"cash_out":         "取出现金",
	"cash_count":       "清点现金",
	"stock_in":         "进货",
	"stock_return":     "退货给邮政",
	"stock_count":      "盘点",
	"day_close":        "日结",
	"key_rotation":     "更换印章",
}

// accountZh explains the accounts of the chart in plain Chinese.
func accountZh(name string) string {
	switch {
	case name == "assets:cash":
		return "钱箱现金"
	case name == "postoffice:settlement":
		return "与邮政结算（正数＝邮政应付本店）"
	case name == "income:fees":
		return "手续费收入"
	case name == "equity:owner":
		return "店主投入"
	case name == "expense:cash-variance":
		return "现金长短款"
	case strings.HasPrefix(name, "income:commission:"):
		return "佣金收入：" + kindOr(strings.TrimPrefix(name, "income:commission:"))
	case strings.HasPrefix(name, "assets:stock"):
		return "代销库存"
	case name == "postoffice:consignment":
		return "邮政代销货（件数）"
	case name == "expense:stock-variance":
		return "库存盘盈盘亏（件数）"
	case name == "liabilities:queued-payments":
		return "断网受理、待确认的缴费"
	case name == "liabilities:ticket-deposits":
		return "候补订票押金"
	case name == "liabilities:refunds-due":
		return "应退顾客的钱"
	}
	return ""
}

func kindOr(k string) string {
	if z, ok := kindZh[k]; ok {
		return z
	}
	return k
}

func (m *Main) kindName(k string) string {
	if m.lang == "en" {
		return k
	}
	return kindOr(k)
}

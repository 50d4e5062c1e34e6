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
	"genesis":      "开通服务站",
	"operator_add": "添加操作员",
	"withdrawal":   "助农取款",
	"bill_payment": "缴费",
	"topup":        "话费充值",
	"ticket_order": "票务订单",
	"sale":         "商品销售",
	"reversal":     "冲正",
	"cash_in":      "存入现金",
	"cash_out":     "取出现金",
	"cash_count":   "清点现金",
	"stock_in":     "进货",
	"day_close":    "日结",
	"key_rotation": "更换印章",
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

package main

import (
	"encoding/json"
	"io"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/settlement"
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

func kindOr(k string) string { return settlement.KindZh(k) }

func (m *Main) kindName(k string) string {
	if m.lang == "en" {
		return k
	}
	return kindOr(k)
}

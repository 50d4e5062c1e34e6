package settlement

import (
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
)

// kindZh names the kinds of entry in plain Chinese, for the shopkeeper's
// spreadsheets and reports.
var kindZh = map[string]string{
	"genesis": "开通服务站", "operator_add": "添加操作员", "operator_unlock": "解锁操作员", "tariff_load": "载入价目表",
	"intent": "向银行/缴费单位发出请求", "declined": "被拒绝", "not_sent": "没有发出（断网）",
	"reversal_due": "待冲正", "reversal": "冲正",
	"withdrawal": "助农取款", "balance_inquiry": "查余额", "bill_payment": "缴费", "topup": "话费充值",
	"queued_confirmed": "排队缴费已确认", "refund_due": "应退顾客", "refund_paid": "退款给顾客",
	"ticket_order": "票务订单", "ticket_issued": "候补出票", "ticket_failed": "候补失败", "ticket_cancel": "退票",
	"policy_issue": "财产保险投保", "policy_cancel": "退保",
	"sim_stock_in": "号卡入库", "sim_return": "号卡退回", "sim_sale": "号卡销售",
	"contribution": "城乡居民医保养老保险缴费", "contribution_household": "医保养老保险代收回执",
	"dispute": "业务纠纷登记", "dispute_decided": "业务纠纷答复", "handover": "承接交接单", "handover_done": "承接事项办完",
	"sale": "商品销售", "void": "撤销", "delivery": "送货签收",
	"cash_in": "存入现金", "cash_out": "取出现金", "cash_count": "清点现金",
	"stock_in": "进货", "stock_return": "退货给邮政", "stock_count": "盘点",
	"receipt_reprint": "重打收据", "day_close": "日结", "postoffice_ack": "邮政对账确认", "key_rotation": "更换印章",
}

// KindZh names a kind of entry in plain Chinese; an unknown kind is
// returned as it is.
func KindZh(kind string) string {
	if z, ok := kindZh[kind]; ok {
		return z
	}
	return kind
}

// csvHeader is the first row of a day's spreadsheet.
var csvHeader = []string{"序号 seq", "时间 time", "营业日 day", "操作员 operator", "业务", "kind",
	"金额 amount", "手续费 fees", "佣金 commission", "现金收入 cash in", "现金支出 cash out",
	"流水号 trace", "参考号 reference", "卡号 card", "状态 status", "哈希 hash"}

// WriteCSV writes the entries of a day's file as a spreadsheet: one row per
// entry, in UTF-8 with a byte-order mark so that spreadsheet programs show
// the Chinese correctly. Times are in zone.
func WriteCSV(w io.Writer, f *File, zone *time.Location) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true // what spreadsheet programs on Windows expect
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, r := range f.Records {
		e, err := ledger.DecodeRecord(r.Raw)
		if err != nil {
			return fmt.Errorf("settlement: entry %d: %w", r.Seq, err)
		}
		if err := cw.Write(csvRow(&e, zone)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func csvRow(e *ledger.Entry, zone *time.Location) []string {
	var p map[string]any
	json.Unmarshal(e.Payload, &p)
	str := func(keys ...string) string {
		for _, k := range keys {
			if v, ok := p[k].(string); ok && v != "" {
				return v
			}
		}
		return ""
	}
	var in, out, fees, commission decimal.Decimal
	for _, q := range e.Postings {
		if q.Commodity != ledger.Currency {
			continue
		}
		switch {
		case q.Account == accountCash && q.Side == ledger.Debit:
			in = in.Add(q.Amount)
		case q.Account == accountCash:
			out = out.Add(q.Amount)
		case q.Account == accountFees:
			fees = fees.Sub(q.Signed())
		case strings.HasPrefix(q.Account, accountCommission):
			commission = commission.Sub(q.Signed())
		}
	}
	amount := ""
	if key, ok := principal[e.Kind]; ok {
		amount = str(key)
	}
	blankZero := func(d decimal.Decimal) string {
		if d.IsZero() {
			return ""
		}
		return wire(d)
	}
	return []string{
		strconv.FormatUint(e.Seq, 10), e.Time.In(zone).Format("2006-01-02 15:04:05"), e.Day, e.Operator,
		KindZh(e.Kind), e.Kind, amount, blankZero(fees), blankZero(commission), blankZero(in), blankZero(out),
		str("trace"), str("reference", "ticket", "auth_code", "order_ref"), str("card"), str("status"),
		hex.EncodeToString(e.Hash[:]),
	}
}

package receipts_test

import (
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"

	"github.com/villagepost/bianmin/internal/textwidth"
	"github.com/villagepost/bianmin/receipts"
)

// want says what each service's receipt must show, in Chinese.
var want = map[string][]string{
	"cash_in":           {"存入现金", "¥3,000.00", "叁仟元整", "备用金"},
	"withdrawal":        {"助农取款 · 顾客联", "622848*********0018", "¥856.50", "捌佰伍拾陆元伍角整", "授权码", "流水号", "商户存根", "本人确认以上交易，同意将其记入本卡账户", "持卡人签名"},
	"reversal":          {"流水号", "冲正凭证", "原交易", "¥300.00", "没有扣款", "621700*********0122"},
	"bill_payment":      {"流水号", "缴费", "国网电费", "5100123456", "户名", "回执号", "找零", "实收 ", "¥300.00"},
	"topup":             {"流水号", "话费充值", "13800138000", "¥50.00", "伍拾元整"},
	"queued_payment":    {"流水号", "缴费受理回执", "县自来水公司", "¥45.00", "肆拾伍元整", "前确认到账"},
	"queued_confirmed":  {"流水号", "缴费确认", "原交易", "已到账", "¥45.00"},
	"ticket_order":      {"流水号", "订票", "火车票", "王秀英", "4115**********1234", "信阳 → 郑州东", "2026-11-23", "二等座", "¥153.50", "服务费", "¥158.50", "壹佰伍拾捌元伍角整", "票号"},
	"ticket_waitlisted": {"流水号", "候补订票受理回执", "机票", "经济舱", "候补订单号", "¥895.00"},
	"ticket_cancel":     {"流水号", "退票", "票号", "退票费", "服务费不退"},
	"sale":              {"商品销售", "尿素", "洗衣皂", "¥280.50", "贰佰捌拾元伍角整", "找零", "¥19.50", "村东头李家麦地", "2026-11-22"},
	"void":              {"撤销", "原交易", "商品销售", "拿错了", "OP1", "¥3.50"},
	"dispute":           {"业务纠纷受理回执", "原交易", "第 4 笔 助农取款", "¥856.50", "顾客说", "现金少给了 100 元", "本站记录", "成功", "对方答复", "答复期限", "2026-11-27", "流水号"},
	"policy_issue": {"流水号", "财产保险投保", "农房保险", "被保险人", "王秀英", "4115**********1234", "砖木结构住房三间",
		"保险金额", "¥100,000.00", "保费", "¥150.00", "壹佰伍拾元整", "保单号", "保险期间", "2026-11-21 至 2027-11-20", "犹豫期至", "2026-12-05", "全额退保"},
	"policy_cancel": {"流水号", "退保", "家庭财产保险", "保单号", "¥60.00", "陆拾元整", "犹豫期内退保"},
	"contribution": {"流水号", "城乡居民医保养老保险缴费", "户主", "王建国", "城乡居民基本医疗保险", "缴费年度", "2027",
		"4115**********1234", "人员类别", "一般", "¥400.00", "肆佰元整", "确认号", "SB2027"},
	"contribution_household": {"城乡居民医保养老保险代收回执", "户主", "王建国", "1. 王建国", "4115**********1234", "城乡居民基本医疗保险",
		"2027年度", "一般", "¥400.00", "2. 李秀兰", "城乡居民基本养老保险", "2026年度", "低保", "¥200.00", "3. 赵四", "社保拒收：未在本县参保登记",
		"未收钱", "合计", "¥600.00", "陆佰元整", "共 2 人缴费成功"},
	"sim_sale": {"流水号", "号卡", "13812345670", "中国移动 畅享卡", "898600**********1238", "4115**********1234", "RN2026", "¥50.00", "伍拾元整"},
}

// TestEveryServiceAsText prints one receipt of each service at both widths:
// every line fits the paper, counting a Chinese character as two columns,
// the receipt says what it must, and its code verifies.
func TestEveryServiceAsText(t *testing.T) {
	d := newDay(t)
	for _, name := range d.order {
		t.Run(name, func(t *testing.T) {
			r := d.receipt(t, name)
			for _, cols := range []int{receipts.Cols58, receipts.Cols80} {
				lines := r.TextLines("zh", cols)
				for _, l := range lines {
					if w := textwidth.Width(l); w > cols {
						t.Errorf("%d columns: %q is %d wide", cols, l, w)
					}
				}
				text := strings.Join(lines, "\n")
				for _, s := range append(want[name], "山前村便民服务站", "站号T0001 电话0376-6201234", "账本序号", "BMR1|T0001|") {
					if !strings.Contains(strings.ReplaceAll(text, "\n", ""), s) && !strings.Contains(text, s) {
						t.Errorf("%d columns lack %q:\n%s", cols, s, text)
					}
				}
			}
			code, err := receipts.ParseCode(r.Code.String())
			if err != nil {
				t.Fatal(err)
			}
			if err := code.Verify(stationKey.Public().(ed25519.PublicKey)); err != nil {
				t.Errorf("code: %v", err)
			}
			if en := r.Text("en", receipts.Cols80); strings.Contains(en, "顾客联") {
				t.Errorf("English receipt in Chinese:\n%s", en)
			}
		})
	}
}

func TestNoReceiptWithoutMoney(t *testing.T) {
	d := newDay(t)
	for seq := uint64(1); seq <= 3; seq++ { // genesis, and what is not money
		e, _ := d.ledger.Get(seq)
		if e.Kind == "cash_in" {
			continue
		}
		if _, err := receipts.New(station(), e, d.ledger.Get); !errors.Is(err, receipts.ErrNoMoney) {
			t.Errorf("entry %d (%s): %v", seq, e.Kind, err)
		}
	}
}

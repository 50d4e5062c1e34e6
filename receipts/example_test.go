package receipts_test

import (
	"crypto/ed25519"
	"fmt"
	"time"

	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/receipts"
)

// The receipt of a top-up, for a 58 mm printer.
func Example() {
	e := ledger.Entry{
		Seq: 11, Time: time.Date(2026, 11, 20, 1, 44, 48, 0, time.UTC), Terminal: "T0001", Operator: "OP2", Kind: "topup",
		Payload: []byte(`{"account":"13800138000","amount":"50.00","biller":"china-mobile","biller_name":"中国移动话费",` +
			`"fee":"0.00","total":"50.00","reference":"R238776771668","status":"paid","trace":"T0001-000010"}`),
		Postings: []ledger.Posting{
			ledger.Dr("assets:cash", mustDec("50.00")), ledger.Cr("postoffice:settlement", mustDec("50.00")),
		},
	}
	st := receipts.Station{ID: "T0001", Name: "山前村便民服务站", Phone: "0376-6201234", Zone: time.FixedZone("CST", 8*3600)}
	r, err := receipts.New(st, e, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	r.Sign(ed25519.NewKeyFromSeed(make([]byte, 32)))
	fmt.Print(r.Text("zh", receipts.Cols58))
	// Output:
	// 山前村便民服务站
	//    站号T0001 电话0376-6201234
	//        话费充值 · 顾客联
	// --------------------------------
	// 时间      2026-11-20 09:44:48
	// 账本序号  11
	// 操作员    OP2
	// 缴费单位  中国移动话费
	// 手机号    13800138000
	// 金额                      ¥50.00
	// 回执号    R238776771668
	// 流水号    T0001-000010
	// 大写 伍拾元整
	// --------------------------------
	//
	// 验证码（二维码内容）：
	// BMR1|T0001|11|20261120T014448Z|t
	// opup|50.00|trace=T0001-000010;bi
	// ller=china-mobile;account=138001
	// 38000;ref=R238776771668|00000000
	// 00000000000000000000000000000000
	// 000000000000000000000000|tIemxDx
	// j5JVB7dnGaoCbadF_r7VeIK1Iv8Nlxpn
	// EJjJifjNbPBvVMduqtGmf2gwzKrHkvBH
	// 0DZila7Up82dIAQ
}

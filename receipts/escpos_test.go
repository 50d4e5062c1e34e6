package receipts_test

import (
	"bytes"
	"testing"

	"github.com/villagepost/bianmin/receipts"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// TestESCPOS checks the printer bytes of a withdrawal: reset and Chinese
// mode first, the text in GB18030 with ¥ as the full-width ￥ that GBK
// fonts have, a QR code holding the verification code, and one cut per
// copy (customer and shop).
func TestESCPOS(t *testing.T) {
	r := newDay(t).receipt(t, "withdrawal")
	for _, cols := range []int{receipts.Cols58, receipts.Cols80} {
		b, err := r.ESCPOS("zh", cols)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte{0x1b, 0x40, 0x1c, 0x26}) {
			t.Errorf("%d columns: starts % x", cols, b[:4])
		}
		gb := func(s string) []byte {
			e, err := simplifiedchinese.GB18030.NewEncoder().String(s)
			if err != nil {
				t.Fatal(err)
			}
			return []byte(e)
		}
		for _, s := range []string{"山前村便民服务站", "￥856.50", "捌佰伍拾陆元伍角整", "本人确认以上交易"} {
			if !bytes.Contains(b, gb(s)) {
				t.Errorf("%d columns: no %s in GB18030", cols, s)
			}
		}
		if bytes.Contains(b, gb("¥")) {
			t.Errorf("%d columns: ¥ (outside GBK) is sent", cols)
		}
		code := r.Code.String()
		n := len(code) + 3
		store := append([]byte{0x1d, 0x28, 0x6b, byte(n), byte(n >> 8), 0x31, 0x50, 0x30}, code...)
		if bytes.Count(b, store) != 2 {
			t.Errorf("%d columns: the QR code is not stored once per copy", cols)
		}
		if bytes.Count(b, []byte{0x1d, 0x56, 0x42, 0x03}) != 2 {
			t.Errorf("%d columns: want a cut after each of the two copies", cols)
		}
	}
}

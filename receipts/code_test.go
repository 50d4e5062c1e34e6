package receipts_test

import (
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"

	"github.com/villagepost/bianmin/receipts"
)

// aCode is the code of the test day's withdrawal.
func aCode(t *testing.T) string {
	t.Helper()
	return newDay(t).receipt(t, "withdrawal").Code.String()
}

// TestCodeTamper changes each field of a signed code in turn: none of the
// changes verifies, whether it still parses or not.
func TestCodeTamper(t *testing.T) {
	code := aCode(t)
	pub := stationKey.Public().(ed25519.PublicKey)
	f := strings.Split(code, "|")
	if len(f) != 9 {
		t.Fatalf("code %q", code)
	}
	changes := map[string][]string{
		"version": {"BMR2", "bmr1", ""},
		"station": {"T0002", "t0001", "T0001 "},
		"seq":     {"5", "04", "4x"},
		"time":    {strings.Replace(f[3], "T0", "T1", 1), f[3][:len(f[3])-1], "2026-11-20T01:34:19Z"},
		"kind":    {"bill_payment", "Withdrawal"},
		"total":   {"956.50", "856.5", "856.51", "-856.50"},
		"refs":    {strings.Replace(f[6], "auth=", "auth=9", 1), strings.Replace(f[6], "0018", "0019", 1), "", f[6] + ";x=1", strings.Replace(f[6], "trace", "track", 1)},
		"hash":    {strings.Replace(f[7], f[7][:1], "f", 1), strings.ToUpper(f[7]), f[7][:62]},
		"sig":     {"A" + f[8][1:], f[8][:85], f[8] + "="},
	}
	index := map[string]int{"version": 0, "station": 1, "seq": 2, "time": 3, "kind": 4, "total": 5, "refs": 6, "hash": 7, "sig": 8}
	for field, values := range changes {
		for _, v := range values {
			if v == f[index[field]] {
				continue
			}
			g := append([]string(nil), f...)
			g[index[field]] = v
			altered := strings.Join(g, "|")
			c, err := receipts.ParseCode(altered)
			if err == nil {
				err = c.Verify(pub)
			}
			if err == nil {
				t.Errorf("%s changed to %q still verifies", field, v)
			}
		}
	}
	for _, s := range []string{"", "hello", code + "|", code[:len(code)-1], strings.Replace(code, "|", "||", 1), strings.Repeat("x", 2000)} {
		if _, err := receipts.ParseCode(s); err == nil {
			t.Errorf("ParseCode(%.40q…) accepted it", s)
		}
	}
}

func TestCodeOtherKey(t *testing.T) {
	c, err := receipts.ParseCode(aCode(t))
	if err != nil {
		t.Fatal(err)
	}
	other := ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey)
	if err := c.Verify(other); !errors.Is(err, receipts.ErrSignature) {
		t.Errorf("a code checked against another station's key: %v", err)
	}
	if err := c.Verify(stationKey.Public().(ed25519.PublicKey)); err != nil {
		t.Errorf("the station's own key: %v", err)
	}
}

// FuzzParseCode: any string either is refused with a *CodeError or is a
// code whose canonical form is that very string.
func FuzzParseCode(f *testing.F) {
	f.Add("BMR1|T0001|4|20261120T013419Z|withdrawal|856.50|trace=T0001-000003;auth=139861;card=622848*********0018|cb5c64ae966a03647eeb03ad6229de42422727e5d6291e339d13bea3e71c4eac|CoQEr8BFdY4av7dNqMeLZ7nd0xdxxGvyzgG4Gkf4k6I1Lbb-aZ9xL1OA7VrEvvEko4DvV2w4wqEHoD2uJMpMAA")
	f.Add("BMR1|T0001|23|20261120T020050Z|sale|280.50|promised=2026-11-22|f0298dd6a8fb29d12c926377fd9eafdc60a0460e9647aa4c119b434d7509ad87|Q7HIISOG-84d9-5w58iwMgqykAz7MBkgrCdVBBLWbmiyeuNfkagTW9f22W9xT1br6wYVMWH-4tE5kLVus6exAA")
	f.Add("BMR1|T0001|1|20261120T000000Z|void|0.00||" + strings.Repeat("0", 64) + "|" + strings.Repeat("A", 86))
	f.Fuzz(func(t *testing.T, s string) {
		c, err := receipts.ParseCode(s)
		if err != nil {
			var ce *receipts.CodeError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v is not a *CodeError", err)
			}
			return
		}
		if c.String() != s {
			t.Fatalf("%q parses, but is written back as %q", s, c.String())
		}
		if c.Verify(stationKey.Public().(ed25519.PublicKey)) == nil && !strings.Contains(s, "cb5c64ae") && !strings.Contains(s, "f0298dd6") {
			t.Fatalf("a made-up code verifies: %q", s)
		}
	})
}

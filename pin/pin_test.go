package pin_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/villagepost/bianmin/pin"
	"golang.org/x/crypto/argon2"
)

func TestCheck(t *testing.T) {
	cases := []struct {
		pin  string
		rule string // "" means valid
	}{
		{"135790", ""},
		{"024680", ""},
		{"123457", ""},
		{"112233", ""},
		{"890123", ""}, // wrapping is not a sequence
		{"109876", ""}, // wrapping is not a sequence
		{"123465", ""},
		{"000001", ""},
		{" 135790 ", ""},
		{"１３５７９０", ""},       // full-width
		{"\u3000135790", ""}, // ideographic space
		{"1３5７9０", ""},
		{"", "length"},
		{"12345", "length"},
		{"1357902", "length"},
		{"１３５７９", "length"},
		{"   ", "length"},
		{"13579a", "digits"},
		{"abc", "digits"},
		{"135 790", "digits"},
		{"-13579", "digits"},
		{"١٣٥٧٩٠", "digits"}, // Arabic-Indic digits are not accepted
		{"1357901x", "digits"},
		{"000000", "repeated"},
		{"999999", "repeated"},
		{"００００００", "repeated"},
		{"123456", "sequence"},
		{"234567", "sequence"},
		{"456789", "sequence"},
		{"012345", "sequence"},
		{"654321", "sequence"},
		{"987654", "sequence"},
		{"543210", "sequence"},
		{"１２３４５６", "sequence"},
	}
	for _, c := range cases {
		err := pin.Check(c.pin)
		if c.rule == "" {
			if err != nil {
				t.Errorf("Check(%q) = %v, want nil", c.pin, err)
			}
			continue
		}
		var re *pin.RuleError
		if !errors.As(err, &re) || re.Rule != c.rule {
			t.Errorf("Check(%q) = %v, want rule %q", c.pin, err, c.rule)
		}
	}
}

func TestMessages(t *testing.T) {
	for _, rule := range []string{pin.RuleLength, pin.RuleDigits, pin.RuleRepeated, pin.RuleSequence, "other"} {
		e := &pin.RuleError{Rule: rule}
		if !strings.HasPrefix(e.Error(), "PIN: ") || !strings.Contains(e.Error(), "please") {
			t.Errorf("%s: Error() = %q", rule, e.Error())
		}
		if !strings.Contains(e.Zh(), "密码") || !strings.Contains(e.Zh(), "请") {
			t.Errorf("%s: Zh() = %q", rule, e.Zh())
		}
	}
	if got := (&pin.RuleError{Rule: pin.RuleLength}).Error(); !strings.Contains(got, "exactly 6 digits") {
		t.Errorf("length message %q", got)
	}
	if got := (&pin.RuleError{Rule: pin.RuleLength}).Zh(); got != "密码须为6位数字，请重新输入" {
		t.Errorf("length Zh %q", got)
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"１２３４５６":        "123456",
		"  0９8 ":        "098",
		"\t135790\n":    "135790",
		"\u3000０\u3000": "0",
		"abc":           "abc",
		"０１２３４５６７８９":    "0123456789",
	} {
		if got := pin.Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

var phcRE = regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$([A-Za-z0-9+/]{22})\$([A-Za-z0-9+/]{43})$`)

func TestHashVerify(t *testing.T) {
	h, err := pin.Hash("１３５７９０", rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	m := phcRE.FindStringSubmatch(h)
	if m == nil {
		t.Fatalf("Hash = %q", h)
	}
	for _, s := range []string{m[1], m[2]} {
		if _, err := base64.RawStdEncoding.DecodeString(s); err != nil {
			t.Fatalf("bad base64 %q", s)
		}
	}
	for _, p := range []string{"135790", "１３５７９０", " 135790"} {
		if ok, err := pin.Verify(h, p); !ok || err != nil {
			t.Errorf("Verify(%q) = %v, %v; want true", p, ok, err)
		}
	}
	for _, p := range []string{"135791", "", "13579", "1357900", "abcdef"} {
		if ok, err := pin.Verify(h, p); ok || err != nil {
			t.Errorf("Verify(%q) = %v, %v; want false, nil", p, ok, err)
		}
	}

	// Fresh salt each time.
	h2, err := pin.Hash("135790", rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if h2 == h {
		t.Error("two hashes of the same PIN are equal")
	}
}

func TestHashRejectsBadPIN(t *testing.T) {
	for _, p := range []string{"123456", "000000", "12345", "abcdef"} {
		var re *pin.RuleError
		if _, err := pin.Hash(p, rand.Reader); !errors.As(err, &re) {
			t.Errorf("Hash(%q) error = %v, want *RuleError", p, err)
		}
	}
	if _, err := pin.Hash("135790", bytes.NewReader(make([]byte, 15))); err == nil {
		t.Error("Hash with short entropy succeeded")
	}
}

// cheap builds a valid encoding with small parameters.
func cheap(p string, m, t uint32, threads uint8) string {
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte(p), salt, t, m, threads, 32)
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", m, t, threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

func TestVerifyOtherParams(t *testing.T) {
	h := cheap("246801", 64, 1, 2)
	if ok, err := pin.Verify(h, "246801"); !ok || err != nil {
		t.Fatalf("Verify = %v, %v", ok, err)
	}
	if ok, err := pin.Verify(h, "246802"); ok || err != nil {
		t.Fatalf("Verify wrong = %v, %v", ok, err)
	}
	// A hash of a PIN that today's rules reject still verifies.
	old := cheap("123456", 64, 1, 1)
	if ok, err := pin.Verify(old, "123456"); !ok || err != nil {
		t.Fatalf("Verify old = %v, %v", ok, err)
	}
}

func TestVerifyMalformed(t *testing.T) {
	good := cheap("246801", 64, 1, 1)
	parts := strings.Split(good, "$")
	salt, key := parts[4], parts[5]
	bad := []string{
		"",
		"$",
		"argon2id",
		good + "$",
		good[1:],
		"x" + good,
		strings.Replace(good, "argon2id", "argon2i", 1),
		strings.Replace(good, "v=19", "v=16", 1),
		strings.Replace(good, "v=19", "v=019", 1),
		strings.Replace(good, "m=64,t=1,p=1", "t=1,m=64,p=1", 1),
		strings.Replace(good, "m=64,t=1,p=1", "m=64,t=1", 1),
		strings.Replace(good, "m=64,t=1,p=1", "m=64,t=1,p=1,k=2", 1),
		strings.Replace(good, "m=64", "m=064", 1),
		strings.Replace(good, "m=64", "m=+64", 1),
		strings.Replace(good, "m=64", "m=-64", 1),
		strings.Replace(good, "m=64", "m=", 1),
		strings.Replace(good, "m=64", "m=0", 1),
		strings.Replace(good, "m=64", "m=4", 1),
		strings.Replace(good, "m=64", "m=1048577", 1),
		strings.Replace(good, "m=64", "m=99999999999", 1),
		strings.Replace(good, "t=1", "t=0", 1),
		strings.Replace(good, "t=1", "t=11", 1),
		strings.Replace(good, "p=1", "p=0", 1),
		strings.Replace(good, "p=1", "p=17", 1),
		strings.Replace(good, "p=1", "p=256", 1),
		good + "=",
		strings.Replace(good, salt, salt+"==", 1),
		strings.Replace(good, salt, "", 1),
		strings.Replace(good, salt, "AAAA", 1),
		strings.Replace(good, salt, "!!!!!!!!!!!!!!!!!!!!!!", 1),
		strings.Replace(good, key, key[:20], 1),
		strings.Replace(good, key, "", 1),
		strings.Replace(good, key, key[:42]+"B", 1), // non-zero trailing bits
		strings.Replace(good, key, key+"\n", 1),
	}
	for _, enc := range bad {
		ok, err := pin.Verify(enc, "246801")
		if ok || err == nil {
			t.Errorf("Verify(%q) = %v, %v; want error", enc, ok, err)
			continue
		}
		if !errors.Is(err, pin.ErrMalformedHash) {
			t.Errorf("Verify(%q) error %v does not wrap ErrMalformedHash", enc, err)
		}
	}
}

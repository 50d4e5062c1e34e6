package receipts

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/money"
)

// CodeVersion opens every verification code of this format.
const CodeVersion = "BMR1"

// codeDomain is signed before the code's fields, so that a receipt
// signature can never pass for any other signature the station makes.
const codeDomain = "bianmin-receipt-v1\n"

// codeTime is the layout of a code's time, in UTC.
const codeTime = "20060102T150405Z"

// MaxCodeLen bounds a code; a longer string is refused unread.
const MaxCodeLen = 1024

// Ref keys a code may carry, in the order they must appear.
var refKeys = []string{
	"trace",    // host trace number, T0001-000041
	"auth",     // bank authorisation code
	"card",     // masked card number
	"biller",   // biller id
	"account",  // account or phone number
	"ref",      // the biller's reference, the ticket number, the policy number or a contribution's confirmation number
	"order",    // the carrier's waitlist order number
	"date",     // travel date, or the first day of a policy's cover
	"promised", // delivery promised by
	"status",   // queued or waitlisted: not final yet
	"confirm",  // queued: to be confirmed by (UTC, 20060102T1504Z)
	"until",    // a policy: last day of its cooling-off period
	"orig",     // the entry a void, reversal, refund, dispute or decision is about
}

// Ref is one reference a receipt prints and its code carries.
type Ref struct {
	Key, Value string
}

// Code is a receipt's verification code: the printed fields that matter,
// the hash of the ledger entry, and the station's signature over exactly
// these. Its text form (String, ParseCode) is specified in
// docs/receipt-code.md:
//
//	BMR1|T0001|7|20261120T093000Z|withdrawal|500.00|trace=T0001-000006;auth=144862;card=622848*********0018|<entry hash, hex>|<signature, base64url>
type Code struct {
	Station string
	Seq     uint64
	Time    time.Time // UTC, whole seconds
	Kind    string
	Total   decimal.Decimal
	Refs    []Ref // keys in the order of refKeys, each once
	Hash    [32]byte
	Sig     [ed25519.SignatureSize]byte
}

// CodeError says which part of a code breaks which rule.
type CodeError struct {
	Field, Rule string
}

func (e *CodeError) Error() string { return fmt.Sprintf("receipts: code %s: %s", e.Field, e.Rule) }

// ErrSignature means a well-formed code was not signed by the key it was
// checked against, or was changed after signing.
var ErrSignature = errors.New("receipts: the code's signature does not match: changed after signing, or signed by another station's key")

var (
	stationRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)
	kindRE    = regexp.MustCompile(`^[a-z][a-z_]{0,31}$`)
	valueRE   = regexp.MustCompile(`^[A-Za-z0-9*.:_+-]{1,64}$`)
	hashRE    = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// signed returns the fields as the signature covers them: every field of
// the text form but the signature, each followed by '|'.
func (c *Code) signed() (string, error) {
	if !stationRE.MatchString(c.Station) {
		return "", &CodeError{"station", "1 to 32 letters, digits, '.', '_' or '-'"}
	}
	if c.Seq == 0 || c.Seq > 1<<62 {
		return "", &CodeError{"seq", "an entry number from 1"}
	}
	if !kindRE.MatchString(c.Kind) {
		return "", &CodeError{"kind", "an entry kind such as withdrawal"}
	}
	if c.Total.IsNegative() || !c.Total.Equal(c.Total.Round(2)) || c.Total.GreaterThan(money.DefaultMax()) {
		return "", &CodeError{"total", "an amount from 0.00 with two decimals"}
	}
	if err := checkRefs(c.Refs); err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(CodeVersion + "|" + c.Station + "|" + strconv.FormatUint(c.Seq, 10) + "|")
	b.WriteString(c.Time.UTC().Format(codeTime) + "|" + c.Kind + "|" + money.FormatWire(c.Total) + "|")
	for i, r := range c.Refs {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(r.Key + "=" + r.Value)
	}
	b.WriteString("|" + hex.EncodeToString(c.Hash[:]) + "|")
	return b.String(), nil
}

func checkRefs(refs []Ref) error {
	next := 0
	for _, r := range refs {
		i := indexOf(refKeys, r.Key)
		switch {
		case i < 0:
			return &CodeError{"refs", fmt.Sprintf("%q is not a reference key: %s", r.Key, strings.Join(refKeys, ", "))}
		case i < next:
			return &CodeError{"refs", fmt.Sprintf("%q is out of order or repeated", r.Key)}
		case !valueRE.MatchString(r.Value):
			return &CodeError{"refs", fmt.Sprintf("%s: 1 to 64 of A-Z a-z 0-9 * . : _ + -", r.Key)}
		}
		next = i + 1
	}
	return nil
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// Sign sets the code's signature by the station's key.
func (c *Code) Sign(priv ed25519.PrivateKey) error {
	msg, err := c.signed()
	if err != nil {
		return err
	}
	copy(c.Sig[:], ed25519.Sign(priv, []byte(codeDomain+msg)))
	return nil
}

// Verify reports whether the code was signed by pub over exactly its
// fields: nil, a *CodeError for a code that breaks the format, or
// ErrSignature.
func (c *Code) Verify(pub ed25519.PublicKey) error {
	msg, err := c.signed()
	if err != nil {
		return err
	}
	if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, []byte(codeDomain+msg), c.Sig[:]) {
		return ErrSignature
	}
	return nil
}

// String returns the code's text form, for the QR code.
func (c *Code) String() string {
	msg, err := c.signed()
	if err != nil {
		return "invalid code: " + err.Error()
	}
	return msg + base64.RawURLEncoding.EncodeToString(c.Sig[:])
}

// ParseCode reads a code's text form strictly: nine fields separated by
// '|', each of one exact form (docs/receipt-code.md), so that one text
// has one reading. It does not check the signature (Verify does). Errors
// are *CodeError.
func ParseCode(s string) (Code, error) {
	if len(s) > MaxCodeLen {
		return Code{}, &CodeError{"code", fmt.Sprintf("longer than %d bytes", MaxCodeLen)}
	}
	f := strings.Split(s, "|")
	if len(f) != 9 {
		return Code{}, &CodeError{"code", "not a receipt code: want 9 fields separated by '|'"}
	}
	if f[0] != CodeVersion {
		return Code{}, &CodeError{"version", fmt.Sprintf("%q: this reader knows %s", shorten(f[0]), CodeVersion)}
	}
	c := Code{Station: f[1], Kind: f[4]}
	var err error
	if c.Seq, err = strconv.ParseUint(f[2], 10, 64); err != nil || f[2] != strconv.FormatUint(c.Seq, 10) {
		return Code{}, &CodeError{"seq", "an entry number written in digits"}
	}
	if c.Time, err = time.Parse(codeTime, f[3]); err != nil || c.Time.Format(codeTime) != f[3] {
		return Code{}, &CodeError{"time", "UTC time like 20261120T093000Z"}
	}
	if c.Total, err = money.ParseWire(f[5]); err != nil {
		return Code{}, &CodeError{"total", "an amount like 500.00"}
	}
	if f[6] != "" {
		for _, kv := range strings.Split(f[6], ";") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				return Code{}, &CodeError{"refs", "key=value pairs separated by ';'"}
			}
			c.Refs = append(c.Refs, Ref{k, v})
		}
	}
	if !hashRE.MatchString(f[7]) {
		return Code{}, &CodeError{"hash", "64 lower-case hex digits"}
	}
	hex.Decode(c.Hash[:], []byte(f[7]))
	sig, err := base64.RawURLEncoding.DecodeString(f[8])
	if err != nil || len(sig) != ed25519.SignatureSize || base64.RawURLEncoding.EncodeToString(sig) != f[8] {
		return Code{}, &CodeError{"signature", "64 bytes in unpadded base64url"}
	}
	copy(c.Sig[:], sig)
	// The remaining fields are checked as they are signed, and the text
	// must be exactly the one this code writes.
	if _, err := c.signed(); err != nil {
		return Code{}, err
	}
	if c.String() != s {
		return Code{}, &CodeError{"code", "not written in the one canonical form"}
	}
	return c, nil
}

// ParsePrinted reads a code from the text a receipt prints under its QR
// code, as typed in or copied from the paper: the code cut into lines of
// the paper's width (32 columns at 58 mm, 48 at 80 mm) with nothing added.
// It removes every line break (LF or CR LF) and the spaces and tabs at
// either end of each line, joins the lines with nothing between them, and
// reads the result with ParseCode. A code contains no spaces, so nothing of
// it is lost; a space inside a line is still refused.
func ParsePrinted(text string) (Code, error) {
	var b strings.Builder
	for _, l := range strings.Split(text, "\n") {
		b.WriteString(strings.Trim(l, " \t\r"))
	}
	return ParseCode(b.String())
}

func shorten(s string) string {
	if len(s) > 16 {
		return s[:16] + "…"
	}
	return s
}

// Ref returns the value of a reference key, or "".
func (c *Code) Ref(key string) string {
	for _, r := range c.Refs {
		if r.Key == key {
			return r.Value
		}
	}
	return ""
}

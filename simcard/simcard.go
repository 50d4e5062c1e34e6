// Package simcard checks the numbers of a phone-number card (号卡): its
// ICCID, printed on the card, and its phone number, and hides the ICCID
// for receipts and files.
//
// ICCID and Number check what the shopkeeper typed and return it in one
// normal form (ASCII digits). Parse reads one card of a consignment as the
// shopkeeper types it, "ICCID,number". Errors are *Error values naming
// the field and the rule, in English and plain Chinese.
package simcard

import (
	"fmt"
	"strings"

	"github.com/villagepost/bianmin/idcheck"
)

// Fields an Error can name.
const (
	FieldICCID  = "iccid"
	FieldNumber = "number"
	FieldCard   = "card" // a consignment line: "ICCID,number"
)

// Error says which field of a card breaks which rule.
type Error struct {
	Field  string
	Rule   string // English
	RuleZh string // plain Chinese, ending with what to do
}

func (e *Error) Error() string { return e.Field + ": " + e.Rule }

// Zh is the message in plain Chinese.
func (e *Error) Zh() string { return e.RuleZh }

// ICCID lengths: ITU-T E.118 allows 19 or 20 digits (the last the Luhn
// check digit); Chinese cards start 8986 (telecom, China).
const (
	iccidMin    = 19
	iccidMax    = 20
	iccidPrefix = "8986"
)

// ICCID checks a card's ICCID: after idcheck.NormalizeDigits, 19 or 20
// ASCII digits starting 8986 whose last digit is the Luhn check digit.
func ICCID(s string) (string, error) {
	n := idcheck.NormalizeDigits(s)
	bad := func(rule, zh string) (string, error) {
		return "", &Error{Field: FieldICCID, Rule: rule, RuleZh: "号卡的 ICCID " + zh + "，请照卡背面印的 ICCID 重新输入"}
	}
	switch {
	case n == "":
		return bad("empty: type the 19 or 20 digits printed on the card", "没有填写")
	case !allDigits(n):
		return bad("only digits", "只能是数字")
	case len(n) < iccidMin || len(n) > iccidMax:
		return bad("19 or 20 digits", "应为 19 或 20 位数字")
	case !strings.HasPrefix(n, iccidPrefix):
		return bad("starts 8986 (a Chinese card)", "应以 8986 开头")
	case !luhnValid(n):
		return bad("the check digit (the last) is wrong", "最后一位校验位不对")
	}
	return n, nil
}

// Number checks a mobile phone number: after idcheck.NormalizeDigits, 11
// ASCII digits, the first 1 and the second 3 to 9.
func Number(s string) (string, error) {
	n := idcheck.NormalizeDigits(s)
	if len(n) != 11 || !allDigits(n) || n[0] != '1' || n[1] < '3' {
		return "", &Error{Field: FieldNumber, Rule: "a mobile number: 11 digits, starting 13 to 19",
			RuleZh: "手机号码应为 11 位数字，以 13 到 19 开头，请核对号卡上的号码后重新输入"}
	}
	return n, nil
}

// Card is one card of a consignment.
type Card struct {
	ICCID  string `json:"iccid"`
	Number string `json:"number"`
}

// Parse reads one card as typed for a consignment: the ICCID, a comma
// (ASCII or full-width '，'), the phone number. Spaces around either are
// ignored.
func Parse(s string) (Card, error) {
	s = strings.ReplaceAll(s, "，", ",")
	a, b, ok := strings.Cut(s, ",")
	if !ok || strings.Contains(b, ",") {
		return Card{}, &Error{Field: FieldCard, Rule: "write ICCID,number, e.g. 89860012345678901238,13812345670",
			RuleZh: "每张卡要写成“ICCID,手机号码”，例如 89860012345678901238,13812345670，请改正后再试"}
	}
	iccid, err := ICCID(a)
	if err != nil {
		return Card{}, err
	}
	number, err := Number(b)
	if err != nil {
		return Card{}, err
	}
	return Card{ICCID: iccid, Number: number}, nil
}

// MaskICCID shows the first 6 and the last 4 digits of an ICCID, one '*'
// for each digit between: "89860012345678901238" → "898600**********1238".
// A string shorter than 19 characters is masked entirely.
func MaskICCID(iccid string) string {
	if len(iccid) < iccidMin {
		return strings.Repeat("*", len(iccid))
	}
	return iccid[:6] + strings.Repeat("*", len(iccid)-10) + iccid[len(iccid)-4:]
}

// MaskedICCID reports whether s is what MaskICCID gives for an ICCID.
func MaskedICCID(s string) bool {
	return len(s) >= iccidMin && len(s) <= iccidMax && allDigits(s[:6]) && allDigits(s[len(s)-4:]) &&
		strings.Trim(s[6:len(s)-4], "*") == ""
}

// String is the card as a consignment line writes it.
func (c Card) String() string { return fmt.Sprintf("%s,%s", c.ICCID, c.Number) }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// luhnValid reports whether the digits d end in their Luhn check digit.
func luhnValid(d string) bool {
	sum, double := 0, false
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if double {
			if v *= 2; v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return sum%10 == 0
}

// Package idcheck validates the numbers a villager hands over: bank card
// numbers and resident ID numbers, and hides them for receipts and files.
//
// Card and ResidentID check what the shopkeeper typed and return the number
// in one normal form (ASCII digits, an upper-case X). MaskCard, MaskID and
// MaskName give the forms that may be printed on a receipt, and CardKey
// gives a keyed hash that lets the station count withdrawals per card
// without keeping the card number.
//
// Errors are *InputError values. They say which rule was broken but never
// repeat the number, so they are safe to log and show.
package idcheck

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// NormalizeDigits maps full-width digits (０-９) to ASCII and removes the
// spaces (ASCII space, full-width space U+3000) and hyphens ('-' and the
// full-width '－') that people type between groups of digits. Everything
// else is left as it is, for the caller to reject.
func NormalizeDigits(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return '0' + (r - '０')
		case r == ' ', r == '\u3000', r == '-', r == '－':
			return -1
		}
		return r
	}, s)
}

// Card lengths (ISO/IEC 7812 allows up to 19; Chinese bank cards have 16 to 19).
const (
	cardMinLen = 16
	cardMaxLen = 19
)

// Card checks a bank card number: after NormalizeDigits it must be 16 to 19
// ASCII digits whose last digit is the Luhn (ISO/IEC 7812) check digit. It
// returns the normalised number. The rules are checked in the order empty,
// digits, length, check_digit.
func Card(s string) (string, error) {
	n := NormalizeDigits(s)
	if n == "" {
		return "", &InputError{Field: FieldCard, Rule: RuleEmpty}
	}
	if !allDigits(n) {
		return "", &InputError{Field: FieldCard, Rule: RuleDigits}
	}
	if len(n) < cardMinLen || len(n) > cardMaxLen {
		return "", &InputError{Field: FieldCard, Rule: RuleLength}
	}
	if !luhnValid(n) {
		return "", &InputError{Field: FieldCard, Rule: RuleCheckDigit}
	}
	return n, nil
}

// luhnValid reports whether the ASCII digit string d ends in its Luhn check
// digit: from the right, every second digit is doubled (minus 9 when over 9)
// and the sum of all digits must be a multiple of 10.
func luhnValid(d string) bool {
	sum := 0
	double := false
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if double {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return sum%10 == 0
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// MaskCard shows the first 6 and the last 4 digits of a card number with
// one '*' for each digit between, keeping the length:
// "6228480402564891234" → "622848*********1234". Pass it the number Card
// returned.
//
// A string shorter than 16 characters (no card number Card accepts) is
// masked entirely, as one '*' per character: showing 6 + 4 characters of
// it would leave few or none hidden.
func MaskCard(card string) string {
	return maskEnds(card, 6, 4, cardMinLen)
}

// MaskID shows the first 4 and the last 4 characters of a resident ID
// number with one '*' for each character between: "4401**********1234".
// Pass it the number ResidentID returned. A string shorter than 18
// characters is masked entirely, as one '*' per character.
func MaskID(id string) string {
	return maskEnds(id, 4, 4, idLen)
}

// maskEnds keeps the first head and the last tail runes of s and replaces
// every other rune with '*'. When s has fewer than min runes, every rune is
// replaced. The result has as many runes as s.
func maskEnds(s string, head, tail, min int) string {
	r := []rune(s)
	if len(r) < min {
		return strings.Repeat("*", len(r))
	}
	var b strings.Builder
	b.Grow(len(r))
	b.WriteString(string(r[:head]))
	b.WriteString(strings.Repeat("*", len(r)-head-tail))
	b.WriteString(string(r[len(r)-tail:]))
	return b.String()
}

// MaskName masks a Chinese name for receipts: it keeps the family name (the
// first rune) and replaces each other rune with '*': "张三" → "张*",
// "欧阳娜娜" → "欧***". Spaces around the name are dropped first. A
// one-rune name is returned unchanged, and an empty name as "".
func MaskName(name string) string {
	name = strings.TrimFunc(name, unicode.IsSpace)
	first, size := utf8.DecodeRuneInString(name)
	if size == 0 {
		return ""
	}
	return string(first) + strings.Repeat("*", utf8.RuneCountInString(name[size:]))
}

// minCardKeyLen is the shortest key CardKey accepts. A short key could be
// found by trying keys against a known card, and then every card key in the
// station's files could be reversed by trying card numbers.
const minCardKeyLen = 16

// CardKey returns a keyed hash of a card number: HMAC-SHA-256 under the
// station's card key, the first 16 bytes as 32 lower-case hex characters.
// The same card and key always give the same result, so the station can
// count withdrawals per card per day without storing the card number.
//
// The card is passed through NormalizeDigits first, so "6228 4804 ..." and
// "62284804..." give the same key; pass it the number Card returned.
//
// key is the station's secret card key (32 random bytes is right). CardKey
// panics if key is shorter than 16 bytes, because a short or missing key
// would make the hashes reversible: card numbers are few enough to try all.
func CardKey(key []byte, card string) string {
	if len(key) < minCardKeyLen {
		panic("idcheck: CardKey needs a key of at least 16 bytes")
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(NormalizeDigits(card)))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// idLen is the length of a resident identity number (GB 11643-1999).
const idLen = 18

// idWeights are the GB 11643-1999 (ISO 7064 MOD 11-2) weights of the first
// 17 digits: 2^(17-i) mod 11.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// idCheckChars is the check character indexed by the weighted sum mod 11.
const idCheckChars = "10X98765432"

// ResidentID checks an 18-character mainland China resident identity number
// (GB 11643-1999) and returns it normalised.
//
// After NormalizeDigits, the number must be 17 ASCII digits and a check
// character, a digit or X (x, ｘ and Ｘ are accepted and returned as X).
// The check character must be the ISO 7064 MOD 11-2 check of the 17 digits;
// the first two digits must be a province code (11-15, 21-23, 31-37,
// 41-46, 50-54, 61-65, 71, 81, 82, 83, 91); and characters 7 to 14 must
// be a birth date YYYYMMDD that exists in the calendar, not before
// 1900-01-01 and not after the date of today (taken in today's location;
// pass time.Now()).
//
// The rules are checked in the order empty, digits, length, region,
// birth_date, check_digit, so that a mistyped province or birth date is
// named as such.
func ResidentID(s string, today time.Time) (string, error) {
	n := NormalizeDigits(s)
	if n == "" {
		return "", &InputError{Field: FieldID, Rule: RuleEmpty}
	}
	// A last x in any width becomes X.
	if last, size := utf8.DecodeLastRuneInString(n); last == 'x' || last == 'ｘ' || last == 'Ｘ' {
		n = n[:len(n)-size] + "X"
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if (c < '0' || c > '9') && !(c == 'X' && i == len(n)-1) {
			return "", &InputError{Field: FieldID, Rule: RuleDigits}
		}
	}
	if len(n) != idLen {
		return "", &InputError{Field: FieldID, Rule: RuleLength}
	}
	if !provinceCode(int(n[0]-'0')*10 + int(n[1]-'0')) {
		return "", &InputError{Field: FieldID, Rule: RuleRegion}
	}
	if !birthDateOK(n[6:14], today) {
		return "", &InputError{Field: FieldID, Rule: RuleBirthDate}
	}
	sum := 0
	for i, w := range idWeights {
		sum += int(n[i]-'0') * w
	}
	if n[17] != idCheckChars[sum%11] {
		return "", &InputError{Field: FieldID, Rule: RuleCheckDigit}
	}
	return n, nil
}

// provinceCode reports whether p is the code of a province-level division
// (GB/T 2260) or one of the codes used in resident numbers issued to Hong
// Kong (81), Macao (82) and Taiwan (83) residents and foreign permanent
// residents (91).
func provinceCode(p int) bool {
	switch {
	case p >= 11 && p <= 15, p >= 21 && p <= 23, p >= 31 && p <= 37,
		p >= 41 && p <= 46, p >= 50 && p <= 54, p >= 61 && p <= 65:
		return true
	}
	switch p {
	case 71, 81, 82, 83, 91:
		return true
	}
	return false
}

// birthDateOK reports whether the 8 ASCII digits d are a calendar date
// YYYYMMDD from 1900-01-01 to today's date.
func birthDateOK(d string, today time.Time) bool {
	num := func(s string) int {
		v := 0
		for i := 0; i < len(s); i++ {
			v = v*10 + int(s[i]-'0')
		}
		return v
	}
	y, m, day := num(d[:4]), num(d[4:6]), num(d[6:8])
	if y < 1900 || m < 1 || m > 12 || day < 1 || day > daysIn(y, m) {
		return false
	}
	ty, tm, td := today.Date()
	return y*10000+m*100+day <= ty*10000+int(tm)*100+td
}

// daysIn returns the number of days in month m of year y (Gregorian).
func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// Package pin checks and hashes operator PINs. A PIN is never stored;
// only its argon2id hash.
//
// A PIN is exactly six ASCII digits after [Normalize], and must not be a
// single repeated digit (000000) or a run of consecutive digits
// (123456, 654321). Hashes are PHC strings:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>
//
// with unpadded standard base64 salt (16 bytes) and hash (32 bytes),
// using the OWASP minimum Argon2id parameters.
package pin

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Length is the number of digits in a PIN.
const Length = 6

// Parameters used by Hash.
const (
	hashMemoryKiB = 19456 // 19 MiB
	hashTime      = 2
	hashThreads   = 1
	saltLen       = 16
	keyLen        = 32
)

// Limits accepted by Verify, so a corrupted or hostile hash cannot make
// verification allocate or compute without bound.
const (
	maxMemoryKiB = 1024 * 1024 // 1 GiB
	maxTime      = 10
	maxThreads   = 16
	minSaltLen   = 8
	maxSaltLen   = 64
	minKeyLen    = 16
	maxKeyLen    = 64
)

// Rule names reported in RuleError.Rule.
const (
	RuleLength   = "length"   // not exactly 6 digits
	RuleDigits   = "digits"   // contains something other than 0-9
	RuleRepeated = "repeated" // the same digit six times, e.g. 000000
	RuleSequence = "sequence" // consecutive digits, e.g. 123456 or 654321
)

// RuleError reports a PIN that breaks one of the PIN rules.
type RuleError struct {
	Rule string // one of RuleLength, RuleDigits, RuleRepeated, RuleSequence
}

// Error returns an English message telling the operator what to do.
func (e *RuleError) Error() string {
	switch e.Rule {
	case RuleLength:
		return "PIN: must be exactly 6 digits; please enter 6 digits"
	case RuleDigits:
		return "PIN: may contain only the digits 0-9; please enter digits only"
	case RuleRepeated:
		return "PIN: must not be one digit repeated (like 000000); please choose a PIN that is harder to guess"
	case RuleSequence:
		return "PIN: must not be consecutive digits (like 123456 or 654321); please choose a PIN that is harder to guess"
	}
	return "PIN: not allowed (" + e.Rule + "); please choose another PIN"
}

// Zh returns the message in Chinese, for the shop terminal's screen.
func (e *RuleError) Zh() string {
	switch e.Rule {
	case RuleLength:
		return "密码须为6位数字，请重新输入"
	case RuleDigits:
		return "密码只能包含数字0-9，请重新输入"
	case RuleRepeated:
		return "密码不能是6个相同的数字（如000000），请换一个不易被猜到的密码"
	case RuleSequence:
		return "密码不能是连续的数字（如123456或654321），请换一个不易被猜到的密码"
	}
	return "密码不符合要求，请换一个密码"
}

// Normalize trims surrounding white space (including the ideographic
// space U+3000) and converts full-width digits (U+FF10..U+FF19, as typed
// with a Chinese input method) to ASCII digits. Other characters are
// left unchanged.
func Normalize(s string) string {
	s = strings.TrimSpace(s)
	return strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return '0' + (r - '０')
		}
		return r
	}, s)
}

// Check normalizes pin and reports whether it satisfies the PIN rules.
// The error, if any, is a *RuleError. A PIN with non-digit characters
// breaks the "digits" rule whatever its length.
func Check(pin string) error {
	pin = Normalize(pin)
	for i := 0; i < len(pin); i++ {
		if pin[i] < '0' || pin[i] > '9' {
			return &RuleError{Rule: RuleDigits}
		}
	}
	if len(pin) != Length {
		return &RuleError{Rule: RuleLength}
	}
	repeated, up, down := true, true, true
	for i := 1; i < len(pin); i++ {
		d := int(pin[i]) - int(pin[i-1])
		repeated = repeated && d == 0
		up = up && d == 1
		down = down && d == -1
	}
	switch {
	case repeated:
		return &RuleError{Rule: RuleRepeated}
	case up, down:
		return &RuleError{Rule: RuleSequence}
	}
	return nil
}

var b64 = base64.RawStdEncoding

// Hash checks pin with Check and returns the Argon2id PHC string of its
// normalized form, with a 16-byte salt read from rand
// (crypto/rand.Reader in production).
func Hash(pin string, rand io.Reader) (string, error) {
	if err := Check(pin); err != nil {
		return "", err
	}
	salt := make([]byte, saltLen)
	if _, err := io.ReadFull(rand, salt); err != nil {
		return "", fmt.Errorf("pin: reading random salt: %w", err)
	}
	key := argon2.IDKey([]byte(Normalize(pin)), salt, hashTime, hashMemoryKiB, hashThreads, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, hashMemoryKiB, hashTime, hashThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// ErrMalformedHash is wrapped by the errors Verify returns for an encoded
// hash it cannot parse or whose parameters are out of bounds.
var ErrMalformedHash = errors.New("pin: malformed hash")

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformedHash}, args...)...)
}

type phc struct {
	memory, time uint32
	threads      uint8
	salt, key    []byte
}

// parseUint parses a canonical decimal number (no sign, no leading
// zeros) between 1 and hi.
func parseUint(name, s string, hi uint64) (uint64, error) {
	v, err := strconv.ParseUint(s, 10, 32)
	if err != nil || strconv.FormatUint(v, 10) != s {
		return 0, malformed("bad %s %q", name, s)
	}
	if v < 1 || v > hi {
		return 0, malformed("%s %d out of range 1..%d", name, v, hi)
	}
	return v, nil
}

func decodeB64(name, s string, lo, hi int) ([]byte, error) {
	b, err := b64.Strict().DecodeString(s)
	if err != nil || b64.EncodeToString(b) != s {
		return nil, malformed("bad %s encoding", name)
	}
	if len(b) < lo || len(b) > hi {
		return nil, malformed("%s is %d bytes, want %d..%d", name, len(b), lo, hi)
	}
	return b, nil
}

// parse decodes an encoded hash and checks its bounds.
func parse(encoded string) (*phc, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" {
		return nil, malformed("want $argon2id$v=19$m=…,t=…,p=…$salt$hash")
	}
	if parts[1] != "argon2id" {
		return nil, malformed("unsupported algorithm %q", parts[1])
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return nil, malformed("unsupported version %q", parts[2])
	}
	params := strings.Split(parts[3], ",")
	if len(params) != 3 ||
		!strings.HasPrefix(params[0], "m=") ||
		!strings.HasPrefix(params[1], "t=") ||
		!strings.HasPrefix(params[2], "p=") {
		return nil, malformed("bad parameters %q", parts[3])
	}
	m, err := parseUint("m", params[0][2:], maxMemoryKiB)
	if err != nil {
		return nil, err
	}
	t, err := parseUint("t", params[1][2:], maxTime)
	if err != nil {
		return nil, err
	}
	p, err := parseUint("p", params[2][2:], maxThreads)
	if err != nil {
		return nil, err
	}
	if m < 8*p {
		return nil, malformed("m=%d is less than 8 KiB per thread (p=%d)", m, p)
	}
	salt, err := decodeB64("salt", parts[4], minSaltLen, maxSaltLen)
	if err != nil {
		return nil, err
	}
	key, err := decodeB64("hash", parts[5], minKeyLen, maxKeyLen)
	if err != nil {
		return nil, err
	}
	return &phc{memory: uint32(m), time: uint32(t), threads: uint8(p), salt: salt, key: key}, nil
}

// Verify reports whether pin matches the encoded hash made by Hash.
// pin is normalized first but the PIN rules are not applied, so a hash
// made under older, looser rules still verifies. A mismatch is (false,
// nil); an error (wrapping ErrMalformedHash) means encoded could not be
// parsed or its parameters are out of bounds (m ≤ 1 GiB, t ≤ 10, p ≤ 16).
// The comparison is constant-time.
func Verify(encoded, pin string) (bool, error) {
	h, err := parse(encoded)
	if err != nil {
		return false, err
	}
	key := argon2.IDKey([]byte(Normalize(pin)), h.salt, h.time, h.memory, h.threads, uint32(len(h.key)))
	return subtle.ConstantTimeCompare(key, h.key) == 1, nil
}

// Package ledger is the station's append-only, hash-chained, signed,
// double-entry ledger.
//
// Every entry is numbered from 1 without gaps, carries its business day,
// terminal, operator, kind, idempotency key, an opaque JSON payload and
// postings whose debits equal their credits in every commodity. Each entry's
// hash covers the previous entry's hash, and the station key signs it, so a
// single changed byte anywhere is found by Verify. The exact bytes are
// specified in docs/ledger-format.md.
package ledger

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// HashSize and SigSize are the lengths of an entry's hash and signature.
const (
	HashSize = 32
	SigSize  = 64
)

// Currency is the commodity of money amounts. Other commodities are goods
// counted in whole units (a SKU such as "FERT-50KG").
const Currency = "CNY"

// Sides of a posting.
const (
	Debit  = 'D'
	Credit = 'C'
)

// Kinds the ledger itself gives meaning to.
const (
	KindGenesis  = "genesis"
	KindDayClose = "day_close"
)

// Limits on the size of entry fields; they keep a hostile file from making a
// reader allocate without bound.
const (
	MaxTextLen     = 128
	MaxPayloadLen  = 64 << 10
	MaxPostings    = 64
	maxAmountDigit = 16
)

// Entry is one ledger entry as stored and signed.
type Entry struct {
	Seq      uint64
	Time     time.Time // UTC, millisecond precision
	Day      string    // business day, YYYY-MM-DD, in the station's zone
	Terminal string
	Operator string
	Kind     string
	IdemKey  string
	Payload  []byte // a JSON value, or empty
	Postings []Posting

	Prev [HashSize]byte // hash of the entry before (zero for seq 1)
	Hash [HashSize]byte
	Sig  [SigSize]byte
}

// Posting moves Amount of Commodity to the debit or credit side of Account.
type Posting struct {
	Account   string
	Side      byte // Debit or Credit
	Commodity string
	Amount    decimal.Decimal // positive; two places for CNY, whole units otherwise
}

// Dr and Cr build postings in the station's currency.
func Dr(account string, amount decimal.Decimal) Posting {
	return Posting{Account: account, Side: Debit, Commodity: Currency, Amount: amount}
}

// Cr is the credit counterpart of Dr.
func Cr(account string, amount decimal.Decimal) Posting {
	return Posting{Account: account, Side: Credit, Commodity: Currency, Amount: amount}
}

// Signed returns the posting's effect on its account's balance: debits
// positive, credits negative.
func (p Posting) Signed() decimal.Decimal {
	if p.Side == Credit {
		return p.Amount.Neg()
	}
	return p.Amount
}

// The shapes of the entry's names. They are checked byte by byte rather
// than with regexp because every entry is checked on every verify.
type shape struct {
	rule        string // what the rule says, for errors
	first, rest func(c byte) bool
	max         int
}

func lower(c byte) bool { return c >= 'a' && c <= 'z' }
func upper(c byte) bool { return c >= 'A' && c <= 'Z' }
func digit(c byte) bool { return c >= '0' && c <= '9' }

var (
	idShape = shape{"1 to 32 letters, digits, '.', '_' or '-', starting with a letter or digit",
		func(c byte) bool { return lower(c) || upper(c) || digit(c) },
		func(c byte) bool { return lower(c) || upper(c) || digit(c) || c == '.' || c == '_' || c == '-' }, 32}
	kindShape = shape{"1 to 32 lower-case letters or '_', starting with a letter",
		lower, func(c byte) bool { return lower(c) || c == '_' }, 32}
	commodityShape = shape{"CNY or a SKU: 1 to 32 capitals, digits, '_' or '-', starting with a capital",
		upper, func(c byte) bool { return upper(c) || digit(c) || c == '_' || c == '-' }, 32}
	segmentShape = shape{"",
		func(c byte) bool { return lower(c) || digit(c) },
		func(c byte) bool { return lower(c) || digit(c) || c == '_' || c == '-' }, MaxTextLen}
)

func (sh shape) match(s string) bool {
	if len(s) == 0 || len(s) > sh.max || !sh.first(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !sh.rest(s[i]) {
			return false
		}
	}
	return true
}

// validAccount reports whether s is an account name such as
// income:commission:withdrawal: lower-case segments joined by ':'.
func validAccount(s string) bool {
	if len(s) > MaxTextLen {
		return false
	}
	for seg := range strings.SplitSeq(s, ":") {
		if !segmentShape.match(seg) {
			return false
		}
	}
	return true
}

// validDay reports whether s is a calendar date written YYYY-MM-DD.
func validDay(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// FieldError says which field of an entry breaks which rule.
type FieldError struct {
	Field string // e.g. "kind", "postings[1].amount"
	Rule  string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("ledger: entry field %s: %s", e.Field, e.Rule)
}

// UnbalancedError reports postings whose debits and credits differ.
type UnbalancedError struct {
	Commodity      string
	Debits, Credit decimal.Decimal
}

func (e *UnbalancedError) Error() string {
	return fmt.Sprintf("ledger: postings do not balance in %s: debits %s, credits %s",
		e.Commodity, AmountText(e.Commodity, e.Debits), AmountText(e.Commodity, e.Credit))
}

// AmountText is the canonical text of an amount: two places for CNY, whole
// units for goods.
func AmountText(commodity string, d decimal.Decimal) string {
	if commodity == Currency {
		return d.StringFixed(2)
	}
	return d.StringFixed(0)
}

// Check reports whether the entry's own fields are well formed and its
// postings balance. It does not look at Seq, Prev, Hash or Sig.
func (e *Entry) Check() error {
	if !validDay(e.Day) {
		return &FieldError{Field: "day", Rule: fmt.Sprintf("%q is not a calendar date written YYYY-MM-DD", e.Day)}
	}
	for _, f := range []struct {
		field, value string
		shape        shape
	}{
		{"terminal", e.Terminal, idShape},
		{"operator", e.Operator, idShape},
		{"kind", e.Kind, kindShape},
	} {
		if !f.shape.match(f.value) {
			return &FieldError{Field: f.field, Rule: fmt.Sprintf("%q: must be %s", f.value, f.shape.rule)}
		}
	}
	if e.IdemKey == "" || len(e.IdemKey) > MaxTextLen || !utf8.ValidString(e.IdemKey) {
		return &FieldError{Field: "idem_key", Rule: fmt.Sprintf("must be 1 to %d bytes of UTF-8", MaxTextLen)}
	}
	if len(e.Payload) > MaxPayloadLen {
		return &FieldError{Field: "payload", Rule: fmt.Sprintf("longer than %d bytes", MaxPayloadLen)}
	}
	if len(e.Payload) > 0 && !json.Valid(e.Payload) {
		return &FieldError{Field: "payload", Rule: "not valid JSON"}
	}
	if len(e.Postings) > MaxPostings {
		return &FieldError{Field: "postings", Rule: fmt.Sprintf("more than %d postings", MaxPostings)}
	}
	if len(e.Postings) == 1 {
		return &FieldError{Field: "postings", Rule: "a single posting cannot balance; give none or at least two"}
	}
	type sums struct{ dr, cr decimal.Decimal }
	total := map[string]*sums{}
	var order []string
	for i, p := range e.Postings {
		if err := p.check(); err != nil {
			err.Field = fmt.Sprintf("postings[%d].%s", i, err.Field)
			return err
		}
		s := total[p.Commodity]
		if s == nil {
			s = &sums{}
			total[p.Commodity] = s
			order = append(order, p.Commodity)
		}
		if p.Side == Debit {
			s.dr = s.dr.Add(p.Amount)
		} else {
			s.cr = s.cr.Add(p.Amount)
		}
	}
	for _, c := range order {
		if s := total[c]; !s.dr.Equal(s.cr) {
			return &UnbalancedError{Commodity: c, Debits: s.dr, Credit: s.cr}
		}
	}
	return nil
}

func (p Posting) check() *FieldError {
	switch {
	case !validAccount(p.Account):
		return &FieldError{Field: "account", Rule: fmt.Sprintf("%q is not an account name like assets:cash", p.Account)}
	case p.Side != Debit && p.Side != Credit:
		return &FieldError{Field: "side", Rule: "must be D or C"}
	case !commodityShape.match(p.Commodity):
		return &FieldError{Field: "commodity", Rule: fmt.Sprintf("%q is not CNY or a SKU in capitals", p.Commodity)}
	case !p.Amount.IsPositive():
		return &FieldError{Field: "amount", Rule: "must be greater than zero"}
	case p.Commodity == Currency && !p.Amount.Equal(p.Amount.Round(2)):
		return &FieldError{Field: "amount", Rule: "CNY has at most two decimal places"}
	case p.Commodity != Currency && !p.Amount.Equal(p.Amount.Truncate(0)):
		return &FieldError{Field: "amount", Rule: "goods are counted in whole units"}
	case len(p.Amount.Truncate(0).String()) > maxAmountDigit:
		return &FieldError{Field: "amount", Rule: fmt.Sprintf("more than %d digits", maxAmountDigit)}
	}
	return nil
}

// sameContent reports whether two entries say the same thing, ignoring the
// fields the ledger assigns (sequence, time, day, chain and signature). It
// decides whether a repeated idempotency key is a replay or a conflict.
func sameContent(a, b *Entry) bool {
	if a.Terminal != b.Terminal || a.Operator != b.Operator || a.Kind != b.Kind ||
		a.IdemKey != b.IdemKey || !bytes.Equal(a.Payload, b.Payload) || len(a.Postings) != len(b.Postings) {
		return false
	}
	for i := range a.Postings {
		p, q := a.Postings[i], b.Postings[i]
		if p.Account != q.Account || p.Side != q.Side || p.Commodity != q.Commodity || !p.Amount.Equal(q.Amount) {
			return false
		}
	}
	return true
}

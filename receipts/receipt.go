// Package receipts lays out the receipt of a ledger entry: what it says
// (Receipt, built by New), its verification code (Code), and its forms on
// paper: plain text and ESC/POS bytes for a thermal printer, and PDF at
// 58 mm and 80 mm widths.
package receipts

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
)

// Text is something a receipt says, in Chinese and in English.
type Text struct{ Zh, En string }

// In returns the text in lang ("en" for English, else Chinese).
func (t Text) In(lang string) string {
	if lang == "en" && t.En != "" {
		return t.En
	}
	return t.Zh
}

func same(s string) Text { return Text{s, s} }

// Station is what a receipt says about the station.
type Station struct {
	ID, Name, Phone string
	Zone            *time.Location
}

// Line is one labelled line of a receipt's body.
type Line struct {
	Label Text
	Value Text
	Money bool // an amount: right-aligned
}

// Receipt is what the receipt of one ledger entry shows.
type Receipt struct {
	Station  Station
	Seq      uint64
	Operator string
	Time     time.Time // UTC
	Kind     string
	Title    Text
	Lines    []Line
	// Capital, when set, is the amount written in capitals (大写) under
	// the figures.
	Capital  decimal.Decimal
	Capitals bool
	Notices  []Text // status and what to do, e.g. 受理回执
	ShopCopy bool   // a withdrawal also prints the shop's copy to sign
	Reprint  int    // 0 for the first print, then 1, 2, …
	Code     Code
}

// Errors New returns.
var (
	ErrNoMoney = errors.New("receipts: this entry moves no money, so it has no receipt")
)

// Getter reads an entry by number, for receipts that name another entry.
type Getter func(seq uint64) (ledger.Entry, error)

// New builds the receipt of entry e. It refuses an entry that moves no
// money (ErrNoMoney), but for a reversal, a dispute's registration and a
// household's contributions (whose members' entries move the money). The
// receipt's code is not signed yet (Sign).
func New(st Station, e ledger.Entry, get Getter) (*Receipt, error) {
	if e.Kind != "reversal" && e.Kind != "dispute" && e.Kind != "contribution_household" && !movesMoney(e) {
		return nil, fmt.Errorf("%w: entry %d is %s", ErrNoMoney, e.Seq, e.Kind)
	}
	p := payload{}
	if len(e.Payload) > 0 {
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return nil, fmt.Errorf("receipts: entry %d payload: %w", e.Seq, err)
		}
	}
	r := &Receipt{Station: st, Seq: e.Seq, Operator: e.Operator, Time: e.Time.UTC(), Kind: e.Kind,
		Title: titleOf(e.Kind, p)}
	b := builder{r: r, p: p}
	if err := b.body(e, get); err != nil {
		return nil, fmt.Errorf("receipts: entry %d: %w", e.Seq, err)
	}
	if b.err != nil {
		return nil, fmt.Errorf("receipts: entry %d: %w", e.Seq, b.err)
	}
	r.Code = Code{Station: st.ID, Seq: e.Seq, Time: e.Time.UTC().Truncate(time.Second), Kind: e.Kind,
		Total: b.total, Refs: b.refs(), Hash: e.Hash}
	return r, nil
}

// movesMoney reports whether an entry posts money.
func movesMoney(e ledger.Entry) bool {
	for _, p := range e.Postings {
		if p.Commodity == ledger.Currency {
			return true
		}
	}
	return false
}

// Sign signs the receipt's code with the station's key.
func (r *Receipt) Sign(priv ed25519.PrivateKey) error { return r.Code.Sign(priv) }

// payload is an entry's JSON payload, read loosely: a receipt shows what
// is there.
type payload map[string]any

func (p payload) str(key string) string {
	switch v := p[key].(type) {
	case string:
		return v
	case float64:
		return decimal.NewFromFloat(v).String()
	}
	return ""
}

func (p payload) seq(key string) uint64 {
	v, _ := p[key].(float64)
	if v < 1 || v > 1<<53 {
		return 0
	}
	return uint64(v)
}

// builder gathers a receipt's lines, total and references.
type builder struct {
	r     *Receipt
	p     payload
	total decimal.Decimal
	ref   map[string]string
	err   error
}

func (b *builder) line(label Text, value string) {
	if value != "" {
		b.r.Lines = append(b.r.Lines, Line{Label: label, Value: same(value)})
	}
}

func (b *builder) text(label, value Text) {
	if value.Zh != "" {
		b.r.Lines = append(b.r.Lines, Line{Label: label, Value: value})
	}
}

// money adds an amount line from the payload's key; it returns the amount.
func (b *builder) money(label Text, key string) decimal.Decimal {
	s := b.p.str(key)
	if s == "" {
		return decimal.Zero
	}
	d, err := money.ParseWire(s)
	if err != nil {
		b.err = fmt.Errorf("%s: %w", key, err)
		return decimal.Zero
	}
	b.r.Lines = append(b.r.Lines, Line{Label: label, Value: same(money.FormatReceipt(d)), Money: true})
	return d
}

// capital sets the amount written in capitals and the code's total.
func (b *builder) capital(d decimal.Decimal) {
	b.r.Capital, b.r.Capitals, b.total = d, true, d
}

// setRef records a reference for the code, if the value may go in one.
func (b *builder) setRef(key, value string) {
	if value == "" || !valueRE.MatchString(value) {
		return
	}
	if b.ref == nil {
		b.ref = map[string]string{}
	}
	b.ref[key] = value
}

func (b *builder) refs() []Ref {
	var out []Ref
	for _, k := range refKeys {
		if v, ok := b.ref[k]; ok {
			out = append(out, Ref{k, v})
		}
	}
	return out
}

func (b *builder) notice(zh, en string) { b.r.Notices = append(b.r.Notices, Text{zh, en}) }

package ledger

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// FormatVersion is the first byte of every canonical entry.
const FormatVersion = 1

// HashTag separates ledger entry hashes from every other hash the station
// makes.
const HashTag = "bianmin-ledger-v1\x00"

// Encode returns the canonical bytes of e, the bytes its hash covers:
//
//	u8     version (1)
//	u64be  seq
//	i64be  time, milliseconds since 1970-01-01T00:00:00Z
//	str    day        ("YYYY-MM-DD")
//	str    terminal
//	str    operator
//	str    kind
//	str    idem_key
//	str    payload    (JSON bytes, may be empty)
//	u32be  number of postings, then for each posting:
//	  str  account
//	  u8   side ('D' or 'C')
//	  str  commodity
//	  str  amount     (canonical decimal text, see AmountText)
//
// where str is a u32be byte length followed by that many bytes.
func Encode(e *Entry) []byte {
	n := 1 + 8 + 8 + 4*7 + len(e.Day) + len(e.Terminal) + len(e.Operator) + len(e.Kind) + len(e.IdemKey) + len(e.Payload)
	for _, p := range e.Postings {
		n += 4*3 + 1 + len(p.Account) + len(p.Commodity) + 24
	}
	b := make([]byte, 0, n)
	b = append(b, FormatVersion)
	b = binary.BigEndian.AppendUint64(b, e.Seq)
	b = binary.BigEndian.AppendUint64(b, uint64(e.Time.UnixMilli()))
	for _, s := range []string{e.Day, e.Terminal, e.Operator, e.Kind, e.IdemKey} {
		b = appendStr(b, s)
	}
	b = appendStr(b, string(e.Payload))
	b = binary.BigEndian.AppendUint32(b, uint32(len(e.Postings)))
	for _, p := range e.Postings {
		b = appendStr(b, p.Account)
		b = append(b, p.Side)
		b = appendStr(b, p.Commodity)
		b = appendStr(b, AmountText(p.Commodity, p.Amount))
	}
	return b
}

func appendStr(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// DecodeError reports canonical bytes that cannot be read back.
type DecodeError struct {
	Offset int
	Reason string
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("ledger: canonical entry: byte %d: %s", e.Offset, e.Reason)
}

// Decode parses canonical bytes written by Encode. It accepts only what
// Encode would write, so Encode(Decode(b)) == b for every b it accepts, and
// it checks the entry's fields and balance (Entry.Check).
func Decode(b []byte) (Entry, error) {
	d := decoder{b: b}
	var e Entry
	if v := d.u8(); d.err == nil && v != FormatVersion {
		return e, &DecodeError{0, fmt.Sprintf("format version %d, want %d", v, FormatVersion)}
	}
	e.Seq = d.u64()
	ms := int64(d.u64())
	e.Time = time.UnixMilli(ms).UTC()
	e.Day = d.str(MaxTextLen)
	e.Terminal = d.str(MaxTextLen)
	e.Operator = d.str(MaxTextLen)
	e.Kind = d.str(MaxTextLen)
	e.IdemKey = d.str(MaxTextLen)
	if p := d.str(MaxPayloadLen); p != "" {
		e.Payload = []byte(p)
	}
	n := d.u32()
	if d.err == nil && n > MaxPostings {
		return e, &DecodeError{d.off - 4, fmt.Sprintf("%d postings, at most %d", n, MaxPostings)}
	}
	for i := uint32(0); i < n && d.err == nil; i++ {
		var p Posting
		p.Account = d.str(MaxTextLen)
		p.Side = d.u8()
		p.Commodity = d.str(MaxTextLen)
		start := d.off
		text := d.str(32)
		if d.err != nil {
			break
		}
		amt, err := decimal.NewFromString(text)
		if err != nil || AmountText(p.Commodity, amt) != text {
			return e, &DecodeError{start, fmt.Sprintf("posting %d: amount %q is not canonical", i, text)}
		}
		p.Amount = amt
		e.Postings = append(e.Postings, p)
	}
	if d.err != nil {
		return e, d.err
	}
	if d.off != len(b) {
		return e, &DecodeError{d.off, fmt.Sprintf("%d bytes after the entry", len(b)-d.off)}
	}
	if err := e.Check(); err != nil {
		return e, err
	}
	return e, nil
}

type decoder struct {
	b   []byte
	off int
	err error
}

func (d *decoder) need(n int) bool {
	if d.err != nil {
		return false
	}
	if len(d.b)-d.off < n {
		d.err = &DecodeError{d.off, "truncated"}
		return false
	}
	return true
}

func (d *decoder) u8() byte {
	if !d.need(1) {
		return 0
	}
	d.off++
	return d.b[d.off-1]
}

func (d *decoder) u32() uint32 {
	if !d.need(4) {
		return 0
	}
	d.off += 4
	return binary.BigEndian.Uint32(d.b[d.off-4:])
}

func (d *decoder) u64() uint64 {
	if !d.need(8) {
		return 0
	}
	d.off += 8
	return binary.BigEndian.Uint64(d.b[d.off-8:])
}

func (d *decoder) str(max int) string {
	start := d.off
	n := d.u32()
	if d.err != nil {
		return ""
	}
	if n > uint32(max) {
		d.err = &DecodeError{start, fmt.Sprintf("string of %d bytes, at most %d", n, max)}
		return ""
	}
	if !d.need(int(n)) {
		return ""
	}
	s := string(d.b[d.off : d.off+int(n)])
	d.off += int(n)
	if !utf8.ValidString(s) {
		d.err = &DecodeError{start, "not UTF-8"}
		return ""
	}
	return s
}

// ChainHash returns SHA-256(HashTag || prev || canonical), the hash of the
// entry whose canonical bytes are given, following the entry whose hash is
// prev.
func ChainHash(prev [HashSize]byte, canonical []byte) [HashSize]byte {
	h := sha256.New()
	h.Write([]byte(HashTag))
	h.Write(prev[:])
	h.Write(canonical)
	var out [HashSize]byte
	h.Sum(out[:0])
	return out
}

// EncodeRecord returns what the store keeps for an entry: its canonical
// bytes followed by its 32-byte hash and 64-byte signature. A settlement
// file carries the same records.
func EncodeRecord(e *Entry) []byte {
	b := Encode(e)
	b = append(b, e.Hash[:]...)
	return append(b, e.Sig[:]...)
}

var errShortRecord = errors.New("record shorter than hash and signature")

// DecodeRecord parses a record written by EncodeRecord. Prev is left zero:
// only the chain knows it.
func DecodeRecord(rec []byte) (Entry, error) {
	if len(rec) < HashSize+SigSize {
		return Entry{}, &DecodeError{0, errShortRecord.Error()}
	}
	body := rec[:len(rec)-HashSize-SigSize]
	e, err := Decode(body)
	if err != nil {
		return e, err
	}
	copy(e.Hash[:], rec[len(body):])
	copy(e.Sig[:], rec[len(body)+HashSize:])
	return e, nil
}

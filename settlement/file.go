package settlement

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/ledger"
	"golang.org/x/mod/sumdb/note"
)

// Format is the first line of every settlement file of this version.
const Format = "bianmin-settlement-v1"

// MaxFileSize bounds what Parse reads: a very busy day is a few MB.
const MaxFileSize = 64 << 20

// File is one business day of one station, as the settlement file holds
// it. Its text form (Marshal, Parse) is specified in
// docs/settlement-format.md.
type File struct {
	Station     string
	Day         string // YYYY-MM-DD
	Zone        string
	Key         string // the station's note verifier key: name is the station id
	Fingerprint string
	Tariff      string
	Prev        ledger.Checkpoint // the entry before the day's first: the chain link to the day before
	Records     []Record          // every entry of the day, the day_close last
	Close       Close             // the figures as the file states them
	Ack         string            // the post office's last acknowledgement the station holds (a note), or ""
	Last        ledger.Checkpoint // the day_close entry
}

// Record is one ledger entry as the ledger stores it (ledger.EncodeRecord).
type Record struct {
	Seq uint64
	Raw []byte
}

// FormatError says which line of a file breaks which rule.
type FormatError struct {
	Line int // 1-based; 0 for the file as a whole
	Rule string
}

func (e *FormatError) Error() string {
	if e.Line == 0 {
		return "settlement: file: " + e.Rule
	}
	return fmt.Sprintf("settlement: line %d: %s", e.Line, e.Rule)
}

// Build makes the file of a day from its entries, the last of which must
// be the day_close. prev is the entry before the first; ack is the post
// office's last acknowledgement the station holds, or "".
func Build(station, zone string, pub ed25519.PublicKey, prev ledger.Checkpoint, entries []ledger.Entry, ack string) (*File, error) {
	if len(entries) == 0 || entries[len(entries)-1].Kind != ledger.KindDayClose {
		return nil, errors.New("settlement: a day's entries end with its day_close")
	}
	last := entries[len(entries)-1]
	var c Close
	if err := json.Unmarshal(last.Payload, &c); err != nil {
		return nil, fmt.Errorf("settlement: day_close %d: %w", last.Seq, err)
	}
	key, err := keyfile.VerifierKey(station, pub)
	if err != nil {
		return nil, err
	}
	f := &File{Station: station, Day: last.Day, Zone: zone, Key: key, Fingerprint: keyfile.Fingerprint(pub),
		Tariff: c.Tariff, Prev: prev, Close: c, Ack: ack, Last: ledger.Checkpoint{Seq: last.Seq, Hash: last.Hash}}
	for i := range entries {
		f.Records = append(f.Records, Record{entries[i].Seq, ledger.EncodeRecord(&entries[i])})
	}
	return f, nil
}

// Sign returns the file's bytes: its text and the station's signature over
// all of it (a golang.org/x/mod/sumdb/note signature line).
func (f *File) Sign(priv ed25519.PrivateKey) ([]byte, error) {
	skey, err := keyfile.SignerKey(f.Station, priv)
	if err != nil {
		return nil, err
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		return nil, fmt.Errorf("settlement: sign: %w", err)
	}
	out, err := note.Sign(&note.Note{Text: f.Text()}, signer)
	if err != nil {
		return nil, fmt.Errorf("settlement: sign: %w", err)
	}
	return out, nil
}

// Text returns the file's text, without the signature.
func (f *File) Text() string {
	var b strings.Builder
	line := func(parts ...string) { b.WriteString(strings.Join(parts, " ") + "\n") }
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	line(Format)
	line("station", f.Station)
	line("day", f.Day)
	line("zone", f.Zone)
	line("key", f.Key)
	line("fingerprint", f.Fingerprint)
	line("tariff", dash(f.Tariff))
	line("prev", u(f.Prev.Seq), hex.EncodeToString(f.Prev.Hash[:]))
	for _, r := range f.Records {
		line("entry", u(r.Seq), base64.StdEncoding.EncodeToString(r.Raw))
	}
	c := f.Close
	line("range", u(c.First), u(c.Last))
	for _, t := range sortTotals(c.Totals) {
		line("total", t.Kind, strconv.FormatInt(t.Count, 10), wire(t.Amount), wire(t.Fees), wire(t.Commission))
	}
	counted := "-"
	if c.Cash.Counted != nil {
		counted = wire(*c.Cash.Counted)
	}
	line("cash", wire(c.Cash.Open), wire(c.Cash.Expected), counted, wire(c.Cash.Variance))
	line("owed", wire(c.Owed.Open), wire(c.Owed.Net), wire(c.Owed.Close), Direction(c.Owed.Net))
	for _, x := range c.Carried {
		line("carried", x.Trace, x.Service, dash(x.Amount), x.State, x.Since.UTC().Format(time.RFC3339))
	}
	for _, t := range sortTotals(c.Grand) {
		line("grand", t.Kind, strconv.FormatInt(t.Count, 10), wire(t.Amount), wire(t.Fees), wire(t.Commission))
	}
	if c.Late {
		line("late")
	}
	ack := "-"
	if f.Ack != "" {
		ack = base64.StdEncoding.EncodeToString([]byte(f.Ack))
	}
	line("ack", ack)
	line("last", u(f.Last.Seq), hex.EncodeToString(f.Last.Hash[:]))
	return b.String()
}

func u(n uint64) string { return strconv.FormatUint(n, 10) }

// Parse reads a settlement file strictly, without checking its signature
// or its entries (Verify does). Errors are *FormatError.
func Parse(data []byte) (*File, error) {
	if len(data) > MaxFileSize {
		return nil, &FormatError{0, fmt.Sprintf("larger than %d bytes", MaxFileSize)}
	}
	text, err := noteText(data)
	if err != nil {
		return nil, err
	}
	p := parser{lines: strings.Split(strings.TrimSuffix(text, "\n"), "\n")}
	f, err := p.file()
	if err != nil {
		return nil, err
	}
	// Every value has one written form: a file that reads but is not
	// written exactly as Text writes it (an empty field, a time not in
	// UTC, …) is refused, so that one file has one reading.
	if written := f.Text(); written != text {
		again := strings.Split(written, "\n")
		for i, l := range p.lines {
			if i >= len(again) || again[i] != l {
				return nil, &FormatError{i + 1, "not written in its one form: " + shortLine(l)}
			}
		}
		return nil, &FormatError{0, "not written in its one form"}
	}
	return f, nil
}

func shortLine(l string) string {
	if len(l) > 40 {
		return strconv.Quote(l[:40]) + "…"
	}
	return strconv.Quote(l)
}

// noteText returns the text of a signed note, checking only its form.
func noteText(data []byte) (string, error) {
	_, err := note.Open(data, note.VerifierList())
	var un *note.UnverifiedNoteError
	if !errors.As(err, &un) {
		return "", &FormatError{0, "not a signed settlement file (a text followed by a blank line and signature lines)"}
	}
	return un.Note.Text, nil
}

// parser reads the lines of a file's text in their one order.
type parser struct {
	lines []string
	n     int // lines read
}

func (p *parser) fail(rule string, args ...any) error {
	return &FormatError{p.n, fmt.Sprintf(rule, args...)}
}

// next returns the fields of the next line if it starts with word.
func (p *parser) next(word string, fields int) ([]string, bool) {
	if p.n >= len(p.lines) {
		return nil, false
	}
	f := strings.Split(p.lines[p.n], " ")
	if f[0] != word || (fields >= 0 && len(f) != fields+1) || slices.Contains(f, "") {
		return nil, false // no field is empty: words are separated by single spaces
	}
	p.n++
	return f[1:], true
}

// must reads a line that has to come next.
func (p *parser) must(word string, fields int) ([]string, error) {
	f, ok := p.next(word, fields)
	if !ok {
		p.n++
		return nil, p.fail("want %q with %d fields", word, fields)
	}
	return f, nil
}

func (p *parser) file() (*File, error) {
	f := &File{}
	if p.n >= len(p.lines) || p.lines[0] != Format {
		p.n = 1
		return nil, p.fail("the file does not start with %s", Format)
	}
	p.n = 1
	var err error
	for _, h := range []struct {
		word string
		dst  *string
	}{{"station", &f.Station}, {"day", &f.Day}, {"zone", &f.Zone}, {"key", &f.Key}, {"fingerprint", &f.Fingerprint}, {"tariff", &f.Tariff}} {
		v, err := p.must(h.word, 1)
		if err != nil {
			return nil, err
		}
		*h.dst = v[0]
	}
	if f.Tariff == "-" {
		f.Tariff = ""
	}
	if _, err := time.Parse(time.DateOnly, f.Day); err != nil {
		return nil, p.fail("day %q is not a date like 2026-11-20", f.Day)
	}
	if f.Prev, err = p.checkpoint("prev"); err != nil {
		return nil, err
	}
	for {
		v, ok := p.next("entry", 2)
		if !ok {
			break
		}
		seq, err := p.uint(v[0])
		if err != nil {
			return nil, err
		}
		raw, err := base64.StdEncoding.Strict().DecodeString(v[1])
		if err != nil || base64.StdEncoding.EncodeToString(raw) != v[1] {
			return nil, p.fail("entry %d: the record is not canonical base64", seq)
		}
		f.Records = append(f.Records, Record{seq, raw})
	}
	if len(f.Records) == 0 {
		return nil, p.fail("no entries: a day holds at least its day_close")
	}
	c := &f.Close
	c.Format, c.Day, c.Tariff = CloseFormat, f.Day, f.Tariff
	v, err := p.must("range", 2)
	if err != nil {
		return nil, err
	}
	if c.First, err = p.uint(v[0]); err != nil {
		return nil, err
	}
	if c.Last, err = p.uint(v[1]); err != nil {
		return nil, err
	}
	if c.Totals, err = p.totals("total"); err != nil {
		return nil, err
	}
	if err := p.cash(&c.Cash); err != nil {
		return nil, err
	}
	if err := p.owed(&c.Owed); err != nil {
		return nil, err
	}
	c.Carried = []Carried{}
	for {
		v, ok := p.next("carried", 5)
		if !ok {
			break
		}
		since, err := time.Parse(time.RFC3339, v[4])
		if err != nil {
			return nil, p.fail("carried %s: time %q", v[0], v[4])
		}
		x := Carried{Trace: v[0], Service: v[1], Amount: v[2], State: v[3], Since: since}
		if x.Amount == "-" {
			x.Amount = ""
		} else if _, err := parseWire("amount", x.Amount); err != nil {
			return nil, p.fail("carried %s: %v", v[0], err)
		}
		c.Carried = append(c.Carried, x)
	}
	if c.Grand, err = p.totals("grand"); err != nil {
		return nil, err
	}
	_, c.Late = p.next("late", 0)
	v, err = p.must("ack", 1)
	if err != nil {
		return nil, err
	}
	if v[0] != "-" {
		ack, err := base64.StdEncoding.Strict().DecodeString(v[0])
		if err != nil || len(ack) == 0 {
			return nil, p.fail("ack: not base64")
		}
		f.Ack = string(ack)
	}
	if f.Last, err = p.checkpoint("last"); err != nil {
		return nil, err
	}
	if p.n != len(p.lines) {
		p.n++
		return nil, p.fail("unexpected line after last")
	}
	return f, nil
}

func (p *parser) uint(s string) (uint64, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || strconv.FormatUint(n, 10) != s {
		return 0, p.fail("%q is not a number written in digits", s)
	}
	return n, nil
}

func (p *parser) amount(field, s string) (decimal.Decimal, error) {
	d, err := parseWire(field, s)
	if err != nil {
		return d, p.fail("%v", err)
	}
	return d, nil
}

func (p *parser) checkpoint(word string) (ledger.Checkpoint, error) {
	v, err := p.must(word, 2)
	if err != nil {
		return ledger.Checkpoint{}, err
	}
	var c ledger.Checkpoint
	if c.Seq, err = p.uint(v[0]); err != nil {
		return c, err
	}
	h, err := hex.DecodeString(v[1])
	if err != nil || len(h) != ledger.HashSize || hex.EncodeToString(h) != v[1] {
		return c, p.fail("%s: the hash is not 64 lower-case hex digits", word)
	}
	copy(c.Hash[:], h)
	return c, nil
}

func (p *parser) totals(word string) ([]Total, error) {
	out := []Total{}
	for {
		v, ok := p.next(word, 5)
		if !ok {
			return out, nil
		}
		count, err := strconv.ParseInt(v[1], 10, 64)
		if err != nil || count < 0 || strconv.FormatInt(count, 10) != v[1] {
			return nil, p.fail("%s %s: count %q", word, v[0], v[1])
		}
		t := Total{Kind: v[0], Count: count}
		if t.Amount, err = p.amount("amount", v[2]); err != nil {
			return nil, err
		}
		if t.Fees, err = p.amount("fees", v[3]); err != nil {
			return nil, err
		}
		if t.Commission, err = p.amount("commission", v[4]); err != nil {
			return nil, err
		}
		if len(out) > 0 && out[len(out)-1].Kind >= t.Kind {
			return nil, p.fail("%s lines must be in order of kind, each once", word)
		}
		out = append(out, t)
	}
}

func (p *parser) cash(c *Cash) error {
	v, err := p.must("cash", 4)
	if err != nil {
		return err
	}
	if c.Open, err = p.amount("cash open", v[0]); err != nil {
		return err
	}
	if c.Expected, err = p.amount("cash expected", v[1]); err != nil {
		return err
	}
	if v[2] != "-" {
		d, err := p.amount("cash counted", v[2])
		if err != nil {
			return err
		}
		c.Counted = &d
	}
	c.Variance, err = p.amount("cash variance", v[3])
	return err
}

func (p *parser) owed(o *Owed) error {
	v, err := p.must("owed", 4)
	if err != nil {
		return err
	}
	if o.Open, err = p.amount("owed open", v[0]); err != nil {
		return err
	}
	if o.Net, err = p.amount("owed net", v[1]); err != nil {
		return err
	}
	if o.Close, err = p.amount("owed close", v[2]); err != nil {
		return err
	}
	if v[3] != Direction(o.Net) {
		return p.fail("owed: direction %q does not match the net %s", v[3], wire(o.Net))
	}
	return nil
}

// Source is what making a day's file reads from a station's ledger.
type Source interface {
	Get(seq uint64) (ledger.Entry, error)
	Range(from, to uint64, fn func(ledger.Entry) error) error
	Genesis() ledger.Genesis
}

// FromLedger makes the file of the day closed by entry closeSeq (a
// day_close), holding ack, the post office's last acknowledgement.
func FromLedger(src Source, closeSeq uint64, ack string) (*File, error) {
	end, err := src.Get(closeSeq)
	if err != nil {
		return nil, err
	}
	if end.Kind != ledger.KindDayClose {
		return nil, fmt.Errorf("settlement: entry %d is %s, not a day_close", closeSeq, end.Kind)
	}
	var c Close
	if err := json.Unmarshal(end.Payload, &c); err != nil {
		return nil, fmt.Errorf("settlement: day_close %d: %w", closeSeq, err)
	}
	var prev ledger.Checkpoint
	if c.First > 1 {
		p, err := src.Get(c.First - 1)
		if err != nil {
			return nil, err
		}
		prev = ledger.Checkpoint{Seq: p.Seq, Hash: p.Hash}
	}
	var entries []ledger.Entry
	if err := src.Range(c.First, closeSeq, func(e ledger.Entry) error {
		entries = append(entries, e)
		return nil
	}); err != nil {
		return nil, err
	}
	g := src.Genesis()
	return Build(g.Terminal, g.Zone, g.PublicKey, prev, entries, ack)
}

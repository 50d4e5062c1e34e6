// Package handover is what a station that leaves still owes villagers
// (承接): the items a successor for the same village takes over and
// finishes, and the hand-over document the post office signs for it.
//
// The items are read off the old station's own signed entries (Scan), the
// same way by the post office (from the day files it accepted) and by a
// station (from its ledger). The hand-over document is a note signed by
// the post office (golang.org/x/mod/sumdb/note) whose text is, each line
// ending in LF:
//
//	bianmin-handover-v1
//	from T0001                     the retired station
//	to T0002                       the successor
//	issued 2026-11-30              the day the post office signed it
//	through 212 <64 hex digits>    the old station's last accepted entry and its hash
//	                               (through 0 and 64 zeros: none accepted)
//	carried 283.40                 the money carried: the sum of the items' amounts
//	item 1 queued 5 T0001-000005 bill_payment 100.00 state-grid:5100123456 - -
//	item 2 delivery 8 - sale 0.00 FERT-UREA-50KG:2 2026-11-24 村东头李家麦地
//	…
//
// Each item line is ten fields separated by one space, the last taking
// the rest of the line:
//
//	item N KIND ENTRY TRACE SERVICE AMOUNT WHAT DUE NOTE
//
// N counts 1, 2, 3… in order; KIND is one of the Kind constants; ENTRY is
// the old station's entry the item stands on (see Item); TRACE a host
// trace number or "-"; SERVICE the service (lower-case letters and '_');
// AMOUNT the money carried for it, yuan with two decimals; WHAT a token
// of letters, digits and ".:,_-" (biller:account of a queued payment,
// SKU:qty,SKU:qty of a delivery) or "-"; DUE a date YYYY-MM-DD or "-";
// NOTE up to 200 characters on one line without a space at either end
// (where to deliver, what the villager says, why a refund is owed) or
// "-". Every value is written one way only: Format of a parsed text gives
// the same bytes.
//
// An item stands on an entry the post office read, so its ENTRY is at
// most through's number. A station the post office accepted no day file
// of (retired before its first day was imported) is handed over with
// "through 0" and the hash of 64 zeros, as its close-out statement's
// settled-through line says it: nothing of it was read, so the document
// has no item and carries 0.00. The zero hash stands for "none" only:
// through a number above zero names a real entry, whose hash is not 64
// zeros.
//
// Sign refuses whatever Parse would refuse: a signed document always
// reads back.
package handover

import (
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
	"golang.org/x/mod/sumdb/note"
)

// Header opens every hand-over document.
const Header = "bianmin-handover-v1"

// Kinds of item.
const (
	// Queued: a bill payment or top-up accepted offline and paid for in
	// cash that the biller has not confirmed. ENTRY is its intent; AMOUNT
	// what the villager gets back if it never reached the biller.
	Queued = "queued"
	// Waitlist: a ticket order on the carrier's waiting list, paid for in
	// cash. ENTRY is its intent; AMOUNT the fare and fee held.
	Waitlist = "waitlist"
	// Reversal: a request whose outcome is unknown or whose reversal
	// (冲正) the host has not acknowledged. ENTRY is its intent; AMOUNT
	// 0.00 (no money moved at the station; the villager's card or account
	// is put right by the reversal).
	Reversal = "reversal"
	// Refund: money owed back and not yet paid (a payment the biller
	// refused, a waitlisted order the carrier did not fill, a dispute the
	// post office decided). ENTRY is the entry that owes it.
	Refund = "refund"
	// Delivery: goods sold and promised for delivery, not handed over.
	// ENTRY is the sale; AMOUNT 0.00 (the villager paid the old station).
	Delivery = "delivery"
	// Dispute: a dispute the post office has not answered (or whose
	// answer the old station never recorded). ENTRY is the dispute entry.
	Dispute = "dispute"
)

// Limits of a document.
const (
	MaxItems = 2000
	MaxNote  = 256 << 10 // a signed document longer than this is refused unread
	MaxText  = 200       // characters of an item's NOTE
)

// Item is one thing the old station still owes a villager.
type Item struct {
	N       int
	Kind    string
	Entry   uint64 // the old station's entry (intent, sale, refund owed, dispute)
	Trace   string // host trace number, "" when none
	Service string
	Amount  decimal.Decimal // money carried to the successor for it
	What    string          // biller:account, SKU:qty,…; "" when none
	Due     string          // YYYY-MM-DD; "" when none
	Note    string          // "" when none
}

// Doc is a hand-over document.
type Doc struct {
	From    string
	To      string
	Issued  string // YYYY-MM-DD
	Through ledger.Checkpoint
	Carried decimal.Decimal
	Items   []Item
}

// Total sums the items' amounts.
func Total(items []Item) decimal.Decimal {
	var t decimal.Decimal
	for _, it := range items {
		t = t.Add(it.Amount)
	}
	return t
}

// FormatError says which line of a document breaks which rule.
type FormatError struct {
	Line int // 1-based; 0 for the whole text
	Rule string
}

func (e *FormatError) Error() string {
	if e.Line == 0 {
		return "handover: " + e.Rule
	}
	return fmt.Sprintf("handover: line %d: %s", e.Line, e.Rule)
}

// ErrSignature means a document is not signed by the post office key it
// was checked against.
var ErrSignature = errors.New("handover: not signed by this station's post office")

var (
	stationRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)
	traceRE   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}-[0-9]{6,20}$`)
	serviceRE = regexp.MustCompile(`^[a-z][a-z_]{0,31}$`)
	whatRE    = regexp.MustCompile(`^[A-Za-z0-9._:,-]{1,200}$`)
)

func isKind(k string) bool {
	switch k {
	case Queued, Waitlist, Reversal, Refund, Delivery, Dispute:
		return true
	}
	return false
}

func isDate(s string) bool {
	t, err := time.Parse(time.DateOnly, s)
	return err == nil && t.Format(time.DateOnly) == s
}

func isAmount(d decimal.Decimal) bool {
	return !d.IsNegative() && d.Equal(d.Round(2)) && d.LessThan(decimal.NewFromInt(100_000_000))
}

// CheckText reports whether s can be an item's NOTE: 1 to MaxText
// characters of UTF-8 on one line, no control character, no space at
// either end, not "-".
func CheckText(s string) bool {
	if s == "" || s == "-" || !utf8.ValidString(s) || utf8.RuneCountInString(s) > MaxText || strings.TrimSpace(s) != s {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\uFEFF' {
			return false
		}
	}
	return true
}

// Tidy makes free text fit a NOTE: one line, spaces trimmed, cut at
// MaxText characters. Text that cannot be written is "".
func Tidy(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\uFEFF' || unicode.IsSpace(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > MaxText {
		s = strings.TrimSpace(string(r[:MaxText]))
	}
	if !CheckText(s) {
		return ""
	}
	return s
}

// check reports what is wrong with item it, the i-th (from 0), on line.
func (it *Item) check(i, line int) error {
	bad := func(rule string) error { return &FormatError{line, "item: " + rule} }
	switch {
	case it.N != i+1:
		return bad(fmt.Sprintf("items are numbered 1, 2, 3… in order: want %d", i+1))
	case !isKind(it.Kind):
		return bad("kind: queued, waitlist, reversal, refund, delivery or dispute")
	case it.Entry == 0:
		return bad("entry: an entry number above zero")
	case it.Trace != "" && !traceRE.MatchString(it.Trace):
		return bad("trace: a trace number like T0001-000006, or -")
	case !serviceRE.MatchString(it.Service):
		return bad("service: 1 to 32 lower-case letters or '_'")
	case !isAmount(it.Amount):
		return bad("amount: yuan with two decimals, from 0.00 to below 100000000")
	case it.What != "" && (it.What == "-" || !whatRE.MatchString(it.What)):
		return bad("what: letters, digits and .:,_- (1 to 200), or -")
	case it.Due != "" && !isDate(it.Due):
		return bad("due: a date written YYYY-MM-DD, or -")
	case it.Note != "" && !CheckText(it.Note):
		return bad(fmt.Sprintf("note: 1 to %d characters on one line, no space at either end, or -", MaxText))
	}
	switch it.Kind {
	case Queued, Waitlist, Reversal:
		if it.Trace == "" {
			return bad("trace: a " + it.Kind + " item names its trace number")
		}
	}
	switch it.Kind {
	case Reversal, Delivery, Dispute:
		if !it.Amount.IsZero() {
			return bad("amount: 0.00 for a " + it.Kind + " item (no money is carried for it)")
		}
	default:
		if !it.Amount.IsPositive() {
			return bad("amount: above zero for a " + it.Kind + " item")
		}
	}
	if it.Kind == Delivery {
		if _, err := Goods(it.What); err != nil {
			return bad("what: " + err.Error())
		}
	}
	return nil
}

// Line formats a checked item as its line of the document (and of the
// close-out statement), without the LF.
func (it Item) Line() string {
	return fmt.Sprintf("item %d %s %d %s %s %s %s %s %s", it.N, it.Kind, it.Entry, dash(it.Trace), it.Service,
		money.FormatWire(it.Amount), dash(it.What), dash(it.Due), dash(it.Note))
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func undash(s string) string {
	if s == "-" {
		return ""
	}
	return s
}

// CheckItems reports whether items are well formed, numbered in order,
// and at most MaxItems.
func CheckItems(items []Item) error {
	if len(items) > MaxItems {
		return &FormatError{0, fmt.Sprintf("more than %d items", MaxItems)}
	}
	for i := range items {
		if err := items[i].check(i, 7+i); err != nil {
			return err
		}
	}
	return nil
}

// checkThrough reports whether through's number and hash go together:
// 0 with the zero hash (the post office accepted no day of the old
// station), a number above zero with another hash.
func checkThrough(c ledger.Checkpoint) error {
	zero := c.Hash == [ledger.HashSize]byte{}
	switch {
	case c.Seq == 0 && !zero:
		return &FormatError{5, "through: 0 (no day of the old station accepted) goes with the hash of 64 zeros"}
	case c.Seq != 0 && zero:
		return &FormatError{5, "through: the hash of 64 zeros goes with 0 only (no day of the old station accepted)"}
	}
	return nil
}

// checkEntry reports whether item it, the i-th (from 0), stands on an
// entry the post office read: at most through's number.
func checkEntry(it *Item, i int, through uint64) error {
	if it.Entry <= through {
		return nil
	}
	if through == 0 {
		return &FormatError{7 + i, "item: entry: through is 0 (no day of the old station accepted), so there is no item"}
	}
	return &FormatError{7 + i, fmt.Sprintf("item: entry: at most through's number, %d (an item stands on an entry the post office read)", through)}
}

// Check reports whether every field of d is of its form.
func (d *Doc) Check() error {
	switch {
	case !stationRE.MatchString(d.From):
		return &FormatError{2, "from: 1 to 32 letters, digits, '.', '_' or '-'"}
	case !stationRE.MatchString(d.To) || d.To == d.From:
		return &FormatError{3, "to: 1 to 32 letters, digits, '.', '_' or '-', another station than from"}
	case !isDate(d.Issued):
		return &FormatError{4, "issued: a date written YYYY-MM-DD"}
	}
	if err := checkThrough(d.Through); err != nil {
		return err
	}
	if !isAmount(d.Carried) {
		return &FormatError{6, "carried: yuan with two decimals, from 0.00 to below 100000000"}
	}
	if len(d.Items) > MaxItems {
		return &FormatError{0, fmt.Sprintf("more than %d items", MaxItems)}
	}
	for i := range d.Items {
		if err := d.Items[i].check(i, 7+i); err != nil {
			return err
		}
		if err := checkEntry(&d.Items[i], i, d.Through.Seq); err != nil {
			return err
		}
	}
	if !Total(d.Items).Equal(d.Carried) {
		return &FormatError{6, fmt.Sprintf("carried: %s is not the sum of the items' amounts, %s", money.FormatWire(d.Carried), money.FormatWire(Total(d.Items)))}
	}
	return nil
}

// Format returns the text of a checked document.
func Format(d Doc) (string, error) {
	if err := d.Check(); err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\nfrom %s\nto %s\nissued %s\nthrough %d %s\ncarried %s\n", Header, d.From, d.To, d.Issued,
		d.Through.Seq, hex.EncodeToString(d.Through.Hash[:]), money.FormatWire(d.Carried))
	for _, it := range d.Items {
		b.WriteString(it.Line())
		b.WriteByte('\n')
	}
	if b.Len() > MaxNote {
		return "", &FormatError{0, fmt.Sprintf("longer than %d bytes", MaxNote)}
	}
	return b.String(), nil
}

// ParseItem reads one item line (without its LF), the i-th from 0.
func ParseItem(s string, i int) (Item, error) {
	line := 7 + i
	f := strings.SplitN(s, " ", 10)
	if len(f) != 10 || f[0] != "item" {
		return Item{}, &FormatError{line, "want item N KIND ENTRY TRACE SERVICE AMOUNT WHAT DUE NOTE"}
	}
	for _, v := range f[1:] {
		if v == "" {
			return Item{}, &FormatError{line, "item: every field has a value (- for none), one space apart"}
		}
	}
	n, err := number(f[1])
	if err != nil || n > MaxItems {
		return Item{}, &FormatError{line, "item: N: decimal digits without leading zeros"}
	}
	it := Item{N: int(n), Kind: f[2], Trace: undash(f[4]), Service: f[5], What: undash(f[7]), Due: undash(f[8]), Note: undash(f[9])}
	if it.Entry, err = number(f[3]); err != nil {
		return Item{}, &FormatError{line, "item: entry: " + err.Error()}
	}
	if it.Amount, err = money.ParseWire(f[6]); err != nil || money.FormatWire(it.Amount) != f[6] {
		return Item{}, &FormatError{line, "item: amount: yuan written like 100.00"}
	}
	if err := it.check(i, line); err != nil {
		return Item{}, err
	}
	return it, nil
}

// Parse reads the text of a document.
func Parse(text string) (Doc, error) {
	if len(text) > MaxNote {
		return Doc{}, &FormatError{0, fmt.Sprintf("longer than %d bytes", MaxNote)}
	}
	if !strings.HasSuffix(text, "\n") {
		return Doc{}, &FormatError{0, "the text must end in a line feed"}
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 6 {
		return Doc{}, &FormatError{0, "want at least six lines: header, from, to, issued, through, carried"}
	}
	if len(lines) > 6+MaxItems {
		return Doc{}, &FormatError{0, fmt.Sprintf("more than %d items", MaxItems)}
	}
	if lines[0] != Header {
		return Doc{}, &FormatError{1, "want " + Header}
	}
	names := []string{"from", "to", "issued", "through", "carried"}
	vals := make([]string, len(names))
	for i, name := range names {
		v, ok := strings.CutPrefix(lines[i+1], name+" ")
		if !ok {
			return Doc{}, &FormatError{i + 2, "want " + name + " and its value"}
		}
		vals[i] = v
	}
	d := Doc{From: vals[0], To: vals[1], Issued: vals[2]}
	seq, hash, ok := strings.Cut(vals[3], " ")
	const throughRule = "through: the last accepted entry's number and its hash in 64 lower-case hex digits, or 0 and 64 zeros"
	var err error
	if d.Through.Seq, err = count(seq); !ok || err != nil || len(hash) != 2*ledger.HashSize || strings.ToLower(hash) != hash {
		return Doc{}, &FormatError{5, throughRule}
	}
	if _, err := hex.Decode(d.Through.Hash[:], []byte(hash)); err != nil {
		return Doc{}, &FormatError{5, throughRule}
	}
	if err := checkThrough(d.Through); err != nil {
		return Doc{}, err
	}
	if d.Carried, err = money.ParseWire(vals[4]); err != nil || money.FormatWire(d.Carried) != vals[4] {
		return Doc{}, &FormatError{6, "carried: yuan written like 283.40"}
	}
	for i, l := range lines[6:] {
		it, err := ParseItem(l, i)
		if err != nil {
			return Doc{}, err
		}
		if err := checkEntry(&it, i, d.Through.Seq); err != nil {
			return Doc{}, err
		}
		d.Items = append(d.Items, it)
	}
	if err := d.Check(); err != nil {
		return Doc{}, err
	}
	return d, nil
}

func number(s string) (uint64, error) {
	n, err := count(s)
	if err != nil || n == 0 {
		return 0, errors.New("decimal digits without leading zeros, above zero")
	}
	return n, nil
}

// count reads a number that may be 0: decimal digits, no leading zero.
func count(s string) (uint64, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || strconv.FormatUint(n, 10) != s {
		return 0, errors.New("decimal digits without leading zeros")
	}
	return n, nil
}

// Sign signs a document with the post office's key. It signs nothing
// that Open would refuse: the text must read back (Parse) as the same
// bytes, and the signed document fit in MaxNote.
func Sign(d Doc, postoffice note.Signer) ([]byte, error) {
	text, err := Format(d)
	if err != nil {
		return nil, err
	}
	back, err := Parse(text)
	if err != nil {
		return nil, fmt.Errorf("handover: the document would not read back: %w", err)
	}
	if again, err := Format(back); err != nil || again != text {
		return nil, errors.New("handover: the document would not read back as written")
	}
	msg, err := note.Sign(&note.Note{Text: text}, postoffice)
	if err != nil {
		return nil, fmt.Errorf("handover: sign: %w", err)
	}
	if len(msg) > MaxNote {
		return nil, &FormatError{0, fmt.Sprintf("the signed document is longer than %d bytes", MaxNote)}
	}
	return msg, nil
}

// Open checks a signed document against the post office's verifier key
// and reads it.
func Open(msg []byte, postoffice note.Verifier) (Doc, error) {
	if len(msg) > MaxNote {
		return Doc{}, &FormatError{0, fmt.Sprintf("longer than %d bytes", MaxNote)}
	}
	n, err := note.Open(msg, note.VerifierList(postoffice))
	if err != nil {
		var un *note.UnverifiedNoteError
		var bad *note.InvalidSignatureError
		if errors.As(err, &un) || errors.As(err, &bad) {
			return Doc{}, ErrSignature
		}
		return Doc{}, &FormatError{0, "not a signed hand-over document: " + err.Error()}
	}
	return Parse(n.Text)
}

// Line is one line of goods of a delivery.
type Line struct {
	SKU string
	Qty int64
}

var skuRE = regexp.MustCompile(`^[A-Z][A-Z0-9_-]{0,31}$`)

// Goods reads a delivery's WHAT: SKU:qty lines joined by ','.
func Goods(what string) ([]Line, error) {
	var out []Line
	for _, part := range strings.Split(what, ",") {
		sku, q, ok := strings.Cut(part, ":")
		n, err := number(q)
		if !ok || !skuRE.MatchString(sku) || err != nil || n > 1_000_000 {
			return nil, errors.New("goods written SKU:qty, joined by ','")
		}
		out = append(out, Line{sku, int64(n)})
	}
	return out, nil
}

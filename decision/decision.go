// Package decision is the post office's answer to a villager's dispute
// (业务纠纷): refund owed or none owed, as a note the post office signs
// (golang.org/x/mod/sumdb/note), so that a station can check it whether it
// came over the network or on a USB stick, and keep it in its ledger.
//
// The text of a decision is nine lines, each ending in LF:
//
//	bianmin-dispute-decision-v1
//	station T0001                 the station the dispute was registered at
//	dispute 15                    the station's dispute entry
//	entry 7                       the entry the villager disputes
//	trace T0001-000006            its host trace number
//	outcome refund_owed           refund_owed or none_owed
//	refund 500.00                 what the station pays the villager; 0.00 when none is owed
//	decided 2026-11-22            the day the post office decided
//	reason 银行确认当时没有出钞   the post office's words to the villager
//
// Each value is written in one way only (Format of a parsed text gives the
// same bytes); docs/postoffice.md describes the exchange.
package decision

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/money"
	"golang.org/x/mod/sumdb/note"
)

// Header opens every decision.
const Header = "bianmin-dispute-decision-v1"

// Outcomes of a decision.
const (
	RefundOwed = "refund_owed" // the villager is owed Refund, paid by the station out of its drawer
	NoneOwed   = "none_owed"   // the records show nothing is owed
)

// MaxReason bounds the post office's words, in characters.
const MaxReason = 200

// MaxNote bounds a signed decision; a longer one is refused unread.
const MaxNote = 4096

// Decision is the post office's answer to one dispute.
type Decision struct {
	Station string
	Dispute uint64 // the dispute entry
	Entry   uint64 // the disputed entry
	Trace   string
	Outcome string
	Refund  decimal.Decimal // positive for RefundOwed, zero for NoneOwed
	Decided string          // YYYY-MM-DD
	Reason  string
}

// FormatError says which line of a decision breaks which rule.
type FormatError struct {
	Line int // 1-based; 0 for the whole text
	Rule string
}

func (e *FormatError) Error() string {
	if e.Line == 0 {
		return "decision: " + e.Rule
	}
	return fmt.Sprintf("decision: line %d: %s", e.Line, e.Rule)
}

// ErrSignature means a decision is not signed by the post office key it
// was checked against.
var ErrSignature = errors.New("decision: not signed by this station's post office")

var (
	stationRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)
	traceRE   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}-[0-9]{6,20}$`)
)

// Check reports whether every field is of its form.
func (d *Decision) Check() error {
	switch {
	case !stationRE.MatchString(d.Station):
		return &FormatError{2, "station: 1 to 32 letters, digits, '.', '_' or '-'"}
	case d.Dispute == 0:
		return &FormatError{3, "dispute: an entry number above zero"}
	case d.Entry == 0 || d.Entry >= d.Dispute:
		return &FormatError{4, "entry: an entry number above zero, before the dispute's"}
	case !traceRE.MatchString(d.Trace):
		return &FormatError{5, "trace: a trace number like T0001-000006"}
	case d.Outcome != RefundOwed && d.Outcome != NoneOwed:
		return &FormatError{6, "outcome: refund_owed or none_owed"}
	case d.Outcome == RefundOwed && !d.Refund.IsPositive():
		return &FormatError{7, "refund: above zero when a refund is owed"}
	case d.Outcome == NoneOwed && !d.Refund.IsZero():
		return &FormatError{7, "refund: 0.00 when none is owed"}
	case !d.Refund.Equal(d.Refund.Round(2)) || d.Refund.GreaterThan(decimal.NewFromInt(99999999)):
		return &FormatError{7, "refund: yuan with at most two decimals, below 99999999"}
	}
	if t, err := time.Parse(time.DateOnly, d.Decided); err != nil || t.Format(time.DateOnly) != d.Decided {
		return &FormatError{8, "decided: a date written YYYY-MM-DD"}
	}
	return checkReason(d.Reason)
}

// checkReason: 1 to MaxReason characters of UTF-8, no control character,
// no space at either end.
func checkReason(s string) error {
	bad := &FormatError{9, fmt.Sprintf("reason: 1 to %d characters on one line, no space at either end", MaxReason)}
	if s == "" || !utf8.ValidString(s) || utf8.RuneCountInString(s) > MaxReason || strings.TrimSpace(s) != s {
		return bad
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return bad
		}
	}
	return nil
}

// Format returns the text of a checked decision.
func Format(d Decision) (string, error) {
	if err := d.Check(); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s\nstation %s\ndispute %d\nentry %d\ntrace %s\noutcome %s\nrefund %s\ndecided %s\nreason %s\n",
		Header, d.Station, d.Dispute, d.Entry, d.Trace, d.Outcome, money.FormatWire(d.Refund), d.Decided, d.Reason), nil
}

// Parse reads the text of a decision.
func Parse(text string) (Decision, error) {
	if len(text) > MaxNote {
		return Decision{}, &FormatError{0, fmt.Sprintf("longer than %d bytes", MaxNote)}
	}
	if !strings.HasSuffix(text, "\n") {
		return Decision{}, &FormatError{0, "the text must end in a line feed"}
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) != 9 {
		return Decision{}, &FormatError{0, "want nine lines: header, station, dispute, entry, trace, outcome, refund, decided, reason"}
	}
	if lines[0] != Header {
		return Decision{}, &FormatError{1, "want " + Header}
	}
	names := []string{"station", "dispute", "entry", "trace", "outcome", "refund", "decided", "reason"}
	vals := make([]string, len(names))
	for i, name := range names {
		v, ok := strings.CutPrefix(lines[i+1], name+" ")
		if !ok {
			return Decision{}, &FormatError{i + 2, "want " + name + " and its value"}
		}
		vals[i] = v
	}
	d := Decision{Station: vals[0], Trace: vals[3], Outcome: vals[4], Decided: vals[6], Reason: vals[7]}
	var err error
	if d.Dispute, err = number(vals[1]); err != nil {
		return Decision{}, &FormatError{3, "dispute: " + err.Error()}
	}
	if d.Entry, err = number(vals[2]); err != nil {
		return Decision{}, &FormatError{4, "entry: " + err.Error()}
	}
	if d.Refund, err = money.ParseWire(vals[5]); err != nil || money.FormatWire(d.Refund) != vals[5] || d.Refund.IsNegative() {
		return Decision{}, &FormatError{7, "refund: yuan written like 500.00"}
	}
	if err := d.Check(); err != nil {
		return Decision{}, err
	}
	return d, nil
}

func number(s string) (uint64, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || strconv.FormatUint(n, 10) != s {
		return 0, errors.New("decimal digits without leading zeros")
	}
	return n, nil
}

// Sign signs a decision with the post office's key.
func Sign(d Decision, postoffice note.Signer) ([]byte, error) {
	text, err := Format(d)
	if err != nil {
		return nil, err
	}
	return note.Sign(&note.Note{Text: text}, postoffice)
}

// Open checks a signed decision against the post office's verifier key
// and reads it.
func Open(msg []byte, postoffice note.Verifier) (Decision, error) {
	if len(msg) > MaxNote {
		return Decision{}, &FormatError{0, fmt.Sprintf("longer than %d bytes", MaxNote)}
	}
	n, err := note.Open(msg, note.VerifierList(postoffice))
	if err != nil {
		var un *note.UnverifiedNoteError
		var bad *note.InvalidSignatureError
		if errors.As(err, &un) || errors.As(err, &bad) {
			return Decision{}, ErrSignature
		}
		return Decision{}, &FormatError{0, "not a signed decision: " + err.Error()}
	}
	return Parse(n.Text)
}

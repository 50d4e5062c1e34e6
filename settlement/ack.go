package settlement

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/villagepost/bianmin/ledger"
	"golang.org/x/mod/sumdb/note"
)

// An acknowledgement is the post office's answer to a day's file it
// accepted: a checkpoint in the C2SP tlog-checkpoint form, signed as a
// golang.org/x/mod/sumdb/note by the post office's key:
//
//	T0001                                         origin: the station id
//	97                                            size: the last entry's number
//	dSo5ZyK5uQQ8xNn2PBpVbp2shHP4DG2vJvsG9Ngaol0=  hash: the last entry's hash, base64
//	2026-11-20                                    extension line: the business day
//
//	— xinyang-postoffice Az3grlgt…
//
// The station keeps it: from then on it holds the post office's signature
// on what its ledger said up to that entry, and cannot quietly rewrite or
// drop it.
type Ack struct {
	Station string
	Last    ledger.Checkpoint
	Day     string
}

// ErrAckSignature means an acknowledgement is not signed by the post
// office key the station trusts.
var ErrAckSignature = errors.New("settlement: the acknowledgement is not signed by this station's post office")

// AckText returns the text of an acknowledgement, before it is signed.
func (a Ack) AckText() string {
	return fmt.Sprintf("%s\n%d\n%s\n%s\n", a.Station, a.Last.Seq, base64.StdEncoding.EncodeToString(a.Last.Hash[:]), a.Day)
}

// SignAck signs an acknowledgement with the post office's note signer.
func SignAck(a Ack, postoffice note.Signer) ([]byte, error) {
	return note.Sign(&note.Note{Text: a.AckText()}, postoffice)
}

// OpenAck checks an acknowledgement against the post office's verifier key
// and reads it.
func OpenAck(msg []byte, postoffice note.Verifier) (Ack, error) {
	n, err := note.Open(msg, note.VerifierList(postoffice))
	if err != nil {
		var un *note.UnverifiedNoteError
		var bad *note.InvalidSignatureError
		if errors.As(err, &un) || errors.As(err, &bad) {
			return Ack{}, ErrAckSignature
		}
		return Ack{}, &FormatError{0, "not an acknowledgement: " + err.Error()}
	}
	return ParseAck(n.Text)
}

// ParseAck reads the text of an acknowledgement.
func ParseAck(text string) (Ack, error) {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	bad := func(line int, rule string) (Ack, error) { return Ack{}, &FormatError{line, "acknowledgement: " + rule} }
	if len(lines) != 4 {
		return bad(0, "want four lines: station, last entry, its hash, the day")
	}
	a := Ack{Station: lines[0], Day: lines[3]}
	if a.Station == "" || strings.ContainsAny(a.Station, " +") {
		return bad(1, "the station id")
	}
	n, err := strconv.ParseUint(lines[1], 10, 64)
	if err != nil || strconv.FormatUint(n, 10) != lines[1] || n == 0 {
		return bad(2, "the last entry's number")
	}
	h, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(h) != ledger.HashSize {
		return bad(3, "the last entry's hash in base64")
	}
	a.Last.Seq = n
	copy(a.Last.Hash[:], h)
	if _, err := time.Parse(time.DateOnly, a.Day); err != nil || len(a.Day) != 10 {
		return bad(4, "the business day, YYYY-MM-DD")
	}
	if a.AckText() != text {
		return bad(0, "not written in the one canonical form")
	}
	return a, nil
}

package tariff

import (
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/note"
)

// ErrSignature means a tariff file was not signed by the post office key
// the station trusts (or was changed after signing).
var ErrSignature = errors.New("tariff: not signed by this station's post office, or changed after signing")

// Sign checks body (the tariff JSON, indented with spaces, no tabs) and
// returns the signed tariff file: the body followed by a blank line and
// the post office's signature line, in the golang.org/x/mod/sumdb/note
// format.
func Sign(body []byte, postoffice note.Signer) ([]byte, error) {
	if _, err := Parse(body); err != nil {
		return nil, err
	}
	text := string(body)
	if len(text) == 0 || text[len(text)-1] != '\n' {
		text += "\n"
	}
	signed, err := note.Sign(&note.Note{Text: text}, postoffice)
	if err != nil {
		return nil, fmt.Errorf("tariff: sign: %w", err)
	}
	return signed, nil
}

// Open verifies a signed tariff file against the post office's verifier
// key and parses it. It does not look at the validity period (ValidOn).
func Open(file []byte, postoffice note.Verifier) (*Tariff, error) {
	n, err := note.Open(file, note.VerifierList(postoffice))
	if err != nil {
		var unverified *note.UnverifiedNoteError
		var invalid *note.InvalidSignatureError
		if errors.As(err, &unverified) || errors.As(err, &invalid) {
			return nil, ErrSignature
		}
		return nil, &Error{Field: "tariff", Rule: "not a signed tariff file: " + err.Error()}
	}
	return Parse([]byte(n.Text))
}

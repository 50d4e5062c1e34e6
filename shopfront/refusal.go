package shopfront

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
)

// Refusal is why the station did not do something, in the shopkeeper's
// words: Chinese, English, and what to do next. Err, if any, is the cause,
// for support staff.
type Refusal struct {
	Zh, En string
	Err    error
}

func (r *Refusal) Error() string {
	if r.Err != nil {
		return r.En + ": " + r.Err.Error()
	}
	return r.En
}

func (r *Refusal) Unwrap() error { return r.Err }

// Refuse words a refusal; zh and en are formats for args.
func Refuse(err error, zh, en string, args ...any) error {
	return &Refusal{Zh: fmt.Sprintf(zh, args...), En: fmt.Sprintf(en, args...), Err: err}
}

func refuse(err error, zh, en string, args ...any) error { return Refuse(err, zh, en, args...) }

// NewIdemKey returns a fresh idempotency key for a record that is made
// once per request, not once per thing (an unlock, a count of the drawer).
func NewIdemKey(prefix string) string {
	b := make([]byte, 12)
	rand.Read(b)
	return prefix + ":" + hex.EncodeToString(b)
}

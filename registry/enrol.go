package registry

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"regexp"
	"strings"
	"unicode"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/money"
	"golang.org/x/mod/sumdb/note"
)

// Enrolment is what the post office records when a station joins.
type Enrolment struct {
	Station    string          // T0001: as the station was initialised
	Key        string          // its note verifier key, as station init printed it
	Franchisee string          // who runs the shop
	Deposit    decimal.Decimal // the security deposit held, CNY
	Tariff     string          // the version of the tariff issued to it
}

// stationID is a ledger terminal id: what station init accepts.
var stationID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)

// MaxDeposit bounds a deposit, to catch a slip of the keyboard.
var MaxDeposit = decimal.New(10_000_000, 0)

// Enrol records a new station. Every field is checked before anything is
// written; a station id is enrolled once.
func (r *Registry) Enrol(ctx context.Context, e Enrolment) (Station, error) {
	s, err := r.checkEnrolment(ctx, e)
	if err != nil {
		return Station{}, err
	}
	err = r.store.Update(ctx, func(tx Tx) error { return addStation(tx, &s) })
	if err != nil {
		return Station{}, err
	}
	return s, nil
}

// addStation adds a new station; one enrolled already is refused.
func addStation(tx Tx, s *Station) error {
	added, err := tx.AddStation(s)
	if err == nil && !added {
		err = refuse(ErrExists, s.ID, "station %s is enrolled already", s.ID)
	}
	return err
}

// checkEnrolment checks every field of e and returns the station it
// enrols.
func (r *Registry) checkEnrolment(ctx context.Context, e Enrolment) (Station, error) {
	bad := func(format string, args ...any) (Station, error) {
		return Station{}, refuse(ErrInput, e.Station, format, args...)
	}
	if !stationID.MatchString(e.Station) {
		return bad("station: 1 to 32 letters, digits, '.', '_' or '-', starting with a letter or digit")
	}
	key, err := VerifierKey(e.Key)
	if err != nil {
		return bad("pubkey: %v", err)
	}
	if name := strings.SplitN(key, "+", 2)[0]; name != e.Station {
		return bad("pubkey: the key is station %s's, not %s's", name, e.Station)
	}
	if strings.TrimSpace(e.Franchisee) == "" || len([]rune(e.Franchisee)) > 64 || strings.IndexFunc(e.Franchisee, unicode.IsControl) >= 0 {
		return bad("franchisee: the name of who runs the shop, 1 to 64 characters on one line")
	}
	if e.Deposit.IsNegative() || e.Deposit.GreaterThan(MaxDeposit) || !e.Deposit.Equal(e.Deposit.Round(2)) {
		return bad("deposit: an amount in yuan from 0 to %s, at most two decimals", money.FormatWire(MaxDeposit))
	}
	if e.Tariff == "" {
		return bad("tariff: the tariff issued to the station")
	}
	if _, err := r.Tariff(ctx, e.Tariff); err != nil {
		return bad("tariff: %v; issue it first", err)
	}
	s := Station{
		ID: e.Station, Franchisee: strings.TrimSpace(e.Franchisee), Deposit: e.Deposit, Tariff: e.Tariff,
		Key: key, Enrolled: r.stamp(), Status: Active,
	}
	s.Keys = []KeyChange{{Key: key, From: 1, At: s.Enrolled}}
	return s, nil
}

// VerifierKey reads a station key as station init prints it for
// enrolment (T0001+hash+base64) and returns it in that form.
func VerifierKey(s string) (string, error) {
	s = strings.TrimSpace(s)
	if _, err := note.NewVerifier(s); err != nil {
		return "", errBadKey
	}
	pub, err := PublicKey(s)
	if err != nil {
		return "", err
	}
	// The base64 reader skips line breaks, so a key pasted across two
	// lines verifies; the registry keeps it as one line, as station init
	// printed it, since files name their key that way.
	return keyfile.VerifierKey(strings.SplitN(s, "+", 2)[0], pub)
}

type keyError string

func (e keyError) Error() string { return string(e) }

const errBadKey = keyError("not a station key: copy the line station init printed (T0001+…+…) exactly")

// PublicKey returns the Ed25519 key in a verifier key.
func PublicKey(key string) (ed25519.PublicKey, error) {
	parts := strings.SplitN(key, "+", 3)
	if len(parts) != 3 {
		return nil, errBadKey
	}
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) != 1+ed25519.PublicKeySize || raw[0] != 1 {
		return nil, errBadKey
	}
	return ed25519.PublicKey(raw[1:]), nil
}

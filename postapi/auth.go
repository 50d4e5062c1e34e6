package postapi

import (
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// Rules a request can break. Each answer that refuses a request names
// one in Error.Rule.
const (
	RuleHeaders   = "headers"         // a Bianmin- header is missing or malformed
	RuleUnknown   = "unknown_station" // no station is enrolled under that id
	RuleRetired   = "retired"         // the station was retired
	RuleOldKey    = "rotated_key"     // signed with a key the station no longer uses
	RuleSignature = "signature"       // the signature does not verify with the station's key
	RuleStale     = "stale"           // the time is more than MaxSkew from the server's
	RuleReplayed  = "replayed"        // the nonce was seen before
	RuleTooLarge  = "too_large"       // the body is over MaxBody
	RuleSlow      = "slow"            // the request was not sent in time
	RuleBadQuery  = "bad_query"       // a query parameter is missing or malformed
	RuleNotFound  = "not_found"       // nothing there (no tariff issued, no such path)
	RuleMethod    = "method"          // the path does not take that method
	RuleBusy      = "busy"            // the post office could not answer now; send again later
)

// Error is a request refused, with the rule it broke, the HTTP status it
// is answered with, and a sentence for a person in Chinese and English.
type Error struct {
	Rule   string `json:"rule"`
	Status int    `json:"-"`
	ZH     string `json:"zh"`
	EN     string `json:"en"`
}

func (e *Error) Error() string {
	return fmt.Sprintf("post office refused the request (%s): %s", e.Rule, e.EN)
}

// Refuse makes an Error.
func Refuse(status int, rule, zh, en string, args ...any) *Error {
	return &Error{Rule: rule, Status: status, ZH: fmt.Sprintf(zh, args...), EN: fmt.Sprintf(en, args...)}
}

// Auth is a request's Bianmin- headers, read.
type Auth struct {
	Station   string
	Time      time.Time
	When      string // Time as sent
	Nonce     string
	Signature []byte
}

// ParseAuth reads the Bianmin- headers of a request.
func ParseAuth(h http.Header) (Auth, error) {
	bad := func(name, rule string) (Auth, error) {
		return Auth{}, Refuse(http.StatusUnauthorized, RuleHeaders, "请求头 %s 不对：%s。", "header %s: %s.", name, rule)
	}
	a := Auth{Station: h.Get(HeaderStation), When: h.Get(HeaderTime), Nonce: h.Get(HeaderNonce)}
	if !validStation(a.Station) {
		return bad(HeaderStation, "want a station id of 1 to 32 letters, digits, - or _")
	}
	t, err := time.Parse(TimeFormat, a.When)
	if err != nil || t.Format(TimeFormat) != a.When {
		return bad(HeaderTime, "want UTC time to the second, as 2026-12-05T13:00:00Z")
	}
	a.Time = t
	if !validNonce(a.Nonce) {
		return bad(HeaderNonce, "want 32 lowercase hex digits")
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(h.Get(HeaderSignature))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return bad(HeaderSignature, "want the base64 of a 64-byte Ed25519 signature")
	}
	a.Signature = sig
	return a, nil
}

func validStation(s string) bool {
	if len(s) == 0 || len(s) > 32 {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func validNonce(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Keys are a station's keys as the post office knows them: the one in
// force and those it used before.
type Keys struct {
	InForce ed25519.PublicKey
	Old     []ed25519.PublicKey
}

// Check verifies a request's signature with the station's keys and its
// time against now. It does not look at the nonce: the server remembers
// nonces, and only those of requests that verified.
func (a Auth) Check(method, uri string, body []byte, keys Keys, now time.Time) error {
	msg := RequestMessage(a.Station, method, uri, a.When, a.Nonce, body)
	if !ed25519.Verify(keys.InForce, msg, a.Signature) {
		for _, old := range keys.Old {
			if ed25519.Verify(old, msg, a.Signature) {
				return Refuse(http.StatusUnauthorized, RuleOldKey, "这个请求是用服务站换下来的旧密钥签的，不再有效；请用现在的密钥。",
					"the request is signed with a key station %s no longer uses; sign with the key in force.", a.Station)
			}
		}
		return Refuse(http.StatusUnauthorized, RuleSignature, "请求的签名对不上服务站 %s 登记的密钥：请求在路上被改过，或不是这个服务站发的。",
			"the signature does not verify with the key enrolled for station %s: the request was changed on the way, or another sent it.", a.Station)
	}
	if d := now.Sub(a.Time); d > MaxSkew || d < -MaxSkew {
		return Refuse(http.StatusUnauthorized, RuleStale, "请求的时间 %s 和邮政的时间 %s 差了 %s 以上：请把电脑的时间对准后再发。",
			"the request's time %s is more than %s from the post office's %s: set the computer's clock right and send again.",
			a.When, now.UTC().Format(TimeFormat), MaxSkew)
	}
	return nil
}

// Sign adds the Bianmin- headers of a signed request to h.
func Sign(h http.Header, priv ed25519.PrivateKey, station, method, uri string, now time.Time, nonce string, body []byte) {
	when := now.UTC().Format(TimeFormat)
	h.Set(HeaderStation, station)
	h.Set(HeaderTime, when)
	h.Set(HeaderNonce, nonce)
	h.Set(HeaderSignature, base64.StdEncoding.EncodeToString(ed25519.Sign(priv, RequestMessage(station, method, uri, when, nonce, body))))
}

// SignResponse returns the Bianmin-Signature of an answer.
func SignResponse(postoffice note.Signer, station, nonce string, status int, body []byte) (string, error) {
	sig, err := postoffice.Sign(ResponseMessage(station, nonce, status, body))
	if err != nil {
		return "", fmt.Errorf("postapi: sign the answer: %w", err)
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// ErrForgedAnswer means an answer is not signed by the post office the
// station trusts, or not for the request it was sent for.
var ErrForgedAnswer = fmt.Errorf("postapi: the answer is not signed by this station's post office for this request")

// CheckResponse verifies an answer's signature with the post office's
// verifier key.
func CheckResponse(h http.Header, postoffice note.Verifier, station, nonce string, status int, body []byte) error {
	sig, err := base64.StdEncoding.Strict().DecodeString(h.Get(HeaderSignature))
	if err != nil || !postoffice.Verify(ResponseMessage(station, nonce, status, body), sig) {
		return ErrForgedAnswer
	}
	return nil
}

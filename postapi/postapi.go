// Package postapi is the protocol between a station and its post office
// over HTTP (docs/postoffice-api.md): the paths, the answers, how a
// station signs each request with its station key and how the post
// office signs each answer with its own.
//
// A request carries four headers:
//
//	Bianmin-Station:   T0001
//	Bianmin-Time:      2026-12-05T13:00:00Z        (UTC, to the second)
//	Bianmin-Nonce:     32 lowercase hex digits      (16 random bytes, never reused)
//	Bianmin-Signature: base64 of the Ed25519 signature of RequestMessage
//
// signed by the station key the post office enrolled. An answer carries
//
//	Bianmin-Signature: base64 of the Ed25519 signature of ResponseMessage
//
// by the post office key the station has trusted since station init, over
// the request's nonce, the status and the body: an answer cannot be forged,
// nor replayed to another request, by anyone on the way.
package postapi

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
)

// Paths of the station API.
const (
	PathDays    = "/api/v1/days"    // POST a day file (the .bms bytes): its Outcome
	PathAcks    = "/api/v1/acks"    // GET ?after=YYYY-MM-DD: the acknowledgements of later days
	PathTariff  = "/api/v1/tariff"  // GET: the signed tariff issued to the station
	PathResults = "/api/v1/results" // GET ?month=YYYY-MM: its reconciliation exceptions and statement
)

// Limits the server holds requests to.
const (
	MaxBody = 8 << 20         // bytes of a request body (a busy station's day is well under 1 MiB)
	MaxSkew = 5 * time.Minute // how far a request's time may be from the server's clock
)

// Header names.
const (
	HeaderStation   = "Bianmin-Station"
	HeaderTime      = "Bianmin-Time"
	HeaderNonce     = "Bianmin-Nonce"
	HeaderSignature = "Bianmin-Signature"
)

// RequestMessage is what a station signs for a request: the fixed first
// line, then the station id, the method, the path with its query as sent,
// the time, the nonce and the SHA-256 of the body in lowercase hex, each
// on its own line ending in a newline.
func RequestMessage(station, method, uri, when, nonce string, body []byte) []byte {
	sum := sha256.Sum256(body)
	return fmt.Appendf(nil, "bianmin-request-v1\n%s\n%s\n%s\n%s\n%s\n%s\n", station, method, uri, when, nonce, hex.EncodeToString(sum[:]))
}

// ResponseMessage is what the post office signs for an answer: the fixed
// first line, the station id and nonce of the request it answers, the
// HTTP status as three digits and the SHA-256 of the body in lowercase
// hex, each on its own line ending in a newline.
func ResponseMessage(station, nonce string, status int, body []byte) []byte {
	sum := sha256.Sum256(body)
	return fmt.Appendf(nil, "bianmin-response-v1\n%s\n%s\n%03d\n%s\n", station, nonce, status, hex.EncodeToString(sum[:]))
}

// TimeFormat is how Bianmin-Time is written.
const TimeFormat = "2006-01-02T15:04:05Z"

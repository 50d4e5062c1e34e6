package postapi

// Outcome is the post office's answer to an uploaded day file: what
// postoffice import would have decided for it.
type Outcome struct {
	// Result is one of accepted, replay, held, fork or refused.
	Result  string `json:"result"`
	Station string `json:"station,omitempty"`
	Day     string `json:"day,omitempty"` // YYYY-MM-DD
	Entries int    `json:"entries,omitempty"`
	// Ack is the signed acknowledgement (accepted, and replay of an
	// accepted day), as postoffice import writes it to acks/.
	Ack string `json:"ack,omitempty"`
	// Rule is the kind of rule a refused file broke (as the registry names
	// it: bad_file, wrong_key, retired, ...); ZH and EN say it for a person.
	Rule string `json:"rule,omitempty"`
	ZH   string `json:"zh,omitempty"`
	EN   string `json:"en,omitempty"`
	// Also lists days held before that this file let in (each accepted).
	Also []Outcome `json:"also,omitempty"`
}

// Results of an upload.
const (
	Accepted = "accepted"
	Replay   = "replay"
	Held     = "held"
	Fork     = "fork"
	Refused  = "refused"
)

// Acks answers GET PathAcks: each acknowledgement the post office signed
// for the station for a day after the one asked, oldest first.
type Acks struct {
	Acks []string `json:"acks"`
}

// Tariff answers GET PathTariff: the signed tariff the station is on, as
// postoffice tariff sign wrote it.
type Tariff struct {
	Version string `json:"version"`
	Signed  string `json:"signed"`
}

// Refusal is the body of any answer that refuses a request.
type Refusal struct {
	Error *Error `json:"error"`
}

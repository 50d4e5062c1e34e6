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

// Results answers GET PathResults: what the post office found for the
// station in a month, for the station's own screen.
type Results struct {
	Month      string      `json:"month"` // YYYY-MM
	Statement  Statement   `json:"statement"`
	Exceptions []Exception `json:"exceptions"`
	// Decisions are the post office's signed decisions on the station's
	// disputes (docs/postoffice.md), every one so far whatever the month;
	// the station checks each with the post office key and records it once.
	Decisions []string `json:"decisions"`
	// Handovers are the hand-over documents the post office signed when
	// it enrolled this station to take over from retired ones (package
	// handover), every one so far whatever the month, in order of the
	// station taken over: the same bytes as the file postoffice enrol
	// --succeeds writes for the USB stick. Empty for a station that took
	// over from nobody. The station checks each with the post office key
	// and loads it once.
	Handovers []string `json:"handovers"`
}

// Statement is the station's month as the post office's statement has it.
// Amounts are yuan with two decimals.
type Statement struct {
	Days           int           `json:"days"` // accepted business days
	Count          int64         `json:"count"`
	Amount         string        `json:"amount"`
	Fees           string        `json:"fees"`
	Commission     string        `json:"commission"`
	OwedOpen       string        `json:"owed_open"`       // what the post office owed the shop before the month (negative: the shop owed)
	OwedClose      string        `json:"owed_close"`      // and after it
	Deposit        string        `json:"deposit"`         // the deposit held
	DepositBalance string        `json:"deposit_balance"` // the deposit plus owed_close: what the franchisee would get back
	Daily          []DailyAmount `json:"daily"`           // the commission of each accepted day
}

// DailyAmount is one day's figure.
type DailyAmount struct {
	Day    string `json:"day"`
	Amount string `json:"amount"`
}

// Exception is a disagreement the post office's reconciliation found on
// one of the station's requests, with what the shopkeeper should do.
type Exception struct {
	Date          string `json:"date"` // the business day reconciled
	Kind          string `json:"kind"` // as docs/postoffice.md names them: missing_at_host, amount_mismatch, ...
	Trace         string `json:"trace"`
	Service       string `json:"service"`
	StationAmount string `json:"station_amount"`
	HostAmount    string `json:"host_amount"`
	ZH            string `json:"zh"` // what happened and what to do, for the shopkeeper
	EN            string `json:"en"`
	By            string `json:"by"` // YYYY-MM-DD: answer the post office by then
}

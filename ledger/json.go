package ledger

import (
	"encoding/hex"
	"encoding/json"
)

// jsonEntry is the JSON form of an entry shown by `station ledger show
// --json`. The signed form is the canonical encoding, not this.
type jsonEntry struct {
	Seq      uint64          `json:"seq"`
	Time     string          `json:"time"`
	Day      string          `json:"day"`
	Terminal string          `json:"terminal"`
	Operator string          `json:"operator"`
	Kind     string          `json:"kind"`
	IdemKey  string          `json:"idem_key"`
	Payload  json.RawMessage `json:"payload,omitempty"`
	Postings []jsonPosting   `json:"postings"`
	Prev     string          `json:"prev"`
	Hash     string          `json:"hash"`
	Sig      string          `json:"sig"`
}

type jsonPosting struct {
	Account   string `json:"account"`
	Side      string `json:"side"`
	Commodity string `json:"commodity"`
	Amount    string `json:"amount"`
}

// MarshalJSON writes the entry with amounts as canonical text and hashes
// and signature in hex.
func (e Entry) MarshalJSON() ([]byte, error) {
	j := jsonEntry{
		Seq: e.Seq, Time: e.Time.UTC().Format("2006-01-02T15:04:05.000Z"), Day: e.Day,
		Terminal: e.Terminal, Operator: e.Operator, Kind: e.Kind, IdemKey: e.IdemKey,
		Postings: []jsonPosting{},
		Prev:     hex.EncodeToString(e.Prev[:]), Hash: hex.EncodeToString(e.Hash[:]), Sig: hex.EncodeToString(e.Sig[:]),
	}
	if len(e.Payload) > 0 {
		j.Payload = e.Payload
	}
	for _, p := range e.Postings {
		j.Postings = append(j.Postings, jsonPosting{p.Account, string(p.Side), p.Commodity, AmountText(p.Commodity, p.Amount)})
	}
	return json.Marshal(j)
}

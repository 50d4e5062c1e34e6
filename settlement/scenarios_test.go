package settlement_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/settlement"
	"golang.org/x/mod/sumdb/note"
)

var update = flag.Bool("update", false, "rewrite testdata/scenarios")

const scenarios = "testdata/scenarios"

// verdict is what a conformance vector must get from a reader.
type verdict struct {
	File    string `json:"file"`
	About   string `json:"about"`
	Prev    string `json:"prev"`    // the checkpoint the day must follow: seq/hash
	Verdict string `json:"verdict"` // ok, format, or a VerifyError kind
	Seq     uint64 `json:"seq,omitempty"`
}

type vectors struct {
	Station    string       `json:"station"`
	PublicKey  string       `json:"public_key"` // base64
	Vectors    []verdict    `json:"vectors"`
	PostOffice string       `json:"postoffice_key"` // the note verifier key that signs the acks
	Acks       []ackVerdict `json:"acks"`
}

// ackVerdict is what an acknowledgement vector must get from a reader:
// ok with what it says, or signature.
type ackVerdict struct {
	File    string `json:"file"`
	About   string `json:"about"`
	Verdict string `json:"verdict"`
	Station string `json:"station,omitempty"`
	Last    string `json:"last,omitempty"` // seq/hash
	Day     string `json:"day,omitempty"`
}

// TestScenarios runs the reader over every conformance vector in
// testdata/scenarios and checks its verdict. With -update it first
// writes them anew from the three test days.
func TestScenarios(t *testing.T) {
	if *update {
		writeScenarios(t)
	}
	data, err := os.ReadFile(filepath.Join(scenarios, "verdicts.json"))
	if err != nil {
		t.Fatalf("%v (go test ./settlement -run TestScenarios -update writes them)", err)
	}
	var v vectors
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	pub, err := base64.StdEncoding.DecodeString(v.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Vectors) < 10 {
		t.Fatalf("only %d vectors", len(v.Vectors))
	}
	for _, x := range v.Vectors {
		t.Run(strings.TrimSuffix(x.File, ".bms"), func(t *testing.T) {
			file, err := os.ReadFile(filepath.Join(scenarios, x.File))
			if err != nil {
				t.Fatal(err)
			}
			_, err = settlement.Verify(file, ed25519.PublicKey(pub), parseCheckpoint(t, x.Prev))
			got, seq := "ok", uint64(0)
			var fe *settlement.FormatError
			var ve *settlement.VerifyError
			switch {
			case errors.As(err, &fe):
				got = "format"
			case errors.As(err, &ve):
				got, seq = ve.Kind, ve.Seq
			case err != nil:
				t.Fatalf("an error of no known kind: %v", err)
			}
			if got != x.Verdict || (x.Seq != 0 && seq != x.Seq) {
				t.Errorf("%s (%s): got %s at %d (%v), want %s at %d", x.File, x.About, got, seq, err, x.Verdict, x.Seq)
			}
		})
	}
}

// TestAckVectors checks the acknowledgement vectors: the intact one opens
// under the post office key and says what verdicts.json says; the changed
// one does not open.
func TestAckVectors(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(scenarios, "verdicts.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	verifier, err := note.NewVerifier(v.PostOffice)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Acks) < 2 {
		t.Fatalf("only %d acknowledgement vectors", len(v.Acks))
	}
	for _, x := range v.Acks {
		t.Run(x.File, func(t *testing.T) {
			msg, err := os.ReadFile(filepath.Join(scenarios, x.File))
			if err != nil {
				t.Fatal(err)
			}
			a, err := settlement.OpenAck(msg, verifier)
			switch x.Verdict {
			case "ok":
				if err != nil {
					t.Fatalf("%s: %v", x.About, err)
				}
				if a.Station != x.Station || a.Last != parseCheckpoint(t, x.Last) || a.Day != x.Day {
					t.Errorf("%s: read %+v, want %s %s %s", x.About, a, x.Station, x.Last, x.Day)
				}
			case "signature":
				if !errors.Is(err, settlement.ErrAckSignature) {
					t.Errorf("%s: got %v, want the signature refused", x.About, err)
				}
			default:
				t.Fatalf("verdict %q", x.Verdict)
			}
		})
	}
}

func parseCheckpoint(t *testing.T, s string) ledger.Checkpoint {
	t.Helper()
	seq, h, _ := strings.Cut(s, "/")
	n, err := strconv.ParseUint(seq, 10, 64)
	b, herr := hex.DecodeString(h)
	if err != nil || herr != nil || len(b) != ledger.HashSize {
		t.Fatalf("checkpoint %q", s)
	}
	var c ledger.Checkpoint
	c.Seq = n
	copy(c.Hash[:], b)
	return c
}

// writeScenarios makes the vectors: the three test days intact, and
// files a dishonest station (who holds its own key) or a thief (who does
// not) might hand in.
func writeScenarios(t *testing.T) {
	st := threeDays(t)
	d1, _ := settlement.Parse(st.files[0])
	d2, _ := settlement.Parse(st.files[1])
	zero := ledger.Checkpoint{}
	other := ed25519.NewKeyFromSeed([]byte("another station's key, not T0001"))
	var v vectors
	v.Station, v.PublicKey = "T0001", base64.StdEncoding.EncodeToString(stationPub)
	add := func(name, about string, data []byte, prev ledger.Checkpoint, want string, seq uint64) {
		if err := os.WriteFile(filepath.Join(scenarios, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		v.Vectors = append(v.Vectors, verdict{File: name, About: about, Prev: prev.String(), Verdict: want, Seq: seq})
	}
	os.RemoveAll(scenarios)
	if err := os.MkdirAll(scenarios, 0o755); err != nil {
		t.Fatal(err)
	}
	add("intact-day1.bms", "the station's first day, as written", st.files[0], zero, "ok", 0)
	add("intact-day2.bms", "the second day (closed late, a payment carried over), after day 1", st.files[1], d1.Last, "ok", 0)
	add("intact-day3.bms", "the third day, after day 2", st.files[2], d2.Last, "ok", 0)

	// An entry taken out; the station re-signs the file.
	f := clone(t, st.files[0])
	gone := f.Records[3].Seq
	f.Records = append(f.Records[:3], f.Records[4:]...)
	add("deleted.bms", fmt.Sprintf("entry %d deleted, the file re-signed", gone), sign(t, f, stationKey), zero, settlement.BadEntry, gone)

	// An entry's bytes rewritten (its operator), its hash left as it was.
	f = clone(t, st.files[0])
	e := entry(t, f, 4)
	e.Operator = "OP9"
	f.Records[4].Raw = append(ledger.Encode(&e), f.Records[4].Raw[len(f.Records[4].Raw)-ledger.HashSize-ledger.SigSize:]...)
	add("rewritten.bms", fmt.Sprintf("entry %d rewritten (operator), the file re-signed", e.Seq), sign(t, f, stationKey), zero, settlement.BadEntry, e.Seq)

	// Two entries swapped.
	f = clone(t, st.files[0])
	f.Records[3], f.Records[4] = f.Records[4], f.Records[3]
	add("reordered.bms", "two entries swapped, the file re-signed", sign(t, f, stationKey), zero, settlement.BadEntry, f.Records[4].Seq)

	// The file cut short on the way.
	add("truncated.bms", "the file cut off half way", st.files[0][:len(st.files[0])/2], zero, "format", 0)

	// A day with its tail cut off: the day_close and what follows gone,
	// the station re-signs what is left.
	f = clone(t, st.files[0])
	f.Records = f.Records[:len(f.Records)-2]
	f.Last = checkpointOf(t, f, len(f.Records)-1)
	add("truncated-tail.bms", "the last two entries (with the day_close) dropped, the file re-signed", sign(t, f, stationKey), zero, settlement.BadClose, f.Last.Seq)

	// An entry that repeats another's idempotency key, the chain re-sealed
	// with the station's own key.
	f = clone(t, st.files[0])
	es := entries(t, f)
	es[5].IdemKey = es[4].IdemKey
	e = es[5]
	reseal(t, f, es, 5, stationKey)
	add("duplicate-idem.bms", fmt.Sprintf("entry %d repeats the idempotency key of entry %d, re-sealed with the station key", e.Seq, e.Seq-1), sign(t, f, stationKey), zero, settlement.BadDuplicate, e.Seq)

	// A posting changed so the entry no longer balances, re-sealed.
	f = clone(t, st.files[0])
	es = entries(t, f)
	i := withPostings(t, es)
	es[i].Postings[0].Amount = es[i].Postings[0].Amount.Add(decimalCent)
	e = es[i]
	reseal(t, f, es, i, stationKey)
	add("unbalanced.bms", fmt.Sprintf("entry %d's first posting raised by 0.01 so it does not balance, re-sealed", e.Seq), sign(t, f, stationKey), zero, settlement.BadEntry, e.Seq)

	// The whole day signed by another key.
	f = clone(t, st.files[1])
	reseal(t, f, entries(t, f), 0, other)
	f.Key, f.Fingerprint = verifierKey(t, other), "0000-0000-0000-0000"
	add("wrong-key.bms", "day 2 with every entry and the file signed by a key that is not the station's", sign(t, f, other), d1.Last, settlement.BadStation, 0)

	// Day 2 hung on to something other than day 1's end.
	f = clone(t, st.files[1])
	f.Prev.Hash[0] ^= 0xff
	reseal(t, f, entries(t, f), 0, stationKey)
	add("broken-chain.bms", "day 2 chained to a hash that is not day 1's last, re-sealed with the station key", sign(t, f, stationKey), d1.Last, settlement.BadChain, 0)

	// A day's figures that do not add up: the stated expected cash raised.
	f = clone(t, st.files[0])
	f.Close.Cash.Expected = f.Close.Cash.Expected.Add(decimalCent)
	add("figures.bms", "the file states expected cash 0.01 above what the entries give, re-signed", sign(t, f, stationKey), zero, settlement.BadFigures, 0)

	// The right key, but another seal number on the file.
	f = clone(t, st.files[0])
	f.Fingerprint = "0000-0000-0000-0000"
	add("wrong-fingerprint.bms", "day 1 with the fingerprint line changed, the file re-signed", sign(t, f, stationKey), zero, settlement.BadStation, 0)

	// An entry moved to another business day, re-sealed.
	f = clone(t, st.files[0])
	es = entries(t, f)
	es[4].Day = "2026-11-21"
	e = es[4]
	reseal(t, f, es, 4, stationKey)
	add("other-day.bms", fmt.Sprintf("entry %d says business day 2026-11-21 in the file of 2026-11-20, re-sealed", e.Seq), sign(t, f, stationKey), zero, settlement.BadDay, e.Seq)

	// An entry made by another terminal, re-sealed.
	f = clone(t, st.files[0])
	es = entries(t, f)
	es[2].Terminal = "T0002"
	e = es[2]
	reseal(t, f, es, 2, stationKey)
	add("other-terminal.bms", fmt.Sprintf("entry %d's terminal field says T0002 in a file of station T0001, re-sealed", e.Seq), sign(t, f, stationKey), zero, settlement.BadDay, e.Seq)

	// The file's tariff line no longer what the day_close says.
	f = clone(t, st.files[0])
	f.Tariff, f.Close.Tariff = "", ""
	add("close-differs.bms", "the tariff line changed to -, while the day_close says DEMO-2026-11; re-signed", sign(t, f, stationKey), zero, settlement.BadClose, d1.Last.Seq)

	// The post office's acknowledgement of day 1, and one changed after signing.
	po := ed25519.NewKeyFromSeed([]byte("settlement tests post office 32b"))
	skey, err := keyfile.SignerKey("xinyang-postoffice", po)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	v.PostOffice, err = keyfile.VerifierKey("xinyang-postoffice", po.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	ack := settlement.Ack{Station: "T0001", Last: d1.Last, Day: d1.Day}
	msg, err := settlement.SignAck(ack, signer)
	if err != nil {
		t.Fatal(err)
	}
	addAck := func(name, about string, data []byte, want string) {
		if err := os.WriteFile(filepath.Join(scenarios, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		x := ackVerdict{File: name, About: about, Verdict: want}
		if want == "ok" {
			x.Station, x.Last, x.Day = ack.Station, ack.Last.String(), ack.Day
		}
		v.Acks = append(v.Acks, x)
	}
	addAck("ack-day1.note", "the post office's acknowledgement of day 1", msg, "ok")
	addAck("ack-changed.note", "the same acknowledgement with its size changed from 7 to 8 after signing",
		bytes.Replace(msg, []byte("\n7\n"), []byte("\n8\n"), 1), "signature")

	out, _ := json.MarshalIndent(v, "", "  ")
	if err := os.WriteFile(filepath.Join(scenarios, "verdicts.json"), append(out, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

func clone(t *testing.T, data []byte) *settlement.File {
	t.Helper()
	f, err := settlement.Parse(bytes.Clone(data))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func sign(t *testing.T, f *settlement.File, key ed25519.PrivateKey) []byte {
	t.Helper()
	b, err := f.Sign(key)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func entry(t *testing.T, f *settlement.File, i int) ledger.Entry {
	t.Helper()
	return entries(t, f)[i]
}

// entries decodes every record of f (without the ledger's checks).
func entries(t *testing.T, f *settlement.File) []ledger.Entry {
	t.Helper()
	out := make([]ledger.Entry, len(f.Records))
	for i, r := range f.Records {
		e, err := ledger.DecodeRecord(r.Raw)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = e
	}
	return out
}

// reseal writes es back into f, re-chaining and re-signing the entries
// from i on with key, as a station holding that key could, and moves the
// file's end to match.
func reseal(t *testing.T, f *settlement.File, es []ledger.Entry, i int, key ed25519.PrivateKey) {
	t.Helper()
	prev := f.Prev.Hash
	if i > 0 {
		prev = es[i-1].Hash
	}
	for j := i; j < len(es); j++ {
		e := &es[j]
		e.Hash = ledger.ChainHash(prev, ledger.Encode(e))
		copy(e.Sig[:], ed25519.Sign(key, e.Hash[:]))
		f.Records[j].Raw = ledger.EncodeRecord(e)
		prev = e.Hash
	}
	last := es[len(es)-1]
	f.Last = ledger.Checkpoint{Seq: last.Seq, Hash: last.Hash}
}

func checkpointOf(t *testing.T, f *settlement.File, i int) ledger.Checkpoint {
	e := entry(t, f, i)
	return ledger.Checkpoint{Seq: e.Seq, Hash: e.Hash}
}

func withPostings(t *testing.T, es []ledger.Entry) int {
	for i, e := range es {
		if len(e.Postings) > 0 && e.Kind != ledger.KindGenesis {
			return i
		}
	}
	t.Fatal("no entry with postings")
	return 0
}

var decimalCent = decimal.New(1, -2)

func verifierKey(t *testing.T, key ed25519.PrivateKey) string {
	t.Helper()
	k, err := keyfile.VerifierKey("T0001", key.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

package ledger_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
)

// verdictVectors is testdata/verdicts.json: runs of records made from the
// golden vector, each with the verdict a verifier must reach
// (docs/ledger-format.md §9).
type verdictVectors struct {
	PublicKey string          `json:"public_key"` // hex: the key of the golden vector
	Vectors   []verdictVector `json:"vectors"`
}

type verdictVector struct {
	Name     string         `json:"name"`
	About    string         `json:"about"`
	Enrolled string         `json:"enrolled_key,omitempty"` // hex; empty: trust the genesis key
	Records  []storedRecord `json:"records"`
	Verdict  string         `json:"verdict"` // ok, or the kind of failure
	Seq      uint64         `json:"seq"`     // the last entry when ok, else the entry named
}

type storedRecord struct {
	Seq    uint64 `json:"seq"`    // the number it is stored under
	Record string `json:"record"` // hex
}

const verdictsFile = "testdata/verdicts.json"

// TestVerdictVectors runs the verifier over every vector of
// testdata/verdicts.json. With -update they are written anew first.
func TestVerdictVectors(t *testing.T) {
	if *update {
		writeVerdictVectors(t)
	}
	data, err := os.ReadFile(verdictsFile)
	if err != nil {
		t.Fatalf("%v (go test ./ledger -run TestVerdictVectors -update writes it)", err)
	}
	var vs verdictVectors
	if err := json.Unmarshal(data, &vs); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, x := range vs.Vectors {
		t.Run(x.Name, func(t *testing.T) {
			var key ed25519.PublicKey
			if x.Enrolled != "" {
				key = mustHex(t, x.Enrolled)
			}
			v := ledger.NewVerifier(key, ledger.Checkpoint{})
			var err error
			for _, r := range x.Records {
				if err = v.Add(r.Seq, mustHex(t, r.Record)); err != nil {
					break
				}
			}
			last, ferr := v.Finish()
			if err == nil {
				err = ferr
			}
			got, seq := "ok", last.Seq
			var ve *ledger.VerifyError
			switch {
			case errors.As(err, &ve):
				got, seq = ve.Kind, ve.Seq
			case err != nil:
				t.Fatalf("an error of no known kind: %v", err)
			}
			if got != x.Verdict || seq != x.Seq {
				t.Errorf("%s: got %s at %d (%v), want %s at %d", x.About, got, seq, err, x.Verdict, x.Seq)
			}
			seen[got] = true
		})
	}
	for _, k := range []string{"ok", ledger.BadGap, ledger.BadDecode, ledger.BadHash, ledger.BadUnbalanced, ledger.BadGenesis, ledger.BadSignature} {
		if !seen[k] {
			t.Errorf("no vector gets %s", k)
		}
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeVerdictVectors changes the golden vector's three records in the
// ways a verifier must catch; "re-sealed" records get their hash and
// signature made anew with the key, as the station holding it could.
func writeVerdictVectors(t *testing.T) {
	data, err := os.ReadFile("testdata/vector-v1.json")
	if err != nil {
		t.Fatal(err)
	}
	var g vector
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	recs := make([][]byte, len(g.Records))
	for i, r := range g.Records {
		recs[i] = mustHex(t, r)
	}
	entry := func(i int) ledger.Entry {
		e, err := ledger.DecodeRecord(recs[i])
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	// seal re-hashes body after record i-1 and signs it with key.
	seal := func(i int, body []byte, key ed25519.PrivateKey) []byte {
		var prev [ledger.HashSize]byte
		if i > 0 {
			copy(prev[:], recs[i-1][len(recs[i-1])-96:])
		}
		h := ledger.ChainHash(prev, body)
		return append(append(bytes.Clone(body), h[:]...), ed25519.Sign(key, h[:])...)
	}
	run := func(rs ...[]byte) []storedRecord {
		out := make([]storedRecord, len(rs))
		for i, r := range rs {
			out[i] = storedRecord{uint64(i + 1), hex.EncodeToString(r)}
		}
		return out
	}
	var vs verdictVectors
	vs.PublicKey = g.PublicKey
	add := func(name, about, enrolled string, rs []storedRecord, verdict string, seq uint64) {
		vs.Vectors = append(vs.Vectors, verdictVector{name, about, enrolled, rs, verdict, seq})
	}
	r1, r2, r3 := recs[0], recs[1], recs[2]
	add("intact", "the golden vector, trusting its genesis key", "", run(r1, r2, r3), "ok", 3)
	add("intact-enrolled", "the golden vector, with its key enrolled", g.PublicKey, run(r1, r2, r3), "ok", 3)
	add("missing", "record 2 missing: 1 and 3 stored under 1 and 3", "", []storedRecord{{1, hex.EncodeToString(r1)}, {3, hex.EncodeToString(r3)}}, ledger.BadGap, 2)
	add("swapped", "records 2 and 3 stored in each other's place", "", run(r1, r3, r2), ledger.BadHash, 2)
	changed := bytes.Clone(r2)
	changed[60] ^= 0x01 // inside the idem_key
	add("byte-changed", "one byte of record 2's idem_key changed, its hash kept", "", run(r1, changed, r3), ledger.BadHash, 2)
	add("short", "record 2 cut to 104 bytes", "", run(r1, r2[:104], r3), ledger.BadDecode, 2)

	e2 := entry(1)
	e2.Postings[0].Amount = e2.Postings[0].Amount.Add(decimal.New(1, -2))
	add("unbalanced", "record 2's debit raised by 0.01, re-sealed", "", run(r1, seal(1, ledger.Encode(&e2), testKey)), ledger.BadUnbalanced, 2)
	v2 := ledger.Encode(ptr(entry(1)))
	v2[0] = 2
	add("version-2", "record 2 with version byte 2, re-sealed", "", run(r1, seal(1, v2, testKey)), ledger.BadDecode, 2)
	e2 = entry(1)
	e2.Seq = 3
	add("seq-inside", "record 2 stored under 2 but saying it is 3, re-sealed", "", run(r1, seal(1, ledger.Encode(&e2), testKey)), ledger.BadGap, 2)
	e2 = entry(1)
	e2.Kind = ledger.KindGenesis
	add("second-genesis", "record 2 of kind genesis, re-sealed", "", run(r1, seal(1, ledger.Encode(&e2), testKey)), ledger.BadGenesis, 2)
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize))
	add("other-enrolled", "the golden vector checked against another enrolled key", hex.EncodeToString(other.Public().(ed25519.PublicKey)),
		run(r1, r2, r3), ledger.BadGenesis, 1)
	badSig := bytes.Clone(r3)
	badSig[len(badSig)-1] ^= 0x01
	add("signature", "the last byte of record 3's signature changed", "", run(r1, r2, badSig), ledger.BadSignature, 3)
	add("other-signer", "record 2 re-sealed by another key", "", run(r1, seal(1, r2[:len(r2)-96], other)), ledger.BadSignature, 2)

	out, _ := json.MarshalIndent(vs, "", "  ")
	if err := os.WriteFile(verdictsFile, append(out, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }

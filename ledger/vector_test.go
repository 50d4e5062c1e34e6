package ledger_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"testing"

	"github.com/villagepost/bianmin/ledger"
)

var update = flag.Bool("update", false, "rewrite golden files")

// vector is a small ledger written out so that a verifier in another
// language can be checked against it (docs/ledger-format.md).
type vector struct {
	Seed      string   `json:"private_key_seed"`
	PublicKey string   `json:"public_key"`
	Records   []string `json:"records"` // hex of EncodeRecord, seq 1..n
	Hashes    []string `json:"hashes"`
}

func TestGoldenVector(t *testing.T) {
	s, c := MustCreate(t)
	mustAppend(t, s, cashIn("drawer-open-1120", "2000.00"))
	c.Set(c.Now().Add(90 * 1e9))
	mustAppend(t, s, withdrawal("w-0001", "500.00"))
	var got vector
	got.Seed = hex.EncodeToString(testKey.Seed())
	got.PublicKey = hex.EncodeToString(testKey.Public().(ed25519.PublicKey))
	s.Range(1, 0, func(e ledger.Entry) error {
		got.Records = append(got.Records, hex.EncodeToString(ledger.EncodeRecord(&e)))
		got.Hashes = append(got.Hashes, hex.EncodeToString(e.Hash[:]))
		return nil
	})
	data, _ := json.MarshalIndent(got, "", "  ")
	data = append(data, '\n')
	const file = "testdata/vector-v1.json"
	if *update {
		os.WriteFile(file, data, 0o644)
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if !bytes.Equal(data, want) {
		t.Fatalf("the canonical encoding changed; a format change needs a new version.\ngot:\n%s", data)
	}

	// And the vector verifies with nothing but its public key.
	pub, _ := hex.DecodeString(got.PublicKey)
	v := ledger.NewVerifier(pub, ledger.Checkpoint{})
	for i, r := range got.Records {
		rec, _ := hex.DecodeString(r)
		if err := v.Add(uint64(i+1), rec); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := v.Finish(); err != nil {
		t.Fatal(err)
	}
}

func FuzzDecode(f *testing.F) {
	s, _ := MustCreate(f)
	mustAppend(f, s, withdrawal("w", "500.00"))
	s.Range(1, 0, func(e ledger.Entry) error { f.Add(ledger.Encode(&e)); return nil })
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := ledger.Decode(b)
		if err != nil {
			return
		}
		if again := ledger.Encode(&e); !bytes.Equal(again, b) {
			t.Fatalf("Decode accepted bytes that Encode writes differently:\n in  %x\n out %x", b, again)
		}
	})
}

func FuzzVerifier(f *testing.F) {
	s, _ := MustCreate(f)
	mustAppend(f, s, withdrawal("w", "500.00"))
	var recs [][]byte
	s.Range(1, 0, func(e ledger.Entry) error { recs = append(recs, ledger.EncodeRecord(&e)); return nil })
	f.Add(recs[0], recs[1])
	pub := testKey.Public().(ed25519.PublicKey)
	f.Fuzz(func(t *testing.T, r1, r2 []byte) {
		v := ledger.NewVerifier(pub, ledger.Checkpoint{})
		if v.Add(1, r1) == nil {
			v.Add(2, r2)
		}
		_, err := v.Finish()
		if err == nil && (!bytes.Equal(r1, recs[0]) || !bytes.Equal(r2, recs[1])) {
			t.Fatalf("a changed ledger verified")
		}
	})
}

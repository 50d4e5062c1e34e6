package settlement_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/villagepost/bianmin/internal/doccheck"
	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/settlement"
)

// TestFormatPageExamples checks every example of
// docs/settlement-format.md against the conformance vector it was made
// from, so that the page says what the code writes.
func TestFormatPageExamples(t *testing.T) {
	blocks, err := doccheck.Read("../docs/settlement-format.md")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, b := range blocks {
		seen[b.Check] = true
		if len(b.Args) != 1 {
			t.Fatalf("%s: want one path", b)
		}
		path := filepath.Join("..", b.Args[0])
		switch b.Check {
		case "file", "lines":
			real, err := doccheck.FileLines(path)
			if err != nil {
				t.Fatal(err)
			}
			check := doccheck.InOrder
			if b.Check == "file" {
				check = doccheck.Whole
			}
			if err := check(b.Lines, real); err != nil {
				t.Errorf("%s: %v", b, err)
			}
		case "close-payload":
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f, err := settlement.Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			e, err := ledger.DecodeRecord(f.Records[len(f.Records)-1].Raw)
			if err != nil {
				t.Fatal(err)
			}
			var compact bytes.Buffer
			if err := json.Compact(&compact, []byte(strings.Join(b.Lines, "\n"))); err != nil {
				t.Fatalf("%s: %v", b, err)
			}
			if !bytes.Equal(compact.Bytes(), e.Payload) {
				t.Errorf("%s: the example, without its line breaks, is\n%s\nthe day_close's payload is\n%s", b, compact.Bytes(), e.Payload)
			}
		case "key":
			checkKeyExample(t, b, path)
		default:
			t.Errorf("%s: no such check", b)
		}
	}
	for _, c := range []string{"file", "lines", "close-payload", "key"} {
		if !seen[c] {
			t.Errorf("the page has no %s example", c)
		}
	}
}

// checkKeyExample recomputes the worked key hash, verifier key and
// fingerprint from the vectors' public key.
func checkKeyExample(t *testing.T, b doccheck.Block, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	pub, err := base64.StdEncoding.DecodeString(v.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	vkey, err := keyfile.VerifierKey(v.Station, ed25519.PublicKey(pub))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"name": v.Station, "public key": v.PublicKey, "key hash": strings.Split(vkey, "+")[1],
		"verifier key": vkey, "fingerprint": keyfile.Fingerprint(pub),
	}
	for _, l := range b.Lines {
		i := strings.Index(l, "  ")
		if i < 0 {
			t.Fatalf("%s: line %q is not 'label  value'", b, l)
		}
		label, value := l[:i], strings.TrimSpace(l[i:])
		if w, ok := want[label]; !ok || w != value {
			t.Errorf("%s: %s is %q, want %q", b, label, value, w)
		}
		delete(want, label)
	}
	if len(want) > 0 {
		t.Errorf("%s: the example leaves out %v", b, want)
	}
}

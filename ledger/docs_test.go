package ledger_test

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestFormatPageExample checks the worked example of docs/ledger-format.md
// §11 against the golden vector it was made from: its sizes, hashes,
// signature and public key.
func TestFormatPageExample(t *testing.T) {
	page, err := os.ReadFile("../docs/ledger-format.md")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("testdata/vector-v1.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vector
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	rec, err := hex.DecodeString(v.Records[1])
	if err != nil {
		t.Fatal(err)
	}
	hash, sig := hex.EncodeToString(rec[len(rec)-96:len(rec)-64]), hex.EncodeToString(rec[len(rec)-64:])
	// The page spells out the record's canonical bytes from offset 0 to 155.
	body := hex.EncodeToString(rec[:len(rec)-96])
	for _, want := range []string{
		fmt.Sprintf("Record 2 is %d bytes: %d canonical bytes", len(rec), len(rec)-96),
		"hash_1  " + v.Hashes[0],
		"= " + hash,
		"sig_2 = " + sig[:64],
		sig[64:],
		"public\nkey `" + v.PublicKey[:8] + "…" + v.PublicKey[len(v.PublicKey)-8:] + "`",
		"body    " + body[:2] + " " + body[2:18] + " " + body[18:34],
		"… " + body[len(body)-14:],
	} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the page does not say %q", want)
		}
	}
	if v.Hashes[1] != hash {
		t.Errorf("hashes[1] %s, record 2 ends in %s", v.Hashes[1], hash)
	}
}

package receipts_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/villagepost/bianmin/internal/doccheck"
)

// TestCodePageExamples checks every example of docs/receipt-code.md
// against the vector of receipts/testdata/codes.json it names.
func TestCodePageExamples(t *testing.T) {
	blocks, err := doccheck.Read("../docs/receipt-code.md")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, b := range blocks {
		seen[b.Check] = true
		if len(b.Args) != 2 {
			t.Fatalf("%s: want the vectors' path and a vector's name", b)
		}
		x := codeVectorNamed(t, filepath.Join("..", b.Args[0]), b.Args[1])
		var want []string
		switch b.Check {
		case "code":
			want = []string{x.Code}
		case "signed":
			want = []string{"bianmin-receipt-v1", x.Code[:strings.LastIndex(x.Code, "|")+1]}
		case "printed":
			want = x.Printed
		default:
			t.Fatalf("%s: no such check", b)
		}
		if err := doccheck.Whole(b.Lines, want); err != nil {
			t.Errorf("%s: %v", b, err)
		}
	}
	for _, c := range []string{"code", "signed", "printed"} {
		if !seen[c] {
			t.Errorf("the page has no %s example", c)
		}
	}
}

func codeVectorNamed(t *testing.T, path, name string) codeVector {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v codeVectors
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	for _, x := range v.Vectors {
		if x.Name == name {
			return x
		}
	}
	t.Fatalf("%s has no vector %q", path, name)
	return codeVector{}
}

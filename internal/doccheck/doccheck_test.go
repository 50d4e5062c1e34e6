package doccheck_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/villagepost/bianmin/internal/doccheck"
)

func TestRead(t *testing.T) {
	page := "# A page\n\n<!-- doc-check: file a.txt -->\n```\none\ntw…ee\n```\n\ntext\n<!-- doc-check: lines a.txt -->\n```sh\nthree\n```\n"
	path := filepath.Join(t.TempDir(), "page.md")
	if err := os.WriteFile(path, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	bs, err := doccheck.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 2 || bs[0].Check != "file" || bs[0].Args[0] != "a.txt" || len(bs[0].Lines) != 2 || bs[1].Line != 10 || bs[1].Lines[0] != "three" {
		t.Fatalf("read %+v", bs)
	}
	real := []string{"one", "two three"}
	if err := doccheck.Whole(bs[0].Lines, real); err != nil {
		t.Error(err)
	}
	for _, bad := range [][]string{{"one"}, {"one", "twee"}, {"one", "two three", "four"}, {"oNe", "two three"}} {
		if doccheck.Whole(bs[0].Lines, bad) == nil {
			t.Errorf("%q matched %q", bs[0].Lines, bad)
		}
	}
	if doccheck.InOrder([]string{"a", "c"}, []string{"a", "b", "c"}) != nil || doccheck.InOrder([]string{"c", "a"}, []string{"a", "b", "c"}) == nil {
		t.Error("InOrder")
	}
}

func TestReadRefusesAMarkerWithoutABlock(t *testing.T) {
	for _, page := range []string{"<!-- doc-check: file a -->\ntext\n", "<!-- doc-check: file a -->\n```\nnever ends\n", "<!-- doc-check: -->\n```\n```\n"} {
		path := filepath.Join(t.TempDir(), "page.md")
		if err := os.WriteFile(path, []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := doccheck.Read(path); err == nil {
			t.Errorf("%q read", page)
		}
	}
}

package registry_test

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/villagepost/bianmin/registry"
	"github.com/villagepost/bianmin/tariff"
)

// TestDamagedFileRefused: a registry file whose page says it holds more
// elements than fit is refused at open, naming the file and changing
// nothing, instead of being misread (or stopping the program inside
// bbolt). Opened as checked already, it would open.
func TestDamagedFileRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "registry.db")
	r, err := registry.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	issued, err := tariff.Parse(tariff.DemoJSON)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Issue(t.Context(), issued); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const pageSize = 4096 // bbolt's page on this platform
	damaged := false
	for at := 2 * pageSize; at+pageSize <= len(data); at += pageSize {
		flags := binary.LittleEndian.Uint16(data[at+8:])
		if flags == 0x02 && strings.Contains(string(data[at:at+pageSize]), issued.Version) { // a leaf holding the tariff
			binary.LittleEndian.PutUint16(data[at+10:], 0xFFF0)
			damaged = true
			break
		}
	}
	if !damaged {
		t.Fatal("no leaf page holds the tariff")
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = registry.Open(path, nil)
	var de *registry.DamagedError
	if !errors.As(err, &de) || de.Path != path {
		t.Fatalf("opening the damaged registry: %v, want a DamagedError naming %s", err, path)
	}
	if after, _ := os.ReadFile(path); string(after) != string(data) {
		t.Error("the refused open changed the file")
	}
}

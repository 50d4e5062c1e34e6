package settlement_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/settlement"
)

// FuzzParse: any bytes are either refused with a *FormatError or read as a
// file whose text, written back, is the text that was read.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(scenarios, "*.bms"))
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("bianmin-settlement-v1\n\n— T0001 AAAA\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := settlement.Parse(data)
		if err != nil {
			var fe *settlement.FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *FormatError", err)
			}
			return
		}
		text := file.Text()
		again, err := settlement.Parse(append([]byte(text+"\n"), data[len(text)+1:]...))
		if err != nil || again.Text() != text {
			t.Fatalf("a file read, written and read again differs: %v", err)
		}
		// Verification must refuse, not panic, whatever was read.
		settlement.Verify(data, stationPub, ledger.Checkpoint{})
	})
}

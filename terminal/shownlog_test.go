package terminal_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/villagepost/bianmin/terminal"
)

// TestShownMarks: a mark is kept across a restart without a sync, in a
// file beside the pending store; a line a power cut left short is not a
// mark (the next start asks about that withdrawal: the safe side).
func TestShownMarks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pending.db")
	p, err := terminal.OpenPending(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, seq := range []uint64{5, 7} {
		if err := p.MarkShown(seq); err != nil {
			t.Fatal(err)
		}
	}
	p.Close()

	log := filepath.Join(filepath.Dir(path), "pending-shown.log")
	f, err := os.OpenFile(log, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatalf("the marks are not beside the store: %v", err)
	}
	f.WriteString("9") // cut short: no newline
	f.Close()

	p, err = terminal.OpenPending(path)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for seq, want := range map[uint64]bool{5: true, 7: true, 9: false, 6: false} {
		if got, err := p.Shown(seq); err != nil || got != want {
			t.Errorf("Shown(%d) = %v, %v; want %v", seq, got, err, want)
		}
	}
	// A mark after the cut-short line is whole again.
	if err := p.MarkShown(11); err != nil {
		t.Fatal(err)
	}
	if got, _ := p.Shown(11); !got {
		t.Error("a mark after a cut-short line was lost")
	}
}

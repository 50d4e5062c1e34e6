package terminal

import (
	"github.com/villagepost/bianmin/pin"
	"testing"
)

// TestDecoyParses checks that the decoy hash for unknown ids is a real hash
// (so it costs a real check) that no PIN matches.
func TestDecoyParses(t *testing.T) {
	ok, err := pin.Verify(decoyHash, "000000")
	if err != nil || ok {
		t.Fatal(ok, err)
	}
}

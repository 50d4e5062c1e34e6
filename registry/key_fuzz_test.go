package registry

import (
	"crypto/ed25519"
	"strings"
	"testing"

	"github.com/villagepost/bianmin/keyfile"
)

// FuzzVerifierKey: a station key pasted at enrolment is either refused
// with the one message that says what to paste, or read as the key in its
// one canonical form (the form keyfile writes for the same name and
// public key), whose PublicKey is the key it names. PublicKey alone never
// panics and gives 32 bytes or an error.
func FuzzVerifierKey(f *testing.F) {
	pub := ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey)
	good, err := keyfile.VerifierKey("T0001", pub)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{good, " " + good + "\n", good[:len(good)-2], "T0001", "T0001+1c8f02a4+AcG0", "T 1+00000000+AQ==", "",
		"T0001+00000000+" + good[strings.LastIndex(good, "+")+1:], "xinyang-postoffice+2c91f0c8+Ab1YW5BWIbHQgZnZJSMxZLxc9m0eLCMlcRkt3/6I6cnd"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if k, err := PublicKey(s); err == nil && len(k) != ed25519.PublicKeySize {
			t.Fatalf("PublicKey(%q) gave %d bytes", s, len(k))
		} else if err != nil && err != errBadKey {
			t.Fatalf("PublicKey(%q): %v, not the message that says what to paste", s, err)
		}
		key, err := VerifierKey(s)
		if err != nil {
			if err != errBadKey {
				t.Fatalf("VerifierKey(%q): %v, not the message that says what to paste", s, err)
			}
			return
		}
		pk, err := PublicKey(key)
		if err != nil {
			t.Fatalf("VerifierKey(%q) = %q, which PublicKey refuses: %v", s, key, err)
		}
		name, _, _ := strings.Cut(key, "+")
		canon, err := keyfile.VerifierKey(name, pk)
		if err != nil || canon != key {
			t.Fatalf("VerifierKey(%q) = %q, not the canonical %q (%v)", s, key, canon, err)
		}
		if again, err := VerifierKey(key); err != nil || again != key {
			t.Fatalf("VerifierKey(%q) = %q, %v", key, again, err)
		}
	})
}

package pin

import "testing"

// validSeed is the hash of "246801" with m=64, t=1, p=1.
const validSeed = "$argon2id$v=19$m=64,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$91g2QNk+vAOWO1tXqV9ozSJtDyLlHJ8lD841GKW1D+U"

func FuzzVerify(f *testing.F) {
	f.Add(validSeed, "246801")
	f.Add(validSeed, "２４６８０１")
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "135790")
	f.Add("$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA", "")
	f.Add("", "")
	f.Add("$$$$$", "１２３")
	f.Fuzz(func(t *testing.T, encoded, pin string) {
		// Verify accepts up to 1 GiB and t=10, which is valid but far too
		// slow for fuzzing; check parsing alone for costly inputs.
		if h, err := parse(encoded); err == nil && uint64(h.memory)*uint64(h.time) > 4096 {
			return
		}
		ok, err := Verify(encoded, pin)
		if err != nil && ok {
			t.Fatal("ok with error")
		}
		if encoded == validSeed && ok != (Normalize(pin) == "246801") {
			t.Fatalf("Verify(valid seed, %q) = %v", pin, ok)
		}
	})
}

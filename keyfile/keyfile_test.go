package keyfile_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/villagepost/bianmin/keyfile"
	"golang.org/x/mod/sumdb/note"
)

var pass = []byte("correct horse battery")

func newKey(t *testing.T) (path string, pub ed25519.PublicKey) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "station.key")
	pub, err := keyfile.Create(path, pass, "T0001", keyfile.FastParams(), rand.Reader)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return path, pub
}

func TestRoundTrip(t *testing.T) {
	path, pub := newKey(t)
	if len(pub) != ed25519.PublicKeySize {
		t.Fatalf("public key is %d bytes", len(pub))
	}
	priv, err := keyfile.Open(path, pass, "T0001")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if !bytes.Equal(priv.Public().(ed25519.PublicKey), pub) {
		t.Fatal("opened key does not match created public key")
	}
	msg := []byte("ledger entry 1")
	if !ed25519.Verify(pub, msg, ed25519.Sign(priv, msg)) {
		t.Fatal("signature does not verify")
	}

	gotPub, label, err := keyfile.PublicKey(path)
	if err != nil || label != "T0001" || !bytes.Equal(gotPub, pub) {
		t.Fatalf("PublicKey = %x, %q, %v", gotPub, label, err)
	}

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Field order and indentation as documented.
	want := regexp.MustCompile(`^\{\n  "format": "bianmin-key-v1",\n  "label": "T0001",\n  "kdf": "argon2id",\n  "time": 1,\n  "memory_kib": 1024,\n  "threads": 1,\n  "salt": "[A-Za-z0-9+/]{22}==",\n  "aead": "xchacha20poly1305",\n  "nonce": "[A-Za-z0-9+/]{32}",\n  "public_key": "[A-Za-z0-9+/]{43}=",\n  "ciphertext": "[A-Za-z0-9+/]{64}"\n\}\n$`)
	if !want.Match(data) {
		t.Fatalf("unexpected file layout:\n%s", data)
	}
}

func TestDeterministicWithRandSource(t *testing.T) {
	// The same entropy gives the same key; the key comes from rand.
	dir := t.TempDir()
	seed := bytes.Repeat([]byte{7}, 32)
	src := func() *bytes.Reader { return bytes.NewReader(bytes.Repeat([]byte{7}, 32+16+24)) }
	pub1, err := keyfile.Create(filepath.Join(dir, "a"), pass, "T0001", keyfile.FastParams(), src())
	if err != nil {
		t.Fatal(err)
	}
	want := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
	if !bytes.Equal(pub1, want) {
		t.Fatal("public key not derived from rand")
	}
	// Short entropy fails and leaves nothing behind.
	short := filepath.Join(dir, "b")
	if _, err := keyfile.Create(short, pass, "T0001", keyfile.FastParams(), bytes.NewReader(make([]byte, 40))); err == nil {
		t.Fatal("Create with short entropy succeeded")
	}
	if _, err := os.Stat(short); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("file left behind after failed Create: %v", err)
	}
}

func TestWrongPassphrase(t *testing.T) {
	path, _ := newKey(t)
	for _, p := range [][]byte{[]byte("correct horse batterY"), nil, []byte("x")} {
		_, err := keyfile.Open(path, p, "T0001")
		if !errors.Is(err, keyfile.ErrWrongPassphrase) {
			t.Errorf("Open(%q) error = %v, want ErrWrongPassphrase", p, err)
		}
	}
}

func TestWrongLabel(t *testing.T) {
	path, _ := newKey(t)
	_, err := keyfile.Open(path, pass, "T0002")
	var fe *keyfile.FormatError
	if !errors.As(err, &fe) {
		t.Fatalf("Open with wrong label: %v, want *FormatError", err)
	}
	if !strings.Contains(fe.Reason, `"T0001"`) || fe.Path != path {
		t.Errorf("error %q should name the owning station and path", err)
	}
}

func TestCreateExisting(t *testing.T) {
	path, _ := newKey(t)
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keyfile.Create(path, []byte("another passphrase"), "T0001", keyfile.FastParams(), rand.Reader); !errors.Is(err, os.ErrExist) {
		t.Fatalf("second Create: %v, want os.ErrExist", err)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Fatal("second Create changed the file")
	}
	if _, err := keyfile.Open(path, pass, "T0001"); err != nil {
		t.Fatalf("Open after failed Create: %v", err)
	}
}

func TestCreateRejects(t *testing.T) {
	dir := t.TempDir()
	p := keyfile.FastParams()
	cases := []struct {
		name   string
		pass   []byte
		label  string
		params keyfile.Params
		is     error
	}{
		{"empty passphrase", nil, "T0001", p, keyfile.ErrEmptyPassphrase},
		{"short passphrase", []byte("1234567"), "T0001", p, keyfile.ErrShortPassphrase},
		{"empty label", pass, "", p, nil},
		{"NUL in label", pass, "T0\x001", p, nil},
		{"long label", pass, strings.Repeat("T", 65), p, nil},
		{"zero time", pass, "T0001", keyfile.Params{Time: 0, MemoryKiB: 1024, Threads: 1}, nil},
		{"huge time", pass, "T0001", keyfile.Params{Time: 11, MemoryKiB: 1024, Threads: 1}, nil},
		{"tiny memory", pass, "T0001", keyfile.Params{Time: 1, MemoryKiB: 7, Threads: 1}, nil},
		{"huge memory", pass, "T0001", keyfile.Params{Time: 1, MemoryKiB: 4*1024*1024 + 1, Threads: 1}, nil},
		{"zero threads", pass, "T0001", keyfile.Params{Time: 1, MemoryKiB: 1024, Threads: 0}, nil},
		{"many threads", pass, "T0001", keyfile.Params{Time: 1, MemoryKiB: 1024, Threads: 17}, nil},
	}
	for i, c := range cases {
		path := filepath.Join(dir, "k"+string(rune('a'+i)))
		_, err := keyfile.Create(path, c.pass, c.label, c.params, rand.Reader)
		if err == nil {
			t.Errorf("%s: Create succeeded", c.name)
		} else if c.is != nil && !errors.Is(err, c.is) {
			t.Errorf("%s: error %v, want %v", c.name, err, c.is)
		}
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: file created", c.name)
		}
	}
	if !errors.Is(keyfile.ErrEmptyPassphrase, keyfile.ErrShortPassphrase) {
		t.Error("ErrEmptyPassphrase should match ErrShortPassphrase")
	}
	if !strings.Contains(keyfile.ErrEmptyPassphrase.Error(), "must not be empty") {
		t.Error("ErrEmptyPassphrase message")
	}
}

func TestMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permissions")
	}
	path, _ := newKey(t)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Fatalf("mode %04o, want 0600", perm)
	}
	if err := keyfile.CheckMode(path); err != nil {
		t.Fatalf("CheckMode: %v", err)
	}
	for _, m := range []os.FileMode{0o644, 0o640, 0o604, 0o610} {
		if err := os.Chmod(path, m); err != nil {
			t.Fatal(err)
		}
		if err := keyfile.CheckMode(path); err == nil {
			t.Errorf("CheckMode accepted %04o", m)
		}
	}
	if err := keyfile.CheckMode(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("CheckMode accepted a missing file")
	}
}

// TestOpenRefusesLooseMode: a key file that group or others may read is
// refused before it is decrypted, with a message that says how to fix it
// (chmod 600, as ssh asks); once fixed it opens.
func TestOpenRefusesLooseMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permissions")
	}
	path, pub := newKey(t)
	for _, m := range []os.FileMode{0o644, 0o640, 0o604, 0o660, 0o606} {
		if err := os.Chmod(path, m); err != nil {
			t.Fatal(err)
		}
		_, err := keyfile.Open(path, pass, "T0001")
		var me *keyfile.ModeError
		if !errors.As(err, &me) || me.Path != path || me.Perm != m {
			t.Fatalf("Open with mode %04o: %v, want a *ModeError", m, err)
		}
		if want := "chmod 600 " + path; !strings.Contains(err.Error(), want) {
			t.Errorf("mode %04o: %q does not say %q", m, err, want)
		}
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	priv, err := keyfile.Open(path, pass, "T0001")
	if err != nil {
		t.Fatalf("after chmod 600: %v", err)
	}
	if !priv.Public().(ed25519.PublicKey).Equal(pub) {
		t.Error("the key opened after chmod 600 is another key")
	}
}

// rewrite parses the key file, lets mutate change it, and writes it back.
func rewrite(t *testing.T, path string, orig []byte, mutate func(*keyfile.File)) {
	t.Helper()
	f, err := keyfile.Parse(orig)
	if err != nil {
		t.Fatal(err)
	}
	mutate(f)
	data, err := f.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestTamperFields(t *testing.T) {
	path, pub := newKey(t)
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f0, err := keyfile.Parse(orig)
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]func(*keyfile.File) []byte{
		"salt":       func(f *keyfile.File) []byte { return f.Salt },
		"nonce":      func(f *keyfile.File) []byte { return f.Nonce },
		"public_key": func(f *keyfile.File) []byte { return f.PublicKey },
		"ciphertext": func(f *keyfile.File) []byte { return f.Ciphertext },
	}
	for name, field := range fields {
		n := len(field(f0))
		for i := 0; i < n; i++ {
			rewrite(t, path, orig, func(f *keyfile.File) { field(f)[i] ^= 0x01 })
			if k, err := keyfile.Open(path, pass, "T0001"); err == nil {
				t.Fatalf("%s byte %d flipped: Open succeeded (same key: %v)", name, i, bytes.Equal(k[32:], pub))
			}
		}
	}
	for i := 0; i < len(f0.Label); i++ {
		var label string
		rewrite(t, path, orig, func(f *keyfile.File) {
			b := []byte(f.Label)
			b[i] ^= 0x01
			f.Label = string(b)
			label = f.Label
		})
		// Opening as the edited label must fail to decrypt; opening as
		// the original label is a label mismatch.
		if _, err := keyfile.Open(path, pass, label); !errors.Is(err, keyfile.ErrWrongPassphrase) {
			t.Errorf("label byte %d flipped: Open(%q) = %v, want ErrWrongPassphrase", i, label, err)
		}
		var fe *keyfile.FormatError
		if _, err := keyfile.Open(path, pass, "T0001"); !errors.As(err, &fe) {
			t.Errorf("label byte %d flipped: Open(T0001) = %v, want *FormatError", i, err)
		}
	}
	// Changing the KDF parameters changes the derived key.
	for _, mutate := range []func(*keyfile.File){
		func(f *keyfile.File) { f.Time++ },
		func(f *keyfile.File) { f.MemoryKiB += 8 },
		func(f *keyfile.File) { f.Threads++ },
	} {
		rewrite(t, path, orig, mutate)
		if _, err := keyfile.Open(path, pass, "T0001"); !errors.Is(err, keyfile.ErrWrongPassphrase) {
			t.Errorf("params changed: Open = %v, want ErrWrongPassphrase", err)
		}
	}
}

// TestTamperRawBytes flips each byte of the file: Open must fail or
// return exactly the original key, never a different one.
func TestTamperRawBytes(t *testing.T) {
	path, pub := newKey(t)
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range orig {
		for _, x := range []byte{0x01, 0x20, 0x80} {
			data := bytes.Clone(orig)
			data[i] ^= x
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			k, err := keyfile.Open(path, pass, "T0001")
			if err == nil && !bytes.Equal(k.Public().(ed25519.PublicKey), pub) {
				t.Fatalf("byte %d ^ %#x: Open returned a different key", i, x)
			}
		}
	}
}

func TestTruncated(t *testing.T) {
	path, _ := newKey(t)
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n < len(orig)-1; n++ { // the final newline is optional
		if err := os.WriteFile(path, orig[:n], 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := keyfile.Open(path, pass, "T0001")
		var fe *keyfile.FormatError
		if !errors.As(err, &fe) {
			t.Fatalf("truncated to %d bytes: Open = %v, want *FormatError", n, err)
		}
		if fe.Path != path {
			t.Fatalf("FormatError.Path = %q", fe.Path)
		}
		if _, _, err := keyfile.PublicKey(path); !errors.As(err, &fe) {
			t.Fatalf("truncated to %d bytes: PublicKey = %v, want *FormatError", n, err)
		}
	}
}

func TestParseRejects(t *testing.T) {
	path, _ := newKey(t)
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(orig)
	cases := map[string]string{
		"trailing data":   s + "{}",
		"unknown field":   strings.Replace(s, `"label"`, `"extra": 1, "label"`, 1),
		"missing time":    regexp.MustCompile(`"time": \d+,`).ReplaceAllString(s, ""),
		"format":          strings.Replace(s, "bianmin-key-v1", "bianmin-key-v2", 1),
		"kdf":             strings.Replace(s, `"argon2id"`, `"scrypt"`, 1),
		"aead":            strings.Replace(s, `"xchacha20poly1305"`, `"aes-gcm"`, 1),
		"huge memory":     strings.Replace(s, `"memory_kib": 1024`, `"memory_kib": 1099511627776`, 1),
		"memory too big":  strings.Replace(s, `"memory_kib": 1024`, `"memory_kib": 4194305`, 1),
		"negative time":   strings.Replace(s, `"time": 1`, `"time": -1`, 1),
		"zero threads":    strings.Replace(s, `"threads": 1`, `"threads": 0`, 1),
		"threads 256":     strings.Replace(s, `"threads": 1`, `"threads": 257`, 1),
		"fractional time": strings.Replace(s, `"time": 1`, `"time": 1.5`, 1),
		"newline in b64":  regexp.MustCompile(`"salt": "(.{4})`).ReplaceAllString(s, `"salt": "$1\n`),
		"array":           "[]",
		"null":            "null",
		"empty":           "",
	}
	for name, data := range cases {
		if data == s {
			t.Fatalf("%s: case did not change the file", name)
		}
		f, err := keyfile.Parse([]byte(data))
		var fe *keyfile.FormatError
		if !errors.As(err, &fe) {
			t.Errorf("%s: Parse = %+v, %v; want *FormatError", name, f, err)
		}
	}
}

func TestChangePassphrase(t *testing.T) {
	path, pub := newKey(t)
	newPass := []byte("new passphrase 2")
	if err := keyfile.ChangePassphrase(path, []byte("wrong passphrase"), newPass, keyfile.FastParams(), rand.Reader); !errors.Is(err, keyfile.ErrWrongPassphrase) {
		t.Fatalf("ChangePassphrase with wrong old: %v", err)
	}
	if err := keyfile.ChangePassphrase(path, pass, []byte("short"), keyfile.FastParams(), rand.Reader); !errors.Is(err, keyfile.ErrShortPassphrase) {
		t.Fatalf("ChangePassphrase to short: %v", err)
	}
	if err := keyfile.ChangePassphrase(path, pass, nil, keyfile.FastParams(), rand.Reader); !errors.Is(err, keyfile.ErrEmptyPassphrase) {
		t.Fatalf("ChangePassphrase to empty: %v", err)
	}
	if _, err := keyfile.Open(path, pass, "T0001"); err != nil {
		t.Fatalf("failed ChangePassphrase broke the file: %v", err)
	}

	p := keyfile.Params{Time: 2, MemoryKiB: 2048, Threads: 2}
	if err := keyfile.ChangePassphrase(path, pass, newPass, p, rand.Reader); err != nil {
		t.Fatalf("ChangePassphrase: %v", err)
	}
	if _, err := keyfile.Open(path, pass, "T0001"); !errors.Is(err, keyfile.ErrWrongPassphrase) {
		t.Fatalf("old passphrase: %v, want ErrWrongPassphrase", err)
	}
	priv, err := keyfile.Open(path, newPass, "T0001")
	if err != nil {
		t.Fatalf("new passphrase: %v", err)
	}
	if !bytes.Equal(priv.Public().(ed25519.PublicKey), pub) {
		t.Fatal("key changed")
	}
	data, _ := os.ReadFile(path)
	f, err := keyfile.Parse(data)
	if err != nil || f.Params() != p || f.Label != "T0001" {
		t.Fatalf("after change: %+v, %v", f, err)
	}
	if runtime.GOOS != "windows" {
		if err := keyfile.CheckMode(path); err != nil {
			t.Fatal(err)
		}
	}
	// No temporary files left behind.
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("directory has %d entries, want 1", len(entries))
	}
}

func TestFingerprint(t *testing.T) {
	pub := ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey)
	fp := keyfile.Fingerprint(pub)
	if !regexp.MustCompile(`^[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$`).MatchString(fp) {
		t.Fatalf("Fingerprint = %q", fp)
	}
	sum := sha256.Sum256(pub)
	if want := strings.ToUpper(hex.EncodeToString(sum[:8])); strings.ReplaceAll(fp, "-", "") != want {
		t.Fatalf("Fingerprint = %q, want %s", fp, want)
	}
}

func TestNoteKeys(t *testing.T) {
	path, pub := newKey(t)
	priv, err := keyfile.Open(path, pass, "T0001")
	if err != nil {
		t.Fatal(err)
	}
	const name = "bianmin.T0001"
	vkey, err := keyfile.VerifierKey(name, pub)
	if err != nil {
		t.Fatal(err)
	}
	skey, err := keyfile.SignerKey(name, priv)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(skey, "PRIVATE+KEY+"+name+"+") {
		t.Fatalf("skey = %q", skey)
	}
	// Same hash in both keys.
	if strings.Split(skey, "+")[3] != strings.Split(vkey, "+")[1] {
		t.Fatalf("hash mismatch: %s vs %s", skey, vkey)
	}

	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatalf("NewSigner: %v", err)
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	text := "T0001 day 2025-01-02\nbalance 1234.50\n"
	msg, err := note.Sign(&note.Note{Text: text}, signer)
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		t.Fatalf("note.Open: %v", err)
	}
	if n.Text != text || len(n.Sigs) != 1 || n.Sigs[0].Name != name {
		t.Fatalf("note = %+v", n)
	}

	// Matches note.GenerateKey's format for the same entropy.
	seed := bytes.Repeat([]byte{42}, 32)
	gskey, gvkey, err := note.GenerateKey(bytes.NewReader(seed), name)
	if err != nil {
		t.Fatal(err)
	}
	k := ed25519.NewKeyFromSeed(seed)
	if s, _ := keyfile.SignerKey(name, k); s != gskey {
		t.Fatalf("SignerKey = %q, GenerateKey = %q", s, gskey)
	}
	if v, _ := keyfile.VerifierKey(name, k.Public().(ed25519.PublicKey)); v != gvkey {
		t.Fatalf("VerifierKey = %q, GenerateKey = %q", v, gvkey)
	}

	// A different key does not verify.
	other := ed25519.NewKeyFromSeed(make([]byte, 32))
	oskey, _ := keyfile.SignerKey(name, other)
	osigner, _ := note.NewSigner(oskey)
	omsg, _ := note.Sign(&note.Note{Text: text}, osigner)
	if _, err := note.Open(omsg, note.VerifierList(verifier)); err == nil {
		t.Fatal("note signed by another key verified")
	}

	// Invalid names and keys are rejected.
	for _, bad := range []string{"", "a b", "a+b"} {
		if _, err := keyfile.VerifierKey(bad, pub); err == nil {
			t.Errorf("VerifierKey(%q) succeeded", bad)
		}
		if _, err := keyfile.SignerKey(bad, priv); err == nil {
			t.Errorf("SignerKey(%q) succeeded", bad)
		}
	}
	if _, err := keyfile.VerifierKey(name, pub[:31]); err == nil {
		t.Error("VerifierKey accepted a short key")
	}
	if _, err := keyfile.SignerKey(name, priv[:63]); err == nil {
		t.Error("SignerKey accepted a short key")
	}
	bad := bytes.Clone(priv)
	bad[40] ^= 1
	if _, err := keyfile.SignerKey(name, bad); err == nil {
		t.Error("SignerKey accepted an inconsistent key")
	}
}

func FuzzParseFile(f *testing.F) {
	dir := f.TempDir()
	path := filepath.Join(dir, "k")
	if _, err := keyfile.Create(path, pass, "T0001", keyfile.FastParams(), rand.Reader); err != nil {
		f.Fatal(err)
	}
	valid, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add([]byte("{}"))
	f.Add([]byte(`{"format":"bianmin-key-v1","time":1e99}`))
	f.Add([]byte("null"))
	f.Fuzz(func(t *testing.T, data []byte) {
		kf, err := keyfile.Parse(data)
		if err != nil {
			var fe *keyfile.FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("Parse error %T %v, want *FormatError", err, err)
			}
			return
		}
		// A parsed file re-encodes and re-parses to the same content.
		out, err := kf.Marshal()
		if err != nil {
			t.Fatalf("Marshal of parsed file: %v", err)
		}
		kf2, err := keyfile.Parse(out)
		if err != nil {
			t.Fatalf("re-Parse: %v", err)
		}
		out2, _ := kf2.Marshal()
		if !bytes.Equal(out, out2) {
			t.Fatalf("not stable:\n%s\n%s", out, out2)
		}
	})
}

func TestDeriveIsPerKeyAndPurpose(t *testing.T) {
	_, a, _ := ed25519.GenerateKey(nil)
	_, b, _ := ed25519.GenerateKey(nil)
	ka, kb := keyfile.Derive(a, "card-key"), keyfile.Derive(b, "card-key")
	if len(ka) != 32 || bytes.Equal(ka, kb) {
		t.Fatalf("two station keys gave the same or a short card key: %x %x", ka, kb)
	}
	if !bytes.Equal(ka, keyfile.Derive(a, "card-key")) {
		t.Error("the same key and purpose gave two secrets")
	}
	if bytes.Equal(ka, keyfile.Derive(a, "other")) {
		t.Error("two purposes gave the same secret")
	}
}

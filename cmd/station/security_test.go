package main

// The security review (issue 8, part 3): what must never leave the
// programs, and what they must refuse. docs/threat-model.md names these
// tests.

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/villagepost/bianmin/keyfile"
)

// encodings are the obvious ways a secret could be written down: as it
// is, in hex, in base64 (at each of the three alignments it could have
// inside a longer encoded value), and in UTF-16.
func encodings(secret []byte) map[string][]byte {
	out := map[string][]byte{
		"plain":    secret,
		"hex":      []byte(hex.EncodeToString(secret)),
		"HEX":      []byte(strings.ToUpper(hex.EncodeToString(secret))),
		"utf-16le": utf16(secret, false),
		"utf-16be": utf16(secret, true),
	}
	for k := 0; k < 3; k++ {
		shifted := append(make([]byte, k), secret...)
		first := (8*k + 5) / 6            // the first character made of the secret's bits only
		last := 8 * (k + len(secret)) / 6 // past the last such character
		for name, enc := range map[string]*base64.Encoding{"base64": base64.RawStdEncoding, "base64url": base64.RawURLEncoding} {
			s := enc.EncodeToString(shifted)
			out[name+"@"+string(rune('0'+k))] = []byte(s[first:last])
		}
	}
	return out
}

func utf16(b []byte, bigEndian bool) []byte {
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		if bigEndian {
			out = append(out, 0, c)
		} else {
			out = append(out, c, 0)
		}
	}
	return out
}

// leak is where a secret was found.
type leak struct {
	where, secret, encoding string
	offset                  int
}

// findSecrets looks for every secret, in every encoding, in data.
func findSecrets(where string, data []byte, secrets map[string][]byte) []leak {
	var found []leak
	for name, s := range secrets {
		for enc, b := range encodings(s) {
			if i := bytes.Index(data, b); i >= 0 {
				found = append(found, leak{where, name, enc, i})
			}
		}
	}
	return found
}

// TestKeyFilesEncryptedAndPrivate: the station's and the post office's
// key files are created 0600 and hold no raw private key; a key file that
// has become readable by others is refused, with a message that says to
// run chmod 600, and nothing is done with it.
func TestKeyFilesEncryptedAndPrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permissions")
	}
	c, dir := newStation(t)
	stationKey := filepath.Join(dir, keyFile)

	po := &postofficeProc{t: t, bin: binary(t, "postoffice"), dir: filepath.Join(t.TempDir(), "po")}
	po.expect(0, "init", "--name", "xinyang-postoffice")
	poKey := filepath.Join(po.dir, "postoffice.key")

	for _, k := range []struct{ path, label string }{{stationKey, "T0001"}, {poKey, "xinyang-postoffice"}} {
		fi, err := os.Stat(k.path)
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s: mode %04o, want 0600", k.path, perm)
		}
		priv, err := keyfile.Open(k.path, []byte(passphrase), k.label)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(k.path)
		for _, l := range findSecrets(filepath.Base(k.path), data, map[string][]byte{
			"seed": priv.Seed(), "private key": priv, "passphrase": []byte(passphrase),
		}) {
			t.Errorf("%s holds the %s (%s) at offset %d", l.where, l.secret, l.encoding, l.offset)
		}
	}

	// Readable by the group: the station refuses to use its key.
	before := len(entries(t, c, dir))
	if err := os.Chmod(stationKey, 0o640); err != nil {
		t.Fatal(err)
	}
	c.refused(exitFailed, "chmod 600 "+stationKey, "cash", "in", "--dir", dir, "--operator", "OP1",
		"--pin-file", writeSecret(t, "pin", ownerPIN), "--amount", "100", "--reason", "float")
	r := c.run("cash", "in", "--dir", dir, "--operator", "OP1", "--pin-file", writeSecret(t, "pin", ownerPIN), "--amount", "100", "--reason", "float", "--lang", "en")
	if !strings.Contains(r.stderr, "other users can read it") || !strings.Contains(r.stderr, "chmod 600 "+stationKey) {
		t.Errorf("English refusal: %q", r.stderr)
	}
	if after := len(entries(t, c, dir)); after != before {
		t.Errorf("a refused key recorded %d entries", after-before)
	}
	if err := os.Chmod(stationKey, 0o600); err != nil {
		t.Fatal(err)
	}
	c.must("cash", "in", "--dir", dir, "--operator", "OP1", "--pin-file", writeSecret(t, "pin", ownerPIN), "--amount", "100", "--reason", "float")

	// Readable by everyone: the post office signs nothing with its key.
	if err := os.Chmod(poKey, 0o644); err != nil {
		t.Fatal(err)
	}
	tariffJSON := filepath.Join(t.TempDir(), "tariff.json")
	os.WriteFile(tariffJSON, testTariff(), 0o644)
	if out := po.expect(exitFailed, "tariff", "sign", tariffJSON); !strings.Contains(out, "chmod 600 "+poKey) {
		t.Errorf("postoffice with a world-readable key said:\n%s", out)
	}
	if _, err := os.Stat(strings.TrimSuffix(tariffJSON, ".json") + ".signed"); err == nil {
		t.Error("the post office signed a tariff with a world-readable key")
	}
	os.Chmod(poKey, 0o600)
	po.expect(0, "tariff", "sign", tariffJSON)
}

// Package keyfile stores an Ed25519 private key encrypted under a passphrase.
//
// Each convenience station has one Ed25519 key (its "numbered seal") that
// signs every ledger entry. The key file keeps the 32-byte private seed
// sealed with XChaCha20-Poly1305 under a key derived from the passphrase
// with Argon2id. The public key and the station label travel in the clear
// but are bound into the AEAD additional data, so editing either makes the
// file fail to open.
//
// A key file is JSON:
//
//	{
//	  "format": "bianmin-key-v1",
//	  "label": "T0001",
//	  "kdf": "argon2id",
//	  "time": 3,
//	  "memory_kib": 65536,
//	  "threads": 4,
//	  "salt": "<base64, 16 bytes>",
//	  "aead": "xchacha20poly1305",
//	  "nonce": "<base64, 24 bytes>",
//	  "public_key": "<base64, 32 bytes>",
//	  "ciphertext": "<base64, sealed 32-byte seed>"
//	}
package keyfile

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/hkdf"
	"golang.org/x/mod/sumdb/note"
)

// Format is the value of the "format" field of a key file.
const Format = "bianmin-key-v1"

const (
	kdfArgon2id   = "argon2id"
	aeadXChaCha20 = "xchacha20poly1305"

	saltSize       = 16
	keySize        = chacha20poly1305.KeySize
	nonceSize      = chacha20poly1305.NonceSizeX
	ciphertextSize = ed25519.SeedSize + chacha20poly1305.Overhead

	// MinPassphraseLen is the shortest passphrase Create and
	// ChangePassphrase accept, in bytes.
	MinPassphraseLen = 8

	// maxLabelLen bounds the label length in bytes.
	maxLabelLen = 64
	// maxFileSize bounds how much of a key file is read.
	maxFileSize = 64 << 10
)

// Limits on the Argon2id parameters. They apply both to Create and to
// files read by Parse/Open, so a hostile file cannot make Open allocate
// or compute without bound.
const (
	MinTime      = 1
	MaxTime      = 10
	MinMemoryKiB = 8
	MaxMemoryKiB = 4 * 1024 * 1024 // 4 GiB
	MinThreads   = 1
	MaxThreads   = 16
)

// Params are the Argon2id cost parameters used to derive the file
// encryption key from the passphrase.
type Params struct {
	Time      uint32 // number of passes
	MemoryKiB uint32 // memory in KiB
	Threads   uint8  // degree of parallelism
}

// DefaultParams returns the production parameters: Argon2id with
// t=3, m=64 MiB, p=4.
func DefaultParams() Params {
	return Params{Time: 3, MemoryKiB: 64 * 1024, Threads: 4}
}

// FastParams returns cheap parameters (t=1, m=1 MiB, p=1).
// They are for tests only; never use them for a real key.
func FastParams() Params {
	return Params{Time: 1, MemoryKiB: 1024, Threads: 1}
}

// Validate reports whether p is within the accepted limits.
func (p Params) Validate() error {
	switch {
	case p.Time < MinTime || p.Time > MaxTime:
		return fmt.Errorf("argon2id time %d out of range %d..%d", p.Time, MinTime, MaxTime)
	case p.MemoryKiB < MinMemoryKiB || p.MemoryKiB > MaxMemoryKiB:
		return fmt.Errorf("argon2id memory %d KiB out of range %d..%d", p.MemoryKiB, MinMemoryKiB, MaxMemoryKiB)
	case p.Threads < MinThreads || p.Threads > MaxThreads:
		return fmt.Errorf("argon2id threads %d out of range %d..%d", p.Threads, MinThreads, MaxThreads)
	case p.MemoryKiB < 8*uint32(p.Threads):
		return fmt.Errorf("argon2id memory %d KiB is less than 8 KiB per thread (%d threads)", p.MemoryKiB, p.Threads)
	}
	return nil
}

// ErrWrongPassphrase is returned by Open and ChangePassphrase when the
// sealed key cannot be decrypted: the passphrase is wrong, or the file
// has been altered.
var ErrWrongPassphrase = errors.New("keyfile: wrong passphrase or damaged key file")

// ErrShortPassphrase is returned by Create and ChangePassphrase when the
// new passphrase is shorter than MinPassphraseLen bytes.
var ErrShortPassphrase = fmt.Errorf("keyfile: passphrase must be at least %d bytes", MinPassphraseLen)

// ErrEmptyPassphrase is returned by Create and ChangePassphrase when the
// new passphrase is empty. errors.Is(ErrEmptyPassphrase, ErrShortPassphrase)
// is true, so callers that only check ErrShortPassphrase also catch it.
var ErrEmptyPassphrase error = emptyPassphraseError{}

type emptyPassphraseError struct{}

func (emptyPassphraseError) Error() string { return "keyfile: passphrase must not be empty" }
func (emptyPassphraseError) Unwrap() error { return ErrShortPassphrase }

// FormatError reports a key file that is malformed, has invalid fields,
// or belongs to another station.
type FormatError struct {
	Path   string // empty when the data did not come from a file
	Reason string
}

func (e *FormatError) Error() string {
	if e.Path == "" {
		return "keyfile: " + e.Reason
	}
	return "keyfile: " + e.Path + ": " + e.Reason
}

func checkNewPassphrase(pass []byte) error {
	if len(pass) == 0 {
		return ErrEmptyPassphrase
	}
	if len(pass) < MinPassphraseLen {
		return ErrShortPassphrase
	}
	return nil
}

// checkLabel validates a station label: 1..64 bytes of valid UTF-8
// without control characters (in particular no NUL, which separates the
// fields of the additional data).
func checkLabel(label string) error {
	if label == "" {
		return errors.New("label is empty")
	}
	if len(label) > maxLabelLen {
		return fmt.Errorf("label is longer than %d bytes", maxLabelLen)
	}
	for _, r := range label {
		if r == '\uFFFD' || r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return fmt.Errorf("label %q contains invalid characters", label)
		}
	}
	return nil
}

// additionalData returns the AEAD additional data binding the sealed
// seed to the label and public key.
func additionalData(label string, pub ed25519.PublicKey) []byte {
	ad := make([]byte, 0, len(Format)+1+len(label)+1+len(pub))
	ad = append(ad, Format...)
	ad = append(ad, 0)
	ad = append(ad, label...)
	ad = append(ad, 0)
	ad = append(ad, pub...)
	return ad
}

func clear8(b []byte) {
	for i := range b {
		b[i] = 0
	}
}

// seal builds a File holding priv encrypted under pass.
func seal(priv ed25519.PrivateKey, pass []byte, label string, p Params, rand io.Reader) (*File, error) {
	salt := make([]byte, saltSize)
	nonce := make([]byte, nonceSize)
	if _, err := io.ReadFull(rand, salt); err != nil {
		return nil, fmt.Errorf("keyfile: reading random salt: %w", err)
	}
	if _, err := io.ReadFull(rand, nonce); err != nil {
		return nil, fmt.Errorf("keyfile: reading random nonce: %w", err)
	}
	pub := priv.Public().(ed25519.PublicKey)

	key := argon2.IDKey(pass, salt, p.Time, p.MemoryKiB, p.Threads, keySize)
	aead, err := chacha20poly1305.NewX(key)
	clear8(key)
	if err != nil {
		return nil, fmt.Errorf("keyfile: %w", err)
	}
	ct := aead.Seal(nil, nonce, priv.Seed(), additionalData(label, pub))

	return &File{
		Format:     Format,
		Label:      label,
		KDF:        kdfArgon2id,
		Time:       p.Time,
		MemoryKiB:  p.MemoryKiB,
		Threads:    p.Threads,
		Salt:       salt,
		AEAD:       aeadXChaCha20,
		Nonce:      nonce,
		PublicKey:  pub,
		Ciphertext: ct,
	}, nil
}

// unseal decrypts f with pass and checks the result against f.PublicKey.
func unseal(f *File, pass []byte) (ed25519.PrivateKey, error) {
	p := f.Params()
	key := argon2.IDKey(pass, f.Salt, p.Time, p.MemoryKiB, p.Threads, keySize)
	aead, err := chacha20poly1305.NewX(key)
	clear8(key)
	if err != nil {
		return nil, fmt.Errorf("keyfile: %w", err)
	}
	seed, err := aead.Open(nil, f.Nonce, f.Ciphertext, additionalData(f.Label, f.PublicKey))
	if err != nil {
		return nil, ErrWrongPassphrase
	}
	if len(seed) != ed25519.SeedSize {
		clear8(seed)
		return nil, &FormatError{Reason: "decrypted key has the wrong size"}
	}
	priv := ed25519.NewKeyFromSeed(seed)
	clear8(seed)
	if subtle.ConstantTimeCompare(priv[ed25519.SeedSize:], f.PublicKey) != 1 {
		clear8(priv)
		return nil, &FormatError{Reason: "decrypted private key does not match public_key"}
	}
	return priv, nil
}

// Create generates a new Ed25519 key from rand, writes it to path
// encrypted under passphrase, and returns the public key. label binds
// the file to a station id such as "T0001"; Open must be given the same
// label. The file is created with mode 0600 and path must not already
// exist. rand is the entropy source (crypto/rand.Reader in production);
// it is used for the key, the salt and the nonce.
//
// All the expensive work happens before the file is created, so a
// failure leaves no file behind; if writing fails the partial file is
// removed.
func Create(path string, passphrase []byte, label string, p Params, rand io.Reader) (ed25519.PublicKey, error) {
	if err := checkNewPassphrase(passphrase); err != nil {
		return nil, err
	}
	if err := checkLabel(label); err != nil {
		return nil, fmt.Errorf("keyfile: %w", err)
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("keyfile: invalid parameters: %w", err)
	}
	if rand == nil {
		return nil, errors.New("keyfile: nil random source")
	}
	// Fail fast, before the slow key derivation, if the file exists.
	// The O_EXCL open below is what actually guarantees no overwrite.
	if _, err := os.Lstat(path); err == nil {
		return nil, fmt.Errorf("keyfile: %s already exists: %w", path, os.ErrExist)
	}

	seed := make([]byte, ed25519.SeedSize)
	if _, err := io.ReadFull(rand, seed); err != nil {
		return nil, fmt.Errorf("keyfile: reading random key: %w", err)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	clear8(seed)
	defer clear8(priv)

	f, err := seal(priv, passphrase, label, p, rand)
	if err != nil {
		return nil, err
	}
	data, err := f.Marshal()
	if err != nil {
		return nil, err
	}

	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("keyfile: %w", err)
	}
	_, err = out.Write(data)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("keyfile: writing %s: %w", path, err)
	}
	syncDir(filepath.Dir(path))
	return bytes.Clone(f.PublicKey), nil
}

// readFile reads and parses the key file at path.
func readFile(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("keyfile: %w", err)
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("keyfile: reading %s: %w", path, err)
	}
	if len(data) > maxFileSize {
		return nil, &FormatError{Path: path, Reason: fmt.Sprintf("file is larger than %d bytes", maxFileSize)}
	}
	f, err := Parse(data)
	if err != nil {
		var fe *FormatError
		if errors.As(err, &fe) {
			fe.Path = path
		}
		return nil, err
	}
	return f, nil
}

// Open reads the key file at path and decrypts its private key with
// passphrase. label must match the label the file was created with.
//
// A file that group or other users may access is refused with a
// *ModeError before it is read. A wrong passphrase, or a file whose
// encrypted fields were altered, gives ErrWrongPassphrase. A malformed file, or one belonging to a
// different station, gives a *FormatError.
func Open(path string, passphrase []byte, label string) (ed25519.PrivateKey, error) {
	if err := CheckMode(path); err != nil {
		var me *ModeError
		if errors.As(err, &me) {
			return nil, err
		}
	}
	f, err := readFile(path)
	if err != nil {
		return nil, err
	}
	if f.Label != label {
		return nil, &FormatError{Path: path, Reason: fmt.Sprintf("key belongs to station %q, not %q", f.Label, label)}
	}
	priv, err := unseal(f, passphrase)
	if err != nil {
		var fe *FormatError
		if errors.As(err, &fe) {
			fe.Path = path
		}
		return nil, err
	}
	return priv, nil
}

// PublicKey returns the public key and label stored in the key file at
// path, without needing the passphrase. The public key is not
// authenticated until the file is opened with the passphrase.
func PublicKey(path string) (ed25519.PublicKey, string, error) {
	f, err := readFile(path)
	if err != nil {
		return nil, "", err
	}
	return f.PublicKey, f.Label, nil
}

// ChangePassphrase re-encrypts the key file at path under newPass with
// parameters p and a fresh salt and nonce. The label and key are kept.
// The file is replaced atomically: the new contents are written to a
// temporary file (mode 0600) in the same directory, synced, and renamed
// over path.
func ChangePassphrase(path string, oldPass, newPass []byte, p Params, rand io.Reader) error {
	if err := checkNewPassphrase(newPass); err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return fmt.Errorf("keyfile: invalid parameters: %w", err)
	}
	if rand == nil {
		return errors.New("keyfile: nil random source")
	}
	f, err := readFile(path)
	if err != nil {
		return err
	}
	priv, err := unseal(f, oldPass)
	if err != nil {
		var fe *FormatError
		if errors.As(err, &fe) {
			fe.Path = path
		}
		return err
	}
	defer clear8(priv)

	nf, err := seal(priv, newPass, f.Label, p, rand)
	if err != nil {
		return err
	}
	data, err := nf.Marshal()
	if err != nil {
		return err
	}

	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("keyfile: %w", err)
	}
	tmpName := tmp.Name()
	err = tmp.Chmod(0o600)
	if err == nil {
		_, err = tmp.Write(data)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmpName, path)
	}
	if err != nil {
		os.Remove(tmpName)
		return fmt.Errorf("keyfile: writing %s: %w", path, err)
	}
	syncDir(dir)
	return nil
}

// syncDir makes a just-created or renamed directory entry durable.
// It is best effort: some systems cannot fsync a directory.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	d.Sync()
	d.Close()
}

// ModeError reports a key file that group or other users may read or
// write. Open refuses such a file, as ssh refuses a private key that is
// not 0600: someone may already have copied it, and the fix (chmod 600)
// is one command. It is the owner who must decide whether the key has
// leaked and must be rotated.
type ModeError struct {
	Path string
	Perm os.FileMode
}

func (e *ModeError) Error() string {
	return fmt.Sprintf("keyfile: %s: permissions %04o let other users read the key; run chmod 600 %s", e.Path, uint32(e.Perm), e.Path)
}

// CheckMode returns a *ModeError if the file at path grants any
// permission to group or others. On Windows, where Unix permission bits
// are not meaningful, it only checks that the file exists.
func CheckMode(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("keyfile: %w", err)
	}
	if runtime.GOOS == "windows" {
		return nil
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return &ModeError{Path: path, Perm: perm}
	}
	return nil
}

// Fingerprint returns a short human-checkable fingerprint of pub: the
// first 8 bytes of SHA-256(pub) in upper-case hex, in groups of four,
// e.g. "ABCD-EF01-2345-6789".
func Fingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	h := strings.ToUpper(hex.EncodeToString(sum[:8]))
	return h[0:4] + "-" + h[4:8] + "-" + h[8:12] + "-" + h[12:16]
}

// VerifierKey returns the golang.org/x/mod/sumdb/note verifier key
// ("<name>+<hash>+<base64 key>") for pub under name. name must be a valid
// note name: non-empty, no spaces and no '+'.
func VerifierKey(name string, pub ed25519.PublicKey) (string, error) {
	vkey, err := note.NewEd25519VerifierKey(name, pub)
	if err != nil {
		return "", fmt.Errorf("keyfile: %w", err)
	}
	// NewEd25519VerifierKey does not check the name; NewVerifier does.
	if _, err := note.NewVerifier(vkey); err != nil {
		return "", fmt.Errorf("keyfile: invalid note key name %q: %w", name, err)
	}
	return vkey, nil
}

// SignerKey returns the golang.org/x/mod/sumdb/note signer key
// ("PRIVATE+KEY+<name>+<hash>+<base64 key>") for priv under name, in the
// same form as note.GenerateKey. The result is as secret as priv.
func SignerKey(name string, priv ed25519.PrivateKey) (string, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return "", fmt.Errorf("keyfile: invalid private key size %d, expected %d", len(priv), ed25519.PrivateKeySize)
	}
	check := ed25519.NewKeyFromSeed(priv.Seed())
	ok := subtle.ConstantTimeCompare(check, priv) == 1
	clear8(check)
	if !ok {
		return "", errors.New("keyfile: inconsistent private key")
	}
	vkey, err := VerifierKey(name, priv.Public().(ed25519.PublicKey))
	if err != nil {
		return "", err
	}
	// vkey is "<name>+<hash>+<key>" and name contains no '+'.
	_, rest, _ := strings.Cut(vkey, "+")
	hash, _, _ := strings.Cut(rest, "+")

	const algEd25519 = 1 // the algorithm byte used by note
	raw := append([]byte{algEd25519}, priv.Seed()...)
	skey := "PRIVATE+KEY+" + name + "+" + hash + "+" + b64.EncodeToString(raw)
	clear8(raw)
	return skey, nil
}

// Derive returns a 32-byte secret for one purpose (such as "card-key"),
// derived with HKDF-SHA-256 from the station's private key, so that the
// station needs no second secret file: whoever can unlock the key has it,
// nobody else does.
func Derive(priv ed25519.PrivateKey, purpose string) []byte {
	out := make([]byte, 32)
	r := hkdf.New(sha256.New, priv.Seed(), []byte("bianmin-derive-v1"), []byte(purpose))
	if _, err := io.ReadFull(r, out); err != nil {
		panic("keyfile: hkdf: " + err.Error()) // cannot happen for 32 bytes
	}
	return out
}

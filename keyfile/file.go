package keyfile

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

var b64 = base64.StdEncoding

// File is the parsed, validated content of a key file. Parse fills it
// without decrypting anything.
type File struct {
	Format     string // always Format
	Label      string // station id, e.g. "T0001"
	KDF        string // always "argon2id"
	Time       uint32
	MemoryKiB  uint32
	Threads    uint8
	Salt       []byte // 16 bytes
	AEAD       string // always "xchacha20poly1305"
	Nonce      []byte // 24 bytes
	PublicKey  ed25519.PublicKey
	Ciphertext []byte // sealed 32-byte seed, 48 bytes
}

// Params returns the Argon2id parameters recorded in f.
func (f *File) Params() Params {
	return Params{Time: f.Time, MemoryKiB: f.MemoryKiB, Threads: f.Threads}
}

// fileJSON is the on-disk form. The field order is the file's field
// order. Numbers are wide so out-of-range values give a clear error.
type fileJSON struct {
	Format     string  `json:"format"`
	Label      string  `json:"label"`
	KDF        string  `json:"kdf"`
	Time       *uint64 `json:"time"`
	MemoryKiB  *uint64 `json:"memory_kib"`
	Threads    *uint64 `json:"threads"`
	Salt       string  `json:"salt"`
	AEAD       string  `json:"aead"`
	Nonce      string  `json:"nonce"`
	PublicKey  string  `json:"public_key"`
	Ciphertext string  `json:"ciphertext"`
}

// Validate checks every field of f, as Parse does.
func (f *File) Validate() error {
	if f.Format != Format {
		return &FormatError{Reason: fmt.Sprintf("unsupported format %q (want %q)", f.Format, Format)}
	}
	if err := checkLabel(f.Label); err != nil {
		return &FormatError{Reason: err.Error()}
	}
	if f.KDF != kdfArgon2id {
		return &FormatError{Reason: fmt.Sprintf("unsupported kdf %q", f.KDF)}
	}
	if err := f.Params().Validate(); err != nil {
		return &FormatError{Reason: err.Error()}
	}
	if f.AEAD != aeadXChaCha20 {
		return &FormatError{Reason: fmt.Sprintf("unsupported aead %q", f.AEAD)}
	}
	for _, c := range []struct {
		name string
		b    []byte
		size int
	}{
		{"salt", f.Salt, saltSize},
		{"nonce", f.Nonce, nonceSize},
		{"public_key", f.PublicKey, ed25519.PublicKeySize},
		{"ciphertext", f.Ciphertext, ciphertextSize},
	} {
		if len(c.b) != c.size {
			return &FormatError{Reason: fmt.Sprintf("%s is %d bytes, want %d", c.name, len(c.b), c.size)}
		}
	}
	return nil
}

// Marshal returns the canonical JSON encoding of f (indented by two
// spaces, with a trailing newline). It validates f first.
func (f *File) Marshal() ([]byte, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	t, m, p := uint64(f.Time), uint64(f.MemoryKiB), uint64(f.Threads)
	j := fileJSON{
		Format:     f.Format,
		Label:      f.Label,
		KDF:        f.KDF,
		Time:       &t,
		MemoryKiB:  &m,
		Threads:    &p,
		Salt:       b64.EncodeToString(f.Salt),
		AEAD:       f.AEAD,
		Nonce:      b64.EncodeToString(f.Nonce),
		PublicKey:  b64.EncodeToString(f.PublicKey),
		Ciphertext: b64.EncodeToString(f.Ciphertext),
	}
	data, err := json.MarshalIndent(&j, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("keyfile: %w", err)
	}
	return append(data, '\n'), nil
}

// decodeB64 decodes canonical padded standard base64. Non-canonical
// encodings (embedded newlines, non-zero padding bits) are rejected so
// that every key file has exactly one encoding.
func decodeB64(name, s string) ([]byte, error) {
	b, err := b64.Strict().DecodeString(s)
	if err != nil || b64.EncodeToString(b) != s {
		return nil, &FormatError{Reason: fmt.Sprintf("%s is not valid base64", name)}
	}
	return b, nil
}

// Parse parses and validates the JSON content of a key file without
// decrypting it. Unknown fields, missing fields, trailing data, bad
// base64, wrong sizes and out-of-range KDF parameters are rejected with
// a *FormatError (whose Path is empty).
func Parse(data []byte) (*File, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var j fileJSON
	if err := dec.Decode(&j); err != nil {
		return nil, &FormatError{Reason: "invalid JSON: " + err.Error()}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &FormatError{Reason: "invalid JSON: trailing data after key object"}
	}
	if j.Format != Format {
		// Check first so that other files give a clear message.
		return nil, &FormatError{Reason: fmt.Sprintf("unsupported format %q (want %q)", j.Format, Format)}
	}
	for _, n := range []struct {
		name string
		v    *uint64
		max  uint64
	}{
		{"time", j.Time, MaxTime},
		{"memory_kib", j.MemoryKiB, MaxMemoryKiB},
		{"threads", j.Threads, MaxThreads},
	} {
		if n.v == nil {
			return nil, &FormatError{Reason: n.name + " is missing"}
		}
		if *n.v > n.max {
			return nil, &FormatError{Reason: fmt.Sprintf("%s %d is larger than %d", n.name, *n.v, n.max)}
		}
	}
	f := &File{
		Format:    j.Format,
		Label:     j.Label,
		KDF:       j.KDF,
		Time:      uint32(*j.Time),
		MemoryKiB: uint32(*j.MemoryKiB),
		Threads:   uint8(*j.Threads),
		AEAD:      j.AEAD,
	}
	var err error
	if f.Salt, err = decodeB64("salt", j.Salt); err != nil {
		return nil, err
	}
	if f.Nonce, err = decodeB64("nonce", j.Nonce); err != nil {
		return nil, err
	}
	var pub []byte
	if pub, err = decodeB64("public_key", j.PublicKey); err != nil {
		return nil, err
	}
	f.PublicKey = pub
	if f.Ciphertext, err = decodeB64("ciphertext", j.Ciphertext); err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	return f, nil
}

// Package secret reads passphrases and PINs for the command-line programs:
// from a file, else an environment variable, else the terminal without
// echo. Never from a command-line argument, which anyone can see in ps.
package secret

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/term"
)

// Source says where a secret may come from.
type Source struct {
	File   string              // read from this file if set (one line; the newline is dropped)
	Env    string              // else this environment variable, if set
	Getenv func(string) string // how to read the environment
	Stdin  io.Reader           // else this terminal, without echo
	Prompt io.Writer           // where prompts go (stderr)
}

// Errors Read returns; a file that cannot be read is a *FileError.
var (
	ErrNoTerminal = errors.New("secret: no file, no environment variable, and not a terminal to ask at")
	ErrMismatch   = errors.New("secret: the two entries differ")
)

// FileError says a secret's file cannot be read.
type FileError struct {
	Path string
	Err  error
}

func (e *FileError) Error() string { return fmt.Sprintf("secret: read %s: %v", e.Path, e.Err) }
func (e *FileError) Unwrap() error { return e.Err }

// Read returns the secret. At a terminal it shows prompt, and when again
// is not empty asks a second time with again and refuses two different
// entries.
func Read(src Source, prompt, again string) ([]byte, error) {
	if src.File != "" {
		data, err := os.ReadFile(src.File)
		if err != nil {
			return nil, &FileError{Path: src.File, Err: err}
		}
		data = bytes.TrimSuffix(data, []byte("\n"))
		return bytes.TrimSuffix(data, []byte("\r")), nil
	}
	if src.Getenv != nil && src.Env != "" {
		if v := src.Getenv(src.Env); v != "" {
			return []byte(v), nil
		}
	}
	f, ok := src.Stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil, ErrNoTerminal
	}
	ask := func(p string) ([]byte, error) {
		fmt.Fprint(src.Prompt, p)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(src.Prompt)
		if err != nil {
			return nil, fmt.Errorf("secret: read the terminal: %w", err)
		}
		return b, nil
	}
	first, err := ask(prompt)
	if err != nil || again == "" {
		return first, err
	}
	second, err := ask(again)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(first, second) {
		return nil, ErrMismatch
	}
	return first, nil
}

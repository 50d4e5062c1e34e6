package hostsim

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// openJournal opens (or creates) the journal file at path and passes each
// of its lines to apply, in order. A torn last line (see scanJournal) is
// cut off (and logged); a last line that lacks only its newline gets it.
func openJournal(path string, apply func(JournalLine) error, logf func(string, ...any)) (*os.File, error) {
	_, statErr := os.Stat(path)
	created := errors.Is(statErr, fs.ErrNotExist)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("hostsim: open journal: %w", err)
	}
	fail := func(err error) (*os.File, error) {
		f.Close()
		return nil, err
	}
	good, torn, err := scanJournal(f, func(_ int, l JournalLine) error { return apply(l) })
	if err != nil {
		var je *JournalError
		if errors.As(err, &je) {
			je.Path = path
			return fail(je)
		}
		return fail(fmt.Errorf("hostsim: read journal %s: %w", path, err))
	}
	switch {
	case torn != nil:
		// The host stopped while writing this line, before it answered.
		if err := f.Truncate(good); err != nil {
			return fail(fmt.Errorf("hostsim: journal %s: cut off the torn line %d: %w", path, torn.Line, err))
		}
		logf("hostsim: journal %s: cut off line %d, written only in part when the simulator stopped (%v)", path, torn.Line, torn.Err)
	case good > 0:
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, good-1); err != nil {
			return fail(fmt.Errorf("hostsim: read journal %s: %w", path, err))
		}
		if last[0] != '\n' {
			if _, err := f.Write([]byte("\n")); err != nil {
				return fail(fmt.Errorf("hostsim: journal %s: end the last line: %w", path, err))
			}
		}
	}
	if err := f.Sync(); err != nil {
		return fail(fmt.Errorf("hostsim: sync journal %s: %w", path, err))
	}
	if created {
		// Make the new file's name durable too.
		if d, err := os.Open(filepath.Dir(path)); err == nil {
			d.Sync()
			d.Close()
		}
	}
	return f, nil
}

// appendLine appends one line (b and a newline, in one write) and fsyncs.
func appendLine(f *os.File, b []byte) error {
	line := make([]byte, 0, len(b)+1)
	line = append(append(line, b...), '\n')
	if _, err := f.Write(line); err != nil {
		return fmt.Errorf("append: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	return nil
}

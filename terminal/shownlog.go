package terminal

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// shownLog keeps the shown marks (Pending.MarkShown): one ledger sequence
// number a line, appended to a plain file beside the pending store and
// never synced. A mark only spares the next start a question: if a power
// cut loses the last marks, that start asks about withdrawals that were
// in fact shown (Link.Untold), which is the safe side, and the withdrawal
// costs no sync for it. A line cut short by the cut is ignored.
type shownLog struct {
	path string
	mu   sync.Mutex
}

// shownLogPath is where the marks of the pending store at path go:
// pending.db → pending-shown.log.
func shownLogPath(path string) string {
	return strings.TrimSuffix(path, filepath.Ext(path)) + "-shown.log"
}

// add appends the mark of seq.
func (l *shownLog) add(seq uint64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, err := os.OpenFile(l.path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("terminal: shown marks: %w", err)
	}
	var line []byte
	if fi, err := f.Stat(); err == nil && fi.Size() > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, fi.Size()-1); err == nil && last[0] != '\n' {
			line = append(line, '\n') // end a line a power cut left short
		}
	}
	line = append(strconv.AppendUint(line, seq, 10), '\n')
	_, err = f.Write(line)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("terminal: shown marks: %w", err)
	}
	return nil
}

// read returns every whole mark in the file.
func (l *shownLog) read() (map[uint64]bool, error) {
	data, err := os.ReadFile(l.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("terminal: shown marks: %w", err)
	}
	// Only whole lines count: a last line cut short is not a mark.
	data = data[:bytes.LastIndexByte(data, '\n')+1]
	marks := map[uint64]bool{}
	for _, line := range bytes.Split(data, []byte{'\n'}) {
		if seq, err := strconv.ParseUint(string(line), 10, 64); err == nil {
			marks[seq] = true
		}
	}
	return marks, nil
}

// has reports whether seq was marked.
func (l *shownLog) has(seq uint64) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	marks, err := l.read()
	return marks[seq], err
}

// forget drops the marks through seq (the told mark covers them): the
// file is written again with the later marks, or removed.
func (l *shownLog) forget(seq uint64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	marks, err := l.read()
	if err != nil {
		return err
	}
	var keep []byte
	for m := range marks {
		if m > seq {
			keep = strconv.AppendUint(keep, m, 10)
			keep = append(keep, '\n')
		}
	}
	if len(keep) == 0 {
		if err := os.Remove(l.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("terminal: shown marks: %w", err)
		}
		return nil
	}
	tmp := l.path + ".tmp"
	if err := os.WriteFile(tmp, keep, 0o600); err != nil {
		return fmt.Errorf("terminal: shown marks: %w", err)
	}
	if err := os.Rename(tmp, l.path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("terminal: shown marks: %w", err)
	}
	return nil
}

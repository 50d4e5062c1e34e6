package shopfront

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/villagepost/bianmin/internal/snapsock"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/terminal"
)

// Files in a station's folder that let commands that only read work while
// station serve holds the station's database files.
const (
	// SocketFile is where station serve hands out copies of its files
	// (package snapsock): mode 0600, this user only.
	SocketFile = "station.sock"
	// CopyPrefix names the folders such a command reads its copy in;
	// each is removed when the command ends.
	CopyPrefix = ".copy-"
)

// copiedFiles are the station's bbolt files: each is locked while a
// program has it open for writing.
var copiedFiles = []string{LedgerFile, OperatorsFile, PendingFile}

// OpenForView opens the station for a command that only reads. When
// station serve holds the station's files (all day) and answers on its
// socket, it asks serve for a consistent copy of them and reads the
// copy, so the accountant gets the books while the shop is open. The
// copy's ledger is opened read-only: nothing can be recorded
// through it. A command that records something uses Open and is
// refused while the files are held.
func OpenForView(ctx context.Context, dir string, now func() time.Time, verifyNew bool) (*Folder, error) {
	if now == nil {
		now = time.Now
	}
	if fi, err := os.Lstat(filepath.Join(dir, SocketFile)); err == nil && fi.Mode().Type() == fs.ModeSocket {
		st, err := openCopy(ctx, dir, now, verifyNew)
		if !errors.Is(err, snapsock.ErrNoServer) {
			return st, err
		}
		// A socket left by a program that stopped: nobody holds the
		// files, or a command that shares nothing does.
	}
	return Open(dir, now, verifyNew)
}

// openCopy gets a copy of the files the running program holds in dir and
// opens the station on it: the ledger, operators and pending store come
// from the copy, everything else (tariff, acknowledgements, day files)
// from dir itself.
func openCopy(ctx context.Context, dir string, now func() time.Time, verifyNew bool) (*Folder, error) {
	tmp, err := os.MkdirTemp(dir, CopyPrefix)
	if err != nil {
		return nil, err
	}
	ok := false
	var s *ledger.Store
	defer func() {
		if !ok {
			if s != nil {
				s.Close()
			}
			os.RemoveAll(tmp)
		}
	}()
	if _, err := snapsock.Fetch(ctx, filepath.Join(dir, SocketFile), copiedFiles, tmp, 0); errors.Is(err, snapsock.ErrNoServer) {
		return nil, err
	} else if err != nil {
		return nil, refuse(err, "网页（station serve）开着，但没能从它那里拿到账本的副本，什么都没有改动。请再试一次；还不行，请先关掉网页再试。",
			"the screen (station serve) is running but did not hand over a copy of the ledger; nothing was changed. Try again; if it fails again, stop the screen first.")
	}
	s, err = ledger.Open(filepath.Join(tmp, LedgerFile), &ledger.Options{Now: now, ReadOnly: true})
	if err != nil {
		return nil, err
	}
	if verifyNew {
		if _, err := s.VerifyNew(); err != nil {
			return nil, err
		}
	}
	ops, err := terminal.OpenOperators(filepath.Join(tmp, OperatorsFile), now)
	if err != nil {
		return nil, err
	}
	ok = true
	return &Folder{Dir: dir, Now: now, Ledger: s, Ops: ops, copyDir: tmp}, nil
}

// DBPath is where the station's bbolt file name is read: in the copy, for
// a station opened on one.
func (st *Folder) DBPath(name string) string {
	if st.copyDir != "" {
		return filepath.Join(st.copyDir, name)
	}
	return st.Path(name)
}

// removeOldCopies removes the copies that commands killed before they
// could remove them left in dir (an hour old: no command still reads
// them).
func removeOldCopies(dir string, now time.Time) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), CopyPrefix) {
			continue
		}
		if fi, err := e.Info(); err == nil && now.Sub(fi.ModTime()) > time.Hour {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}

// ShareFiles lets commands that only read get a copy of the files the
// screen holds, on the socket in the station's folder, until ctx ends.
// It returns a function that waits for the socket to be closed and
// removed. A socket that cannot be made (a folder path too long for a
// unix socket, say) is reported and the screen goes on without it.
func (c *Counter) ShareFiles(ctx context.Context, logf func(string, ...any)) (wait func(), err error) {
	removeOldCopies(c.Dir, c.Now())
	sock := filepath.Join(c.Dir, SocketFile)
	ln, err := snapsock.Listen(sock)
	if err != nil {
		return func() {}, err
	}
	sources := []snapsock.Source{
		{Name: LedgerFile, WriteTo: c.Ledger.WriteBackup},
		{Name: OperatorsFile, WriteTo: c.Ops.WriteBackup},
	}
	if c.Link != nil && c.Link.Pending != nil {
		sources = append(sources, snapsock.Source{Name: PendingFile, WriteTo: c.Link.Pending.WriteBackup})
	}
	srv := &snapsock.Server{Sources: sources, Logf: logf}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(ctx, ln, sock)
	}()
	return func() { <-done }, nil
}

// IsCopy says whether st was opened on a copy of the files the running
// program holds (OpenForView).
func (st *Folder) IsCopy() bool { return st.copyDir != "" }

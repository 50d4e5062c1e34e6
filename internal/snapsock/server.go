package snapsock

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"sync"
	"time"
)

// Source is one file the server copies: WriteTo writes a consistent copy
// of it (a bbolt read transaction's WriteTo).
type Source struct {
	Name    string
	WriteTo func(w io.Writer) (int64, error)
}

// Server answers copy requests on a unix socket.
type Server struct {
	Sources []Source
	// Logf reports a request refused or failed; nil drops it.
	Logf func(format string, args ...any)
	// Idle is how long a client may take to send its request, and how
	// long one write to it may take; 30 s if zero.
	Idle time.Duration

	one sync.Mutex // one copy at a time: a copy reads whole files
}

// Listen makes the socket at path, readable and writable by this user
// only. The socket is made under a temporary name, given its mode, and
// only then moved to path, so nobody can connect in between. A socket
// left at path by a program that did not stop cleanly is removed; the
// caller holds the station's lock, so no other server uses it. Anything
// other than a socket at path is left alone and is an error.
func Listen(path string) (*net.UnixListener, error) {
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode().Type() != fs.ModeSocket {
			return nil, fmt.Errorf("snapsock: %s exists and is not a socket", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("snapsock: remove the old socket: %w", err)
		}
	}
	tmp := path + ".new"
	if fi, err := os.Lstat(tmp); err == nil && fi.Mode().Type() == fs.ModeSocket {
		os.Remove(tmp)
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: tmp, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("snapsock: listen: %w", err)
	}
	ln.SetUnlinkOnClose(false)
	fail := func(err error) (*net.UnixListener, error) {
		ln.Close()
		os.Remove(tmp)
		return nil, fmt.Errorf("snapsock: listen: %w", err)
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fail(err)
	}
	return ln, nil
}

// Serve answers on ln until ctx ends, then closes ln and removes its
// socket file at path.
func (s *Server) Serve(ctx context.Context, ln *net.UnixListener, path string) {
	var wg sync.WaitGroup
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	for {
		conn, err := ln.AcceptUnix()
		if err != nil {
			if ctx.Err() == nil && !errors.Is(err, net.ErrClosed) {
				s.logf("snapsock: accept: %v", err)
				time.Sleep(100 * time.Millisecond)
				continue
			}
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer conn.Close()
			cctx, cancel := context.WithCancel(ctx)
			defer cancel()
			context.AfterFunc(cctx, func() { conn.SetDeadline(time.Now()) })
			s.answer(conn)
		}()
	}
	wg.Wait()
	os.Remove(path)
}

func (s *Server) logf(format string, args ...any) {
	if s.Logf != nil {
		s.Logf(format, args...)
	}
}

func (s *Server) idle() time.Duration {
	if s.Idle > 0 {
		return s.Idle
	}
	return 30 * time.Second
}

// answer serves one connection.
func (s *Server) answer(conn *net.UnixConn) {
	if err := sameUser(conn); err != nil {
		s.logf("snapsock: refused a copy: %v", err)
		return
	}
	conn.SetReadDeadline(time.Now().Add(s.idle()))
	line, err := bufio.NewReader(io.LimitReader(conn, int64(len(Request)))).ReadString('\n')
	if err != nil || line != Request {
		s.logf("snapsock: a request that is not %q", Request)
		return
	}
	s.one.Lock()
	defer s.one.Unlock()
	w := &deadlineWriter{conn: conn, idle: s.idle()}
	bw := bufio.NewWriterSize(w, 64<<10)
	for _, src := range s.Sources {
		if err := writeRecord(bw, kindFile, []byte(src.Name)); err != nil {
			s.logf("snapsock: send %s: %v", src.Name, err)
			return
		}
		c := &chunker{w: bw, buf: make([]byte, 0, MaxChunk)}
		_, err := src.WriteTo(c)
		if err == nil {
			err = c.flush()
		}
		if err != nil {
			if !w.failed {
				// The file could not be read: say so. A write to the
				// client that failed needs no answer.
				writeRecord(bw, kindError, []byte(fmt.Sprintf("copy %s: %v", src.Name, err)))
				bw.Flush()
			}
			s.logf("snapsock: copy %s: %v", src.Name, err)
			return
		}
	}
	if err := writeRecord(bw, kindDone, nil); err == nil {
		bw.Flush()
	}
}

// deadlineWriter gives each write to the client idle to finish.
type deadlineWriter struct {
	conn   net.Conn
	idle   time.Duration
	failed bool
}

func (d *deadlineWriter) Write(p []byte) (int, error) {
	d.conn.SetWriteDeadline(time.Now().Add(d.idle))
	n, err := d.conn.Write(p)
	if err != nil {
		d.failed = true
	}
	return n, err
}

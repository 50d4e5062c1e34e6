package snapsock

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// ErrNoServer means nothing answers on the socket: no program that
// offers copies holds the station (another command does, or the socket
// was left behind by one that stopped).
var ErrNoServer = errors.New("snapsock: no running program answers on the socket")

// Fetch asks the program listening at sock for a copy of each file in
// want and writes each into the folder into (which must exist) under its
// own name, mode 0600. idle bounds each wait for the server (30 s if
// zero); ctx ends the whole exchange. Fetch returns the names copied.
func Fetch(ctx context.Context, sock string, want []string, into string, idle time.Duration) ([]string, error) {
	if idle <= 0 {
		idle = 30 * time.Second
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", sock)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ECONNREFUSED) {
			return nil, fmt.Errorf("%w (%s)", ErrNoServer, sock)
		}
		return nil, fmt.Errorf("snapsock: connect %s: %w", sock, err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	conn.SetWriteDeadline(time.Now().Add(idle))
	if _, err := io.WriteString(conn, Request); err != nil {
		return nil, fmt.Errorf("snapsock: ask %s: %w", sock, err)
	}
	r := &deadlineReader{conn: conn, idle: idle}
	got, err := ReadReply(r, want, func(name string) (io.WriteCloser, error) {
		return os.OpenFile(filepath.Join(into, name), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	})
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("snapsock: %w: %w", ctx.Err(), err)
	}
	return got, err
}

// deadlineReader gives each read from the server idle to arrive.
type deadlineReader struct {
	conn net.Conn
	idle time.Duration
}

func (d *deadlineReader) Read(p []byte) (int, error) {
	d.conn.SetReadDeadline(time.Now().Add(d.idle))
	return d.conn.Read(p)
}

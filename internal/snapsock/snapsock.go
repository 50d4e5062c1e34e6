// Package snapsock lets a command that only reads get, from the running
// program that holds a station's database files locked, a consistent copy
// of each of them, over a unix socket in the station's folder that only
// the same user can connect to.
//
// bbolt keeps a file locked for as long as a program has it open for
// writing, and another program cannot even read it then. The running
// program therefore answers one question on the socket: "give me a copy
// of your files as of now". Each copy is taken inside one read
// transaction of that file (the running program goes on writing while it
// is sent), so the command reads exactly what it would have read with the
// program stopped at that moment. The socket runs nothing the caller
// chooses and hands out nothing the same user could not read from the
// folder anyway: it adds only consistency.
//
// The exchange, after the client connects:
//
//	client:  the line "bianmin-snapshot-v1\n"
//	server:  records; each is one kind byte, a 4-byte big-endian length n
//	         and n bytes:
//	  'F' name   a file follows; name is one the client asked for
//	             (letters, digits, '.', '_' or '-', at most 64 bytes)
//	  'D' bytes  the next part of that file, at most MaxChunk bytes
//	  'Z'        every file was sent (n is 0)
//	  'X' text   the server could not make a copy; text says why
//
// A connection that ends before 'Z' or 'X' is a failed copy.
package snapsock

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"regexp"
)

// Request is the line a client sends.
const Request = "bianmin-snapshot-v1\n"

// MaxChunk bounds the bytes of one 'D' record.
const MaxChunk = 1 << 20

// maxText bounds an 'F' or 'X' record.
const maxText = 1024

// Record kinds.
const (
	kindFile  = 'F'
	kindData  = 'D'
	kindDone  = 'Z'
	kindError = 'X'
)

var nameRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// ServerError is the reason a running program gave for not sending a copy.
type ServerError struct{ Reason string }

func (e *ServerError) Error() string {
	return "snapsock: the running program could not copy its files: " + e.Reason
}

// ErrTruncated means the copy ended before the server said it was whole.
var ErrTruncated = errors.New("snapsock: the copy ended before it was whole")

// ProtocolError is a reply that does not follow the exchange above.
type ProtocolError struct{ Detail string }

func (e *ProtocolError) Error() string { return "snapsock: bad reply: " + e.Detail }

// ReadReply reads a server's reply from r. Each file named in want may
// come once, in any order; open is called when it starts and what it
// returns gets its bytes (and is closed when the next file starts or the
// reply ends, or on error). ReadReply returns the names received, in
// order, once the server says every file was sent.
func ReadReply(r io.Reader, want []string, open func(name string) (io.WriteCloser, error)) (got []string, err error) {
	br := bufio.NewReaderSize(r, 64<<10)
	wanted := map[string]bool{}
	for _, n := range want {
		wanted[n] = true
	}
	var cur io.WriteCloser
	closeCur := func() error {
		if cur == nil {
			return nil
		}
		c := cur
		cur = nil
		return c.Close()
	}
	defer func() {
		if cerr := closeCur(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	buf := make([]byte, 0, 64<<10)
	for {
		var head [5]byte
		if _, err := io.ReadFull(br, head[:]); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return got, ErrTruncated
			}
			return got, err
		}
		kind, n := head[0], binary.BigEndian.Uint32(head[1:])
		limit := uint32(maxText)
		switch kind {
		case kindData:
			limit = MaxChunk
		case kindDone:
			limit = 0
		case kindFile, kindError:
		default:
			return got, &ProtocolError{fmt.Sprintf("unknown record kind %q", kind)}
		}
		if n > limit {
			return got, &ProtocolError{fmt.Sprintf("record %q of %d bytes, at most %d", kind, n, limit)}
		}
		if cap(buf) < int(n) {
			buf = make([]byte, n)
		}
		body := buf[:n]
		if _, err := io.ReadFull(br, body); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return got, ErrTruncated
			}
			return got, err
		}
		switch kind {
		case kindError:
			return got, &ServerError{Reason: string(body)}
		case kindDone:
			return got, closeCur()
		case kindFile:
			name := string(body)
			if !nameRE.MatchString(name) || !wanted[name] {
				return got, &ProtocolError{fmt.Sprintf("file %q was not asked for", name)}
			}
			delete(wanted, name) // each file once
			if err := closeCur(); err != nil {
				return got, err
			}
			w, err := open(name)
			if err != nil {
				return got, err
			}
			cur = w
			got = append(got, name)
		case kindData:
			if cur == nil {
				return got, &ProtocolError{"data before any file"}
			}
			if _, err := cur.Write(body); err != nil {
				return got, err
			}
		}
	}
}

// writeRecord writes one record.
func writeRecord(w io.Writer, kind byte, body []byte) error {
	var head [5]byte
	head[0] = kind
	binary.BigEndian.PutUint32(head[1:], uint32(len(body)))
	if _, err := w.Write(head[:]); err != nil {
		return err
	}
	_, err := w.Write(body)
	return err
}

// chunker turns a file's bytes into 'D' records.
type chunker struct {
	w   io.Writer
	buf []byte
}

func (c *chunker) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		room := MaxChunk - len(c.buf)
		take := min(room, len(p))
		c.buf = append(c.buf, p[:take]...)
		p = p[take:]
		if len(c.buf) == MaxChunk {
			if err := c.flush(); err != nil {
				return n - len(p), err
			}
		}
	}
	return n, nil
}

func (c *chunker) flush() error {
	if len(c.buf) == 0 {
		return nil
	}
	err := writeRecord(c.w, kindData, c.buf)
	c.buf = c.buf[:0]
	return err
}

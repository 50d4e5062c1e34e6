package snapsock_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/villagepost/bianmin/internal/snapsock"
)

// shortDir is a folder whose socket path fits a unix socket's 108 bytes.
func shortDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "snap")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func serve(t *testing.T, srv *snapsock.Server) string {
	t.Helper()
	dir := shortDir(t)
	sock := filepath.Join(dir, "station.sock")
	ln, err := snapsock.Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx, ln, sock); close(done) }()
	t.Cleanup(func() {
		cancel()
		<-done
		if _, err := os.Lstat(sock); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the socket is still there after the server stopped: %v", err)
		}
	})
	return sock
}

func source(name string, data []byte) snapsock.Source {
	return snapsock.Source{Name: name, WriteTo: func(w io.Writer) (int64, error) {
		n, err := w.Write(data)
		return int64(n), err
	}}
}

// TestFetch: every file asked for arrives whole, a large one in many
// parts; the socket is this user's only.
func TestFetch(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 3*snapsock.MaxChunk/16+7)
	sock := serve(t, &snapsock.Server{Sources: []snapsock.Source{source("ledger.db", big), source("operators.db", []byte("ops")), source("empty.db", nil)}})
	fi, err := os.Lstat(sock)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("socket mode %v, want 0600", fi.Mode().Perm())
	}
	into := t.TempDir()
	got, err := snapsock.Fetch(context.Background(), sock, []string{"ledger.db", "operators.db", "empty.db"}, into, 0)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "ledger.db,operators.db,empty.db" {
		t.Errorf("got %v", got)
	}
	for name, want := range map[string][]byte{"ledger.db": big, "operators.db": []byte("ops"), "empty.db": nil} {
		data, err := os.ReadFile(filepath.Join(into, name))
		if err != nil || !bytes.Equal(data, want) {
			t.Errorf("%s: %d bytes, want %d (%v)", name, len(data), len(want), err)
		}
		if fi, err := os.Stat(filepath.Join(into, name)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v (%v), want 0600", name, fi.Mode().Perm(), err)
		}
	}
}

// TestFetchRefusals: no server, a server that cannot read its file, a
// file not asked for.
func TestFetchRefusals(t *testing.T) {
	t.Run("ErrNoServer", func(t *testing.T) {
		_, err := snapsock.Fetch(context.Background(), filepath.Join(shortDir(t), "station.sock"), []string{"ledger.db"}, t.TempDir(), 0)
		if !errors.Is(err, snapsock.ErrNoServer) {
			t.Errorf("no socket: %v", err)
		}
		// A socket left behind by a program that stopped.
		sock := filepath.Join(shortDir(t), "station.sock")
		ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
		if err != nil {
			t.Fatal(err)
		}
		ln.SetUnlinkOnClose(false)
		ln.Close()
		if _, err := snapsock.Fetch(context.Background(), sock, []string{"ledger.db"}, t.TempDir(), 0); !errors.Is(err, snapsock.ErrNoServer) {
			t.Errorf("stale socket: %v", err)
		}
		// The next server replaces it.
		ln2, err := snapsock.Listen(sock)
		if err != nil {
			t.Fatalf("listen over a stale socket: %v", err)
		}
		ln2.Close()
	})
	t.Run("ServerError", func(t *testing.T) {
		sock := serve(t, &snapsock.Server{Sources: []snapsock.Source{{Name: "ledger.db", WriteTo: func(w io.Writer) (int64, error) {
			w.Write([]byte("part"))
			return 4, errors.New("disk on fire")
		}}}})
		_, err := snapsock.Fetch(context.Background(), sock, []string{"ledger.db"}, t.TempDir(), 0)
		var se *snapsock.ServerError
		if !errors.As(err, &se) || !strings.Contains(se.Reason, "disk on fire") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("NotAskedFor", func(t *testing.T) {
		sock := serve(t, &snapsock.Server{Sources: []snapsock.Source{source("station.key", []byte("k"))}})
		into := t.TempDir()
		_, err := snapsock.Fetch(context.Background(), sock, []string{"ledger.db"}, into, 0)
		var pe *snapsock.ProtocolError
		if !errors.As(err, &pe) {
			t.Errorf("got %v", err)
		}
		if names, _ := os.ReadDir(into); len(names) != 0 {
			t.Errorf("wrote %v", names)
		}
	})
	t.Run("NotASocket", func(t *testing.T) {
		path := filepath.Join(shortDir(t), "station.sock")
		os.WriteFile(path, []byte("mine"), 0o600)
		if _, err := snapsock.Listen(path); err == nil {
			t.Error("a regular file at the socket's path was replaced")
		}
		if data, _ := os.ReadFile(path); string(data) != "mine" {
			t.Error("the file was changed")
		}
	})
	t.Run("SlowClient", func(t *testing.T) {
		sock := serve(t, &snapsock.Server{Idle: 50 * time.Millisecond, Sources: []snapsock.Source{source("ledger.db", []byte("x"))}})
		conn, err := net.Dial("unix", sock)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		if n, err := conn.Read(make([]byte, 1)); n != 0 || err == nil {
			t.Errorf("a client that sent no request got %d bytes (%v)", n, err)
		}
	})
}

func record(kind byte, body string) []byte {
	b := []byte{kind, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(b[1:], uint32(len(body)))
	return append(b, body...)
}

type sink struct{ bytes.Buffer }

func (s *sink) Close() error { return nil }

// TestReadReply: the records of the exchange, and what is refused.
func TestReadReply(t *testing.T) {
	cat := func(rs ...[]byte) []byte { return bytes.Join(rs, nil) }
	for _, tc := range []struct {
		name  string
		reply []byte
		ok    bool
	}{
		{"whole", cat(record('F', "a.db"), record('D', "xy"), record('D', "z"), record('F', "b.db"), record('Z', "")), true},
		{"nothing", cat(record('Z', "")), true},
		{"truncated", cat(record('F', "a.db"), record('D', "xy")), false},
		{"cut in a record", cat(record('F', "a.db"), record('D', "xy")[:6]), false},
		{"twice", cat(record('F', "a.db"), record('F', "a.db"), record('Z', "")), false},
		{"not asked", cat(record('F', "c.db"), record('Z', "")), false},
		{"path", cat(record('F', "../a.db"), record('Z', "")), false},
		{"data first", cat(record('D', "xy"), record('Z', "")), false},
		{"error", cat(record('F', "a.db"), record('X', "no")), false},
		{"unknown kind", cat(record('Q', ""), record('Z', "")), false},
		{"done with a body", cat(record('Z', "x")), false},
		{"huge", []byte{'D', 0xff, 0xff, 0xff, 0xff}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]*sink{}
			_, err := snapsock.ReadReply(bytes.NewReader(tc.reply), []string{"a.db", "b.db"}, func(name string) (io.WriteCloser, error) {
				files[name] = &sink{}
				return files[name], nil
			})
			if (err == nil) != tc.ok {
				t.Fatalf("err %v, want ok=%v", err, tc.ok)
			}
			if tc.name == "whole" && (files["a.db"].String() != "xyz" || files["b.db"].Len() != 0) {
				t.Errorf("files %q %q", files["a.db"], files["b.db"])
			}
		})
	}
}

// FuzzReadReply: any reply is read or refused, never more than asked for.
func FuzzReadReply(f *testing.F) {
	f.Add(bytes.Join([][]byte{record('F', "a.db"), record('D', "xy"), record('Z', "")}, nil))
	f.Add(record('X', "why"))
	f.Add([]byte{'D', 0, 0x10, 0, 0})
	f.Fuzz(func(t *testing.T, reply []byte) {
		total := 0
		opened := map[string]bool{}
		got, err := snapsock.ReadReply(bytes.NewReader(reply), []string{"a.db", "b.db"}, func(name string) (io.WriteCloser, error) {
			if opened[name] || (name != "a.db" && name != "b.db") {
				t.Fatalf("opened %q twice or unasked", name)
			}
			opened[name] = true
			return &sink{}, nil
		})
		total = len(got)
		if total > 2 {
			t.Fatalf("got %v", got)
		}
		if err == nil && !bytes.Contains(reply, []byte{'Z', 0, 0, 0, 0}) {
			t.Fatalf("accepted a reply with no end: %q", reply)
		}
	})
}

package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/villagepost/bianmin/web"
)

// servedOn runs station serve's server (serveOn) for a demo station on
// 127.0.0.1 with lim, until the test ends; it returns the address.
func servedOn(t *testing.T, lim serveLimits) string {
	t.Helper()
	x := openDesked(t)
	h, err := web.New(x.d, &web.Options{Now: x.m.Now, Logf: t.Logf, Hosts: screenHosts(serveOptions{addr: "127.0.0.1:0"})})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- x.m.serveOn(ctx, x.d, h, ln, serveOptions{drainEvery: time.Hour, limits: lim}) }()
	t.Cleanup(func() { cancel(); <-done })
	return ln.Addr().String()
}

// dialFrom opens a connection to addr from the local IP address from.
func dialFrom(t *testing.T, from, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 30 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial %s from %s: %v", addr, from, err)
	}
	c.SetDeadline(time.Now().Add(time.Minute))
	t.Cleanup(func() { c.Close() })
	return c
}

// signInPage asks for the sign-in page on c and returns the status, or
// the error if the server closed the connection instead.
func signInPage(c net.Conn) (int, error) {
	if _, err := io.WriteString(c, "GET /signin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"); err != nil {
		return 0, err
	}
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, nil
}

// TestServeCutsSlowClients: a client that sends its headers and then
// the body a byte at a time is cut off after the read timeout instead of
// holding its connection for ever.
func TestServeCutsSlowClients(t *testing.T) {
	addr := servedOn(t, serveLimits{ReadTimeout: 300 * time.Millisecond, WriteTimeout: time.Minute, IdleTimeout: time.Minute, PerAddr: 16})
	c := dialFrom(t, "127.0.0.1", addr)
	io.WriteString(c, "POST /signin HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\np")
	// The client goes on sending a byte now and then; the server must
	// end the connection all the same (within the test's minute).
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
				if _, err := c.Write([]byte("i")); err != nil {
					return
				}
			}
		}
	}()
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("a client sending one byte at a time held its connection for a minute")
	}
}

// TestServeCapsConnectionsPerAddress: one address that holds PerAddr
// connections open gets no more (the next is closed at once), while
// another address is served as usual; when one of the first closes, the
// address may connect again.
func TestServeCapsConnectionsPerAddress(t *testing.T) {
	const perAddr = 4
	addr := servedOn(t, serveLimits{ReadTimeout: time.Minute, WriteTimeout: time.Minute, IdleTimeout: time.Minute, PerAddr: perAddr})
	var held []net.Conn
	for i := 0; i < perAddr; i++ {
		c := dialFrom(t, "127.0.0.2", addr)
		io.WriteString(c, "POST /signin HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n")
		held = append(held, c)
	}
	// Each held connection is accepted before the next dial is answered
	// only in order; ask until the cap shows (a refused one is closed).
	var refused bool
	for i := 0; i < 20 && !refused; i++ {
		_, err := signInPage(dialFrom(t, "127.0.0.2", addr))
		refused = err != nil
	}
	if !refused {
		t.Fatalf("an address holding %d connections was given more", perAddr)
	}
	if st, err := signInPage(dialFrom(t, "127.0.0.1", addr)); err != nil || st != http.StatusOK {
		t.Fatalf("the counter's address while another holds its cap: %d %v", st, err)
	}
	held[0].Close()
	deadline := time.Now().Add(time.Minute)
	for {
		st, err := signInPage(dialFrom(t, "127.0.0.2", addr))
		if err == nil && st == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after closing a connection the address is still refused: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestFloodIsHeld: an address that floods the screen with requests
// without a signed-in session is held and answered 429 once it is past
// its burst (the test's clock stands still, so nothing refills), while a
// signed-in counter is never counted, and another address is served.
func TestFloodIsHeld(t *testing.T) {
	_, srv, c, _ := guardedScreen(t)
	flood := clientFrom(t, "127.0.0.2")
	flood.Jar = nil
	held := 0
	for i := 1; i <= 100 && held == 0; i++ {
		r, _ := get(t, flood, srv.URL+"/signin")
		if r.StatusCode == http.StatusTooManyRequests {
			held = i
		}
	}
	if held == 0 {
		t.Fatal("100 anonymous requests from one address at once were all served")
	}
	for i := 0; i < 100; i++ {
		if r, _ := get(t, c, srv.URL+"/cash"); r.StatusCode != http.StatusOK {
			t.Fatalf("the signed-in counter's request %d during the flood: %s", i, r.Status)
		}
	}
	if r, _ := get(t, clientFrom(t, "127.0.0.3"), srv.URL+"/signin"); r.StatusCode != http.StatusOK {
		t.Errorf("another address during the flood: %s", r.Status)
	}
}

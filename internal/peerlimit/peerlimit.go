// Package peerlimit caps the connections a listener keeps open from any
// one remote address, so that a few clients that open connections and
// hold them (sending a byte now and then) cannot take every connection a
// server has.
package peerlimit

import (
	"net"
	"sync"
)

// Listener is a net.Listener that closes, as soon as it is accepted, a
// connection from an address that already has Max connections open.
type Listener struct {
	net.Listener
	Max     int                 // open connections allowed per remote IP address
	Refused func(addr net.Addr) // called for each connection closed at once; may be nil

	mu   sync.Mutex
	open map[string]int
}

// New returns a Listener over ln allowing max connections per address.
func New(ln net.Listener, max int) *Listener {
	return &Listener{Listener: ln, Max: max}
}

// Accept returns the next connection whose address is under its cap.
func (l *Listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ip := hostOf(c.RemoteAddr())
		l.mu.Lock()
		if l.open == nil {
			l.open = map[string]int{}
		}
		if l.open[ip] >= l.Max {
			l.mu.Unlock()
			c.Close()
			if l.Refused != nil {
				l.Refused(c.RemoteAddr())
			}
			continue
		}
		l.open[ip]++
		l.mu.Unlock()
		return &conn{Conn: c, l: l, ip: ip}, nil
	}
}

// Open returns the number of connections open from the IP address ip.
func (l *Listener) Open(ip string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open[ip]
}

func (l *Listener) release(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[ip]--; l.open[ip] <= 0 {
		delete(l.open, ip)
	}
}

func hostOf(a net.Addr) string {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.IP.String()
	}
	h, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return h
}

type conn struct {
	net.Conn
	l    *Listener
	ip   string
	once sync.Once
}

func (c *conn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.release(c.ip) })
	return err
}

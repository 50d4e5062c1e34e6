package web

import (
	"net/http"
	"sync"
	"time"
)

// A stranger's flood of requests (a few thousand a second from one
// address) would take both cores of the shop's PC from the counter. So
// every request that does not carry a signed-in session is counted
// against its address: anonRate a second, with bursts of anonBurst; an
// address over its rate is held for tarpit and then answered 429 with the
// connection closed. With at most 16 connections per address (station
// serve), an address over its rate costs the server a few requests a
// second. A signed-in counter is never counted.
const (
	anonRate   = 5.0
	anonBurst  = 40.0
	tarpit     = time.Second
	maxBuckets = 4096
)

type bucket struct {
	tokens float64
	at     time.Time
}

type anonLimiter struct {
	mu sync.Mutex
	m  map[string]*bucket
}

// allow takes a token of addr's bucket at now, if there is one.
func (l *anonLimiter) allow(addr string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = map[string]*bucket{}
	}
	b := l.m[addr]
	if b == nil {
		if len(l.m) >= maxBuckets {
			for k, x := range l.m { // forget the addresses whose bucket is full again
				if x.tokens+now.Sub(x.at).Seconds()*anonRate >= anonBurst {
					delete(l.m, k)
				}
			}
		}
		b = &bucket{tokens: anonBurst, at: now}
		l.m[addr] = b
	}
	b.tokens += now.Sub(b.at).Seconds() * anonRate
	if b.tokens > anonBurst {
		b.tokens = anonBurst
	}
	b.at = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// limitAnon holds and refuses requests without a signed-in session from
// an address over its rate.
func (s *Server) limitAnon(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.sessions.signedIn(r) || s.anonRate.allow(clientOf(r), s.now()) {
			h.ServeHTTP(w, r)
			return
		}
		t := time.NewTimer(tarpit)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Connection", "close")
		w.Header().Set("Retry-After", "1")
		refusedPage(w, http.StatusTooManyRequests,
			"这台设备的请求太多太快，请稍等一下再打开。",
			"Too many requests from this device too fast; wait a moment and try again.")
	})
}

// signedIn reports whether r carries the cookie of a live signed-in
// session.
func (s *sessions) signedIn(r *http.Request) bool {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	x, ok := s.m[c.Value]
	return ok && s.now().Sub(x.seen) <= s.idle
}

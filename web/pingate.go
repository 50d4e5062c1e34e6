package web

import (
	"context"
	"sync"
	"time"

	"github.com/villagepost/bianmin/terminal"
)

// pinGate stands in front of every PIN check of the screen (sign-in, an
// owner's approval). A PIN check is an Argon2id hash: 19 MiB and tens of
// milliseconds. The operators' lockout bounds the checks per operator,
// but a guesser can also name operators that do not exist, which cost
// the same hash (so that timing does not tell which exist) and lock
// nothing. So the gate
//
//   - runs at most maxPINChecks checks at once, whoever asks, so that a
//     crowd of guesses costs a bounded memory and leaves a core for the
//     counter;
//   - refuses, without a check, an address that typed addrMaxFailures
//     wrong PINs or unknown operators in a row, for terminal.LockoutFor
//     (the counter at another address is not affected).
type pinGate struct {
	slots chan struct{}
	mu    sync.Mutex
	from  map[string]*terminal.Failures
}

const (
	maxPINChecks    = 2
	addrMaxFailures = 2 * terminal.MaxPINFailures
	maxAddrsKept    = 4096 // beyond, addresses whose lock ended are forgotten first
)

func newPINGate() *pinGate {
	return &pinGate{slots: make(chan struct{}, maxPINChecks), from: map[string]*terminal.Failures{}}
}

// check runs fn, a PIN check for a request from addr, through the gate.
// It returns the time until which addr is refused (and does not run fn)
// when addr is shut out, and ctx's error when the request ended waiting.
func (g *pinGate) check(ctx context.Context, addr string, now time.Time, fn func() (wrong bool)) (until time.Time, err error) {
	g.mu.Lock()
	if f := g.from[addr]; f != nil && now.Before(f.Locked) {
		g.mu.Unlock()
		return f.Locked, nil
	}
	g.mu.Unlock()
	select {
	case g.slots <- struct{}{}:
	case <-ctx.Done():
		return time.Time{}, ctx.Err()
	}
	wrong := fn()
	<-g.slots
	g.mu.Lock()
	defer g.mu.Unlock()
	if !wrong {
		delete(g.from, addr)
		return time.Time{}, nil
	}
	f := g.from[addr]
	if f == nil {
		g.forget(now)
		f = &terminal.Failures{}
		g.from[addr] = f
	}
	f.InARow++
	f.Last = now
	if f.InARow >= addrMaxFailures {
		f.InARow, f.Locked = 0, now.Add(terminal.LockoutFor)
	}
	return time.Time{}, nil
}

// forget makes room for a new address: addresses idle for LockoutFor go
// first, then (many addresses at once) every unlocked one.
func (g *pinGate) forget(now time.Time) {
	if len(g.from) < maxAddrsKept {
		return
	}
	for k, f := range g.from {
		if now.Sub(f.Last) > terminal.LockoutFor && !now.Before(f.Locked) {
			delete(g.from, k)
		}
	}
	if len(g.from) >= maxAddrsKept {
		for k, f := range g.from {
			if !now.Before(f.Locked) {
				delete(g.from, k)
			}
		}
	}
}

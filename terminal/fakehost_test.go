package terminal_test

import (
	"context"
	"fmt"
	"sync"

	"github.com/villagepost/bianmin/terminal"
)

// What the fake host does with the next Send.
type step int

const (
	approve  step = iota // do it and answer
	decline              // refuse it (code 51)
	drop                 // do it, then lose the answer
	lose                 // lose the request on the way in: nothing done, no answer
	hang                 // lose the request and keep the caller waiting until its deadline
	waitlist             // put a ticket order on the waiting list
	down                 // unreachable: nothing done
)

// fakeHost is a bank, biller and carrier that does what the test scripts.
// It keeps what it did per trace, as a real host does, so that Status,
// Reverse and repeated requests answer truthfully.
type fakeHost struct {
	mu       sync.Mutex
	script   []step                          // one per Send, then approve
	offline  map[string]bool                 // hosts (bank, biller, carrier) that cannot be reached
	did      map[string]terminal.HostReply   // by trace
	requests map[string]terminal.HostRequest // by trace, every request that arrived
	later    map[string]string               // waitlisted trace -> approved or declined
	sends    int
	reversed []string
	pins     []string // every PIN the host was sent
}

func newFakeHost() *fakeHost {
	return &fakeHost{offline: map[string]bool{}, did: map[string]terminal.HostReply{}, requests: map[string]terminal.HostRequest{}, later: map[string]string{}}
}

var _ terminal.Host = (*fakeHost)(nil)

func (h *fakeHost) next(s ...step) {
	h.mu.Lock()
	h.script = append(h.script, s...)
	h.mu.Unlock()
}

// setOffline takes hosts off the network ("bank", "biller", "carrier"),
// or all of them when none is named.
func (h *fakeHost) setOffline(off bool, hosts ...string) {
	if len(hosts) == 0 {
		hosts = []string{"bank", "biller", "carrier"}
	}
	h.mu.Lock()
	for _, x := range hosts {
		h.offline[x] = off
	}
	h.mu.Unlock()
}

// unreachableTrace reports whether the host of trace is off the network.
func (h *fakeHost) unreachableTrace(trace string) bool {
	r, ok := h.requests[trace]
	if !ok {
		return h.offline["bank"] && h.offline["biller"] && h.offline["carrier"]
	}
	return h.offline[terminal.HostName(r.Service)]
}

func unreachable(what string) error {
	return fmt.Errorf("fake host: %s: %w", what, terminal.ErrUnreachable)
}

func (h *fakeHost) Send(ctx context.Context, r terminal.HostRequest) (terminal.HostReply, error) {
	h.mu.Lock()
	if h.offline[terminal.HostName(r.Service)] {
		h.mu.Unlock()
		return terminal.HostReply{}, unreachable("send")
	}
	h.sends++
	if r.PIN != "" {
		h.pins = append(h.pins, r.PIN)
	}
	if prev, ok := h.did[r.Trace]; ok {
		h.mu.Unlock()
		return prev, nil // the same trace again: the first answer, nothing more
	}
	s := approve
	if len(h.script) > 0 {
		s, h.script = h.script[0], h.script[1:]
	}
	var reply terminal.HostReply
	h.requests[r.Trace] = r
	switch s {
	case down:
		h.mu.Unlock()
		return terminal.HostReply{}, unreachable("send")
	case lose:
		h.mu.Unlock()
		return terminal.HostReply{}, fmt.Errorf("fake host: connection reset")
	case hang:
		h.mu.Unlock()
		<-ctx.Done()
		return terminal.HostReply{}, ctx.Err()
	case decline:
		reply = terminal.HostReply{Trace: r.Trace, Status: terminal.StatusDeclined, Code: "51", Reason: "insufficient funds"}
	case waitlist:
		reply = terminal.HostReply{Trace: r.Trace, Status: terminal.StatusPending, Reference: "W" + r.Trace}
	default:
		reply = h.approved(r)
	}
	h.did[r.Trace] = reply
	h.mu.Unlock()
	if s == drop {
		return terminal.HostReply{}, fmt.Errorf("fake host: reply lost")
	}
	return reply, nil
}

func (h *fakeHost) approved(r terminal.HostRequest) terminal.HostReply {
	reply := terminal.HostReply{Trace: r.Trace, Status: terminal.StatusApproved, Code: "00"}
	switch r.Service {
	case terminal.SvcWithdrawal:
		reply.AuthCode = "A" + r.Trace[len(r.Trace)-5:]
	case terminal.SvcBalanceInquiry:
		reply.Balance = "4321.09"
	case terminal.SvcTicketOrder:
		reply.Reference = "E" + r.Trace[len(r.Trace)-6:]
	case terminal.SvcTicketCancel:
		reply.Amount = "100.00" // the carrier's rule, whatever the fare
	default:
		reply.Reference = "R" + r.Trace
	}
	return reply
}

func (h *fakeHost) Status(ctx context.Context, trace string) (terminal.HostReply, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.unreachableTrace(trace) {
		return terminal.HostReply{}, unreachable("status")
	}
	reply, ok := h.did[trace]
	if !ok {
		return terminal.HostReply{Trace: trace, Status: terminal.StatusNone}, nil
	}
	if reply.Status == terminal.StatusPending {
		switch h.later[trace] {
		case terminal.StatusApproved:
			reply = h.approved(h.requests[trace])
			h.did[trace] = reply
		case terminal.StatusDeclined:
			reply = terminal.HostReply{Trace: trace, Status: terminal.StatusDeclined, Code: "T2", Reason: "no seats"}
			h.did[trace] = reply
		}
	}
	return reply, nil
}

func (h *fakeHost) Reverse(ctx context.Context, trace string) (terminal.HostReply, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.unreachableTrace(trace) {
		return terminal.HostReply{}, unreachable("reverse")
	}
	reply, ok := h.did[trace]
	if ok && (reply.Status == terminal.StatusApproved || reply.Status == terminal.StatusPending) {
		h.did[trace] = terminal.HostReply{Trace: trace, Status: terminal.StatusReversed, Code: "00"}
		h.reversed = append(h.reversed, trace)
	}
	return terminal.HostReply{Trace: trace, Status: terminal.StatusReversed, Code: "00"}, nil
}

func (h *fakeHost) LookupBill(ctx context.Context, biller, account string) (terminal.Bill, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.offline["biller"] {
		return terminal.Bill{}, unreachable("lookup")
	}
	return terminal.Bill{Biller: biller, Account: account, Customer: "张*", Period: "2026-11", Due: "88.50"}, nil
}

// approvedNow reports how many traces stand approved at the host.
func (h *fakeHost) approvedNow(service string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for trace, r := range h.did {
		if r.Status == terminal.StatusApproved && h.requests[trace].Service == service {
			n++
		}
	}
	return n
}

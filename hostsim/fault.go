package hostsim

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/villagepost/bianmin/terminal"
)

// Fault modes.
const (
	// FaultDecline: the host declines with Code (default "05") and does
	// nothing else. The decline is the host's decision: it is journaled and
	// Status reports it.
	FaultDecline = "decline"
	// FaultSlow: the request reaches the host after Delay, and is processed
	// then even if the caller gave up waiting.
	FaultSlow = "slow"
	// FaultTimeout: the request is lost on the way in: never processed,
	// never answered. The call returns when the caller's context is done.
	FaultTimeout = "timeout"
	// FaultDrop: the request is processed, then the reply is lost.
	FaultDrop = "drop"
	// FaultHang: the request is processed, then no answer ever comes.
	FaultHang = "hang"
	// FaultDuplicate: the request is processed and the reply sent twice.
	FaultDuplicate = "duplicate"
	// FaultDown: the host cannot be reached; nothing happens there. It
	// applies to every call (Send, Status, Reverse, LookupBill).
	FaultDown = "down"
	// FaultWaitlist: a ticket order goes onto the waiting list (pending);
	// the next Status inquiry issues the ticket.
	FaultWaitlist = "waitlist"
	// FaultWaitlistFail: as FaultWaitlist, but the next Status inquiry
	// declines the order ("T2", no seats).
	FaultWaitlistFail = "waitlist-fail"
)

// DefaultDeclineCode is the code of a decline fault that names none: "do
// not honour".
const DefaultDeclineCode = "05"

// Limits of a fault.
const (
	maxFaultDelay = time.Hour
	maxFaultCount = 1_000_000
)

// Fault is a fault injected in front of a host, for tests.
//
// Its text form, read by ParseFault and written by String, is
//
//	TARGET=MODE[:ARG][#N]
//
// TARGET is a service ("withdrawal", "bill_payment", ...), a host
// ("bank", "biller", "carrier", "insurer", "telecom", "social") or "*" for every host. MODE is one of the
// Fault* constants; decline takes an optional ARG, the code (1 to 4
// characters, digits and capital letters; default "05"); slow takes a
// required ARG, a Go duration above zero and at most 1h ("3s", "250ms").
// "#N" (1 ≤ N ≤ 1000000, no leading zeros) limits the fault to the next N
// calls it applies to, after which it clears itself. Examples:
//
//	withdrawal=decline:51
//	bank=down
//	withdrawal=slow:3s
//	bill_payment=drop#1
//	ticket_order=waitlist
type Fault struct {
	Target string        // a service, a host, or "*"
	Mode   string        // one of the Fault* constants
	Code   string        // decline only
	Delay  time.Duration // slow only
	Count  int           // > 0: only the next Count calls; 0: until cleared
}

// FaultError says why a fault is not valid.
type FaultError struct {
	Input string // the text form, or the fault's String for a Fault value
	Rule  string
}

// Error says which fault and why.
func (e *FaultError) Error() string {
	return fmt.Sprintf("hostsim: fault %q: %s", e.Input, e.Rule)
}

// validTarget reports whether t is a service, a host or "*".
func validTarget(t string) bool {
	return knownService(t) || t == hostBank || t == hostBiller || t == hostCarrier || t == hostInsurer || t == hostTelecom || t == hostSocial || t == "*"
}

// ParseFault reads the text form of a fault (see Fault). Spaces around it
// are ignored. Errors are *FaultError.
func ParseFault(s string) (Fault, error) {
	s = strings.TrimSpace(s)
	fail := func(rule string) (Fault, error) { return Fault{}, &FaultError{Input: s, Rule: rule} }
	target, rest, ok := strings.Cut(s, "=")
	if !ok {
		return fail("want TARGET=MODE, e.g. withdrawal=decline:51")
	}
	var f Fault
	f.Target = target
	if body, count, ok := strings.Cut(rest, "#"); ok {
		n, err := parseCount(count)
		if err != nil {
			return fail(err.Error())
		}
		rest, f.Count = body, n
	}
	mode, arg, hasArg := strings.Cut(rest, ":")
	f.Mode = mode
	switch mode {
	case FaultDecline:
		f.Code = arg
		if !hasArg {
			f.Code = DefaultDeclineCode
		}
	case FaultSlow:
		if !hasArg {
			return fail("slow needs a duration, e.g. slow:3s")
		}
		d, err := time.ParseDuration(arg)
		if err != nil {
			return fail("slow needs a duration, e.g. slow:3s")
		}
		f.Delay = d
	default:
		if hasArg {
			return fail(fmt.Sprintf("%s takes no argument", mode))
		}
	}
	if err := f.validate(); err != nil {
		return fail(err.Error())
	}
	return f, nil
}

// ParseFaults reads a comma-separated list of faults in text form, as an
// environment variable might hold it. An empty list gives no faults.
func ParseFaults(s string) ([]Fault, error) {
	var out []Fault
	for _, part := range strings.Split(s, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		f, err := ParseFault(part)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

func parseCount(s string) (int, error) {
	bad := fmt.Errorf("#N needs a count from 1 to %d", maxFaultCount)
	if s == "" || s[0] == '0' || len(s) > 7 {
		return 0, bad
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, bad
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n > maxFaultCount {
		return 0, bad
	}
	return n, nil
}

// String returns the text form of f, which ParseFault reads back.
func (f Fault) String() string {
	var b strings.Builder
	b.WriteString(f.Target)
	b.WriteByte('=')
	b.WriteString(f.Mode)
	switch f.Mode {
	case FaultDecline:
		b.WriteString(":" + f.Code)
	case FaultSlow:
		b.WriteString(":" + f.Delay.String())
	}
	if f.Count > 0 {
		fmt.Fprintf(&b, "#%d", f.Count)
	}
	return b.String()
}

// validate checks a fault whose decline code has been defaulted.
func (f Fault) validate() error {
	if !validTarget(f.Target) {
		return fmt.Errorf("unknown target %q: want a service, bank, biller, carrier, insurer, social or *", f.Target)
	}
	switch f.Mode {
	case FaultDecline:
		if !validCode(f.Code) {
			return fmt.Errorf("decline code %q: want 1 to 4 digits or capital letters", f.Code)
		}
	case FaultSlow:
		if f.Delay <= 0 || f.Delay > maxFaultDelay {
			return fmt.Errorf("slow delay %s: want above 0 and at most %s", f.Delay, maxFaultDelay)
		}
	case FaultWaitlist, FaultWaitlistFail:
		if f.Target != terminal.SvcTicketOrder && f.Target != hostCarrier && f.Target != "*" {
			return fmt.Errorf("%s applies to ticket_order only: want target ticket_order, carrier or *", f.Mode)
		}
	case FaultTimeout, FaultDrop, FaultHang, FaultDuplicate, FaultDown:
	default:
		return fmt.Errorf("unknown mode %q: want decline, slow, timeout, drop, hang, duplicate, down, waitlist or waitlist-fail", f.Mode)
	}
	if f.Mode != FaultDecline && f.Code != "" {
		return fmt.Errorf("only decline takes a code")
	}
	if f.Mode != FaultSlow && f.Delay != 0 {
		return fmt.Errorf("only slow takes a delay")
	}
	if f.Count < 0 || f.Count > maxFaultCount {
		return fmt.Errorf("count %d: want 0 (until cleared) to %d", f.Count, maxFaultCount)
	}
	return nil
}

// normalize fills in a decline fault's default code and checks f.
func (f Fault) normalize() (Fault, error) {
	if f.Mode == FaultDecline && f.Code == "" {
		f.Code = DefaultDeclineCode
	}
	if err := f.validate(); err != nil {
		return Fault{}, &FaultError{Input: f.String(), Rule: err.Error()}
	}
	return f, nil
}

func validCode(c string) bool {
	if len(c) < 1 || len(c) > 4 {
		return false
	}
	for i := 0; i < len(c); i++ {
		if !(c[i] >= '0' && c[i] <= '9' || c[i] >= 'A' && c[i] <= 'Z') {
			return false
		}
	}
	return true
}

// faultJSON is the JSON object form of a Fault.
type faultJSON struct {
	Target string `json:"target"`
	Mode   string `json:"mode"`
	Code   string `json:"code,omitempty"`
	Delay  string `json:"delay,omitempty"` // a Go duration: "3s"
	Count  int    `json:"count,omitempty"`
}

// MarshalJSON writes f as {"target","mode","code","delay","count"}, with
// the delay as a Go duration ("3s").
func (f Fault) MarshalJSON() ([]byte, error) {
	j := faultJSON{Target: f.Target, Mode: f.Mode, Code: f.Code, Count: f.Count}
	if f.Delay != 0 {
		j.Delay = f.Delay.String()
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads the object form MarshalJSON writes, or a string in
// the text form ("bank=down"), and checks the fault.
func (f *Fault) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		g, err := ParseFault(s)
		if err != nil {
			return err
		}
		*f = g
		return nil
	}
	var j faultJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("hostsim: fault: want an object or a string such as \"bank=down\": %w", err)
	}
	g := Fault{Target: j.Target, Mode: j.Mode, Code: j.Code, Count: j.Count}
	if j.Delay != "" {
		d, err := time.ParseDuration(j.Delay)
		if err != nil {
			return &FaultError{Input: string(b), Rule: "delay: want a duration such as \"3s\""}
		}
		g.Delay = d
	}
	g, err := g.normalize()
	if err != nil {
		return err
	}
	*f = g
	return nil
}

// call is the kind of call a fault may apply to.
type call int

const (
	callSend  call = iota
	callOther      // Status, Reverse, LookupBill: only down applies
)

// applies reports whether a fault in mode m acts on a call of service.
func applies(m string, c call, service string) bool {
	switch {
	case m == FaultDown:
		return true
	case c != callSend:
		return false
	case m == FaultWaitlist || m == FaultWaitlistFail:
		return service == terminal.SvcTicketOrder
	}
	return true
}

// takeFault finds the fault that acts on a call of service (or of an
// unknown service when service is ""): the first in list order whose
// target is the service, else the service's host, else "*". A counted
// fault is used up by one. The caller holds s.mu.
func (s *Sim) takeFault(service string, c call) (Fault, bool) {
	levels := []string{"*"}
	if service != "" {
		levels = []string{service, terminal.HostName(service), "*"}
	}
	for _, target := range levels {
		for i, f := range s.faults {
			if f.Target != target || !applies(f.Mode, c, service) {
				continue
			}
			if f.Count > 0 {
				s.faults[i].Count--
				if s.faults[i].Count == 0 {
					s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
				}
			}
			s.logf("hostsim: fault %s acts on a call for %s", f, serviceOr(service, "an unknown trace"))
			return f, true
		}
	}
	return Fault{}, false
}

func serviceOr(service, alt string) string {
	if service == "" {
		return alt
	}
	return service
}

// SetFaults replaces the faults in force with faults (none clears them).
// A decline without a code gets DefaultDeclineCode. An invalid fault is a
// *FaultError, and then nothing changes.
func (s *Sim) SetFaults(faults ...Fault) error {
	out := make([]Fault, 0, len(faults))
	for _, f := range faults {
		g, err := f.normalize()
		if err != nil {
			return err
		}
		out = append(out, g)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = out
	return nil
}

// Faults returns the faults in force, counted ones with what is left of
// their count.
func (s *Sim) Faults() []Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Fault{}, s.faults...)
}

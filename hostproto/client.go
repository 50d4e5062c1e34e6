package hostproto

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/villagepost/bianmin/terminal"
)

// Client is a terminal.Host that talks to the hosts over HTTP
// (docs/host-protocol.md): cmd/hostsim, or a real bank's gateway that
// speaks the same protocol.
//
// An error wraps terminal.ErrUnreachable only when the request certainly
// did not reach the server: no connection was ever made for it (connection
// refused, no route, the context ended first), or the server answered 503.
// Anything that goes wrong after the connection was made — a timeout, a
// connection closed without a response, a body that is not one reply (or
// the same reply twice), a reply for another trace — is an ordinary
// error: the outcome is unknown.
type Client struct {
	BaseURL string       // e.g. http://127.0.0.1:8090
	HTTP    *http.Client // nil: a client with no timeout of its own; the context bounds each call
}

var _ terminal.Host = (*Client)(nil)

// Send sends r to the hosts. Its PIN travels in the request body and
// nowhere else.
func (c *Client) Send(ctx context.Context, r terminal.HostRequest) (terminal.HostReply, error) {
	var rep terminal.HostReply
	if err := c.call(ctx, PathSend, r, &rep); err != nil {
		return terminal.HostReply{}, err
	}
	if err := checkReply(rep, r.Trace, terminal.StatusApproved, terminal.StatusDeclined, terminal.StatusPending); err != nil {
		return terminal.HostReply{}, err
	}
	return rep, nil
}

// Status asks what the hosts did with trace.
func (c *Client) Status(ctx context.Context, trace string) (terminal.HostReply, error) {
	var rep terminal.HostReply
	if err := c.call(ctx, PathStatus, TraceBody{trace}, &rep); err != nil {
		return terminal.HostReply{}, err
	}
	if err := checkReply(rep, trace, terminal.StatusApproved, terminal.StatusDeclined, terminal.StatusPending, terminal.StatusReversed, terminal.StatusNone); err != nil {
		return terminal.HostReply{}, err
	}
	return rep, nil
}

// Reverse asks the hosts to undo trace; a nil error is their
// acknowledgement.
func (c *Client) Reverse(ctx context.Context, trace string) (terminal.HostReply, error) {
	var rep terminal.HostReply
	if err := c.call(ctx, PathReverse, TraceBody{trace}, &rep); err != nil {
		return terminal.HostReply{}, err
	}
	if err := checkReply(rep, trace, terminal.StatusReversed, terminal.StatusDeclined, terminal.StatusNone); err != nil {
		return terminal.HostReply{}, err
	}
	return rep, nil
}

// LookupBill asks a biller what is due on an account. An account that
// does not exist is a *terminal.DeclineError.
func (c *Client) LookupBill(ctx context.Context, biller, account string) (terminal.Bill, error) {
	var b terminal.Bill
	err := c.call(ctx, PathBill, BillBody{biller, account}, &b)
	return b, err
}

// LookupContribution asks the social-insurance host what a member owes
// (terminal.ContributionLookup).
func (c *Client) LookupContribution(ctx context.Context, q terminal.ContributionDetails) (terminal.ContributionDue, error) {
	var d terminal.ContributionDue
	err := c.call(ctx, PathContribution, q, &d)
	return d, err
}

func (c *Client) call(ctx context.Context, path string, in, out any) error {
	return c.Do(ctx, http.MethodPost, path, in, out)
}

// Do makes one HTTP call with in as its JSON body (nil: none) and decodes
// the reply into out, with the rules of the calls above: an error wraps
// terminal.ErrUnreachable only when the request certainly did not reach
// the server. The host simulator's own paths (/admin/…) are called so.
func (c *Client) Do(ctx context.Context, method, path string, in, out any) error {
	op := "hosts: " + strings.TrimPrefix(path, "/")
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		body = bytes.NewReader(b)
	}
	var connected atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { connected.Store(true) },
	})
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.BaseURL, "/")+path, body)
	if err != nil {
		return fmt.Errorf("%s: %w: %w", op, terminal.ErrUnreachable, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{}
	}
	resp, err := hc.Do(req)
	if err != nil {
		if !connected.Load() {
			return fmt.Errorf("%s: %w: %w", op, terminal.ErrUnreachable, err)
		}
		return fmt.Errorf("%s: no reply, outcome unknown: %w", op, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		return fmt.Errorf("%s: reading the reply, outcome unknown: %w", op, err)
	}
	if len(data) > MaxBody {
		return fmt.Errorf("%s: reply larger than %d bytes", op, MaxBody)
	}
	switch resp.StatusCode {
	case http.StatusOK:
		if err := decodeReply(data, out); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		return nil
	case http.StatusServiceUnavailable:
		return fmt.Errorf("%s: %s: %w", op, errorText(data), terminal.ErrUnreachable)
	case http.StatusNotFound:
		var d DeclineBody
		if path == PathBill && json.Unmarshal(data, &d) == nil && d.Code != "" {
			return &terminal.DeclineError{Service: terminal.SvcBillPayment, Code: d.Code, Reason: d.Reason}
		}
	}
	return fmt.Errorf("%s: HTTP %d: %s", op, resp.StatusCode, errorText(data))
}

// decodeReply reads one JSON reply into out. The same reply may follow
// once more (a duplicated reply); anything else after it is an error.
func decodeReply(data []byte, out any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("a reply that is not JSON, outcome unknown: %w", err)
	}
	if !dec.More() {
		if _, err := dec.Token(); err != io.EOF {
			return errors.New("a reply with something after it, outcome unknown")
		}
		return nil
	}
	second := reflect.New(reflect.TypeOf(out).Elem()).Interface()
	if err := dec.Decode(second); err != nil {
		return fmt.Errorf("a second reply that is not JSON, outcome unknown: %w", err)
	}
	if !reflect.DeepEqual(out, second) {
		return errors.New("two different replies to one request, outcome unknown")
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("more than two replies to one request, outcome unknown")
	}
	return nil
}

// checkReply refuses a reply for another trace or with a status the call
// cannot have.
func checkReply(rep terminal.HostReply, trace string, statuses ...string) error {
	if rep.Trace != trace {
		return fmt.Errorf("hosts: a reply for trace %q to a request for %q, outcome unknown", rep.Trace, trace)
	}
	if !slices.Contains(statuses, rep.Status) {
		return fmt.Errorf("hosts: a reply with status %q, outcome unknown", rep.Status)
	}
	return nil
}

// errorText is the error a server put in a body, or the body itself.
func errorText(data []byte) string {
	var e ErrorBody
	if json.Unmarshal(data, &e) == nil && e.Error != "" {
		if e.Field != "" {
			return e.Field + ": " + e.Error
		}
		return e.Error
	}
	const max = 200
	s := strings.TrimSpace(string(data))
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}

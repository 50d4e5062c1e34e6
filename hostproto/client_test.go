package hostproto_test

import (
	"context"
	"errors"
	"github.com/villagepost/bianmin/hostproto"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/villagepost/bianmin/terminal"
)

func withdrawal(trace, amount string) terminal.HostRequest {
	return terminal.HostRequest{Trace: trace, Terminal: "T0001", Service: terminal.SvcWithdrawal, Amount: amount, Card: "6228480402564890018", PIN: "147258"}
}

// wantUnknown fails unless err says the outcome is unknown: an error,
// but not one that proves the request never reached the host.
func wantUnknown(tb testing.TB, what string, err error) {
	tb.Helper()
	if err == nil || errors.Is(err, terminal.ErrUnreachable) {
		tb.Fatalf("%s: error %v, want an unknown outcome (not nil, not ErrUnreachable)", what, err)
	}
}

func shortCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	t.Cleanup(cancel)
	return ctx
}

func TestClientUnreachable(t *testing.T) {
	// A port that was just free and is closed again: the connection is
	// refused, so the request certainly did not reach the host.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := &hostproto.Client{BaseURL: "http://" + addr}
	ctx := context.Background()
	for name, call := range map[string]func() error{
		"Send":       func() error { _, err := c.Send(ctx, withdrawal("T1-1", "1.00")); return err },
		"Status":     func() error { _, err := c.Status(ctx, "T1-1"); return err },
		"Reverse":    func() error { _, err := c.Reverse(ctx, "T1-1"); return err },
		"LookupBill": func() error { _, err := c.LookupBill(ctx, "state-grid", "5100123456"); return err },
	} {
		if err := call(); !errors.Is(err, terminal.ErrUnreachable) {
			t.Errorf("%s to a closed port: %v, want ErrUnreachable", name, err)
		}
	}
}

// fakeHost answers every request with status and body.
func fakeHost(t *testing.T, status int, body string) *hostproto.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return &hostproto.Client{BaseURL: srv.URL}
}

func TestClientReplies(t *testing.T) {
	const reply = `{"trace":"T1-1","status":"approved","code":"00","auth_code":"123456","amount":"1.00"}`
	tests := []struct {
		name   string
		status int
		body   string
		want   string // "ok", "unknown" or "unreachable"
	}{
		{"one reply", 200, reply, "ok"},
		{"the same reply twice", 200, reply + "\n" + reply + "\n", "ok"},
		{"ErrTwoDifferentReplies", 200, reply + `{"trace":"T1-1","status":"declined","code":"05"}`, "unknown"},
		{"ErrThreeReplies", 200, reply + reply + reply, "unknown"},
		{"ErrNotJSON", 200, `approved`, "unknown"},
		{"ErrCutShort", 200, reply[:20], "unknown"},
		{"ErrTrailingGarbage", 200, reply + ` x`, "unknown"},
		{"ErrOtherTrace", 200, `{"trace":"T1-2","status":"approved","code":"00"}`, "unknown"},
		{"ErrStatusNone", 200, `{"trace":"T1-1","status":"none","code":"25"}`, "unknown"},
		{"ErrServerError", 500, `{"error":"boom"}`, "unknown"},
		{"ErrNotFound", 404, `not found`, "unknown"},
		{"ErrBadRequest", 400, `{"error":"missing","field":"trace"}`, "unknown"},
		{"ErrUnreachable503", 503, `{"error":"bank is down","code":"unreachable"}`, "unreachable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fakeHost(t, tt.status, tt.body)
			rep, err := c.Send(context.Background(), withdrawal("T1-1", "1.00"))
			switch tt.want {
			case "ok":
				if err != nil || rep.AuthCode != "123456" {
					t.Errorf("Send = %+v, %v", rep, err)
				}
			case "unknown":
				wantUnknown(t, "Send", err)
			case "unreachable":
				if !errors.Is(err, terminal.ErrUnreachable) {
					t.Errorf("Send: %v, want ErrUnreachable", err)
				}
			}
		})
	}
}

func TestClientHonoursDeadline(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-block:
		}
	}))
	t.Cleanup(func() { close(block); srv.Close() })
	c := &hostproto.Client{BaseURL: srv.URL}
	_, err := c.Send(shortCtx(t), withdrawal("T1-1", "1.00"))
	wantUnknown(t, "Send", err)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Send: %v, want the context's error", err)
	}
}

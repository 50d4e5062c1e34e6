package hostsim_test

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/villagepost/bianmin/hostproto"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/villagepost/bianmin/hostsim"
	"github.com/villagepost/bianmin/terminal"
)

// serve serves s on 127.0.0.1 and returns a Client for it. At the end of
// the test the Sim closes first (ending hanging calls), then the server.
func serve(t *testing.T, s *sim) (*hostproto.Client, string) {
	t.Helper()
	srv := httptest.NewServer(hostsim.NewHandler(s.Sim))
	t.Cleanup(func() {
		s.Close()
		srv.Close()
	})
	return &hostproto.Client{BaseURL: srv.URL}, srv.URL
}

// post sends body to url+path and returns the status and body.
func post(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestHTTP(t *testing.T) {
	s := MustOpen(t)
	c, _ := serve(t, s)
	ctx := context.Background()
	tr := s.trace()
	rep, err := c.Send(ctx, withdrawal(tr, "100.00"))
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, "send", rep, terminal.StatusApproved, "00")
	if st, err := c.Status(ctx, tr); err != nil || st != rep {
		t.Errorf("Status = %+v, %v; want %+v", st, err, rep)
	}
	if st, err := c.Status(ctx, "T0001-999999"); err != nil || st.Status != terminal.StatusNone {
		t.Errorf("Status of an unknown trace = %+v, %v", st, err)
	}
	rev, err := c.Reverse(ctx, tr)
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, "reverse", rev, terminal.StatusReversed, "00")
	if got := s.balance(t); got != "5000.00" {
		t.Errorf("balance %s after the reversal", got)
	}
	b, err := c.LookupBill(ctx, "state-grid", "5100123456")
	if want, _ := s.LookupBill(ctx, "state-grid", "5100123456"); err != nil || b != want {
		t.Errorf("LookupBill = %+v, %v; want %+v", b, err, want)
	}
	_, err = c.LookupBill(ctx, "state-grid", "5100120000")
	var de *terminal.DeclineError
	if !errors.As(err, &de) || de.Code != hostsim.CodeNoAccount {
		t.Errorf("LookupBill of no account: %v, want a *terminal.DeclineError code 14", err)
	}
}

func TestHTTPMalformed(t *testing.T) {
	s := MustOpen(t)
	_, url := serve(t, s)
	tests := []struct {
		path, body string
		field      string
	}{
		{"/v1/send", `{"trace":`, "body"},
		{"/v1/send", ``, "body"},
		{"/v1/send", `{"trace":"T1","service":"withdrawal","amount":"1.00","card":"6228480402564890018","pin":"123456"} {}`, "body"},
		{"/v1/send", `{"trace":"T1","service":"withdrawal","amount":1}`, "amount"},
		{"/v1/send", `{"trace":"T1","service":"withdrawal","colour":"red"}`, "colour"},
		{"/v1/send", `{"service":"withdrawal"}`, "trace"},
		{"/v1/send", `{"trace":"T1","service":"withdrawal","amount":"1.00","card":"6228480402564890018","pin":"12"}`, "pin"},
		{"/v1/status", `{}`, "trace"},
		{"/v1/reverse", `{"trace":7}`, "trace"},
		{"/v1/bill", `{"biller":"state-grid"}`, "account"},
		{"/admin/faults", `["bank=explode"]`, "faults[0]"},
	}
	for _, tt := range tests {
		method := http.MethodPost
		if strings.HasPrefix(tt.path, "/admin") {
			method = http.MethodPut
		}
		code, body := post(t, method, url+tt.path, tt.body)
		var e struct{ Error, Field string }
		json.Unmarshal([]byte(body), &e)
		if code != http.StatusBadRequest || e.Field != tt.field || e.Error == "" {
			t.Errorf("%s %s: %d %s, want 400 naming %s", tt.path, tt.body, code, body, tt.field)
		}
		if strings.Contains(body, "123456") || strings.Contains(body, "6228480402564890018") {
			t.Errorf("%s %s: the error repeats the PIN or card: %s", tt.path, tt.body, body)
		}
	}
	if n := journalLines(t, s); n != 0 {
		t.Errorf("malformed requests wrote %d journal lines", n)
	}
}

func TestHTTPAdminFaults(t *testing.T) {
	s := MustOpen(t)
	c, url := serve(t, s)
	code, body := post(t, http.MethodPut, url+"/admin/faults", `["withdrawal=decline:51#1", {"target":"bank","mode":"slow","delay":"5ms"}]`)
	if code != http.StatusOK {
		t.Fatalf("PUT: %d %s", code, body)
	}
	var fs []hostsim.Fault
	err := c.Do(context.Background(), http.MethodGet, "/admin/faults", nil, &fs)
	if err != nil || len(fs) != 2 || fs[0].String() != "withdrawal=decline:51#1" || fs[1].String() != "bank=slow:5ms" {
		t.Fatalf("faults %v, %v", fs, err)
	}
	if code, body := post(t, http.MethodDelete, url+"/admin/faults", ""); code != http.StatusOK || strings.TrimSpace(body) != "[]" {
		t.Errorf("DELETE: %d %s", code, body)
	}
	var set []hostsim.Fault
	if err := c.Do(context.Background(), http.MethodPut, "/admin/faults", []hostsim.Fault{{Target: "bank", Mode: hostsim.FaultDown}}, &set); err != nil {
		t.Fatal(err)
	}
	if fs := s.Faults(); len(fs) != 1 || fs[0].Mode != hostsim.FaultDown {
		t.Errorf("faults after SetFaults over HTTP: %v", fs)
	}
	if code, body := post(t, http.MethodGet, url+"/healthz", ""); code != http.StatusOK || !strings.Contains(body, `"ok"`) {
		t.Errorf("healthz: %d %s", code, body)
	}
}

func TestHTTPFaults(t *testing.T) {
	ctx := context.Background()
	t.Run("decline", func(t *testing.T) {
		s := MustOpen(t, "withdrawal=decline:51")
		c, _ := serve(t, s)
		rep, err := c.Send(ctx, withdrawal(s.trace(), "1.00"))
		if err != nil {
			t.Fatal(err)
		}
		wantStatus(t, "send", rep, terminal.StatusDeclined, "51")
	})
	t.Run("slow", func(t *testing.T) {
		s := MustOpen(t, "withdrawal=slow:10ms")
		c, _ := serve(t, s)
		rep, err := c.Send(ctx, withdrawal(s.trace(), "1.00"))
		if err != nil {
			t.Fatal(err)
		}
		wantStatus(t, "send", rep, terminal.StatusApproved, "00")
	})
	t.Run("timeout", func(t *testing.T) {
		s := MustOpen(t, "withdrawal=timeout")
		c, _ := serve(t, s)
		tr := s.trace()
		_, err := c.Send(shortCtx(t), withdrawal(tr, "1.00"))
		wantUnknown(t, "Send", err)
		if st, err := c.Status(ctx, tr); err != nil || st.Status != terminal.StatusNone {
			t.Errorf("Status = %+v, %v; want none", st, err)
		}
	})
	t.Run("drop", func(t *testing.T) {
		s := MustOpen(t, "withdrawal=drop")
		c, _ := serve(t, s)
		tr := s.trace()
		_, err := c.Send(ctx, withdrawal(tr, "1.00"))
		wantUnknown(t, "Send", err)
		if st, err := c.Status(ctx, tr); err != nil || st.Status != terminal.StatusApproved {
			t.Errorf("Status = %+v, %v; want approved", st, err)
		}
	})
	t.Run("hang", func(t *testing.T) {
		s := MustOpen(t, "withdrawal=hang")
		c, _ := serve(t, s)
		tr := s.trace()
		_, err := c.Send(shortCtx(t), withdrawal(tr, "1.00"))
		wantUnknown(t, "Send", err)
		if st, err := c.Status(ctx, tr); err != nil || st.Status != terminal.StatusApproved {
			t.Errorf("Status = %+v, %v; want approved", st, err)
		}
	})
	t.Run("duplicate", func(t *testing.T) {
		s := MustOpen(t, "withdrawal=duplicate")
		c, url := serve(t, s)
		rep, err := c.Send(ctx, withdrawal(s.trace(), "1.00"))
		if err != nil {
			t.Fatal(err)
		}
		wantStatus(t, "send", rep, terminal.StatusApproved, "00")
		b, _ := json.Marshal(withdrawal(s.trace(), "1.00"))
		code, body := post(t, http.MethodPost, url+"/v1/send", string(b))
		lines := strings.Split(strings.TrimSpace(body), "\n")
		if code != http.StatusOK || len(lines) != 2 || lines[0] != lines[1] {
			t.Errorf("duplicate: %d %q, want one reply twice", code, body)
		}
		if got := s.balance(t); got != "4998.00" {
			t.Errorf("balance %s, want 4998.00: two withdrawals, each processed once", got)
		}
	})
	t.Run("down", func(t *testing.T) {
		s := MustOpen(t)
		c, url := serve(t, s)
		seen := s.trace()
		s.send(t, withdrawal(seen, "1.00"))
		s.fault(t, "bank=down")
		for name, call := range map[string]func() error{
			"Send":    func() error { _, err := c.Send(ctx, withdrawal(s.trace(), "1.00")); return err },
			"Status":  func() error { _, err := c.Status(ctx, seen); return err },
			"Reverse": func() error { _, err := c.Reverse(ctx, seen); return err },
		} {
			if err := call(); !errors.Is(err, terminal.ErrUnreachable) {
				t.Errorf("%s: %v, want ErrUnreachable", name, err)
			}
		}
		b, _ := json.Marshal(withdrawal(s.trace(), "1.00"))
		if code, _ := post(t, http.MethodPost, url+"/v1/send", string(b)); code != http.StatusServiceUnavailable {
			t.Errorf("send with the bank down: HTTP %d, want 503", code)
		}
		s.SetFaults(hostsim.Fault{Target: "biller", Mode: hostsim.FaultDown})
		if _, err := c.LookupBill(ctx, "state-grid", "5100123456"); !errors.Is(err, terminal.ErrUnreachable) {
			t.Errorf("LookupBill: %v, want ErrUnreachable", err)
		}
	})
	t.Run("waitlist", func(t *testing.T) {
		s := MustOpen(t, "ticket_order=waitlist")
		c, _ := serve(t, s)
		tr := s.trace()
		rep, err := c.Send(ctx, order(tr, "rail", date(3), "80.00"))
		if err != nil {
			t.Fatal(err)
		}
		wantStatus(t, "order", rep, terminal.StatusPending, hostsim.CodePending)
		st, err := c.Status(ctx, tr)
		if err != nil {
			t.Fatal(err)
		}
		wantStatus(t, "status", st, terminal.StatusApproved, "00")
	})
}

func TestHTTPAdminClock(t *testing.T) {
	s := MustOpen(t)
	_, url := serve(t, s)
	if code, body := post(t, http.MethodPut, url+"/admin/clock", `{"time":"yesterday"}`); code != http.StatusBadRequest {
		t.Errorf("PUT a clock that is not a time: %d %s", code, body)
	}
	code, body := post(t, http.MethodPut, url+"/admin/clock", `{"time":"2026-11-20T09:30:00+08:00"}`)
	if code != http.StatusOK {
		t.Fatalf("PUT: %d %s", code, body)
	}
	set := time.Date(2026, 11, 20, 1, 30, 0, 0, time.UTC)
	if got := s.Clock(); got.Before(set) || got.After(set.Add(time.Hour)) {
		t.Errorf("clock %s, want it running on from %s", got, set)
	}
	post(t, http.MethodDelete, url+"/admin/clock", "")
	if got := s.Clock(); got.Equal(set) {
		t.Errorf("clock after DELETE %s, want the real clock back", got)
	}
}

package hostsim_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/villagepost/bianmin/hostsim"
	"github.com/villagepost/bianmin/terminal"
)

// fuzzPaths are the host calls a station makes, as FuzzHTTPRequest picks them.
var fuzzPaths = []string{"/v1/send", "/v1/status", "/v1/reverse", "/v1/bill", "/v1/contribution"}

// FuzzHTTPRequest sends any body to each host call of the HTTP simulator
// (no faults in force) and checks the protocol's promises: the answer is
// 200, 400 or (a bill lookup) 404, always JSON; a 400 names the field at
// fault, never repeats the card number, and wrote nothing to the journal;
// what the journal gains reads back with ParseJournalLine; and a request
// sent a second time with the same trace gets the first answer word for
// word and writes nothing more.
func FuzzHTTPRequest(f *testing.F) {
	s := MustOpen(f)
	h := hostsim.NewHandler(s.Sim)
	for _, seed := range []struct {
		path uint8
		body string
	}{
		{0, `{"trace":"T0001-000001","terminal":"T0001","service":"withdrawal","amount":"500.00","card":"6228480402564890018","pin":"739154"}`},
		{0, `{"trace":"T0001-000002","terminal":"T0001","service":"balance_inquiry","card":"6228480402564890018","pin":"739154"}`},
		{0, `{"trace":"T0001-000003","terminal":"T0001","service":"bill_payment","biller":"state-grid","account":"5100123456","amount":"86.40"}`},
		{0, `{"trace":"T0001-000004","terminal":"T0001","service":"ticket_order","amount":"120.00","ticket":{"carrier":"rail","passenger":"张三","id_number":"110101199003071234","from":"信阳","to":"郑州东","date":"2026-11-25","class":"二等座"}}`},
		{0, `{"trace":"T0001-000005","terminal":"T0001","service":"withdrawal","amount":"1.00","card":"6228480402564890018","pin":"12"}`},
		{0, `{"trace":"T1","service":"withdrawal","amount":1}`},
		{0, `{"trace":"T1","service":"withdrawal","amount":"1.00","card":"6228480402564890018","pin":"123456"} {}`},
		{0, `{"trace":`},
		{0, ``},
		{1, `{"trace":"T0001-000001"}`},
		{1, `{}`},
		{2, `{"trace":"T0001-000001"}`},
		{2, `{"trace":7}`},
		{3, `{"biller":"state-grid","account":"5100123456"}`},
		{3, `{"biller":"state-grid","account":"5100120000"}`},
		{3, `{"biller":"state-grid"}`},
		{0, `{"trace":"T0001-000006","terminal":"T0001","service":"contribution","amount":"400.00","contribution":{"scheme":"medical","year":2027,"name":"王建国","id_number":"411523198001011234","grade":"400.00"}}`},
		{4, `{"scheme":"medical","year":2027,"name":"王建国","id_number":"411523198001011234","grade":"400.00"}`},
		{4, `{"scheme":"pension","year":2026,"name":"赵四","id_number":"411523198501019996","grade":"300.00"}`},
		{4, `{"scheme":"dental"}`},
	} {
		f.Add(seed.path, []byte(seed.body))
	}
	f.Fuzz(func(t *testing.T, path uint8, body []byte) {
		p := fuzzPaths[int(path)%len(fuzzPaths)]
		before := journalSize(t, s.path)
		code, out := serveFuzz(h, http.MethodPost, p, body)
		if !json.Valid(out) {
			t.Fatalf("%s %q: %d, not JSON: %q", p, body, code, out)
		}
		var req terminal.HostRequest
		json.Unmarshal(body, &req)
		if len(req.Card) >= 12 && bytes.Contains(out, []byte(req.Card)) {
			t.Fatalf("%s %q: the answer repeats the card number: %s", p, body, out)
		}
		grown := journalSince(t, s.path, before)
		switch {
		case code == http.StatusBadRequest:
			var e struct{ Error, Field string }
			if err := json.Unmarshal(out, &e); err != nil || e.Error == "" || e.Field == "" {
				t.Fatalf("%s %q: 400 %s does not name the field at fault", p, body, out)
			}
			if len(grown) > 0 {
				t.Fatalf("%s %q: a malformed request wrote %q to the journal", p, body, grown)
			}
			return
		case code == http.StatusNotFound && p == "/v1/bill":
			return
		case code != http.StatusOK:
			t.Fatalf("%s %q: %d %s", p, body, code, out)
		}
		sc := bufio.NewScanner(bytes.NewReader(grown))
		for sc.Scan() {
			if _, err := hostsim.ParseJournalLine(sc.Bytes()); err != nil {
				t.Fatalf("%s %q: the journal gained %q, which does not read back: %v", p, body, sc.Bytes(), err)
			}
		}
		if p != "/v1/send" {
			return
		}
		mid := journalSize(t, s.path)
		code2, out2 := serveFuzz(h, http.MethodPost, p, body)
		if code2 != code || !bytes.Equal(out, out2) {
			t.Fatalf("%s %q sent twice: %d %s, then %d %s", p, body, code, out, code2, out2)
		}
		if again := journalSince(t, s.path, mid); len(again) > 0 {
			t.Fatalf("%s %q sent twice: the second wrote %q", p, body, again)
		}
	})
}

// FuzzAdminClock: PUT /admin/clock either sets the hosts' clock to the
// time given, and answers with it, or is refused with 400 naming the
// field and leaves the clock as it was.
func FuzzAdminClock(f *testing.F) {
	s := MustOpen(f)
	h := hostsim.NewHandler(s.Sim)
	for _, b := range []string{`{"time":"2026-11-20T09:30:00+08:00"}`, `{"time":"2026-11-20T01:30:00Z"}`, `{"time":"0001-01-01T00:00:00Z"}`,
		`{"time":"2026-11-20"}`, `{"time":"9999-12-31T23:59:59.999999999-23:59"}`, `{"time":null}`, `{}`, `{"time":1}`, `{"when":"x"}`, ``} {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		s.SetClock(time.Time{})
		s.clock.Set(start())
		code, out := serveFuzz(h, http.MethodPut, "/admin/clock", body)
		var got struct {
			Time  time.Time
			Error string
			Field string
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("%q: %d, not JSON: %q", body, code, out)
		}
		switch code {
		case http.StatusOK:
			var want struct{ Time time.Time }
			if err := json.Unmarshal(body, &want); err != nil {
				t.Fatalf("%q was accepted but is not a clock body: %v", body, err)
			}
			if !got.Time.Equal(want.Time) || !s.Clock().Equal(want.Time) {
				t.Fatalf("%q: the clock says %v (answered %v)", body, s.Clock(), got.Time)
			}
		case http.StatusBadRequest:
			if got.Error == "" || got.Field == "" {
				t.Fatalf("%q: 400 %s does not name the field", body, out)
			}
			if !s.Clock().Equal(start()) {
				t.Fatalf("%q was refused, but the clock moved to %v", body, s.Clock())
			}
		default:
			t.Fatalf("%q: %d %s", body, code, out)
		}
	})
}

// FuzzAdminFaults: PUT /admin/faults either puts in force the faults it
// answers with, which put again give the same answer, or is refused with
// 400 naming the field and leaves the faults as they were.
func FuzzAdminFaults(f *testing.F) {
	s := MustOpen(f)
	h := hostsim.NewHandler(s.Sim)
	for _, b := range []string{`["withdrawal=decline:51#1", {"target":"bank","mode":"slow","delay":"5ms"}]`, `[]`, `["bank=explode"]`,
		`["*=duplicate#20","carrier=waitlist-fail"]`, `[{"target":"bank","mode":"down"}]`, `[{"target":"bank"}]`, `[1]`, `{}`, `null`, ``} {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if err := s.SetFaults(); err != nil {
			t.Fatal(err)
		}
		code, out := serveFuzz(h, http.MethodPut, "/admin/faults", body)
		switch code {
		case http.StatusOK:
			code2, out2 := serveFuzz(h, http.MethodPut, "/admin/faults", out)
			if code2 != http.StatusOK || !bytes.Equal(out, out2) {
				t.Fatalf("%q gave %s, which put again gives %d %s", body, out, code2, out2)
			}
			_, now := serveFuzz(h, http.MethodGet, "/admin/faults", nil)
			if !bytes.Equal(now, out) {
				t.Fatalf("%q: answered %s, in force %s", body, out, now)
			}
		case http.StatusBadRequest:
			var e struct{ Error, Field string }
			if err := json.Unmarshal(out, &e); err != nil || e.Error == "" || e.Field == "" {
				t.Fatalf("%q: 400 %s does not name the field", body, out)
			}
			if len(s.Faults()) != 0 {
				t.Fatalf("%q was refused, but faults are in force: %v", body, s.Faults())
			}
		default:
			t.Fatalf("%q: %d %s", body, code, out)
		}
	})
}

func serveFuzz(h http.Handler, method, path string, body []byte) (int, []byte) {
	r := httptest.NewRequest(method, path, bytes.NewReader(body))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code, w.Body.Bytes()
}

func journalSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		if os.IsNotExist(err) {
			return 0
		}
		t.Fatal(err)
	}
	return fi.Size()
}

func journalSince(t *testing.T, path string, off int64) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if int64(len(b)) < off {
		t.Fatalf("the journal shrank from %d to %d bytes", off, len(b))
	}
	return []byte(strings.Clone(string(b[off:])))
}

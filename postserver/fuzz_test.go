package postserver_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"
	"testing"

	"github.com/villagepost/bianmin/postapi"
)

// apiPath reports whether the server's mux takes path as a path of the
// station API (a clean path under /api/; others are redirected to their
// clean form, or are not the API's).
func apiPath(p string) bool { return strings.HasPrefix(p, "/api/") && path.Clean(p) == p }

// FuzzStationAPI sends any method, path, query and body, signed by an
// enrolled station, to the server: it never answers 5xx, every answer is
// signed for its request and is an answer or a refusal naming a rule, and
// no such request accepts a day.
func FuzzStationAPI(f *testing.F) {
	f.Add("GET", "/api/v1/acks", "after=2026-11-20", []byte(nil))
	f.Add("GET", "/api/v1/acks", "after=2026-02-30", []byte(nil))
	f.Add("GET", "/api/v1/results", "month=2026-13", []byte(nil))
	f.Add("GET", "/api/v1/results", "month=2026-11", []byte(nil))
	f.Add("GET", "/api/v1/tariff", "", []byte(nil))
	f.Add("POST", "/api/v1/days", "", []byte("bianmin-settlement-v1\nstation T0001\n"))
	f.Add("PUT", "/api/v1/days", "", []byte("x"))
	f.Add("GET", "/api/v1/../../etc/passwd", "", []byte(nil))
	p := serve(f)
	f.Fuzz(func(t *testing.T, method, path, query string, body []byte) {
		u, err := url.Parse(p.url + "/api/v1/")
		if err != nil {
			t.Fatal(err)
		}
		u.Path, u.RawQuery = path, query
		req, err := http.NewRequest(method, u.String(), bytes.NewReader(body))
		if err != nil {
			return // not a request a client could send
		}
		var nb [16]byte
		rand.Read(nb[:])
		nonce := hex.EncodeToString(nb[:])
		postapi.Sign(req.Header, stationKey, "T0001", req.Method, req.URL.RequestURI(), p.now, nonce, body)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return // refused by the HTTP layer before the handler (a bad method token)
		}
		defer resp.Body.Close()
		answer, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 500 {
			t.Fatalf("%s %s: %d %s", method, req.URL.RequestURI(), resp.StatusCode, answer)
		}
		if resp.Header.Get(postapi.HeaderSignature) == "" && (resp.StatusCode == http.StatusBadRequest || !apiPath(req.URL.Path)) {
			return // Go's server refused the request line, or the path is not the station API's
		}
		if err := postapi.CheckResponse(resp.Header, p.v, "T0001", nonce, resp.StatusCode, answer); err != nil {
			t.Fatalf("%s %s: answer %d not signed: %s", method, req.URL.RequestURI(), resp.StatusCode, answer)
		}
		var r postapi.Refusal
		if resp.StatusCode != http.StatusOK && (json.Unmarshal(answer, &r) != nil || r.Error == nil || r.Error.Rule == "" || r.Error.ZH == "") {
			t.Fatalf("%s %s: refusal %d without a rule: %s", method, req.URL.RequestURI(), resp.StatusCode, answer)
		}
		if seq := p.lastSeq(t); seq != 0 {
			t.Fatalf("%s %s: a fuzzed request accepted a day", method, req.URL.RequestURI())
		}
	})
}

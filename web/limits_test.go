package web_test

import (
	"bufio"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/villagepost/bianmin/web"
)

// served is the screen of a fake station on a real HTTP server on
// loopback.
func served(t *testing.T) (*web.Server, *httptest.Server) {
	t.Helper()
	st := newFakeStation(t)
	srv, err := web.New(st, &web.Options{Now: st.now, Idle: 100 * 365 * 24 * time.Hour, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return srv, ts
}

// raw sends head (the request line and headers, without the blank line)
// and then body over a new connection and returns the status of the
// answer; it does not wait for the body to be read.
func raw(t *testing.T, ts *httptest.Server, head string, body io.Reader) int {
	t.Helper()
	c, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Minute))
	if _, err := io.WriteString(c, head+"\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	go io.Copy(c, body) // the server may stop reading at any point
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer to %q: %v", strings.SplitN(head, "\r\n", 2)[0], err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestBodiesAreBounded: the screen takes only url-encoded forms of at most
// web.MaxBody bytes. A multipart body is refused with 415, a bigger one
// with 413 before it is read (a 40 MB Content-Length whose body never
// comes) or as soon as it passes the limit (sent in chunks), by someone
// who never signed in; and nothing is written to the temporary folder.
func TestBodiesAreBounded(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	_, ts := served(t)
	host := "Host: 127.0.0.1\r\nSec-Fetch-Site: same-origin"
	for _, tc := range []struct {
		name, head string
		body       io.Reader
		want       int
	}{
		{"multipart", "POST /signin HTTP/1.1\r\n" + host + "\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: 63",
			strings.NewReader("--x\r\nContent-Disposition: form-data; name=\"pin\"\r\n\r\n1\r\n--x--\r\n"), http.StatusUnsupportedMediaType},
		{"no content type", "POST /signin HTTP/1.1\r\n" + host + "\r\nContent-Length: 5", strings.NewReader("pin=1"), http.StatusUnsupportedMediaType},
		{"40 MB announced", "POST /signin HTTP/1.1\r\n" + host + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 41943040",
			strings.NewReader("pin=1"), http.StatusRequestEntityTooLarge},
		{"1 MB in chunks", "POST /signin HTTP/1.1\r\n" + host + "\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked",
			chunked(1 << 20), http.StatusRequestEntityTooLarge},
		{"a form under the limit", "POST /signin HTTP/1.1\r\n" + host + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 5",
			strings.NewReader("pin=1"), http.StatusForbidden}, // read, and refused for want of a CSRF token
	} {
		if got := raw(t, ts, tc.head, tc.body); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("requests left %d file(s) in the temporary folder, e.g. %s", len(left), left[0].Name())
	}
}

// chunked is a url-encoded body of n bytes in HTTP chunks of 4 KB.
func chunked(n int) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		chunk := "a=" + strings.Repeat("x", 4094)
		for sent := 0; sent < n; sent += len(chunk) {
			if _, err := fmt.Fprintf(pw, "%x\r\n%s\r\n", len(chunk), chunk); err != nil {
				return
			}
		}
		fmt.Fprint(pw, "0\r\n\r\n")
		pw.Close()
	}()
	return pr
}

// TestStaticListsNoFolder: the screen's files are served, their folder
// is not listed.
func TestStaticListsNoFolder(t *testing.T) {
	_, ts := served(t)
	for path, want := range map[string]int{"/static/": 404, "/static/style.css": 200, "/static/app.js": 200, "/static/nothing.css": 404} {
		r, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, r.StatusCode, want)
		}
		if strings.Contains(string(b), `href="app.js"`) {
			t.Errorf("GET %s lists the folder", path)
		}
	}
}

// TestAnonymousVisitorsCostNothing: a crowd of visitors who never sign
// in keeps no session in the server's memory, and the owner signed in
// among them keeps theirs and goes on working.
func TestAnonymousVisitorsCostNothing(t *testing.T) {
	srv, ts := served(t)
	anon := func(n int) {
		for i := 0; i < n; i++ {
			r, err := fromAddr(fmt.Sprintf("127.0.4.%d", 1+i/20)).Get(ts.URL + "/signin") // within each address's rate
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, r.Body)
			r.Body.Close()
			if r.StatusCode != http.StatusOK || len(r.Cookies()) == 0 {
				t.Fatalf("anonymous GET /signin: %s with %d cookies", r.Status, len(r.Cookies()))
			}
		}
	}
	anon(500)
	if n := srv.Sessions(); n != 0 {
		t.Errorf("500 anonymous visits kept %d sessions, want 0", n)
	}
	jar, _ := cookiejar.New(nil)
	owner := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page := getPage(t, owner, ts.URL+"/signin")
	tok := csrfField.FindStringSubmatch(page)
	r, err := owner.PostForm(ts.URL+"/signin", url.Values{"csrf": {tok[1]}, "operator": {fuzzOwner}, "pin": {ownerPIN}})
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/" {
		t.Fatalf("owner's sign-in: %s to %q", r.Status, r.Header.Get("Location"))
	}
	anon(500)
	if n := srv.Sessions(); n != 1 {
		t.Errorf("the owner and 1,000 anonymous visits: %d sessions kept, want 1", n)
	}
	if page := getPage(t, owner, ts.URL+"/cash"); !strings.Contains(page, `action="/cash/count"`) {
		t.Error("the owner was signed out by anonymous visitors")
	}
	// The language chosen before signing in holds without a session.
	c := &http.Client{Jar: must(cookiejar.New(nil)), CheckRedirect: owner.CheckRedirect}
	tok = csrfField.FindStringSubmatch(getPage(t, c, ts.URL+"/signin"))
	if r, err := c.PostForm(ts.URL+"/lang", url.Values{"csrf": {tok[1]}, "lang": {"en"}, "back": {"/signin"}}); err != nil || r.StatusCode != http.StatusSeeOther {
		t.Fatalf("language switch: %v %v", r, err)
	}
	if page := getPage(t, c, ts.URL+"/signin"); !strings.Contains(page, "Sign in") {
		t.Error("the sign-in page is not in English after the switch")
	}
	if n := srv.Sessions(); n != 1 {
		t.Errorf("an anonymous language switch kept a session: %d kept, want 1", n)
	}
}

// fromAddr is a client without cookies whose connections come from the
// loopback address ip.
func fromAddr(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 30 * time.Second}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func getPage(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	r, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return string(b)
}

// multipartBody is a multipart/form-data body with boundary "x" of the
// fields given as name, value pairs; a name ending in "_file" is sent as
// a file.
func multipartBody(fields ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(fields); i += 2 {
		b.WriteString("--x\r\nContent-Disposition: form-data; name=\"" + fields[i] + "\"")
		if strings.HasSuffix(fields[i], "_file") {
			b.WriteString("; filename=\"T0001-000007.decision\"\r\nContent-Type: application/octet-stream")
		}
		b.WriteString("\r\n\r\n" + fields[i+1] + "\r\n")
	}
	b.WriteString("--x--\r\n")
	return b.String()
}

// TestUploadsAreBounded: only the hand-over step's form may send a file
// (multipart/form-data), of at most web.MaxUpload bytes and a few parts;
// one to another page is refused with 415, a bigger one or one of many
// parts with 413, a broken one with 400, before any handler sees it; one
// that passes is read in memory and goes on to the CSRF check; nothing is
// written to the temporary folder.
func TestUploadsAreBounded(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	_, ts := served(t)
	host := "Host: 127.0.0.1\r\nSec-Fetch-Site: same-origin\r\nContent-Type: multipart/form-data; boundary=x"
	form := multipartBody("key", "k", "decision_file", "decision T0001 7\n")
	many := multipartBody(strings.Split(strings.Repeat("a,1,", 20), ",")...)
	big := multipartBody("key", "k", "decision_file", strings.Repeat("x", web.MaxUpload))
	broken := "--x\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk" // no end
	for _, tc := range []struct {
		name, head string
		body       string
		want       int
	}{
		{"a file to another page", "POST /signin HTTP/1.1\r\n" + host + fmt.Sprintf("\r\nContent-Length: %d", len(form)), form, http.StatusUnsupportedMediaType},
		{"a file too big, announced", "POST /handovers/1 HTTP/1.1\r\n" + host + fmt.Sprintf("\r\nContent-Length: %d", len(big)), big, http.StatusRequestEntityTooLarge},
		{"a file too big, in chunks", "POST /handovers/1 HTTP/1.1\r\n" + host + "\r\nTransfer-Encoding: chunked",
			fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(big), big), http.StatusRequestEntityTooLarge},
		{"too many parts", "POST /handovers/1 HTTP/1.1\r\n" + host + fmt.Sprintf("\r\nContent-Length: %d", len(many)), many, http.StatusRequestEntityTooLarge},
		{"broken", "POST /handovers/1 HTTP/1.1\r\n" + host + fmt.Sprintf("\r\nContent-Length: %d", len(broken)), broken, http.StatusBadRequest},
		{"a file under the limit", "POST /handovers/1 HTTP/1.1\r\n" + host + fmt.Sprintf("\r\nContent-Length: %d", len(form)), form, http.StatusForbidden},
	} {
		if got := raw(t, ts, tc.head, strings.NewReader(tc.body)); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("uploads left %d file(s) in the temporary folder, e.g. %s", len(left), left[0].Name())
	}
}

// FuzzUpload sends the hand-over step whatever the fuzzer puts in a
// multipart form (the decision file, the pasted text, the boundary, or a
// whole body of its own), signed in with a valid CSRF token: it is
// answered, never with a server error, and records nothing (the fake
// station took nothing over).
func FuzzUpload(f *testing.F) {
	st := newFakeStation(f)
	c := signedIn(f, st)
	f.Add("x", "decision T0001 7\n", "", "")
	f.Add("x", "", "decision T0001 7\r\n", "")
	f.Add("y", strings.Repeat("a", 5000), "b", "")
	f.Add("x", "", "", "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n\r\n--x")
	f.Fuzz(func(t *testing.T, boundary, file, text, raw string) {
		if len(file)+len(text)+len(raw) > 2*web.MaxUpload {
			return
		}
		body := raw
		if body == "" {
			var b strings.Builder
			mw := multipart.NewWriter(&b)
			if mw.SetBoundary(boundary) != nil {
				return
			}
			mw.WriteField("csrf", c.csrf)
			mw.WriteField("key", "fuzz-upload")
			mw.WriteField("decision", text)
			w, _ := mw.CreateFormFile("decision_file", "T0001-000007.decision")
			io.WriteString(w, file)
			mw.Close()
			body = b.String()
		}
		before := st.state(t)
		r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/handovers/1", strings.NewReader(body))
		r.Header.Set("Content-Type", "multipart/form-data; boundary="+strconv.Quote(boundary))
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		for _, ck := range c.jar.Cookies(r.URL) {
			r.AddCookie(ck)
		}
		w := httptest.NewRecorder()
		c.h.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("status %d for %q", w.Code, body)
		}
		if after := st.state(t); !reflect.DeepEqual(before, after) {
			t.Fatalf("an upload to a station with nothing taken over changed it: %+v to %+v", before, after)
		}
	})
}

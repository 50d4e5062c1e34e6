package staffweb_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/villagepost/bianmin/staffweb"
)

// staffClient is a browser without a browser: a cookie jar and the form
// token of the last page.
type staffClient struct {
	t    testing.TB
	g    *region
	http *http.Client
	csrf string
}

func newClient(t testing.TB, g *region) *staffClient {
	jar, _ := cookiejar.New(nil)
	return &staffClient{t: t, g: g, http: &http.Client{Jar: jar}}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

func (c *staffClient) do(req *http.Request) (int, string) {
	c.t.Helper()
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if m := csrfField.FindSubmatch(b); m != nil {
		c.csrf = string(m[1])
	}
	return resp.StatusCode, string(b)
}

func (c *staffClient) get(path string) (int, string) {
	req, _ := http.NewRequest("GET", c.g.url+path, nil)
	return c.do(req)
}

func (c *staffClient) post(path string, form url.Values) (int, string) {
	req, _ := http.NewRequest("POST", c.g.url+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

func (c *staffClient) signin(id, password string) (int, string) {
	c.get("/signin")
	return c.post("/signin", url.Values{"csrf": {c.csrf}, "id": {id}, "password": {password}})
}

func TestSignin(t *testing.T) {
	g := serveRegion(t)

	t.Run("a page without signing in asks to sign in", func(t *testing.T) {
		c := newClient(t, g)
		if code, body := c.get("/stations/T0001"); code != 200 || !strings.Contains(body, `id="password"`) {
			t.Errorf("got %d, want the sign-in page:\n%s", code, body)
		}
	})
	t.Run("the station API is still the station API", func(t *testing.T) {
		c := newClient(t, g)
		if code, body := c.get("/api/v1/acks"); code != http.StatusUnauthorized || strings.Contains(body, "<html") {
			t.Errorf("GET /api/v1/acks unsigned: %d %s", code, body)
		}
	})
	t.Run("the cookies are HttpOnly, SameSite=Strict, and Secure under HTTPS", func(t *testing.T) {
		for _, secure := range []bool{false, true} {
			srv, err := staffweb.New(g.office, &staffweb.Options{Secure: secure})
			if err != nil {
				t.Fatal(err)
			}
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, httptest.NewRequest("GET", "/signin", nil))
			c := w.Header().Get("Set-Cookie")
			if !strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=Strict") || strings.Contains(c, "; Secure") != secure {
				t.Errorf("secure %v: Set-Cookie %q", secure, c)
			}
		}
	})
	t.Run("ErrWrongPassword", func(t *testing.T) {
		c := newClient(t, g)
		if code, body := c.signin("alice", "not the password"); code != http.StatusUnauthorized || !strings.Contains(body, "账号或密码不对") {
			t.Errorf("wrong password: %d\n%s", code, body)
		}
	})
	t.Run("an unknown account reads like a wrong password", func(t *testing.T) {
		c := newClient(t, g)
		if code, body := c.signin("mallory", clerkPassword); code != http.StatusUnauthorized || !strings.Contains(body, "账号或密码不对") {
			t.Errorf("unknown account: %d\n%s", code, body)
		}
	})
	t.Run("a form without its token is refused", func(t *testing.T) {
		c := newClient(t, g)
		c.get("/signin")
		if code, _ := c.post("/signin", url.Values{"csrf": {"00"}, "id": {"alice"}, "password": {clerkPassword}}); code != http.StatusForbidden {
			t.Errorf("sign-in without the form's token: %d", code)
		}
		c.signin("alice", clerkPassword)
		if code, body := c.post("/signout", url.Values{"csrf": {strings.Repeat("0", 64)}}); code != http.StatusForbidden || !strings.Contains(body, "表单已过期") {
			t.Errorf("sign-out with another token: %d\n%s", code, body)
		}
	})
	t.Run("a request from another site is refused", func(t *testing.T) {
		c := newClient(t, g)
		c.signin("bob", managerPassword)
		req, _ := http.NewRequest("POST", g.url+"/enrol", strings.NewReader(url.Values{"csrf": {c.csrf}, "station": {"T0009"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if code, body := c.do(req); code != http.StatusForbidden || !strings.Contains(body, "别的网站") {
			t.Errorf("cross-site POST: %d\n%s", code, body)
		}
	})
	t.Run("a form of another kind is refused", func(t *testing.T) {
		c := newClient(t, g)
		c.signin("bob", managerPassword)
		req, _ := http.NewRequest("POST", g.url+"/enrol", strings.NewReader(`{"station":"T0009"}`))
		req.Header.Set("Content-Type", "application/json")
		if code, _ := c.do(req); code != http.StatusUnsupportedMediaType {
			t.Errorf("a JSON POST: %d", code)
		}
	})
	t.Run("a clerk may not enrol", func(t *testing.T) {
		c := newClient(t, g)
		c.signin("alice", clerkPassword)
		if code, body := c.get("/enrol"); code != http.StatusForbidden || !strings.Contains(body, "只有主管") {
			t.Errorf("clerk GET /enrol: %d\n%s", code, body)
		}
		_, home := c.get("/")
		if strings.Contains(home, `href="/enrol"`) {
			t.Error("a clerk's menu offers enrolment")
		}
		if code, _ := c.post("/enrol", url.Values{"csrf": {c.csrf}, "station": {"T0009"}}); code != http.StatusForbidden {
			t.Errorf("clerk POST /enrol: %d", code)
		}
		if _, err := g.office.Station(t.Context(), "T0009"); err == nil {
			t.Error("a clerk's enrolment was recorded")
		}
	})
	t.Run("a session ends after 30 minutes idle", func(t *testing.T) {
		c := newClient(t, g)
		c.signin("alice", clerkPassword)
		g.later(29 * time.Minute)
		if _, body := c.get("/"); !strings.Contains(body, `id="stations"`) {
			t.Fatalf("after 29 minutes:\n%s", body)
		}
		g.later(31 * time.Minute)
		if _, body := c.get("/"); !strings.Contains(body, `id="password"`) {
			t.Errorf("after 31 idle minutes, not asked to sign in:\n%s", body)
		}
	})
	t.Run("signing out ends the session", func(t *testing.T) {
		c := newClient(t, g)
		c.signin("alice", clerkPassword)
		c.post("/signout", url.Values{"csrf": {c.csrf}})
		if code, body := c.post("/signout", url.Values{"csrf": {c.csrf}}); code != http.StatusUnauthorized {
			t.Errorf("a POST after sign-out: %d\n%s", code, body)
		}
	})
}

// Wrong passwords lock the account, whatever the address, and the
// address, whatever the account; the right password does not undo it.
func TestSigninLimits(t *testing.T) {
	g := serveRegion(t)
	c := newClient(t, g)
	for i := 0; i < 5; i++ {
		if code, _ := c.signin("alice", "wrong password"); code != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d", i+1, code)
		}
	}
	if code, body := c.signin("alice", clerkPassword); code != http.StatusTooManyRequests || !strings.Contains(body, "15 分钟") {
		t.Errorf("right password after 5 wrong: %d\n%s", code, body)
	}
	// Another account from the same address still signs in (20 per address).
	if code, body := c.signin("bob", managerPassword); code != http.StatusOK || !strings.Contains(body, "服务站一览") {
		t.Errorf("bob: %d\n%s", code, body)
	}
	for i := 0; i < 20; i++ { // each account under its own limit
		c.signin(fmt.Sprintf("nobody%d", i), "wrong password")
	}
	if code, _ := newClient(t, g).signin("bob", managerPassword); code != http.StatusTooManyRequests {
		t.Errorf("bob after 20 wrong passwords from this address: %d", code)
	}
	g.later(16 * time.Minute)
	if code, _ := newClient(t, g).signin("alice", clerkPassword); code != http.StatusOK {
		t.Errorf("alice 16 minutes later: %d", code)
	}
}

package main

// The security review (issue 8, part 3): what must never leave the
// programs, and what they must refuse. docs/threat-model.md names these
// tests.

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/registry"
	"github.com/villagepost/bianmin/shopfront"
	"github.com/villagepost/bianmin/terminal"
	"github.com/villagepost/bianmin/web"
	"golang.org/x/mod/sumdb/note"
)

// encodings are the obvious ways a secret could be written down: as it
// is, in hex, in base64 (at each of the three alignments it could have
// inside a longer encoded value), and in UTF-16.
func encodings(secret []byte) map[string][]byte {
	out := map[string][]byte{
		"plain":    secret,
		"hex":      []byte(hex.EncodeToString(secret)),
		"HEX":      []byte(strings.ToUpper(hex.EncodeToString(secret))),
		"utf-16le": utf16(secret, false),
		"utf-16be": utf16(secret, true),
	}
	for k := 0; k < 3; k++ {
		shifted := append(make([]byte, k), secret...)
		first := (8*k + 5) / 6            // the first character made of the secret's bits only
		last := 8 * (k + len(secret)) / 6 // past the last such character
		for name, enc := range map[string]*base64.Encoding{"base64": base64.RawStdEncoding, "base64url": base64.RawURLEncoding} {
			s := enc.EncodeToString(shifted)
			out[name+"@"+string(rune('0'+k))] = []byte(s[first:last])
		}
	}
	return out
}

func utf16(b []byte, bigEndian bool) []byte {
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		if bigEndian {
			out = append(out, 0, c)
		} else {
			out = append(out, c, 0)
		}
	}
	return out
}

// leak is where a secret was found.
type leak struct {
	where, secret, encoding string
	offset                  int
}

// findSecrets looks for every secret, in every encoding, in data.
func findSecrets(where string, data []byte, secrets map[string][]byte) []leak {
	var found []leak
	for name, s := range secrets {
		for enc, b := range encodings(s) {
			if i := bytes.Index(data, b); i >= 0 {
				found = append(found, leak{where, name, enc, i})
			}
		}
	}
	return found
}

// TestKeyFilesEncryptedAndPrivate: the station's and the post office's
// key files are created 0600 and hold no raw private key; a key file that
// has become readable by others is refused, with a message that says to
// run chmod 600, and nothing is done with it.
func TestKeyFilesEncryptedAndPrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permissions")
	}
	c, dir := newStation(t)
	stationKey := filepath.Join(dir, shopfront.KeyFile)

	po := &postofficeProc{t: t, bin: binary(t, "postoffice"), dir: filepath.Join(t.TempDir(), "po")}
	po.expect(0, "init", "--name", "xinyang-postoffice")
	poKey := filepath.Join(po.dir, "postoffice.key")

	for _, k := range []struct{ path, label string }{{stationKey, "T0001"}, {poKey, "xinyang-postoffice"}} {
		fi, err := os.Stat(k.path)
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s: mode %04o, want 0600", k.path, perm)
		}
		priv, err := keyfile.Open(k.path, []byte(passphrase), k.label)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(k.path)
		for _, l := range findSecrets(filepath.Base(k.path), data, map[string][]byte{
			"seed": priv.Seed(), "private key": priv, "passphrase": []byte(passphrase),
		}) {
			t.Errorf("%s holds the %s (%s) at offset %d", l.where, l.secret, l.encoding, l.offset)
		}
	}

	// Readable by the group: the station refuses to use its key.
	before := len(entries(t, c, dir))
	if err := os.Chmod(stationKey, 0o640); err != nil {
		t.Fatal(err)
	}
	c.refused(exitFailed, "chmod 600 "+stationKey, "cash", "in", "--dir", dir, "--operator", "OP1",
		"--pin-file", writeSecret(t, "pin", ownerPIN), "--amount", "100", "--reason", "float")
	r := c.run("cash", "in", "--dir", dir, "--operator", "OP1", "--pin-file", writeSecret(t, "pin", ownerPIN), "--amount", "100", "--reason", "float", "--lang", "en")
	if !strings.Contains(r.stderr, "other users can read it") || !strings.Contains(r.stderr, "chmod 600 "+stationKey) {
		t.Errorf("English refusal: %q", r.stderr)
	}
	if after := len(entries(t, c, dir)); after != before {
		t.Errorf("a refused key recorded %d entries", after-before)
	}
	if err := os.Chmod(stationKey, 0o600); err != nil {
		t.Fatal(err)
	}
	c.must("cash", "in", "--dir", dir, "--operator", "OP1", "--pin-file", writeSecret(t, "pin", ownerPIN), "--amount", "100", "--reason", "float")

	// Readable by everyone: the post office signs nothing with its key.
	if err := os.Chmod(poKey, 0o644); err != nil {
		t.Fatal(err)
	}
	tariffJSON := filepath.Join(t.TempDir(), "tariff.json")
	os.WriteFile(tariffJSON, testTariff(), 0o644)
	if out := po.expect(exitFailed, "tariff", "sign", tariffJSON); !strings.Contains(out, "chmod 600 "+poKey) {
		t.Errorf("postoffice with a world-readable key said:\n%s", out)
	}
	if _, err := os.Stat(strings.TrimSuffix(tariffJSON, ".json") + ".signed"); err == nil {
		t.Error("the post office signed a tariff with a world-readable key")
	}
	os.Chmod(poKey, 0o600)
	po.expect(0, "tariff", "sign", tariffJSON)
}

// guardedScreen is a demo station's screen as station serve sets it up
// for --addr 127.0.0.1:0 (the Host names it answers to included), served
// on loopback, with a signed-in owner.
func guardedScreen(t *testing.T) (x *desked, srv *httptest.Server, c *http.Client, csrf string) {
	t.Helper()
	x = openDesked(t)
	h, err := web.New(x.d, &web.Options{Now: x.m.Now, Idle: 10 * time.Minute, Logf: t.Logf, Hosts: screenHosts(serveOptions{addr: "127.0.0.1:0"})})
	if err != nil {
		t.Fatal(err)
	}
	srv = httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c = client(t)
	_, page := get(t, c, srv.URL+"/signin")
	tok := csrfRE.FindStringSubmatch(page)
	if tok == nil {
		t.Fatal("the sign-in form has no CSRF token")
	}
	if r := post(t, c, srv.URL+"/signin", url.Values{"csrf": {tok[1]}, "operator": {"OP1"}, "pin": {demoOwnerPIN}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %s", r.Status)
	}
	_, page = get(t, c, srv.URL+"/cash")
	if tok = csrfRE.FindStringSubmatch(page); tok == nil {
		t.Fatal("the cash page has no CSRF token")
	}
	return x, srv, c, tok[1]
}

// TestScreenRefusesOtherSites: a form sent from another site (by
// Sec-Fetch-Site or Origin), one for a Host that is not this screen (DNS
// rebinding) and one without the CSRF token are each refused with a
// plain page in Chinese and English, and nothing is recorded; the same
// form sent by the screen itself goes through.
func TestScreenRefusesOtherSites(t *testing.T) {
	x, srv, c, csrf := guardedScreen(t)
	u, _ := url.Parse(srv.URL)
	n := 0
	form := func(withToken bool) url.Values {
		n++
		v := url.Values{"dir": {"in"}, "reason": {"owner"}, "amount": {"100"}, "in_key": {fmt.Sprintf("%048x", n)}}
		if withToken {
			v.Set("csrf", csrf)
		}
		return v
	}
	send := func(method, host string, header map[string]string, v url.Values) (*http.Response, string) {
		t.Helper()
		var body io.Reader
		if v != nil {
			body = strings.NewReader(v.Encode())
		}
		req, _ := http.NewRequest(method, srv.URL+"/cash/move", body)
		if method == http.MethodGet {
			req.URL.Path = "/"
		}
		if v != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if host != "" {
			// The client would look its cookies up by this name: send the
			// session's, so only the Host differs from a good request.
			req.Host = host
			for _, ck := range c.Jar.Cookies(u) {
				req.AddCookie(ck)
			}
		}
		for k, val := range header {
			req.Header.Set(k, val)
		}
		r, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		b, _ := io.ReadAll(r.Body)
		return r, string(b)
	}
	for _, tc := range []struct {
		name, method, host string
		header             map[string]string
		token              bool
		status             int
		zh, en             string
	}{
		{"Sec-Fetch-Site cross-site", "POST", "", map[string]string{"Sec-Fetch-Site": "cross-site"}, true, http.StatusForbidden, "来自别的网站", "came from another site"},
		{"Sec-Fetch-Site same-site", "POST", "", map[string]string{"Sec-Fetch-Site": "same-site"}, true, http.StatusForbidden, "来自别的网站", "came from another site"},
		{"Origin evil.example", "POST", "", map[string]string{"Origin": "http://evil.example"}, true, http.StatusForbidden, "来自别的网站", "came from another site"},
		{"Host evil.example (POST)", "POST", "evil.example:" + u.Port(), map[string]string{"Origin": "http://evil.example:" + u.Port(), "Sec-Fetch-Site": "same-origin"}, true, http.StatusMisdirectedRequest, "不是本服务站的网页", "is not the station"},
		{"Host evil.example (GET)", "GET", "evil.example", nil, false, http.StatusMisdirectedRequest, "不是本服务站的网页", "is not the station"},
		{"no CSRF token", "POST", "", map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": srv.URL}, false, http.StatusForbidden, "这张表单已经失效", ""},
	} {
		before := x.d.Counter.Ledger.Last().Seq
		var v url.Values
		if tc.method == "POST" {
			v = form(tc.token)
		}
		r, body := send(tc.method, tc.host, tc.header, v)
		if r.StatusCode != tc.status {
			t.Errorf("%s: %s, want %d", tc.name, r.Status, tc.status)
		}
		if !strings.Contains(body, tc.zh) || !strings.Contains(body, tc.en) {
			t.Errorf("%s: the page does not say %q and %q:\n%s", tc.name, tc.zh, tc.en, body)
		}
		if after := x.d.Counter.Ledger.Last().Seq; after != before {
			t.Errorf("%s: a refused request recorded entries %d to %d", tc.name, before+1, after)
		}
	}
	// The screen's own form, as a browser sends it, and by the other
	// names of this machine.
	for _, host := range []string{"localhost:" + u.Port(), ""} {
		before := x.d.Counter.Ledger.Last().Seq
		origin := srv.URL
		if host != "" {
			origin = "http://" + host
		}
		r, b := send("POST", host, map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": origin}, form(true))
		if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/done/") {
			t.Errorf("same-origin form (host %q): %s to %q\n%s", host, r.Status, r.Header.Get("Location"), b)
		}
		if after := x.d.Counter.Ledger.Last().Seq; after != before+1 {
			t.Errorf("same-origin form (host %q): recorded %d entries, want 1", host, after-before)
		}
	}
}

// TestScreenHosts: the names station serve lets the screen answer to.
func TestScreenHosts(t *testing.T) {
	for _, tc := range []struct {
		addr string
		want string
	}{
		{"127.0.0.1:8080", "localhost 127.0.0.1 ::1"},
		{"localhost:8080", "localhost 127.0.0.1 ::1"},
		{"[::1]:8080", "localhost 127.0.0.1 ::1"},
		{"192.168.1.20:8443", "192.168.1.20"},
		{"0.0.0.0:8443", "0.0.0.0"},
		{":8443", "0.0.0.0"},
	} {
		if got := strings.Join(screenHosts(serveOptions{addr: tc.addr}), " "); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.addr, got, tc.want)
		}
	}
}

// TestLockoutCLI: after MaxPINFailures wrong PINs in a row the right PIN
// is refused too, with a message that says until when and to ask the
// owner, until LockoutFor has passed. Every command is a fresh run of the
// program that opens its files anew, so the count survives restarts: the
// failures below are spread over separate runs, and a run between them
// with another operator resets nothing.
func TestLockoutCLI(t *testing.T) {
	c, dir := newStation(t)
	c.must("operator", "add", "--dir", dir, "--id", "OP2", "--role", "clerk", "--pin-file", writeSecret(t, "clerk", clerkPIN),
		"--by", "OP1", "--by-pin-file", writeSecret(t, "owner", ownerPIN))
	cashIn := func(op, pinCode string) []string {
		return []string{"cash", "in", "--dir", dir, "--operator", op, "--pin-file", writeSecret(t, "pin", pinCode), "--amount", "10", "--reason", "owner"}
	}
	wrong := "864209"
	for i := 1; i < terminal.MaxPINFailures; i++ {
		c.refused(exitFailed, "密码不对", cashIn("OP2", wrong)...)
		if i == 2 {
			c.must(cashIn("OP1", ownerPIN)...) // another operator's sign-in between
		}
	}
	before := len(entries(t, c, dir))
	until := c.now.Add(terminal.LockoutFor).In(stationZone(t)).Format("15:04") // the station's time, as every screen
	c.refused(exitFailed, "已锁定到 "+until, cashIn("OP2", wrong)...)
	c.refused(exitFailed, "已锁定到 "+until, cashIn("OP2", clerkPIN)...)
	c.refused(exitFailed, "登录页“店主解锁”", cashIn("OP2", clerkPIN)...)
	r := c.run(append(cashIn("OP2", clerkPIN), "--lang", "en")...)
	if !strings.Contains(r.stderr, "locked after 5 wrong PINs until "+until) || !strings.Contains(r.stderr, "ask the owner") {
		t.Errorf("English lockout message: %q", r.stderr)
	}
	if out := c.must("operator", "list", "--dir", dir); !strings.Contains(out, "已锁定到 "+until) {
		t.Errorf("operator list does not show the lock:\n%s", out)
	}
	if after := len(entries(t, c, dir)); after != before {
		t.Errorf("a locked operator recorded %d entries", after-before)
	}
	// The owner approving a clerk's void is checked the same way: a
	// clerk cannot guess the owner's PIN either.
	for i := 1; i < terminal.MaxPINFailures; i++ {
		c.refused(exitFailed, "密码不对", "operator", "add", "--dir", dir, "--id", "OP3", "--role", "clerk",
			"--pin-file", writeSecret(t, "p", "550372"), "--by", "OP1", "--by-pin-file", writeSecret(t, "bad", wrong))
	}
	c.refused(exitFailed, "OP1 连续输错密码 5 次，已锁定到 "+until, "operator", "add", "--dir", dir, "--id", "OP3", "--role", "clerk",
		"--pin-file", writeSecret(t, "p", "550372"), "--by", "OP1", "--by-pin-file", writeSecret(t, "bad", wrong))
	c.refused(exitFailed, "已锁定到", cashIn("OP1", ownerPIN)...)

	c.now = c.now.Add(terminal.LockoutFor - time.Second)
	c.refused(exitFailed, "已锁定到", cashIn("OP2", clerkPIN)...)
	c.now = c.now.Add(time.Second)
	c.must(cashIn("OP2", clerkPIN)...)
	c.must(cashIn("OP1", ownerPIN)...)
	// A success starts the count again.
	c.refused(exitFailed, "密码不对", cashIn("OP2", wrong)...)
	c.must(cashIn("OP2", clerkPIN)...)
}

// servedDemo serves the screen of the demo station in dir with m's
// clock on loopback; stop ends the program (the server and its files).
func servedDemo(t *testing.T, m *Main, dir string) (srv *httptest.Server, d *shopfront.Desk, stop func()) {
	t.Helper()
	d, err := m.openDesk(context.Background(), serveOptions{dir: dir, demo: true})
	if err != nil {
		t.Fatal(err)
	}
	h, err := web.New(d, &web.Options{Now: m.Now, Logf: t.Logf, Hosts: screenHosts(serveOptions{addr: "127.0.0.1:0"})})
	if err != nil {
		t.Fatal(err)
	}
	srv = httptest.NewServer(h)
	return srv, d, func() { srv.Close(); d.Counter.Close() }
}

// postPage sends a form and returns the answer with its page.
func postPage(t *testing.T, c *http.Client, u string, v url.Values) (*http.Response, string) {
	t.Helper()
	r, err := c.PostForm(u, v)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return r, string(b)
}

// webSignIn signs op in with pinCode on a fresh sign-in form.
func webSignIn(t *testing.T, c *http.Client, base, op, pinCode string) (*http.Response, string) {
	t.Helper()
	_, page := get(t, c, base+"/signin")
	tok := csrfRE.FindStringSubmatch(page)
	if tok == nil {
		t.Fatal("the sign-in form has no CSRF token")
	}
	return postPage(t, c, base+"/signin", url.Values{"csrf": {tok[1]}, "operator": {op}, "pin": {pinCode}})
}

// TestLockoutWeb: the screen's sign-in and the owner's PIN that approves
// a void count wrong PINs in the same place as the command line: after
// MaxPINFailures the right PIN is refused, saying until when and to ask
// the owner, also after the program is restarted, until LockoutFor has
// passed.
func TestLockoutWeb(t *testing.T) {
	now := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	var out bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out, Getenv: func(string) string { return "" },
		Now: func() time.Time { return now }, KeyParams: keyfile.FastParams()}
	dir := filepath.Join(t.TempDir(), "demo")
	if err := m.ensureDemo(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	until := now.Add(terminal.LockoutFor).In(stationZone(t)).Format("15:04")
	const wrong = "864209"

	srv, d, stop := servedDemo(t, m, dir)
	c := client(t)
	// The clerk, signed in, tries to guess the owner's PIN for a void.
	if r, _ := webSignIn(t, c, srv.URL, "OP2", demoClerkPIN); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("clerk sign-in: %s", r.Status)
	}
	sale, err := d.Services().Goods.Sell(terminal.Sale{Operator: "OP2", Lines: []terminal.Line{{SKU: "DAILY-SOAP", Qty: 1}}, IdemKey: "lockout:sale"})
	if err != nil {
		t.Fatal(err)
	}
	voidURL := fmt.Sprintf("%s/void/%d", srv.URL, sale.Entry.Seq)
	for i := 1; i <= terminal.MaxPINFailures; i++ {
		_, page := get(t, c, voidURL)
		tok := csrfRE.FindStringSubmatch(page)
		if tok == nil {
			t.Fatalf("the void form has no CSRF token:\n%s", page)
		}
		_, page = postPage(t, c, voidURL, url.Values{"csrf": {tok[1]}, "key": {fmt.Sprintf("%048x", i)}, "reason": {"拿错了"}, "owner": {"OP1"}, "owner_pin": {wrong}})
		want := "密码不对"
		if i == terminal.MaxPINFailures {
			want = "OP1 连续输错密码 5 次，已锁定到 " + until
		}
		if !strings.Contains(page, want) {
			t.Errorf("owner PIN guess %d: the page does not say %q", i, want)
		}
	}
	_, page := get(t, c, voidURL)
	tok := csrfRE.FindStringSubmatch(page)
	if _, page = postPage(t, c, voidURL, url.Values{"csrf": {tok[1]}, "key": {fmt.Sprintf("%048x", 99)}, "reason": {"拿错了"}, "owner": {"OP1"}, "owner_pin": {demoOwnerPIN}}); !strings.Contains(page, "已锁定到 "+until) {
		t.Error("the locked owner's right PIN approved a void")
	}
	if e, err := d.Entry(sale.Entry.Seq + 1); err == nil {
		t.Errorf("a void was recorded while the owner was locked: %s", e.Kind)
	}
	// Someone tries the clerk's PIN at the sign-in screen.
	c = client(t)
	for i := 1; i <= 3; i++ {
		if r, page := webSignIn(t, c, srv.URL, "OP2", wrong); r.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "密码不对") {
			t.Fatalf("wrong PIN %d: %s", i, r.Status)
		}
	}
	stop()

	// The program restarts: the clerk's three failures are remembered.
	srv, _, stop = servedDemo(t, m, dir)
	defer func() { stop() }()
	c = client(t)
	if r, page := webSignIn(t, c, srv.URL, "OP2", wrong); r.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "密码不对") {
		t.Fatalf("wrong PIN 4 after the restart: %s", r.Status)
	}
	if _, page := webSignIn(t, c, srv.URL, "OP2", wrong); !strings.Contains(page, "已锁定到 "+until) {
		t.Errorf("wrong PIN 5 (after a restart) did not lock the clerk")
	}
	for _, op := range []struct{ id, pin string }{{"OP2", demoClerkPIN}, {"OP1", demoOwnerPIN}} {
		r, page := webSignIn(t, c, srv.URL, op.id, op.pin)
		if r.StatusCode != http.StatusUnauthorized || !strings.Contains(page, op.id+" 连续输错密码 5 次，已锁定到 "+until) || !strings.Contains(page, "登录页“店主解锁”") {
			t.Errorf("%s's right PIN while locked: %s", op.id, r.Status)
		}
	}
	now = now.Add(terminal.LockoutFor)
	for _, op := range []struct{ id, pin string }{{"OP2", demoClerkPIN}, {"OP1", demoOwnerPIN}} {
		if r, _ := webSignIn(t, client(t), srv.URL, op.id, op.pin); r.StatusCode != http.StatusSeeOther {
			t.Errorf("%s after the lockout: %s", op.id, r.Status)
		}
	}
}

// TestPostOfficeRefusesRetiredKeys: postoffice import refuses a day file
// from a station it has retired, and one signed with a station's old key
// for entries after its key was rotated; neither changes the registry
// (its stations, their days, its acknowledgements).
func TestPostOfficeRefusesRetiredKeys(t *testing.T) {
	po := startPostOffice(t)
	poKey, signedTariff := po.key, po.tariff

	keyLine := regexp.MustCompile(`登记用公钥：(\S+)`)
	var stations []*regionStation
	for _, id := range []string{"T0001", "T0002"} {
		s := &regionStation{id: id, c: newCLI(t)}
		s.dir = filepath.Join(t.TempDir(), id)
		s.c.env["STATION_PASSPHRASE"], s.c.env["STATION_PIN"] = passphrase, ownerPIN
		s.key = keyLine.FindStringSubmatch(s.c.must("init", "--dir", s.dir, "--id", id, "--name", id+"村", "--postoffice-key", poKey))[1]
		s.c.must("operator", "add", "--dir", s.dir, "--id", "OP1", "--role", "owner", "--pin-file", writeSecret(t, "pin", ownerPIN))
		s.c.must("tariff", "load", "--dir", s.dir, "--operator", "OP1", signedTariff)
		po.expect(0, "enrol", "--station", id, "--pubkey", s.key, "--franchisee", "加盟人", "--deposit", "20000.00", "--tariff", signedTariff)
		s.c.must(s.op("cash", "in", "--amount", "1000", "--reason", "float")...)
		s.closeDay(t)
		po.expect(0, "import", s.file("2026-11-20"))
		stations = append(stations, s)
	}
	retired, rotated := stations[0], stations[1]
	po.expect(0, "retire", "--station", retired.id)

	// T0002 moves to a new key from the entry after its first day.
	last := entries(t, rotated.c, rotated.dir)
	from := uint64(len(last)) + 1
	oldKey, err := keyfile.Open(filepath.Join(rotated.dir, shopfront.KeyFile), []byte(passphrase), rotated.id)
	if err != nil {
		t.Fatal(err)
	}
	newKey := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	newVerifier, err := keyfile.VerifierKey(rotated.id, newKey.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	skey, err := keyfile.SignerKey(rotated.id, oldKey)
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := note.NewSigner(skey)
	vouch, err := note.Sign(&note.Note{Text: registry.Rotation{Station: rotated.id, New: newVerifier, From: from}.RotationText()}, signer)
	if err != nil {
		t.Fatal(err)
	}
	vouchFile := filepath.Join(t.TempDir(), "rotation.note")
	os.WriteFile(vouchFile, vouch, 0o644)
	po.expect(0, "rotate-key", "--station", rotated.id, "--vouch", vouchFile)

	// Day 2: the retired station works on, the other still signs with
	// its old key.
	for _, s := range stations {
		s.c.now = s.c.now.Add(24 * time.Hour)
		s.c.must(s.op("cash", "in", "--amount", "100", "--reason", "owner")...)
		s.closeDay(t)
	}
	state := func() string {
		var acks []string
		filepath.WalkDir(po.dir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(path, ".ack") {
				acks = append(acks, filepath.Base(path))
			}
			return nil
		})
		return po.expect(0, "stations") + strings.Join(acks, " ")
	}
	before := state()
	for _, tc := range []struct {
		s    *regionStation
		want string
	}{{retired, "这个服务站已经退出，不再接收它的文件"}, {rotated, "签名密钥不是登记的那一把"}} {
		code, stdout, stderr := po.run("import", "--dir", po.dir, tc.s.file("2026-11-21"))
		t.Logf("import of %s's day 2: exit %d\n%s%s", tc.s.id, code, stdout, stderr)
		if code == 0 || !strings.Contains(stdout+stderr, tc.want) {
			t.Errorf("import of %s's day 2: exit %d, want refused saying %q\n%s%s", tc.s.id, code, tc.want, stdout, stderr)
		}
		if after := state(); after != before {
			t.Errorf("a refused file of %s changed the registry:\n%s\nwas\n%s", tc.s.id, after, before)
		}
	}
}

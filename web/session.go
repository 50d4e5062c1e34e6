package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/villagepost/bianmin/terminal"
)

const cookieName = "station_session"

// session is one browser at the counter. It lives in memory only: a
// restart signs everyone out.
type session struct {
	id    string
	csrf  string
	lang  string
	op    *terminal.Operator // nil until signed in
	seen  time.Time
	done  map[string]*outcome // finished requests by idempotency key
	order []string            // keys of done, oldest first
	// cards holds the card number typed for a withdrawal between its
	// check and its confirmation, by the form's key, so that the page
	// turned to the customer carries only the masked number: no page
	// the screen serves holds a whole card number.
	cards map[string]string
}

// holdCard keeps card for the form key until the request is finished.
func (ss *session) holdCard(key, card string) {
	if ss.cards == nil || len(ss.cards) >= maxDone {
		ss.cards = map[string]string{}
	}
	ss.cards[key] = card
}

// maxDone bounds the outcomes a session remembers for redisplay.
const maxDone = 50

func (ss *session) keep(key string, o *outcome) {
	if _, ok := ss.done[key]; !ok {
		ss.order = append(ss.order, key)
	}
	ss.done[key] = o
	delete(ss.cards, key)
	for len(ss.order) > maxDone {
		delete(ss.done, ss.order[0])
		ss.order = ss.order[1:]
	}
}

// sessions holds the signed-in sessions of a server. An anonymous
// visitor (before sign-in) costs nothing: their session is not kept but
// rebuilt from their cookie at each request, its CSRF token a MAC of the
// cookie under a key that lives as long as the server (anonID, anonCSRF),
// its language in a cookie of its own. So no number of anonymous
// requests grows memory, slows a signed-in request or pushes a signed-in
// session out. Expired sessions are swept at most once per sweepEvery,
// not at every request.
type sessions struct {
	now   func() time.Time
	idle  time.Duration
	key   []byte // the MAC key of anonymous CSRF tokens
	mu    sync.Mutex
	m     map[string]*session // signed in, by id
	swept time.Time
}

// sweepEvery is how often expired sessions are swept.
const sweepEvery = time.Minute

func newSessions(now func() time.Time, idle time.Duration) *sessions {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return &sessions{now: now, idle: idle, key: key, m: map[string]*session{}}
}

// tokenBytes is the size of a token: 48 hex digits.
const tokenBytes = 24

func token() string {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return hex.EncodeToString(b)
}

// anonPrefix starts the cookie of an anonymous session; a signed-in
// session's id is a bare token.
const anonPrefix = "a"

// isAnonID reports whether id is the form of an anonymous session's id.
func isAnonID(id string) bool {
	t, ok := strings.CutPrefix(id, anonPrefix)
	if !ok || len(t) != 2*tokenBytes {
		return false
	}
	_, err := hex.DecodeString(t)
	return err == nil
}

// anon returns the anonymous session of id (kept nowhere).
func (s *sessions) anon(id, lang string) *session {
	mac := hmac.New(sha256.New, s.key)
	mac.Write([]byte("csrf:" + id))
	return &session{id: id, csrf: hex.EncodeToString(mac.Sum(nil)[:tokenBytes]), lang: lang, seen: s.now(), done: map[string]*outcome{}}
}

// get returns the request's live session and whether it had a signed-in
// one that expired; with none it returns an anonymous one.
func (s *sessions) get(r *http.Request) (ss *session, expired bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if now.Sub(s.swept) >= sweepEvery || now.Before(s.swept) {
		for id, x := range s.m {
			if now.Sub(x.seen) > s.idle {
				delete(s.m, id)
			}
		}
		s.swept = now
	}
	c, err := r.Cookie(cookieName)
	if err == nil {
		if isAnonID(c.Value) {
			return s.anon(c.Value, langOf(r)), false
		}
		if x, ok := s.m[c.Value]; ok && now.Sub(x.seen) <= s.idle {
			x.seen = now
			return x, false
		}
		delete(s.m, c.Value)
		expired = true
	}
	return s.anon(anonPrefix+token(), langOf(r)), expired
}

// signIn makes x, an anonymous session, a signed-in one with a fresh id
// and token, so an id seen before cannot be ridden.
func (s *sessions) signIn(x *session, op *terminal.Operator) {
	s.mu.Lock()
	defer s.mu.Unlock()
	x.id, x.csrf, x.op, x.seen = token(), token(), op, s.now()
	s.m[x.id] = x
}

// signOut ends x's signed-in session: x becomes a fresh anonymous one.
func (s *sessions) signOut(x *session) {
	a := s.anon(anonPrefix+token(), x.lang)
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, x.id)
	x.id, x.csrf, x.op, x.done, x.order, x.cards = a.id, a.csrf, nil, a.done, nil, nil
}

// count returns the number of sessions kept.
func (s *sessions) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}

func (s *sessions) lock() func() { s.mu.Lock(); return s.mu.Unlock }

// langCookie keeps the language chosen before signing in.
const langCookie = "station_lang"

// langOf returns the language the request's cookie chose: "zh" unless
// it says "en".
func langOf(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil && c.Value == "en" {
		return "en"
	}
	return "zh"
}

func setLangCookie(w http.ResponseWriter, r *http.Request, lang string) {
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
}

func setCookie(w http.ResponseWriter, r *http.Request, x *session) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: x.id, Path: "/", HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
}

// req is one request with its session.
type req struct {
	w       http.ResponseWriter
	r       *http.Request
	ss      *session
	expired bool
	status  int // the HTTP status of a rendered page; 0 means 200
	// repriced: the confirmation sent was priced under another tariff
	// (reprice.go); it is shown again with the new amounts.
	repriced bool
}

// checkCSRF reports whether a POST carries the session's token.
func (q *req) checkCSRF() bool {
	got := q.r.PostFormValue("csrf")
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(q.ss.csrf)) == 1
}

// keyOK says whether a form's idempotency keys (key, in_key, out_key,
// count_key) are ones this server could have given (token): another key
// could not name its outcome's page (a key "." made /done/. which the
// redirect cleans to /done, so a balance inquiry that was done showed no
// outcome).
func (q *req) keyOK() bool {
	for _, name := range []string{"key", "in_key", "out_key", "count_key"} {
		key, ok := q.r.PostForm[name]
		if !ok {
			continue
		}
		if len(key) != 1 || len(key[0]) != 2*tokenBytes {
			return false
		}
		if _, err := hex.DecodeString(key[0]); err != nil {
			return false
		}
	}
	return true
}

// anon wraps a handler that works without signing in; every POST must
// still carry the session's CSRF token.
func (s *Server) anon(h func(*req)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ss, expired := s.sessions.get(r)
		setCookie(w, r, ss)
		q := &req{w: w, r: r, ss: ss, expired: expired}
		if r.Method == http.MethodPost && (!q.checkCSRF() || !q.keyOK()) {
			s.forbidden(q)
			return
		}
		h(q)
	}
}

// auth wraps a handler for a signed-in operator: anyone else goes to the
// sign-in screen (told when their session ran out).
func (s *Server) auth(h func(*req)) http.HandlerFunc {
	return s.anon(func(q *req) {
		if q.ss.op == nil {
			to := "/signin"
			if q.expired {
				to += "?expired=1"
			}
			http.Redirect(q.w, q.r, to, http.StatusSeeOther)
			return
		}
		h(q)
	})
}

// forbidden answers a form without a valid CSRF token: it was sent from
// another page or from a session that has ended. Nothing was done.
func (s *Server) forbidden(q *req) {
	q.status = http.StatusForbidden
	s.render(q, "problem", &outcome{
		Bad:     true,
		Title:   say(q.ss.lang, "这张表单已经失效", "This form is no longer valid"),
		Message: say(q.ss.lang, "表单来自已经结束的登录或别的页面，什么都没有办理。请回到首页重新开始。", "It came from a sign-in that has ended or from another page; nothing was done. Go back to the start and begin again."),
	})
}

func say(lang, zh, en string) string {
	if lang == "en" {
		return en
	}
	return zh
}

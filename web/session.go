package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
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

// sessions holds the sessions of a server.
type sessions struct {
	now  func() time.Time
	idle time.Duration
	mu   sync.Mutex
	m    map[string]*session
}

func newSessions(now func() time.Time, idle time.Duration) *sessions {
	return &sessions{now: now, idle: idle, m: map[string]*session{}}
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

// get returns the request's live session and whether it had one that
// expired; with none it starts a fresh anonymous one.
func (s *sessions) get(r *http.Request) (ss *session, expired bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for id, x := range s.m {
		if now.Sub(x.seen) > s.idle {
			delete(s.m, id)
		}
	}
	if c, err := r.Cookie(cookieName); err == nil {
		if x, ok := s.m[c.Value]; ok {
			x.seen = now
			return x, false
		}
		expired = true
	}
	x := &session{id: token(), csrf: token(), lang: "zh", seen: now, done: map[string]*outcome{}}
	s.m[x.id] = x
	return x, expired
}

// renew gives a session a fresh id and token (at sign-in and sign-out),
// so an id seen before cannot be ridden.
func (s *sessions) renew(x *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, x.id)
	x.id, x.csrf = token(), token()
	s.m[x.id] = x
}

func (s *sessions) lock() func() { s.mu.Lock(); return s.mu.Unlock }

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

package staffweb

import (
	"crypto/subtle"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/villagepost/bianmin/registry"
)

// Wrong passwords are limited per account and per address: after
// MaxFailures wrong passwords in a row, sign-in is refused for LockFor,
// whatever the password.
const (
	MaxFailures        = 5
	MaxAddressFailures = 20
	LockFor            = 15 * time.Minute
)

type strike struct {
	n     int
	until time.Time // locked until then
	last  time.Time // the last wrong password
}

type limits struct {
	mu sync.Mutex
	m  map[string]*strike // "id:alice" or "ip:127.0.0.1"
}

func newLimits() *limits { return &limits{m: map[string]*strike{}} }

func (l *limits) locked(keys []string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		if s := l.m[k]; s != nil && now.Before(s.until) {
			return true
		}
	}
	return false
}

func (l *limits) fail(keys []string, max []int, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	// Strikes are forgotten LockFor after the last one (and the lock's
	// end), so that guessed names cannot fill the memory for good.
	for k, s := range l.m {
		if now.Sub(s.last) > LockFor && !now.Before(s.until) {
			delete(l.m, k)
		}
	}
	for i, k := range keys {
		s := l.m[k]
		if s == nil || (!s.until.IsZero() && !now.Before(s.until)) {
			s = &strike{}
			l.m[k] = s
		}
		s.n++
		s.last = now
		if s.n >= max[i] {
			s.until = now.Add(LockFor)
		}
	}
}

func (l *limits) clear(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.m, key)
}

type signinData struct {
	*page
	ID    string
	Error [2]string
}

func (s *Server) signinPage(w http.ResponseWriter, r *http.Request) {
	s.showSignin(w, r, http.StatusOK, "", [2]string{})
}

func (s *Server) showSignin(w http.ResponseWriter, r *http.Request, status int, id string, msg [2]string) {
	p := s.newPage(r)
	// One token for the browser's sign-in forms, so that a second page
	// (another tab, a favicon sent here) does not spoil the first.
	var tok string
	if c, err := r.Cookie(preCookie); err == nil && len(c.Value) == 32 && strings.Trim(c.Value, "0123456789abcdef") == "" {
		tok = c.Value
	} else if tok, err = s.token(16); err != nil {
		s.logf("staffweb: token: %v", err)
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	s.setCookie(w, preCookie, tok, 3600)
	p.CSRF = tok
	p.Title = p.say("员工登录", "Staff sign-in")
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, status, "signin", &signinData{page: p, ID: id, Error: msg})
}

func (s *Server) signin(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		s.showSignin(w, r, http.StatusUnsupportedMediaType, "", [2]string{"这不是登录表单。", "This is not the sign-in form."})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		s.showSignin(w, r, http.StatusBadRequest, "", [2]string{"表单没有收完整，请再登录一次。", "The form arrived incomplete; sign in again."})
		return
	}
	c, err := r.Cookie(preCookie)
	got := r.PostFormValue("csrf")
	if err != nil || len(got) != len(c.Value) || subtle.ConstantTimeCompare([]byte(got), []byte(c.Value)) != 1 {
		s.showSignin(w, r, http.StatusForbidden, "", [2]string{"登录页已过期，请再登录一次。", "The sign-in page has expired; sign in again."})
		return
	}
	id := strings.TrimSpace(strings.ToLower(r.PostFormValue("id")))
	addr := r.RemoteAddr
	if h, _, err := net.SplitHostPort(addr); err == nil {
		addr = h
	}
	keys := []string{"id:" + id, "ip:" + addr}
	now := s.now()
	if s.limits.locked(keys, now) {
		s.logf("staffweb: sign-in of %q from %s refused: too many wrong passwords", id, addr)
		s.showSignin(w, r, http.StatusTooManyRequests, id, [2]string{
			"密码错的次数太多，这个账号（或这台电脑）要等 15 分钟才能再登录。忘了密码请找主管。",
			"Too many wrong passwords: this account (or this computer) may sign in again in 15 minutes. Ask a manager if the password is forgotten."})
		return
	}
	st, err := s.office.StaffMember(r.Context(), id)
	var re *registry.Error
	known := err == nil
	if err != nil && !(errors.As(err, &re) && re.Kind == registry.ErrNoStaff) {
		s.logf("staffweb: sign-in: %v", err)
		s.showSignin(w, r, http.StatusServiceUnavailable, id, [2]string{"登记簿正忙（可能在导入或对账），请稍等再登录。", "The registry is busy (an import or reconciliation may run); sign in again in a moment."})
		return
	}
	if !known {
		st = registry.Staff{Hash: s.dummy} // the same work either way: no telling which accounts exist
	}
	if ok := st.CheckPassword(r.PostFormValue("password")); !ok || !known {
		s.limits.fail(keys, []int{MaxFailures, MaxAddressFailures}, now)
		s.showSignin(w, r, http.StatusUnauthorized, id, [2]string{"账号或密码不对，请再试。", "The account or password is wrong; try again."})
		return
	}
	s.limits.clear("id:" + id)
	tok, err1 := s.token(32)
	csrf, err2 := s.token(32)
	if err1 != nil || err2 != nil {
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	s.sessions.put(tok, &session{staff: st, csrf: csrf, started: now, seen: now})
	s.setCookie(w, cookieName, tok, int(MaxAge/time.Second))
	s.setCookie(w, preCookie, "", -1)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) signout(w http.ResponseWriter, r *http.Request, p *page) {
	s.sessions.drop(p.token)
	s.setCookie(w, cookieName, "", -1)
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

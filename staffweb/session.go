package staffweb

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/villagepost/bianmin/registry"
)

// Sessions live on the server, in memory: the cookie holds only a random
// token. A session ends after IdleTimeout without a request, after
// MaxAge in any case, or at sign-out.
const (
	IdleTimeout = 30 * time.Minute
	MaxAge      = 10 * time.Hour
	cookieName  = "staff_session"
	preCookie   = "staff_signin" // the sign-in form's token, before a session
	langCookie  = "staff_lang"
)

func cryptoRand(b []byte) (int, error) { return rand.Read(b) }

type session struct {
	staff   registry.Staff
	csrf    string
	started time.Time
	seen    time.Time
}

type sessions struct {
	mu sync.Mutex
	m  map[string]*session
}

func newSessions() *sessions { return &sessions{m: map[string]*session{}} }

// get returns the live session of token, touching it; expired ones are
// dropped.
func (ss *sessions) get(token string, now time.Time) (*session, bool) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for k, s := range ss.m { // few staff: sweeping on each look-up is cheap
		if now.Sub(s.seen) > IdleTimeout || now.Sub(s.started) > MaxAge {
			delete(ss.m, k)
		}
	}
	s, ok := ss.m[token]
	if ok {
		s.seen = now
	}
	return s, ok
}

func (ss *sessions) put(token string, s *session) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.m[token] = s
}

func (ss *sessions) drop(token string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.m, token)
}

// token returns n random bytes in hex.
func (s *Server) token(n int) (string, error) {
	b := make([]byte, n)
	if _, err := s.rand(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: s.secure, SameSite: http.SameSiteStrictMode})
}

// page is what every page shows: who is signed in, the language, the
// form token.
type page struct {
	En    bool
	Staff *registry.Staff
	CSRF  string
	Title string
	Path  string
	token string // the session's
}

func (p *page) Manager() bool { return p.Staff != nil && p.Staff.Manager() }

func (s *Server) newPage(r *http.Request) *page {
	p := &page{Path: r.URL.Path}
	if r.Method != http.MethodGet {
		p.Path = "/" // the language switch goes back to a page, not to a form's answer
	}
	if c, err := r.Cookie(langCookie); err == nil && c.Value == "en" {
		p.En = true
	}
	return p
}

// staff lets a signed-in member of staff through, checking the form
// token of every POST; anyone else is sent to sign in.
func (s *Server) staff(h func(http.ResponseWriter, *http.Request, *page)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(r)
		c, err := r.Cookie(cookieName)
		var ss *session
		ok := false
		if err == nil {
			ss, ok = s.sessions.get(c.Value, s.now())
		}
		if !ok {
			if r.Method != http.MethodGet {
				s.problem(w, r, p, http.StatusUnauthorized, "登录已过期，什么都没有办理。请重新登录后再做一次。", "Your sign-in has expired; nothing was done. Sign in again and repeat it.")
				return
			}
			http.Redirect(w, r, "/signin", http.StatusSeeOther)
			return
		}
		staff := ss.staff
		p.Staff, p.CSRF, p.token = &staff, ss.csrf, c.Value
		w.Header().Set("Cache-Control", "no-store")
		if r.Method == http.MethodPost && !s.formOK(w, r, p, ss.csrf) {
			return
		}
		h(w, r, p)
	}
}

// manager lets only a manager through.
func (s *Server) manager(h func(http.ResponseWriter, *http.Request, *page)) http.HandlerFunc {
	return s.staff(func(w http.ResponseWriter, r *http.Request, p *page) {
		if !p.Manager() {
			s.problem(w, r, p, http.StatusForbidden, "只有主管可以做这件事（登记、换密钥、退出服务站、答复纠纷）。您的账号是营业员，什么都没有办理。",
				"Only a manager may do this (enrol, re-key or retire a station, decide a dispute). Your account is a clerk's; nothing was done.")
			return
		}
		h(w, r, p)
	})
}

// MaxUpload bounds a POST body: host journals or day files of a day.
const MaxUpload = 64 << 20

// formOK checks a POST's kind and form token; on failure it has answered.
func (s *Server) formOK(w http.ResponseWriter, r *http.Request, p *page, want string) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	multipartOK := r.URL.Path == "/import" || r.URL.Path == "/reconcile"
	switch {
	case mt == "application/x-www-form-urlencoded":
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			s.problem(w, r, p, http.StatusBadRequest, "表单没有收完整，什么都没有办理。请再提交一次。", "The form arrived incomplete; nothing was done. Send it again.")
			return false
		}
	case mt == "multipart/form-data" && multipartOK:
		r.Body = http.MaxBytesReader(w, r.Body, MaxUpload)
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			s.problem(w, r, p, http.StatusRequestEntityTooLarge, "上传的文件太大（合计超过 64 MB）或没有传完整，什么都没有办理。请分几次上传。",
				"The upload is over 64 MB in all or arrived incomplete; nothing was done. Upload it in parts.")
			return false
		}
	default:
		s.problem(w, r, p, http.StatusUnsupportedMediaType, "这不是本网页的表单，什么都没有办理。", "This is not one of these pages' forms; nothing was done.")
		return false
	}
	got := r.PostFormValue("csrf")
	if len(got) != len(want) || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		s.problem(w, r, p, http.StatusForbidden, "表单已过期（或来自别的页面），什么都没有办理。请回到页面重新提交。",
			"The form has expired (or came from another page); nothing was done. Go back and send it again.")
		return false
	}
	return true
}

// lang switches the pages' language and goes back where it was.
func (s *Server) lang(w http.ResponseWriter, r *http.Request) {
	to := "zh"
	if r.URL.Query().Get("to") == "en" {
		to = "en"
	}
	s.setCookie(w, langCookie, to, 365*24*3600)
	back := r.URL.Query().Get("back")
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") || strings.ContainsAny(back, "\\\r\n") {
		back = "/"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/villagepost/bianmin/terminal"
)

type signInData struct {
	Operators []terminal.Operator
	Expired   bool
}

func (s *Server) signInForm(q *req) {
	s.showSignIn(q, newForm(nil))
}

func (s *Server) showSignIn(q *req, f *form) {
	ops, err := s.st.Operators()
	if err != nil {
		f.Top = s.st.Explain(err, q.ss.lang)
	}
	if f.V("operator") == "" && len(ops) > 0 {
		f.Values.Set("operator", ops[0].ID)
	}
	s.renderForm(q, "signin", f, &signInData{Operators: ops, Expired: q.r.URL.Query().Get("expired") != ""})
}

// signIn checks the operator's PIN; terminal.Operators counts the
// failures and locks the operator after MaxPINFailures.
func (s *Server) signIn(q *req) {
	f := newForm(q.r.PostForm)
	f.Values.Del("pin") // a PIN is never shown back
	op, err := s.authenticate(q, q.r.PostFormValue("operator"), q.r.PostFormValue("pin"))
	if err != nil {
		f.Errors["pin"] = s.st.Explain(err, q.ss.lang)
		q.status = http.StatusUnauthorized
		s.showSignIn(q, f)
		return
	}
	s.sessions.signIn(q.ss, &op)
	setCookie(q.w, q.r, q.ss)
	http.Redirect(q.w, q.r, "/", http.StatusSeeOther)
}

// authenticate checks an operator's PIN typed at q's address, through
// the gate (pingate.go).
func (s *Server) authenticate(q *req, id, pinCode string) (terminal.Operator, error) {
	var (
		op  terminal.Operator
		err error
	)
	from := clientOf(q.r)
	until, gerr := s.pins.check(q.r.Context(), from, s.now(), func() bool {
		op, err = s.st.Authenticate(id, pinCode, from)
		var le *terminal.LockedError
		return errors.Is(err, terminal.ErrWrongPIN) || errors.Is(err, terminal.ErrUnknownOperator) || errors.As(err, &le)
	})
	switch {
	case gerr != nil:
		return terminal.Operator{}, gerr
	case !until.IsZero():
		s.logf("web: PIN refused unchecked from %s until %s", from, until.Format(time.RFC3339))
		return terminal.Operator{}, &AddrLockedError{Until: until}
	}
	return op, err
}

// AddrLockedError says the screen refuses PINs from an address that
// typed too many wrong ones, until a time.
type AddrLockedError struct{ Until time.Time }

func (e *AddrLockedError) Error() string {
	return "web: too many wrong PINs from this address until " + e.Until.Format("15:04")
}

func (s *Server) signOut(q *req) {
	s.sessions.signOut(q.ss)
	setCookie(q.w, q.r, q.ss)
	http.Redirect(q.w, q.r, "/signin", http.StatusSeeOther)
}

// setLang switches between Chinese and English and returns to the page.
func (s *Server) setLang(q *req) {
	lang := "zh"
	if q.r.PostFormValue("lang") == "en" {
		lang = "en"
	}
	unlock := s.sessions.lock()
	q.ss.lang = lang
	unlock()
	setLangCookie(q.w, q.r, lang)
	back := q.r.PostFormValue("back")
	if !s.pageAt(back) {
		back = "/"
	}
	http.Redirect(q.w, q.r, back, http.StatusSeeOther)
}

func (s *Server) start(q *req) {
	var post *PostStatus
	if po, ok := s.st.(PostOffice); ok {
		if ps := po.PostStatus(); ps.Linked {
			post = &ps
		}
	}
	s.render(q, "start", post)
}

// pageAt reports whether path is a page of this server that a GET shows
// (not another site, not a form's target).
func (s *Server) pageAt(path string) bool {
	if !strings.HasPrefix(path, "/") || strings.HasPrefix(path, "//") {
		return false
	}
	r, err := http.NewRequest(http.MethodGet, path, nil)
	if err != nil {
		return false
	}
	_, pattern := s.mux.Handler(r)
	return strings.HasPrefix(pattern, "GET ")
}

package web

import (
	"net/http"
	"strings"

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
	op, err := s.st.Authenticate(q.r.PostFormValue("operator"), q.r.PostFormValue("pin"), clientOf(q.r))
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
	s.render(q, "start", nil)
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

// Package staffweb is the post office staff's web pages: sign-in with
// staff accounts, the stations and what needs attention, one station's
// days and files, import of day files, reconciliation against uploaded
// host journals, statements to download, enrolment, and charts drawn on
// the server as SVG. Every operation goes through package office, the
// same code the postoffice commands call. Chinese by default, English as
// a switch.
package staffweb

import (
	"bytes"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"time"

	"github.com/villagepost/bianmin/office"
	"github.com/villagepost/bianmin/registry"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options tune a Server. The zero value (or nil) is the real thing.
type Options struct {
	Now  func() time.Time     // the clock; time.Now if nil
	Logf func(string, ...any) // where the technician's details go; dropped if nil
	// Secure marks the session cookie Secure: set it when served over
	// HTTPS.
	Secure bool
	// Rand is where session and form tokens come from (crypto/rand if nil).
	Rand func([]byte) (int, error)
}

// Server is the staff's pages of one post office.
type Server struct {
	office   *office.Office
	now      func() time.Time
	logf     func(string, ...any)
	secure   bool
	rand     func([]byte) (int, error)
	tmpl     map[string]*template.Template
	sessions *sessions
	limits   *limits
	handler  http.Handler
	dummy    string // a hash to check a password against when the account does not exist
}

// New returns the pages of an opened post office.
func New(o *office.Office, opts *Options) (*Server, error) {
	if opts == nil {
		opts = &Options{}
	}
	s := &Server{office: o, now: opts.Now, logf: opts.Logf, secure: opts.Secure, rand: opts.Rand}
	if s.now == nil {
		s.now = time.Now
	}
	if s.logf == nil {
		s.logf = func(string, ...any) {}
	}
	if s.rand == nil {
		s.rand = cryptoRand
	}
	var err error
	if s.tmpl, err = parseTemplates(); err != nil {
		return nil, fmt.Errorf("staffweb: templates: %w", err)
	}
	salt := make([]byte, 16)
	if _, err := s.rand(salt); err != nil {
		return nil, fmt.Errorf("staffweb: random: %w", err)
	}
	if s.dummy, err = registry.HashPassword(hex.EncodeToString(salt), bytes.NewReader(salt)); err != nil {
		return nil, err
	}
	s.sessions = newSessions()
	s.limits = newLimits()
	static, _ := fs.Sub(staticFS, "static")
	mux := http.NewServeMux()
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /signin", s.signinPage)
	mux.HandleFunc("POST /signin", s.signin)
	mux.HandleFunc("POST /signout", s.staff(s.signout))
	mux.HandleFunc("GET /lang", s.lang)
	mux.HandleFunc("GET /{$}", s.staff(s.home))
	mux.HandleFunc("GET /stations/{id}", s.staff(s.station))
	mux.HandleFunc("GET /stations/{id}/days/{day}/file", s.staff(s.dayFile))
	mux.HandleFunc("GET /import", s.staff(s.importPage))
	mux.HandleFunc("POST /import", s.staff(s.importFiles))
	mux.HandleFunc("GET /reconcile", s.staff(s.reconcilePage))
	mux.HandleFunc("POST /reconcile", s.staff(s.reconcile))
	mux.HandleFunc("GET /statements", s.staff(s.statementsPage))
	mux.HandleFunc("GET /statements/download", s.staff(s.download))
	mux.HandleFunc("GET /enrol", s.manager(s.enrolPage))
	mux.HandleFunc("POST /enrol", s.manager(s.enrol))
	mux.HandleFunc("POST /stations/{id}/rotate", s.manager(s.rotate))
	mux.HandleFunc("POST /stations/{id}/retire", s.manager(s.retire))
	mux.HandleFunc("GET /disputes", s.staff(s.disputesPage))
	mux.HandleFunc("POST /disputes/{station}/{seq}", s.manager(s.decide))
	mux.HandleFunc("/", s.staff(func(w http.ResponseWriter, r *http.Request, p *page) {
		s.problem(w, r, p, http.StatusNotFound, "没有这个网页。", "There is no such page.")
	}))
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.logf("staffweb: refused %s %s from another site (Origin %q, Sec-Fetch-Site %q)", r.Method, r.URL.Path, r.Header.Get("Origin"), r.Header.Get("Sec-Fetch-Site"))
		s.refused(w, r, http.StatusForbidden, "这个请求来自别的网站，已拒绝，什么都没有办理。请直接在邮政员工网页上操作。",
			"This request came from another site and was refused; nothing was done. Use the post office's own pages.")
	}))
	s.handler = cop.Handler(mux)
	return s, nil
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	s.handler.ServeHTTP(w, r)
}

package staffweb

import (
	"bytes"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// say picks the page's language.
func (p *page) say(zh, en string) string {
	if p.En {
		return en
	}
	return zh
}

// T is say for templates: {{.T "中文" "English"}}.
func (p *page) T(zh, en string) string { return p.say(zh, en) }

// LangLink switches to the other language and back to this page.
func (p *page) LangLink() string {
	to := "en"
	if p.En {
		to = "zh"
	}
	return "/lang?to=" + to + "&back=" + template.URLQueryEscaper(p.Path)
}

func parseTemplates() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimSuffix(path.Base(n), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New("layout.html").ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, err
		}
		out[base] = t
	}
	return out, nil
}

// render writes page name with data; a template failure is the server's
// own trouble, said without its details.
func (s *Server) render(w http.ResponseWriter, status int, name string, data any) {
	var b bytes.Buffer
	if err := s.tmpl[name].Execute(&b, data); err != nil {
		s.logf("staffweb: render %s: %v", name, err)
		http.Error(w, "邮政员工网页出了问题，请稍后再试。The page failed; try again later.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

type problemData struct {
	*page
	Message string
}

// problem shows a refusal or a failure in plain words.
func (s *Server) problem(w http.ResponseWriter, r *http.Request, p *page, status int, zh, en string) {
	if p.Title == "" {
		p.Title = p.say("没有办理", "Not done")
	}
	s.render(w, status, "problem", &problemData{page: p, Message: p.say(zh, en)})
}

// refused answers a request refused before any session was looked at.
func (s *Server) refused(w http.ResponseWriter, r *http.Request, status int, zh, en string) {
	s.problem(w, r, s.newPage(r), status, zh, en)
}

// busy answers when the registry could not be used; the details go to
// the log.
func (s *Server) busy(w http.ResponseWriter, r *http.Request, p *page, err error) {
	s.logf("staffweb: %s %s: %v", r.Method, r.URL.Path, err)
	s.problem(w, r, p, http.StatusServiceUnavailable, "登记簿暂时用不了（可能正在导入或对账），什么都没有改动。请稍等再试。",
		"The registry cannot be used now (an import or reconciliation may run); nothing was changed. Try again in a moment.")
}

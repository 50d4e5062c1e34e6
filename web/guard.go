package web

import (
	"html/template"
	"net"
	"net/http"
	"strings"
)

// The screen is reached by a browser on the counter's machine (or, with
// HTTPS, on the shop's network). Two kinds of request must never reach a
// handler, whatever their CSRF token:
//
//   - one that another site's page makes the browser send (cross-site
//     request forgery): refused by net/http's CrossOriginProtection,
//     which reads Sec-Fetch-Site and Origin; the per-form CSRF token stays
//     as a second lock for browsers that send neither;
//   - one sent to a name that is not this machine's (DNS rebinding: a
//     page of evil.example points evil.example at 127.0.0.1 and is then
//     "same-origin" with the screen): refused by the Host header check.

// hostAllowed reports whether the Host header of r names this screen.
func (s *Server) hostAllowed(r *http.Request) bool {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if host == "" {
		return false
	}
	ip := net.ParseIP(host)
	if s.hosts == nil {
		// No rebinding can produce an IP address: a browser sends the
		// name it resolved, never the address it got.
		return host == "localhost" || ip != nil
	}
	if ip != nil && s.hosts["*ip"] {
		return true
	}
	if ip != nil {
		host = ip.String()
	}
	return s.hosts[host]
}

// allowHosts turns Options.Hosts into the set hostAllowed looks in.
func allowHosts(list []string) map[string]bool {
	if list == nil {
		return nil
	}
	m := map[string]bool{}
	for _, h := range list {
		h = strings.TrimSuffix(strings.ToLower(strings.Trim(h, "[]")), ".")
		if ip := net.ParseIP(h); ip != nil {
			if ip.IsUnspecified() {
				m["*ip"] = true // listening on every address: any of them
				continue
			}
			h = ip.String()
		}
		m[h] = true
	}
	return m
}

// guard puts the cross-origin and Host checks in front of h.
func (s *Server) guard(h http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.logf("web: refused %s %s from another site (Origin %q, Sec-Fetch-Site %q)", r.Method, r.URL.Path, r.Header.Get("Origin"), r.Header.Get("Sec-Fetch-Site"))
		refusedPage(w, http.StatusForbidden,
			"这个请求来自别的网站或别的页面，已拒绝，什么都没有办理。请直接在服务站网页上操作。",
			"This request came from another site or page and was refused; nothing was done. Use the station's own screen.")
	}))
	protected := cop.Handler(s.limitBody(h))
	limited := s.limitAnon(protected)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.hostAllowed(r) {
			s.logf("web: refused %s %s for host %q", r.Method, r.URL.Path, r.Host)
			refusedPage(w, http.StatusMisdirectedRequest,
				"这个网址不是本服务站的网页，已拒绝，什么都没有办理。请用启动时显示的地址（例如 http://127.0.0.1:8080/）打开。",
				"This address is not the station's screen; the request was refused and nothing was done. Open the address the station printed at start (e.g. http://127.0.0.1:8080/).")
			return
		}
		limited.ServeHTTP(w, r)
	})
}

var refusedTmpl = template.Must(template.New("refused").Parse(`<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>已拒绝 · Refused</title></head>
<body>
<h1>已拒绝 <span lang="en">· Refused</span></h1>
<p id="zh">{{.Zh}}</p>
<p id="en" lang="en">{{.En}}</p>
</body>
</html>
`))

// refusedPage answers a request refused before any handler saw it: a
// plain page in Chinese and English, with no session and no form.
func refusedPage(w http.ResponseWriter, status int, zh, en string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	refusedTmpl.Execute(w, struct{ Zh, En string }{zh, en})
}

// clientOf names the address a request came from, without its port: the
// place wrong PINs are counted by.
func clientOf(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}

package web

import (
	"errors"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/villagepost/bianmin/decision"
)

// MaxBody is the most a request may send. The screen's largest form (a
// sale of many lines) is a few KB; anything bigger is not a form of this
// screen.
const MaxBody = 64 << 10

// MaxUpload is the most a form that sends a file may send: the file (the
// post office's decision, at most decision.MaxNote bytes) and the form's
// few other fields.
const MaxUpload = decision.MaxNote + 4<<10

// maxUploadParts bounds the parts of a form that sends a file: the hand-
// over step's form has six.
const maxUploadParts = 16

// uploads reports whether a form posted to path may send a file: only the
// hand-over step, whose dispute item takes the post office's decision file.
func uploads(path string) bool { return strings.HasPrefix(path, "/handovers/") }

// limitBody lets through only bodies the screen's forms send: a POST is
// an application/x-www-form-urlencoded form of at most MaxBody bytes, or,
// where a form sends a file (uploads), a multipart/form-data one of at
// most MaxUpload bytes and maxUploadParts parts; it is parsed here, in
// memory, before any handler or session is touched. Any other body is
// refused with 415 and a bigger one with 413, before it is read (by its
// Content-Length) or as soon as it passes the limit (when it is sent in
// chunks). Nothing a request sends is written to disk.
func (s *Server) limitBody(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			h.ServeHTTP(w, r)
			return
		}
		ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err == nil && ct == "multipart/form-data" && uploads(r.URL.Path) {
			if r.ContentLength > MaxUpload {
				s.tooLarge(w, r)
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, MaxUpload)
			if err := parseUpload(r); err != nil {
				var mb *http.MaxBytesError
				if errors.As(err, &mb) || errors.Is(err, errTooLarge) {
					s.tooLarge(w, r)
					return
				}
				s.logf("web: refused %s %s: %v", r.Method, r.URL.Path, err)
				refusedPage(w, http.StatusBadRequest,
					"这张表单读不懂，已拒绝，什么都没有办理。请回到首页重新开始。",
					"This form could not be read; it was refused and nothing was done. Go back to the start and begin again.")
				return
			}
			h.ServeHTTP(w, r)
			return
		}
		if err != nil || ct != "application/x-www-form-urlencoded" {
			s.logf("web: refused %s %s: content type %q", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
			w.Header().Set("Connection", "close")
			refusedPage(w, http.StatusUnsupportedMediaType,
				"这个请求不是本服务站网页的表单，已拒绝，什么都没有办理。请在服务站网页上操作。",
				"This request is not a form of the station's screen; it was refused and nothing was done. Use the station's screen.")
			return
		}
		if r.ContentLength > MaxBody {
			s.tooLarge(w, r)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
		if err := r.ParseForm(); err != nil {
			var mb *http.MaxBytesError
			if errors.As(err, &mb) {
				s.tooLarge(w, r)
				return
			}
			s.logf("web: refused %s %s: %v", r.Method, r.URL.Path, err)
			refusedPage(w, http.StatusBadRequest,
				"这张表单读不懂，已拒绝，什么都没有办理。请回到首页重新开始。",
				"This form could not be read; it was refused and nothing was done. Go back to the start and begin again.")
			return
		}
		h.ServeHTTP(w, r)
	})
}

var errTooLarge = errors.New("web: a form with too many parts")

// parseUpload reads a multipart/form-data body (bounded by the caller)
// into r.PostForm and r.Form, in memory: every part, a file's too, is a
// value under its field's name. No temporary file is made, unlike
// Request.ParseMultipartForm's.
func parseUpload(r *http.Request) error {
	mr, err := r.MultipartReader()
	if err != nil {
		return err
	}
	form := url.Values{}
	for n := 0; ; n++ {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if n >= maxUploadParts {
			return errTooLarge
		}
		b, err := io.ReadAll(p) // bounded by the body's limit
		if err != nil {
			return err
		}
		if name := p.FormName(); name != "" {
			form.Add(name, string(b))
		}
	}
	r.PostForm = form
	r.Form = url.Values{}
	for k, vs := range r.URL.Query() {
		r.Form[k] = append(r.Form[k], vs...)
	}
	for k, vs := range form {
		r.Form[k] = append(r.Form[k], vs...)
	}
	return nil
}

func (s *Server) tooLarge(w http.ResponseWriter, r *http.Request) {
	limit := MaxBody
	if uploads(r.URL.Path) {
		limit = MaxUpload
	}
	s.logf("web: refused %s %s: body over %d bytes, or too many parts (Content-Length %d)", r.Method, r.URL.Path, limit, r.ContentLength)
	w.Header().Set("Connection", "close") // do not read the rest
	refusedPage(w, http.StatusRequestEntityTooLarge,
		"这个请求太大，不是本服务站网页的表单，已拒绝，什么都没有办理。",
		"This request is too large to be a form of the station's screen; it was refused and nothing was done.")
}

// filesOnly serves the files of fsys and answers 404 for its folders, so
// that no folder is listed.
func filesOnly(fsys fs.FS) http.Handler {
	files := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		if name == "" || strings.HasSuffix(name, "/") {
			http.NotFound(w, r)
			return
		}
		if fi, err := fs.Stat(fsys, name); err != nil || fi.IsDir() {
			http.NotFound(w, r)
			return
		}
		files.ServeHTTP(w, r)
	})
}

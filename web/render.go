package web

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"

	"github.com/villagepost/bianmin/idcheck"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/pin"
	"github.com/villagepost/bianmin/settlement"
	"github.com/villagepost/bianmin/terminal"
)

// view is what every template gets.
type view struct {
	Lang   string
	CSRF   string
	Op     *terminal.Operator
	Info   Info
	Status *Status
	Path   string
	D      any   // the page's own data
	F      *form // the page's form, if any
}

// Say picks the Chinese or the English text.
func (v *view) Say(zh, en string) string { return say(v.Lang, zh, en) }

// Owner reports whether the signed-in operator is an owner.
func (v *view) Owner() bool { return v.Op != nil && v.Op.Role == terminal.RoleOwner }

// form is a form as typed, with what is wrong next to each field.
type form struct {
	Values url.Values
	Errors map[string]string
	Top    string // a problem not tied to one field
	Key    string // the idempotency key the form carries
}

// newForm starts a form with a copy of what was typed.
func newForm(v url.Values) *form {
	f := &form{Values: url.Values{}, Errors: map[string]string{}}
	for k, vs := range v {
		f.Values[k] = append([]string(nil), vs...)
	}
	return f
}

// V returns what was typed in a field.
func (f *form) V(name string) string { return f.Values.Get(name) }

// E returns what is wrong with a field, or "".
func (f *form) E(name string) string { return f.Errors[name] }

// Bad reports whether anything is wrong.
func (f *form) Bad() bool { return f.Top != "" || len(f.Errors) > 0 }

// refuse puts the station's message for err next to the field it is
// about, or at the top of the form.
func (s *Server) refuse(q *req, f *form, err error, fallback string) {
	msg := s.st.Explain(relabel(q, err), q.ss.lang)
	if field := fieldOf(err); field != "" {
		if fallback != "" && field == "pin" {
			field = fallback
		}
		f.Errors[field] = msg
		return
	}
	f.Top = msg
}

// fieldOf names the form field an input error is about.
func fieldOf(err error) string {
	var (
		me *money.Error
		ie *terminal.InputError
		ce *idcheck.InputError
		le *terminal.LimitError
		sc *terminal.ShortCashError
		se *terminal.StockError
		pe *pin.RuleError
	)
	switch {
	case errors.As(err, &me):
		return me.Field
	case errors.As(err, &ie):
		return ie.Field
	case errors.As(err, &ce):
		return ce.Field
	case errors.As(err, &le):
		return le.Field
	case errors.As(err, &sc):
		return "amount"
	case errors.As(err, &se):
		return "items"
	case errors.As(err, &pe):
		return "pin"
	}
	return ""
}

// outcome is what became of a request: shown big, once, and kept for a
// reload.
type outcome struct {
	Bad     bool   // it did not go through: no money moved (or give it back)
	Title   string // e.g. 取款成功
	Big     string // the one thing to do, e.g. 请付给顾客现金 ¥500.00
	Capital string // the amount of Big in 大写
	Message string
	Lines   []string
	Receipt uint64 // the entry whose receipt to show, if any
	Next    string // where "next customer" goes
	PDF     []byte // a receipt made for this outcome only (a reprint)
	Key     string // the request's key, for the PDF's address
	Report  string // a day report to open, if any
	Paper   string // the receipt as text, shown on the screen
}

func (s *Server) view(q *req, f *form, d any) *view {
	v := &view{Lang: q.ss.lang, CSRF: q.ss.csrf, Op: q.ss.op, Info: s.st.Info(), Path: q.r.URL.Path, D: d, F: f}
	if q.ss.op != nil {
		if st, err := s.st.Status(); err == nil {
			v.Status = &st
		} else {
			s.logf("web: status: %v", err)
		}
	}
	return v
}

// render writes page name with d as its data (a *form is the page's form).
func (s *Server) render(q *req, name string, d any) {
	var f *form
	if x, ok := d.(*form); ok {
		f, d = x, nil
	}
	s.renderForm(q, name, f, d)
}

func (s *Server) renderForm(q *req, name string, f *form, d any) {
	t, ok := s.pages[name]
	if !ok {
		http.Error(q.w, "no such page", http.StatusInternalServerError)
		return
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout.html", s.view(q, f, d)); err != nil {
		s.logf("web: render %s: %v", name, err)
		refusedPage(q.w, http.StatusInternalServerError, "这一页显示不出来，什么都没有改动。请回到首页再试；还不行就请联系邮政支局。",
			"This page could not be shown; nothing was changed. Go back to the start and try again; if it happens again, call the post office.")
		return
	}
	q.w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if q.status != 0 {
		q.w.WriteHeader(q.status)
	}
	q.w.Write(b.Bytes())
}

// finish keeps the outcome of a request under its key and shows it by a
// redirect, so that a reload shows it again and never sends it again.
func (s *Server) finish(q *req, key string, o *outcome) {
	defer s.sessions.lock()()
	o.Key = key
	q.ss.keep(key, o)
	http.Redirect(q.w, q.r, "/done/"+url.PathEscape(key), http.StatusSeeOther)
}

func (s *Server) done(q *req) {
	unlock := s.sessions.lock()
	o, ok := q.ss.done[q.r.PathValue("key")]
	unlock()
	if !ok {
		http.Redirect(q.w, q.r, "/", http.StatusSeeOther)
		return
	}
	name := "outcome"
	if o.Bad {
		name = "problem"
	}
	s.render(q, name, o)
}

// failed shows what a request's error means for the cash at the counter.
func (s *Server) failed(q *req, key string, err error, next string) {
	s.finish(q, key, &outcome{Bad: true, Title: say(q.ss.lang, "没有办成", "Not done"), Message: s.st.Explain(err, q.ss.lang), Next: next})
}

// fieldData is one labelled input with its hint and its problem.
type fieldData struct {
	Name, Label, Type, Mode, Auto, Value, Error, Hint string
}

// fieldOf2 builds a field of v's form for the "field" template; extra is
// the input type, its inputmode, its autocomplete and a hint, in order.
func fieldOf2(v *view, name, label string, extra ...string) fieldData {
	d := fieldData{Name: name, Label: label, Type: "text"}
	for i, x := range extra {
		switch i {
		case 0:
			d.Type = x
		case 1:
			d.Mode = x
		case 2:
			d.Auto = x
		case 3:
			d.Hint = x
		}
	}
	if v.F != nil {
		d.Value, d.Error = v.F.V(name), v.F.E(name)
	}
	return d
}

// figures is a day's figures with the page they are shown on.
type figures struct {
	V *view
	C settlement.Close
}

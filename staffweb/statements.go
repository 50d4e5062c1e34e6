package staffweb

import (
	"bytes"
	"errors"
	"net/http"
	"time"

	"github.com/villagepost/bianmin/internal/cjkfont"
	"github.com/villagepost/bianmin/registry"
)

type statementsData struct {
	*page
	Month    string
	Stations []registry.Station
}

func (s *Server) statementsPage(w http.ResponseWriter, r *http.Request, p *page) {
	p.Title = p.say("月结单", "Statements")
	list, err := s.office.Stations(r.Context())
	if err != nil {
		s.busy(w, r, p, err)
		return
	}
	s.render(w, http.StatusOK, "statements", &statementsData{page: p, Month: today(s.now(), "")[:7], Stations: list})
}

// download sends a statement, built as postoffice statement builds it:
// station=T0001 (or "all" for the region's summary), month, format pdf
// or csv.
func (s *Server) download(w http.ResponseWriter, r *http.Request, p *page) {
	q := r.URL.Query()
	station, month, format := q.Get("station"), q.Get("month"), q.Get("format")
	if _, err := time.Parse("2006-01", month); err != nil {
		s.problem(w, r, p, http.StatusUnprocessableEntity, "月份要写成 2026-11 这样。", "Write the month like 2026-11.")
		return
	}
	if format != "pdf" && format != "csv" {
		s.problem(w, r, p, http.StatusUnprocessableEntity, "请选 PDF 或 CSV。", "Choose PDF or CSV.")
		return
	}
	var (
		pdf  func(*bytes.Buffer, time.Time, []byte) error
		csv  func(*bytes.Buffer) error
		name string
	)
	if station == "all" {
		reg, err := s.office.Region(r.Context(), month)
		if err != nil {
			s.busy(w, r, p, err)
			return
		}
		pdf = func(b *bytes.Buffer, t time.Time, f []byte) error { return reg.WritePDF(b, t, f) }
		csv = func(b *bytes.Buffer) error { return reg.WriteCSV(b) }
		name = "region-" + month
	} else {
		st, err := s.office.Statement(r.Context(), station, month)
		var re *registry.Error
		if errors.As(err, &re) && re.Kind == registry.ErrUnknownStation {
			s.problem(w, r, p, http.StatusNotFound, "没有登记这个服务站。", "No such station is enrolled.")
			return
		}
		if err != nil {
			s.busy(w, r, p, err)
			return
		}
		pdf = func(b *bytes.Buffer, t time.Time, f []byte) error { return st.WritePDF(b, t, f) }
		csv = func(b *bytes.Buffer) error { return st.WriteCSV(b) }
		name = st.Station.ID + "-" + month
	}
	var b bytes.Buffer
	var err error
	if format == "pdf" {
		var ttf []byte
		if ttf, err = cjkfont.TTF(); err == nil {
			err = pdf(&b, s.now(), ttf)
		}
		w.Header().Set("Content-Type", "application/pdf")
	} else {
		err = csv(&b)
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	}
	if err != nil {
		w.Header().Del("Content-Type")
		s.busy(w, r, p, err)
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+"."+format+`"`)
	w.Write(b.Bytes())
}

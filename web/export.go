package web

import (
	"bytes"
	"net/http"
)

// export hands the shop's accountant a copy of the books while the shop
// is open: the whole ledger as an hledger journal, or a closed day's
// spreadsheet. Nothing is recorded.
func (s *Server) export(q *req) {
	var b bytes.Buffer
	name, err := s.st.Export(&b, q.r.PathValue("what"), q.r.URL.Query().Get("day"))
	if err != nil {
		s.notFound(q)
		return
	}
	ct := "text/plain; charset=utf-8"
	if q.r.PathValue("what") == "csv" {
		ct = "text/csv; charset=utf-8"
	}
	q.w.Header().Set("Content-Type", ct)
	q.w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	q.w.WriteHeader(http.StatusOK)
	q.w.Write(b.Bytes())
}

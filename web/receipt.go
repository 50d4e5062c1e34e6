package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/villagepost/bianmin/receipts"
	"github.com/villagepost/bianmin/terminal"
)

type receiptData struct {
	Row     row
	Reprint int // > 0: the PDF shown is reprint number Reprint
	Key     string
	Voided  uint64 // > 0: the entry that voided this one; no reprint is offered
	Paper   string // the receipt as text
}

// receiptView shows a receipt in the browser, ready to print.
func (s *Server) receiptView(q *req) {
	e, ok := s.entryOf(q)
	if !ok {
		return
	}
	d := &receiptData{Row: s.rowOf(e, q.ss.lang), Key: token()}
	d.Voided, _ = terminal.Voided(s.st.Services().Goods.Ledger, e.Seq)
	d.Paper, _ = s.st.ReceiptText(e.Seq, q.ss.lang)
	s.renderForm(q, "receipt", newForm(nil), d)
}

// receiptPDF serves the receipt's PDF: the issued copy, or with ?reprint
// the reprint just recorded.
func (s *Server) receiptPDF(q *req) {
	e, ok := s.entryOf(q)
	if !ok {
		return
	}
	b, err := s.st.Receipt(e.Seq, q.ss.lang, q.ss.op.ID, ReceiptView)
	if errors.Is(err, receipts.ErrNoMoney) {
		s.notFound(q)
		return
	}
	if err != nil {
		s.failed(q, token(), err, "/journal")
		return
	}
	q.w.Header().Set("Content-Type", "application/pdf")
	q.w.Header().Set("Content-Disposition", "inline; filename=receipt-"+strconv.FormatUint(e.Seq, 10)+".pdf")
	q.w.Write(b)
}

// reprint records a reprint (重打) and shows it. The form's key makes a
// double click one reprint.
func (s *Server) reprint(q *req) {
	e, ok := s.entryOf(q)
	if !ok {
		return
	}
	key := q.r.PostFormValue("key")
	unlock := s.sessions.lock()
	_, seen := q.ss.done[key]
	unlock()
	if key == "" || seen {
		http.Redirect(q.w, q.r, "/receipt/"+strconv.FormatUint(e.Seq, 10), http.StatusSeeOther)
		return
	}
	s.work.Lock()
	b, err := s.st.Receipt(e.Seq, q.ss.lang, q.ss.op.ID, ReceiptReprint)
	s.work.Unlock()
	if err != nil {
		s.failed(q, key, err, "/journal")
		return
	}
	l := q.ss.lang
	paper, _ := s.st.ReceiptText(e.Seq, l)
	s.finish(q, key, &outcome{Title: say(l, "已重打收据", "Receipt reprinted"), PDF: b, Paper: paper,
		Lines:   []string{say(l, "第 ", "Entry ") + strconv.FormatUint(e.Seq, 10) + say(l, " 笔的收据已重打，重打已记入账本；收据上印有“重打”。", ": the reprint is recorded in the ledger and marked 重打 on the paper.")},
		Receipt: e.Seq, Next: "/journal"})
}

// donePDF serves the PDF an outcome carries (a reprint).
func (s *Server) donePDF(q *req) {
	unlock := s.sessions.lock()
	o, ok := q.ss.done[q.r.PathValue("key")]
	unlock()
	if !ok || o.PDF == nil {
		s.notFound(q)
		return
	}
	q.w.Header().Set("Content-Type", "application/pdf")
	q.w.Write(o.PDF)
}

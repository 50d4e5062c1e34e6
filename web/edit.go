package web

// edit takes what was typed back from a customer's confirmation to its
// form, to change one thing without typing the rest again (an 18-digit ID
// number, a card). Nothing is checked or recorded.
func (s *Server) edit(page string) func(q *req) {
	return func(q *req) {
		f := newForm(q.r.PostForm)
		f.Key = q.r.PostFormValue("key")
		f.Values.Del("pin")
		switch page {
		case "withdraw":
			s.render(q, "withdraw", f)
		case "bill", "topup":
			s.renderForm(q, page, f, &billData{Billers: s.billers(page == "topup")})
		case "ticket":
			s.renderForm(q, "ticket", f, ticketClasses())
		case "insure":
			s.renderForm(q, "insure", f, s.insureProducts())
		case "sell":
			s.renderForm(q, "sell", f, s.shelf(q, f))
		}
	}
}

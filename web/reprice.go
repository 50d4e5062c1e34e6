package web

import "github.com/villagepost/bianmin/tariff"

// A confirmation shows the villager amounts priced under the tariff in
// force when it was drawn. The station may load a newer tariff (the post
// office link fetches one in the background) before the shopkeeper
// presses confirm. So a confirmation carries the version it was priced
// under, and one priced under another is not done: it is shown again,
// priced under the tariff now in force, with a notice. The service that
// then does it comes from the same snapshot (Station.Services) as the
// version compared, so nothing is charged under a tariff the customer
// was not shown.

// pricedField is the confirmation's hidden field: the tariff version.
const pricedField = "tariff"

// confirmPriced shows the confirmation d, priced under t.
func (s *Server) confirmPriced(q *req, f *form, t *tariff.Tariff, d *confirmData) {
	s.renderPriced(q, "confirm", f, t, d)
}

// renderPriced shows page name, a confirmation priced under t: the form
// carries t's version and, when q was repriced, says so on top.
func (s *Server) renderPriced(q *req, name string, f *form, t *tariff.Tariff, d *confirmData) {
	f.Values.Set(pricedField, t.Version)
	if q.repriced {
		f.Top = say(q.ss.lang, "价目表刚刚更新了，下面是按新价目表算的金额：请顾客重新核对，再按确认。",
			"The tariff was just updated: the amounts below follow the new one. Let the customer check them again, then confirm.")
	}
	s.renderForm(q, name, f, d)
}

// repriced says whether the confirmation in f was priced under another
// tariff than t, and marks q to say so when it is shown again. One sent
// again after it was answered is not repriced: its answer is shown.
func (s *Server) repriced(q *req, f *form, t *tariff.Tariff) bool {
	if f.V(pricedField) == t.Version {
		return false
	}
	unlock := s.sessions.lock()
	_, done := q.ss.done[f.Key]
	unlock()
	if done {
		return false
	}
	q.repriced = true
	return true
}

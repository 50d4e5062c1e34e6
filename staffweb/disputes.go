package staffweb

import (
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/decision"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/office"
	"github.com/villagepost/bianmin/reconcile"
	"github.com/villagepost/bianmin/registry"
)

// disputeRow is a villager's dispute as the staff's pages show it.
type disputeRow struct {
	office.Dispute
	ID                string // T0001-000012: the form's and the row's id
	Service           string // the service, in the page's language
	StationSays       string // the station's record of the disputed request
	HostSays          string // the host's answer to the station's inquiry
	StateName, Answer string // where it stands; the post office's answer
	Exception         string // the reconciliation's finding on its trace
	Open              bool
}

// disputeForm is what a manager typed into a dispute's form, and what
// was wrong with it.
type disputeForm struct {
	Outcome, Refund, Reason string
	Field, Error            string // the field as labelled, and what to do
}

type disputesData struct {
	*page
	Station  string   // the filter: one station, or "" for all
	Stations []string // the stations to filter by
	Open     []disputeRow
	Decided  []disputeRow
	Done     string       // a decision just made
	Refused  string       // the dispute whose form is re-shown
	Filled   *disputeForm // what was typed into it
}

// row says a dispute in the page's language.
func (p *page) disputeRow(dp office.Dispute) disputeRow {
	r := disputeRow{Dispute: dp, ID: registry.TraceOf(dp.Station, dp.Seq), Open: dp.State == office.DisputeOpen,
		Service:     dp.Service,
		StationSays: strings.TrimSpace(reconcile.StateName(dp.StationState, p.En) + " " + dp.Amount),
		HostSays:    strings.TrimSpace(reconcile.StateName(dp.HostStatus, p.En) + " " + dp.HostAmount)}
	if n, ok := serviceNames[dp.Service]; ok {
		r.Service = p.say(n[0], n[1])
	}
	if dp.HostStatus == "" {
		r.HostSays = p.say("没有答复", "no answer")
	}
	r.StateName = map[string][2]string{
		office.DisputeOpen:     {"未答复", "open"},
		office.DisputeDecided:  {"已答复，服务站还没有收下", "decided; the station has not recorded it yet"},
		office.DisputeLoaded:   {"服务站已收下答复", "the station recorded the decision"},
		office.DisputeRefunded: {"已退款给顾客", "refunded to the customer"},
		office.DisputeForged:   {"⚠ 服务站记下的答复不是本支局签发的", "⚠ the station recorded a decision this post office did not sign"},
	}[dp.State][map[bool]int{false: 0, true: 1}[p.En]]
	if d := dp.Decision; d != nil {
		if d.Outcome == decision.RefundOwed {
			r.Answer = p.say("要退 ¥", "refund ¥") + money.FormatWire(d.Refund)
		} else {
			r.Answer = p.say("不用退钱", "none owed")
		}
		r.Answer += p.say("：", ": ") + d.Reason + p.say("（", " (") + d.Decided + p.say("）", ")")
	}
	return r
}

// disputesPage lists the open disputes of every station (or one),
// oldest first with the day to answer by, then the decided ones.
func (s *Server) disputesPage(w http.ResponseWriter, r *http.Request, p *page) {
	d := &disputesData{page: p, Station: r.URL.Query().Get("station"), Done: r.URL.Query().Get("decided")}
	s.showDisputes(w, r, d, http.StatusOK)
}

func (s *Server) showDisputes(w http.ResponseWriter, r *http.Request, d *disputesData, status int) {
	p := d.page
	p.Title = p.say("业务纠纷", "Disputes")
	stations, err := s.office.Stations(r.Context())
	if err != nil {
		s.busy(w, r, p, err)
		return
	}
	for _, st := range stations {
		d.Stations = append(d.Stations, st.ID)
		if d.Station != "" && st.ID != d.Station {
			continue
		}
		list, err := s.office.Disputes(r.Context(), st.ID, "")
		if err != nil {
			s.refusedBy(w, r, p, err) // says which day file is missing, if one is
			return
		}
		for _, dp := range list {
			row := p.disputeRow(dp)
			if row.Open {
				d.Open = append(d.Open, row)
			} else {
				d.Decided = append(d.Decided, row)
			}
		}
	}
	// Oldest first: the day registered, then the station and entry.
	for _, list := range [][]disputeRow{d.Open, d.Decided} {
		sort.SliceStable(list, func(i, j int) bool {
			a, b := list[i], list[j]
			if a.Day != b.Day {
				return a.Day < b.Day
			}
			return a.ID < b.ID
		})
	}
	s.render(w, status, "disputes", d)
}

// decide is a manager's decision on a dispute, through Office.Decide as
// postoffice dispute decide does. Bad input shows the list again with
// the form filled in and the field named.
func (s *Server) decide(w http.ResponseWriter, r *http.Request, p *page) {
	station := r.PathValue("station")
	seq, err := strconv.ParseUint(r.PathValue("seq"), 10, 64)
	if err != nil || seq == 0 {
		s.problem(w, r, p, http.StatusNotFound, "没有这笔纠纷。", "There is no such dispute.")
		return
	}
	f := &disputeForm{Outcome: r.PostFormValue("outcome"), Refund: strings.TrimSpace(r.PostFormValue("refund")), Reason: strings.TrimSpace(r.PostFormValue("reason"))}
	d := &disputesData{page: p, Station: r.PostFormValue("station_filter"), Filled: f}
	refuse := func(field, zh, en string) {
		f.Field, f.Error = field, p.say(zh, en)
		d.Refused = registry.TraceOf(station, seq)
		s.showDisputes(w, r, d, http.StatusUnprocessableEntity)
	}
	outcome, amount := "", decimal.Zero
	switch f.Outcome {
	case decision.RefundOwed:
		a, err := money.Parse(p.say("退款金额", "Refund"), f.Refund, money.Limits{})
		var me *money.Error
		if errors.As(err, &me) {
			refuse("refund", me.Zh(), me.Error())
			return
		}
		if err != nil {
			refuse("refund", "“退款金额”要写成 500.00 这样。", "Write “Refund” like 500.00.")
			return
		}
		outcome, amount = decision.RefundOwed, a
	case decision.NoneOwed:
		if f.Refund != "" {
			refuse("refund", "选了“不用退钱”就不要填“退款金额”。", "With “None owed”, leave “Refund” empty.")
			return
		}
		outcome = decision.NoneOwed
	default:
		refuse("outcome", "请选“要退钱”或“不用退钱”。", "Choose “Refund owed” or “None owed”.")
		return
	}
	if f.Reason == "" {
		refuse("reason", "请在“答复理由”里写下给顾客看的理由。", "Write the words for the customer in “Reason”.")
		return
	}
	dp, err := s.office.Decide(r.Context(), station, seq, outcome, amount, f.Reason)
	var de *office.DecideError
	if errors.As(err, &de) {
		field := map[string]string{"refund": "refund", "reason": "reason", "outcome": "outcome"}[de.Field]
		label := map[string][2]string{"refund": {"“退款金额”：", "“Refund”: "}, "reason": {"“答复理由”：", "“Reason”: "}, "outcome": {"“答复”：", "“Answer”: "}}[field]
		refuse(field, label[0]+de.Zh+"。什么都没有签。", label[1]+de.Rule+". Nothing was signed.")
		return
	}
	var ue *registry.Error
	if errors.As(err, &ue) {
		s.refusedBy(w, r, p, err)
		return
	}
	if err != nil {
		s.busy(w, r, p, err)
		return
	}
	http.Redirect(w, r, "/disputes?decided="+registry.TraceOf(dp.Station, dp.Seq), http.StatusSeeOther)
}

// dayDisputes are the disputes beside a day's reconciliation.
func (s *Server) dayDisputes(r *http.Request, p *page, date string, rep *reconcile.Report) ([]disputeRow, error) {
	list, err := s.office.DisputesOfDay(r.Context(), date, rep)
	if err != nil {
		return nil, err
	}
	var out []disputeRow
	for _, dd := range list {
		row := p.disputeRow(dd.Dispute)
		row.Exception = p.say("对账相符", "matched")
		if dd.Exception != "" {
			row.Exception = reconcile.KindName(dd.Exception, p.En)
		}
		out = append(out, row)
	}
	return out, nil
}

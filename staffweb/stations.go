package staffweb

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/registry"
	"github.com/villagepost/bianmin/statement"
)

// serviceNames names the services on charts: Chinese, English.
var serviceNames = map[string][2]string{
	"withdrawal": {"助农取款", "Withdrawal"}, "balance_inquiry": {"查余额", "Balance inquiry"},
	"bill_payment": {"缴费", "Bill payment"}, "topup": {"话费充值", "Top-up"},
	"queued_confirmed": {"缴费确认", "Payment confirmed"}, "ticket_order": {"订票", "Ticket order"},
	"ticket_cancel": {"退票", "Ticket cancel"}, "ticket_issued": {"候补出票", "Waitlist issued"},
	"ticket_failed": {"候补失败", "Waitlist failed"}, "refund_due": {"退款通知", "Refund due"},
	"refund_paid": {"退款", "Refund"}, "sale": {"商品销售", "Sale"}, "void": {"撤销", "Void"},
	"policy_issue": {"财产保险", "Property insurance"}, "policy_cancel": {"退保", "Policy cancelled"},
	"sim_sale":     {"号卡销售", "Phone-number card"},
	"contribution": {"医保养老保险缴费", "Residents' insurance"},
}

func (p *page) service(kind string) string {
	if n, ok := serviceNames[kind]; ok {
		return p.say(n[0], n[1])
	}
	return kind
}

// attention is one thing about a station that needs a person.
type attention struct {
	Sign, Text string
}

type stationRow struct {
	registry.Station
	Deposit   string
	Attention []attention
}

type homeData struct {
	*page
	Rows       []stationRow
	Needing    int
	Reconciled string // the day of the latest reconciliation
	Month      string
	Chart      chartData
}

type chartData struct {
	SVG       any
	Legend    []legendItem
	Empty     bool
	EmptyText string
}

// today is the business day now in the station's zone (China's when it
// sent nothing yet).
func today(now time.Time, zone string) string {
	loc, err := time.LoadLocation(zone)
	if zone == "" || err != nil {
		loc = time.FixedZone("CST", 8*3600)
	}
	return now.In(loc).Format(time.DateOnly)
}

// needs lists what needs attention at a station: a missing day (files
// held), a fork, a late day, exceptions open in the latest
// reconciliation.
func (p *page) needs(s registry.Station, now time.Time, exceptions int, reconciled string) []attention {
	var a []attention
	if s.Status == registry.Retired {
		return nil
	}
	if s.Forks > 0 {
		a = append(a, attention{"⚠", fmt.Sprintf(p.say("分叉：%d 个文件与已回执的账不一致（已留证）。不要付款，联系服务站核查",
			"Fork: %d file(s) contradict what was acknowledged (kept as evidence). Pay nothing; contact the station"), s.Forks)})
	}
	if s.Held > 0 {
		a = append(a, attention{"…", fmt.Sprintf(p.say("缺日：%d 个文件已暂存，在等 %s 之后缺的那一天",
			"A day is missing: %d file(s) held, waiting for the day after %s"), s.Held, orDash(s.LastDay))})
	}
	yesterday, _ := time.Parse(time.DateOnly, today(now, s.Zone))
	yesterday = yesterday.AddDate(0, 0, -1)
	switch {
	case s.LastDay == "" && now.Sub(s.Enrolled) > 36*time.Hour:
		a = append(a, attention{"!", p.say("迟交：还没有交过任何日结文件", "Late: no day file has come yet")})
	case s.LastDay != "" && s.LastDay < yesterday.Format(time.DateOnly):
		last, _ := time.Parse(time.DateOnly, s.LastDay)
		a = append(a, attention{"!", fmt.Sprintf(p.say("迟交：最后结到 %s，已有 %d 天没到", "Late: settled to %s, %d day(s) not come"),
			s.LastDay, int(yesterday.Sub(last).Hours()/24))})
	}
	if exceptions > 0 {
		a = append(a, attention{"✗", fmt.Sprintf(p.say("对账异常：%s 有 %d 笔没有核清", "Exceptions: %d open from %s"), exceptionArgs(p, reconciled, exceptions)...)})
	}
	return a
}

func exceptionArgs(p *page, day string, n int) []any {
	if p.En {
		return []any{n, day}
	}
	return []any{day, n}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (s *Server) home(w http.ResponseWriter, r *http.Request, p *page) {
	p.Title = p.say("服务站一览", "Stations")
	list, err := s.office.Stations(r.Context())
	if err != nil {
		s.busy(w, r, p, err)
		return
	}
	reconciled, exceptions, err := s.office.OpenExceptions(r.Context())
	if err != nil {
		s.busy(w, r, p, err)
		return
	}
	now := s.now()
	d := &homeData{page: p, Reconciled: reconciled, Month: today(now, "")[:7]}
	for _, st := range list {
		row := stationRow{Station: st, Deposit: money.FormatReceipt(st.Deposit), Attention: p.needs(st, now, exceptions[st.ID], reconciled)}
		if len(row.Attention) > 0 {
			d.Needing++
		}
		d.Rows = append(d.Rows, row)
	}
	// What needs attention first, the most first; then by id.
	sort.SliceStable(d.Rows, func(i, j int) bool { return len(d.Rows[i].Attention) > len(d.Rows[j].Attention) })
	region, err := s.office.Region(r.Context(), d.Month)
	if err != nil {
		s.busy(w, r, p, err)
		return
	}
	d.Chart = regionChart(p, region)
	d.Chart.EmptyText = p.say("这个月还没有数据。", "No data this month yet.")
	s.render(w, http.StatusOK, "home", d)
}

// regionChart is the region's daily volume by service over the month.
func regionChart(p *page, region *statement.Region) chartData {
	byDay := map[string]map[string]int64{}
	kinds := map[string]bool{}
	for _, st := range region.Statements {
		for _, d := range st.Days {
			if byDay[d.Day] == nil {
				byDay[d.Day] = map[string]int64{}
			}
			for _, t := range d.Services {
				byDay[d.Day][t.Kind] += t.Count
				kinds[t.Kind] = true
			}
		}
	}
	if len(byDay) == 0 {
		return chartData{Empty: true}
	}
	first, _ := time.Parse("2006-01", region.Month)
	var labels, days []string
	for d := first; d.Format("2006-01") == region.Month; d = d.AddDate(0, 0, 1) {
		days = append(days, d.Format(time.DateOnly))
		labels = append(labels, d.Format("2"))
	}
	var ks []string
	for k := range kinds {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	var ss []series
	for _, k := range ks {
		s := series{Name: p.service(k)}
		for _, d := range days {
			s.Values = append(s.Values, byDay[d][k])
		}
		ss = append(ss, s)
	}
	title := fmt.Sprintf(p.say("全区 %s 每天的业务笔数（按业务）", "The region's services a day in %s, by service"), region.Month)
	return chartData{SVG: stackedBars(title, labels, ss), Legend: legend(ss)}
}

type dayRow struct {
	registry.Day
	Owed, Variance string
	Services       int64
	From           uint64 // the day's first entry
}

type stationData struct {
	*page
	S         registry.Station
	Deposit   string
	Attention []attention
	Days      []dayRow
	Evidence  []registry.Evidence
	Chart     chartData
	Month     string
}

// dayFile downloads an accepted day file as the station sent it, from
// the registry: whichever server sharing it accepted the day.
func (s *Server) dayFile(w http.ResponseWriter, r *http.Request, p *page) {
	id, day := r.PathValue("id"), r.PathValue("day")
	if t, err := time.Parse(time.DateOnly, day); err != nil || t.Format(time.DateOnly) != day {
		s.problem(w, r, p, http.StatusNotFound, "营业日要写成 2026-11-20 这样。", "Write the business day like 2026-11-20.")
		return
	}
	file, err := s.office.DayFile(r.Context(), id, day)
	var re *registry.Error
	switch {
	case errors.As(err, &re) && re.Kind == registry.ErrUnknownStation:
		s.problem(w, r, p, http.StatusNotFound, "没有登记这个服务站。", "No such station is enrolled.")
		return
	case errors.As(err, &re) && re.Kind == registry.ErrInput:
		s.problem(w, r, p, http.StatusNotFound, "这个服务站这一天没有被接受的日结文件。", "The station has no accepted day file for that day.")
		return
	case err != nil:
		s.refusedBy(w, r, p, err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="`+id+"-"+strings.ReplaceAll(day, "-", "")+`.bms"`)
	w.Write(file)
}

func (s *Server) station(w http.ResponseWriter, r *http.Request, p *page) {
	id := r.PathValue("id")
	st, days, ev, err := s.office.StationDays(r.Context(), id)
	var re *registry.Error
	if errors.As(err, &re) && re.Kind == registry.ErrUnknownStation {
		s.problem(w, r, p, http.StatusNotFound, "没有登记这个服务站。", "No such station is enrolled.")
		return
	}
	if err != nil {
		s.busy(w, r, p, err)
		return
	}
	reconciled, exceptions, err := s.office.OpenExceptions(r.Context())
	if err != nil {
		s.busy(w, r, p, err)
		return
	}
	p.Title = p.say("服务站 ", "Station ") + st.ID
	now := s.now()
	d := &stationData{page: p, S: st, Deposit: money.FormatReceipt(st.Deposit), Attention: p.needs(st, now, exceptions[st.ID], reconciled), Evidence: ev}
	for _, day := range days {
		row := dayRow{Day: day, Owed: money.FormatReceipt(day.Close.Owed.Close), Variance: money.FormatReceipt(day.Close.Cash.Variance), From: day.First()}
		for _, t := range day.Close.Totals {
			if _, ok := serviceNames[t.Kind]; ok {
				row.Services += t.Count
			}
		}
		d.Days = append(d.Days, row)
	}
	// The trend: services a day up to the newest day, over 30 days at most.
	if len(days) > 0 {
		count := map[string]int64{}
		for _, r := range d.Days {
			count[r.Day.Day] = r.Services
		}
		end, _ := time.Parse(time.DateOnly, days[0].Day)
		var labels []string
		var values []int64
		start, _ := time.Parse(time.DateOnly, days[len(days)-1].Day) // from the first day it sent, at most 30 days back
		if start.Before(end.AddDate(0, 0, -29)) {
			start = end.AddDate(0, 0, -29)
		}
		for t := start; !t.After(end); t = t.AddDate(0, 0, 1) {
			labels = append(labels, t.Format("1-2"))
			values = append(values, count[t.Format(time.DateOnly)])
		}
		d.Chart = chartData{SVG: line(fmt.Sprintf(p.say("%s 每天的业务笔数（最多 30 天）", "%s: services a day (30 days at most)"), st.ID), labels, values)}
	} else {
		d.Chart.Empty = true
	}
	s.render(w, http.StatusOK, "station", d)
}

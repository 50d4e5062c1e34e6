package postserver

import (
	"net/http"
	"time"

	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/postapi"
	"github.com/villagepost/bianmin/reconcile"
)

// answerWithin is how long a shopkeeper has to answer an exception, from
// the business day it was found on.
const answerWithin = 7 * 24 * time.Hour

// results gives the station its month: the statement's figures and the
// reconciliation's exceptions, each with what to do.
func (s *Server) results(r *request) (int, any) {
	month := r.URL.Query().Get("month")
	if t, err := time.Parse("2006-01", month); err != nil || t.Format("2006-01") != month {
		return 0, postapi.Refuse(http.StatusBadRequest, postapi.RuleBadQuery, "month 要写成 2026-11 这样的月份。", "month: want a month like 2026-11.")
	}
	st, err := s.office.Statement(r.Context(), r.station.ID, month)
	if err != nil {
		s.logf("postserver: statement of %s %s: %v", r.station.ID, month, err)
		return 0, err
	}
	out := postapi.Results{Month: month, Exceptions: []postapi.Exception{}, Statement: postapi.Statement{
		Days: len(st.Days), Count: st.Count, Amount: money.FormatWire(st.Amount), Fees: money.FormatWire(st.Fees),
		Commission: money.FormatWire(st.Commission), OwedOpen: money.FormatWire(st.OwedOpen), OwedClose: money.FormatWire(st.OwedClose),
		Deposit: money.FormatWire(st.Station.Deposit), DepositBalance: money.FormatWire(st.DepositBalance()), Daily: []postapi.DailyAmount{},
	}}
	for _, d := range st.Days {
		out.Statement.Daily = append(out.Statement.Daily, postapi.DailyAmount{Day: d.Day, Amount: money.FormatWire(d.Commission)})
	}
	list, days, err := s.office.Exceptions(r.Context(), r.station.ID, month)
	if err != nil {
		s.logf("postserver: exceptions of %s %s: %v", r.station.ID, month, err)
		return 0, err
	}
	for i, ex := range list {
		zh, en := todo(ex)
		by := days[i]
		if t, err := time.Parse(time.DateOnly, days[i]); err == nil {
			by = t.Add(answerWithin).Format(time.DateOnly)
		}
		out.Exceptions = append(out.Exceptions, postapi.Exception{Date: days[i], Kind: ex.Kind, Trace: ex.Trace, Service: ex.Service,
			StationAmount: ex.StationAmount, HostAmount: ex.HostAmount, ZH: zh, EN: en, By: by})
	}
	decisions, err := s.office.Decisions(r.Context(), r.station.ID)
	if err != nil {
		s.logf("postserver: decisions of %s: %v", r.station.ID, err)
		return 0, err
	}
	out.Decisions = []string{}
	for _, d := range decisions {
		out.Decisions = append(out.Decisions, string(d))
	}
	// Only those naming this station as successor: the registry picks
	// them by the station the request was verified for.
	handovers, err := s.office.Handovers(r.Context(), r.station.ID)
	if err != nil {
		s.logf("postserver: hand-over documents for %s: %v", r.station.ID, err)
		return 0, err
	}
	out.Handovers = []string{}
	for _, h := range handovers {
		out.Handovers = append(out.Handovers, string(h.Document))
	}
	return http.StatusOK, out
}

// todo says what an exception means for the shopkeeper, and what to do.
func todo(ex reconcile.Exception) (zh, en string) {
	switch ex.Kind {
	case reconcile.MissingAtHost:
		return "这笔你的账上记了，银行或缴费单位那边却没有记录。请把这笔的收据（和顾客签字的底联）带到邮政支局核对。",
			"your books have this request, but the bank or biller has no record of it. Bring its receipt (and the signed merchant copy) to the post office."
	case reconcile.MissingAtStation:
		return "银行或缴费单位那边有这笔，你交的账上却没有。请查一下这一天有没有漏记的业务，并打电话给邮政支局。",
			"the bank or biller has this request, but your day file does not. Check that day for anything not recorded, and call the post office."
	case reconcile.NoFile:
		return "邮政还没有收到这一天的日结文件。请把这一天的账交上（联网时会自动交，也可以用U盘交）。",
			"the post office has no day file for this day yet. Send it (it goes by itself when online, or by USB stick)."
	case reconcile.AmountMismatch:
		return "这笔你记的金额是 " + yuanOr(ex.StationAmount) + "，对方记的是 " + yuanOr(ex.HostAmount) + "。请拿出收据核对金额，并联系邮政支局。",
			"you recorded " + yuanOr(ex.StationAmount) + " and the other side " + yuanOr(ex.HostAmount) + ". Check the receipt and call the post office."
	case reconcile.Duplicate:
		return "对方把这笔处理了不止一次。邮政会去核查，你不用做什么；如果顾客说被扣了两次钱，请告诉邮政支局。",
			"the other side handled this request more than once. The post office checks it; nothing for you to do unless the customer says they were charged twice."
	case reconcile.ReversedApproved:
		return "这笔一边已经冲正（取消），另一边却是成功的。请回想当时有没有把钱付给顾客或收了顾客的钱，并联系邮政支局。",
			"one side reversed this request and the other approved it. Recall whether money changed hands at the counter, and call the post office."
	case reconcile.QueuedNotConfirmed:
		return "这笔还在排队等对方确认。请让电脑联网把它发出去；过了期限还没确认，请联系邮政支局。",
			"this request still waits for the other side to confirm it. Let the computer go online to send it; if it is still not confirmed by the date, call the post office."
	}
	return "这笔双方的结果不一样。请拿出收据，联系邮政支局核对。", "the two sides disagree on this request. Bring its receipt and call the post office."
}

func yuanOr(amount string) string {
	if amount == "" {
		return "（无）"
	}
	return "¥" + amount
}

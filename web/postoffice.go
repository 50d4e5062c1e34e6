package web

import (
	"context"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/postapi"
)

// PostOffice is a station's link to its post office over the network.
// The screen uses it when the Station has one (station serve
// --postoffice URL).
type PostOffice interface {
	// PostStatus says how the sending of day files stands.
	PostStatus() PostStatus
	// PostResults asks the post office for the station's month.
	PostResults(ctx context.Context, month string) (postapi.Results, error)
}

// PostStatus is how the sending of day files to the post office stands.
type PostStatus struct {
	Linked     bool      // the station knows its post office's address
	LastClosed string    // the last business day closed ("" if none)
	AckedUntil string    // the last day the post office acknowledged ("" if none)
	Unsent     []string  // closed days not yet acknowledged, oldest first
	Trying     bool      // sending failed and is tried again by itself
	Problem    [2]string // the last failure, zh and en ("" if none)
	NextTry    time.Time // when it is tried again
	Refused    bool      // the post office did not accept a day: a person must act
}

// postData is the 邮政对账 page.
type postData struct {
	Month   string
	Status  PostStatus
	Results *postapi.Results
	Problem string // why the results could not be fetched
	Chart   *barChart
}

// postOffice shows what the post office found for the station this
// month (or ?month=YYYY-MM): its exceptions, with what to do, and its
// statement, with the daily commission as a chart.
func (s *Server) postOffice(q *req) {
	po, ok := s.st.(PostOffice)
	d := &postData{Month: s.now().In(s.st.Info().Zone).Format("2006-01")}
	if m := q.r.URL.Query().Get("month"); m != "" {
		if t, err := time.Parse("2006-01", m); err == nil && t.Format("2006-01") == m {
			d.Month = m
		}
	}
	if ok {
		d.Status = po.PostStatus()
	}
	if !d.Status.Linked {
		d.Problem = say(q.ss.lang, "本站还没有和邮政支局联网：请让管理员用 station serve --postoffice 网址 开网页。",
			"this station is not linked to its post office: start the screen with station serve --postoffice URL.")
		s.render(q, "postoffice", d)
		return
	}
	ctx, cancel := context.WithTimeout(q.r.Context(), 15*time.Second)
	defer cancel()
	res, err := po.PostResults(ctx, d.Month)
	if err != nil {
		d.Problem = say(q.ss.lang, "现在连不上邮政支局，看不到对账结果。网络好了再来看；日结文件会自动再交。",
			"the post office cannot be reached now, so its results cannot be shown. Look again when the line is back; day files are sent again by themselves.")
		s.logf("web: post office results: %v", err)
	} else {
		d.Results = &res
		d.Chart = dailyChart(res.Statement.Daily)
	}
	s.render(q, "postoffice", d)
}

// barChart is a bar chart drawn on the server as SVG: nothing is fetched.
type barChart struct {
	Width, Height int
	Bars          []bar
	Max           string // the top of the scale, as printed
}

type bar struct {
	X, Y, W, H int
	Label      string // the day of the month
	Value      string // as printed
	LabelX     int
}

// dailyChart draws each day's commission as a bar.
func dailyChart(days []postapi.DailyAmount) *barChart {
	if len(days) == 0 {
		return nil
	}
	const width, height, top, bottom = 720, 260, 40, 44
	max := decimal.Zero
	values := make([]decimal.Decimal, len(days))
	for i, d := range days {
		v, err := decimal.NewFromString(d.Amount)
		if err != nil || v.IsNegative() {
			v = decimal.Zero
		}
		values[i] = v
		if v.GreaterThan(max) {
			max = v
		}
	}
	c := &barChart{Width: width, Height: height, Max: money.FormatReceipt(max)}
	slot := width / len(days)
	if slot > 60 {
		slot = 60
	}
	for i, v := range values {
		h := 0
		if max.IsPositive() {
			h = int(v.Div(max).Mul(decimal.NewFromInt(height - top - bottom)).IntPart())
		}
		x := i * slot
		day := days[i].Day
		if len(day) == 10 {
			day = day[8:]
		}
		c.Bars = append(c.Bars, bar{X: x + slot/8, Y: height - bottom - h, W: slot * 3 / 4, H: h, Label: day, Value: money.FormatReceipt(v), LabelX: x + slot/2})
	}
	return c
}

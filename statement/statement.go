// Package statement makes the post office's monthly statements: for a
// station, per day and per service what it did, what it earned in fees
// and commission, what the post office and the shop owe each other and
// what is left of the deposit; for the region, one line per station and
// the totals. The figures come only from day files the post office
// accepted, so they are what the stations signed.
package statement

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/registry"
	"github.com/villagepost/bianmin/settlement"
)

// Source is what a statement reads from the registry.
type Source interface {
	Station(ctx context.Context, id string) (registry.Station, error)
	Stations(ctx context.Context) ([]registry.Station, error)
	Days(ctx context.Context, station, from, to string, fn func(registry.Day) error) error
}

var _ Source = (*registry.Registry)(nil)

// services are the kinds of entry a statement lists: what a villager was
// served, and what later became of it. Drawer movements are the shop's own.
var services = map[string]bool{
	"withdrawal": true, "balance_inquiry": true, "bill_payment": true, "topup": true,
	"ticket_order": true, "ticket_cancel": true, "queued_confirmed": true, "ticket_issued": true,
	"refund_due": true, "ticket_failed": true, "refund_paid": true, "sale": true, "void": true,
	"policy_issue": true, "policy_cancel": true, "sim_sale": true, "contribution": true,
}

// listed says whether a day's total goes on a statement.
func listed(t settlement.Total) bool {
	return services[t.Kind] || !t.Fees.IsZero() || !t.Commission.IsZero()
}

// Day is one business day of a station.
type Day struct {
	Day        string
	Services   []settlement.Total
	Count      int64
	Amount     decimal.Decimal
	Fees       decimal.Decimal
	Commission decimal.Decimal
	Net        decimal.Decimal // the day's change in what the post office owes the shop
	Owed       decimal.Decimal // what it owes after the day (negative: the shop owes it)
	Deposit    decimal.Decimal // the deposit less what the shop owes after the day: what it would get back
	Variance   decimal.Decimal // the drawer count's difference
	Late       bool
}

// Statement is a station's month.
type Statement struct {
	Station    registry.Station
	Month      string // YYYY-MM
	Days       []Day
	Services   []settlement.Total // the month per service
	Count      int64
	Amount     decimal.Decimal
	Fees       decimal.Decimal
	Commission decimal.Decimal
	Net        decimal.Decimal
	OwedOpen   decimal.Decimal // what the post office owed the shop before the month
	OwedClose  decimal.Decimal // and after it
}

// DepositBalance is the deposit plus what the post office owes the shop
// at the month's end: what the franchisee would get back on leaving.
func (s *Statement) DepositBalance() decimal.Decimal { return s.Station.Deposit.Add(s.OwedClose) }

// monthRange returns the first and last day of month YYYY-MM.
func monthRange(month string) (string, string, error) {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return "", "", fmt.Errorf("statement: month %q: want YYYY-MM", month)
	}
	return t.Format(time.DateOnly), t.AddDate(0, 1, -1).Format(time.DateOnly), nil
}

// Build makes a station's statement for month (YYYY-MM).
func Build(ctx context.Context, src Source, station, month string) (*Statement, error) {
	from, to, err := monthRange(month)
	if err != nil {
		return nil, err
	}
	s, err := src.Station(ctx, station)
	if err != nil {
		return nil, err
	}
	st := &Statement{Station: s, Month: month}
	first := true
	err = src.Days(ctx, station, from, to, func(d registry.Day) error {
		c := d.Close
		if first {
			st.OwedOpen, first = c.Owed.Open, false
		}
		day := Day{Day: d.Day, Net: c.Owed.Net, Owed: c.Owed.Close, Deposit: s.Deposit.Add(c.Owed.Close), Variance: c.Cash.Variance, Late: c.Late}
		for _, t := range c.Totals {
			if !listed(t) {
				continue
			}
			day.Services = append(day.Services, t)
			day.Count += t.Count
			day.Amount, day.Fees, day.Commission = day.Amount.Add(t.Amount), day.Fees.Add(t.Fees), day.Commission.Add(t.Commission)
		}
		st.Services = settlement.AddTotals(st.Services, day.Services)
		st.Count += day.Count
		st.Amount, st.Fees, st.Commission = st.Amount.Add(day.Amount), st.Fees.Add(day.Fees), st.Commission.Add(day.Commission)
		st.Net, st.OwedClose = st.Net.Add(day.Net), day.Owed
		st.Days = append(st.Days, day)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if first { // no day this month: what was owed stays as it was
		st.OwedOpen, err = owedBefore(ctx, src, station, from)
		st.OwedClose = st.OwedOpen
	}
	sort.Slice(st.Services, func(i, j int) bool { return st.Services[i].Kind < st.Services[j].Kind })
	return st, err
}

// owedBefore is what the post office owed the station after its last
// accepted day before day.
func owedBefore(ctx context.Context, src Source, station, day string) (decimal.Decimal, error) {
	var owed decimal.Decimal
	err := src.Days(ctx, station, "", day, func(d registry.Day) error {
		if d.Day < day {
			owed = d.Close.Owed.Close
		}
		return nil
	})
	return owed, err
}

// Region is the month of every station.
type Region struct {
	Month      string
	Statements []*Statement
	Count      int64
	Amount     decimal.Decimal
	Fees       decimal.Decimal
	Commission decimal.Decimal
	Net        decimal.Decimal
	OwedClose  decimal.Decimal
	Deposits   decimal.Decimal
}

// BuildRegion makes every station's statement for month and the totals.
func BuildRegion(ctx context.Context, src Source, month string) (*Region, error) {
	stations, err := src.Stations(ctx)
	if err != nil {
		return nil, err
	}
	r := &Region{Month: month}
	for _, s := range stations {
		st, err := Build(ctx, src, s.ID, month)
		if err != nil {
			return nil, err
		}
		r.Statements = append(r.Statements, st)
		r.Count += st.Count
		r.Amount, r.Fees, r.Commission = r.Amount.Add(st.Amount), r.Fees.Add(st.Fees), r.Commission.Add(st.Commission)
		r.Net, r.OwedClose, r.Deposits = r.Net.Add(st.Net), r.OwedClose.Add(st.OwedClose), r.Deposits.Add(s.Deposit)
	}
	return r, nil
}

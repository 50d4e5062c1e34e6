package statement

import (
	"encoding/csv"
	"io"
	"strconv"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/settlement"
)

func wire(d decimal.Decimal) string { return money.FormatWire(d) }

func bom(w io.Writer) (*csv.Writer, error) {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return nil, err
	}
	return csv.NewWriter(w), nil
}

// WriteCSV writes the statement one row per day and service, then a row
// per day ("day total") and one for the month, UTF-8 with a byte-order
// mark. Amounts are yuan with two decimals.
func (s *Statement) WriteCSV(w io.Writer) error {
	cw, err := bom(w)
	if err != nil {
		return err
	}
	cw.Write([]string{"station", "month", "day", "service", "service_zh", "count", "amount", "fees", "commission", "net_settlement", "owed_after", "deposit_balance"})
	row := func(day, kind, zh string, count int64, amount, fees, commission decimal.Decimal, rest ...string) {
		cw.Write(append([]string{s.Station.ID, s.Month, day, kind, zh, strconv.FormatInt(count, 10), wire(amount), wire(fees), wire(commission)}, rest...))
	}
	for _, d := range s.Days {
		for _, t := range d.Services {
			row(d.Day, t.Kind, settlement.KindZh(t.Kind), t.Count, t.Amount, t.Fees, t.Commission, "", "", "")
		}
		row(d.Day, "day_total", "当日合计", d.Count, d.Amount, d.Fees, d.Commission, wire(d.Net), wire(d.Owed), wire(d.Deposit))
	}
	for _, t := range s.Services {
		row("", t.Kind, settlement.KindZh(t.Kind), t.Count, t.Amount, t.Fees, t.Commission, "", "", "")
	}
	row("", "month_total", "本月合计", s.Count, s.Amount, s.Fees, s.Commission, wire(s.Net), wire(s.OwedClose), wire(s.DepositBalance()))
	cw.Flush()
	return cw.Error()
}

// WriteCSV writes one row per station and a row of totals.
func (r *Region) WriteCSV(w io.Writer) error {
	cw, err := bom(w)
	if err != nil {
		return err
	}
	cw.Write([]string{"month", "station", "franchisee", "status", "days", "count", "amount", "fees", "commission", "net_settlement", "owed_after", "deposit", "deposit_balance", "forks", "held"})
	for _, s := range r.Statements {
		st := s.Station
		cw.Write([]string{r.Month, st.ID, st.Franchisee, st.Status, strconv.Itoa(len(s.Days)), strconv.FormatInt(s.Count, 10),
			wire(s.Amount), wire(s.Fees), wire(s.Commission), wire(s.Net), wire(s.OwedClose), wire(st.Deposit), wire(s.DepositBalance()),
			strconv.Itoa(st.Forks), strconv.Itoa(st.Held)})
	}
	cw.Write([]string{r.Month, "total", "", "", "", strconv.FormatInt(r.Count, 10), wire(r.Amount), wire(r.Fees), wire(r.Commission),
		wire(r.Net), wire(r.OwedClose), wire(r.Deposits), wire(r.Deposits.Add(r.OwedClose)), "", ""})
	cw.Flush()
	return cw.Error()
}

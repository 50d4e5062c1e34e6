package reconcile

import (
	"encoding/csv"
	"io"
	"strconv"
)

// CSVHeader names the columns WriteCSV writes.
var CSVHeader = []string{"date", "kind", "station", "trace", "service", "station_state", "station_amount",
	"host_state", "host_amount", "journal", "line", "detail"}

// WriteCSV writes the exceptions, then the journal rows that could not be
// read (kind bad_row), one per line, UTF-8 with a byte-order mark so that
// spreadsheet programs read it as such.
func (r *Report) WriteCSV(w io.Writer) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write(CSVHeader)
	for _, e := range r.Exceptions {
		cw.Write([]string{r.Date, e.Kind, e.Station, e.Trace, e.Service, e.StationState, e.StationAmount,
			e.HostState, e.HostAmount, e.Journal, lineNo(e.Line), e.Detail})
	}
	for _, b := range r.BadRows {
		cw.Write([]string{r.Date, "bad_row", "", "", "", "", "", "", "", b.Journal, lineNo(b.Line), b.Err})
	}
	cw.Flush()
	return cw.Error()
}

func lineNo(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

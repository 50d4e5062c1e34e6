package office

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/villagepost/bianmin/reconcile"
)

// ReconcileCSV is where postoffice reconcile writes a day's exceptions.
func ReconcileCSV(dir, day string) string {
	return filepath.Join(dir, "reconcile", "reconcile-"+strings.ReplaceAll(day, "-", "")+".csv")
}

// Exceptions returns the exceptions of the station found by the latest
// reconciliation of each business day of month (YYYY-MM), in order of day.
func (o *Office) Exceptions(station, month string) ([]reconcile.Exception, []string, error) {
	paths, err := filepath.Glob(filepath.Join(o.Dir, "reconcile", "reconcile-"+strings.ReplaceAll(month, "-", "")+"??.csv"))
	if err != nil {
		return nil, nil, err
	}
	sort.Strings(paths)
	var list []reconcile.Exception
	var days []string
	for _, p := range paths {
		rows, err := readExceptions(p)
		if err != nil {
			return nil, nil, fmt.Errorf("office: %s: %w", p, err)
		}
		for _, r := range rows {
			if r.ex.Station == station {
				list, days = append(list, r.ex), append(days, r.date)
			}
		}
	}
	return list, days, nil
}

type exceptionRow struct {
	date string
	ex   reconcile.Exception
}

// readExceptions reads a CSV that reconcile.Report.WriteCSV wrote.
func readExceptions(path string) ([]exceptionRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = len(reconcile.CSVHeader)
	var rows []exceptionRow
	for first := true; ; first = false {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, err
		}
		if first {
			continue // the header
		}
		if rec[1] == "bad_row" {
			continue
		}
		rows = append(rows, exceptionRow{rec[0], reconcile.Exception{Kind: rec[1], Station: rec[2], Trace: rec[3], Service: rec[4],
			StationState: rec[5], StationAmount: rec[6], HostState: rec[7], HostAmount: rec[8], Journal: rec[9], Detail: rec[11]}})
	}
}

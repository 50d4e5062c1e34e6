package office

import (
	"context"
	"fmt"
	"time"

	"github.com/villagepost/bianmin/reconcile"
	"github.com/villagepost/bianmin/registry"
)

// Exceptions returns the exceptions of the station found by the latest
// reconciliation of each business day of month (YYYY-MM), in order of day,
// with their days.
func (o *Office) Exceptions(ctx context.Context, station, month string) ([]reconcile.Exception, []string, error) {
	first, err := time.Parse("2006-01", month)
	if err != nil {
		return nil, nil, fmt.Errorf("office: exceptions: month %q: want YYYY-MM", month)
	}
	last := first.AddDate(0, 1, -1)
	var list []reconcile.Exception
	var days []string
	err = o.use(func(r *registry.Registry) error {
		found, err := r.Exceptions(ctx, station, first.Format(time.DateOnly), last.Format(time.DateOnly))
		for _, e := range found {
			list = append(list, reconcile.Exception{Kind: e.Kind, Station: e.Station, Trace: e.Trace, Service: e.Service,
				StationState: e.StationState, StationAmount: e.StationAmount, HostState: e.HostState, HostAmount: e.HostAmount,
				Journal: e.Journal, Line: e.Line, Detail: e.Detail})
			days = append(days, e.Day)
		}
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("office: exceptions of %s in %s: %w", station, month, err)
	}
	return list, days, nil
}

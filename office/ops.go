package office

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/villagepost/bianmin/reconcile"
	"github.com/villagepost/bianmin/registry"
	"github.com/villagepost/bianmin/statement"
	"github.com/villagepost/bianmin/tariff"
)

// Stations returns every enrolled station, in order of id.
func (o *Office) Stations(ctx context.Context) ([]registry.Station, error) {
	var list []registry.Station
	err := o.use(func(r *registry.Registry) (err error) {
		list, err = r.Stations(ctx)
		return err
	})
	return list, err
}

// StationDays returns a station, its accepted days (newest first) and
// the forked files kept as evidence.
func (o *Office) StationDays(ctx context.Context, id string) (registry.Station, []registry.Day, []registry.Evidence, error) {
	var (
		s    registry.Station
		days []registry.Day
		ev   []registry.Evidence
	)
	err := o.use(func(r *registry.Registry) (err error) {
		if s, err = r.Station(ctx, id); err != nil {
			return err
		}
		err = r.Days(ctx, id, "", "", func(d registry.Day) error {
			d.Ack = nil
			days = append(days, d)
			return nil
		})
		if err != nil {
			return err
		}
		ev, err = r.Evidence(ctx, id)
		return err
	})
	sort.Slice(days, func(i, j int) bool { return days[i].Day > days[j].Day })
	return s, days, ev, err
}

// Tariffs returns the versions of the tariffs issued.
func (o *Office) Tariffs(ctx context.Context) ([]string, error) {
	var list []string
	err := o.use(func(r *registry.Registry) (err error) {
		list, err = r.Tariffs(ctx)
		return err
	})
	return list, err
}

// Enrol records a new station, as postoffice enrol does. When t is not
// nil (a tariff file the post office signed, already opened with its
// key) it is issued first; else e.Tariff names one issued before.
func (o *Office) Enrol(ctx context.Context, e registry.Enrolment, t *tariff.Tariff) (registry.Station, error) {
	var s registry.Station
	err := o.use(func(r *registry.Registry) (err error) {
		if t != nil {
			if err := r.Issue(ctx, t); err != nil {
				return err
			}
			e.Tariff = t.Version
		}
		s, err = r.Enrol(ctx, e)
		return err
	})
	return s, err
}

// Reconcile matches business day date of every station against the
// hosts' journals, as postoffice reconcile does.
func (o *Office) Reconcile(ctx context.Context, date string, journals []reconcile.Journal) (*reconcile.Report, error) {
	var rep *reconcile.Report
	err := o.use(func(r *registry.Registry) (err error) {
		rep, err = reconcile.Run(ctx, r, date, journals)
		return err
	})
	return rep, err
}

// ReconcilePath is where a reconciliation's exceptions are kept:
// DIR/reconcile/reconcile-20261120.csv.
func (o *Office) ReconcilePath(date string) string {
	return filepath.Join(o.Dir, "reconcile", "reconcile-"+strings.ReplaceAll(date, "-", "")+".csv")
}

// SaveReconciliation records the report's exceptions in the registry, in
// place of an earlier run's for the same day, where every server sharing
// it shows them (the staff's pages, each station's results), and writes
// them as CSV to path (the default ReconcilePath when "") for the staff
// to open in a spreadsheet.
func (o *Office) SaveReconciliation(ctx context.Context, rep *reconcile.Report, path string) (string, error) {
	if path == "" {
		path = o.ReconcilePath(rep.Date)
	}
	rec := registry.Reconciliation{Day: rep.Date, At: o.now().UTC().Truncate(time.Microsecond), Exceptions: len(rep.Exceptions)}
	found := make([]registry.Exception, len(rep.Exceptions))
	for i, e := range rep.Exceptions {
		found[i] = registry.Exception{Station: e.Station, Day: rep.Date, N: i, Kind: e.Kind, Trace: e.Trace, Service: e.Service,
			StationState: e.StationState, StationAmount: e.StationAmount, HostState: e.HostState, HostAmount: e.HostAmount,
			Journal: e.Journal, Line: e.Line, Detail: e.Detail}
	}
	if err := o.use(func(r *registry.Registry) error { return r.SaveReconciliation(ctx, rec, found) }); err != nil {
		return path, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return path, fmt.Errorf("office: reconciliation folder: %w", err)
	}
	var b strings.Builder
	if err := rep.WriteCSV(&b); err != nil {
		return path, err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o644); err != nil {
		return path, fmt.Errorf("office: write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return path, fmt.Errorf("office: write %s: %w", path, err)
	}
	return path, nil
}

// OpenExceptions counts, per station, the exceptions of the latest
// reconciliation, and names its day ("" when none was run).
func (o *Office) OpenExceptions(ctx context.Context) (string, map[string]int, error) {
	var day string
	counts := map[string]int{}
	err := o.use(func(r *registry.Registry) error {
		list, err := r.Reconciliations(ctx)
		if err != nil || len(list) == 0 {
			return err
		}
		day = list[len(list)-1].Day
		found, err := r.Exceptions(ctx, "", day, day)
		for _, e := range found {
			counts[e.Station]++
		}
		return err
	})
	if err != nil {
		return "", nil, fmt.Errorf("office: latest reconciliation: %w", err)
	}
	return day, counts, nil
}

// Statement builds a station's statement for month, as postoffice
// statement does.
func (o *Office) Statement(ctx context.Context, station, month string) (*statement.Statement, error) {
	var st *statement.Statement
	err := o.use(func(r *registry.Registry) (err error) {
		st, err = statement.Build(ctx, r, station, month)
		return err
	})
	return st, err
}

// Region builds every station's statement for month and the region's
// totals, as postoffice statement --all does.
func (o *Office) Region(ctx context.Context, month string) (*statement.Region, error) {
	var reg *statement.Region
	err := o.use(func(r *registry.Registry) (err error) {
		reg, err = statement.BuildRegion(ctx, r, month)
		return err
	})
	return reg, err
}

// StaffMember returns the staff account id.
func (o *Office) StaffMember(ctx context.Context, id string) (registry.Staff, error) {
	var s registry.Staff
	err := o.use(func(r *registry.Registry) (err error) {
		s, err = r.StaffMember(ctx, id)
		return err
	})
	return s, err
}

// AddStaff records a new staff account (registry.NewStaff makes it).
func (o *Office) AddStaff(ctx context.Context, s registry.Staff) error {
	return o.use(func(r *registry.Registry) error { return r.AddStaff(ctx, s) })
}

// StaffList returns every staff account.
func (o *Office) StaffList(ctx context.Context) ([]registry.Staff, error) {
	var list []registry.Staff
	err := o.use(func(r *registry.Registry) (err error) {
		list, err = r.StaffList(ctx)
		return err
	})
	return list, err
}

// CloseoutPath is where a retired station's close-out statement is kept.
func (o *Office) CloseoutPath(station string) string {
	return filepath.Join(o.Dir, "closeout", station+"-closeout.txt")
}

// Retire settles a station for good, as postoffice retire does, and
// writes its close-out statement, signed by the post office, to
// CloseoutPath. When only the writing fails, the station is retired and
// the error says so.
func (o *Office) Retire(ctx context.Context, station string) (registry.Station, error) {
	var s registry.Station
	// What the station still owes villagers goes on its close-out
	// statement and to its successor (EnrolSuccessor).
	c, err := o.carry(ctx, station)
	if err != nil {
		return s, err
	}
	err = o.use(func(r *registry.Registry) (err error) {
		s, err = r.RetireCarrying(ctx, station, o.Signer, c)
		return err
	})
	if err != nil {
		return s, err
	}
	path := o.CloseoutPath(s.ID)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return s, &CloseoutError{Path: path, Err: err}
	}
	if err := os.WriteFile(path, s.Retirement.Statement, 0o644); err != nil {
		return s, &CloseoutError{Path: path, Err: err}
	}
	return s, nil
}

// CloseoutError means the station was retired but its close-out
// statement could not be written.
type CloseoutError struct {
	Path string
	Err  error
}

func (e *CloseoutError) Error() string {
	return fmt.Sprintf("office: the station is retired, but its close-out statement cannot be written to %s: %v", e.Path, e.Err)
}

func (e *CloseoutError) Unwrap() error { return e.Err }

// RotateKey records a station's new key, vouched for by its old one, as
// postoffice rotate-key does.
func (o *Office) RotateKey(ctx context.Context, station string, vouch []byte) (registry.Station, error) {
	var s registry.Station
	err := o.use(func(r *registry.Registry) (err error) {
		s, err = r.RotateKey(ctx, station, vouch)
		return err
	})
	return s, err
}

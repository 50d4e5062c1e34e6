package office

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/villagepost/bianmin/handover"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/registry"
	"github.com/villagepost/bianmin/settlement"
	"github.com/villagepost/bianmin/tariff"
)

// Owed reads a station's accepted files (DayFile) and returns what it
// still owes villagers after the last of them (package handover), and
// the last entry read.
func (o *Office) Owed(ctx context.Context, station string) ([]handover.Item, ledger.Checkpoint, error) {
	var last ledger.Checkpoint
	if _, err := o.Station(ctx, station); err != nil {
		return nil, last, err
	}
	s := handover.Scan{Station: station}
	err := o.dayFiles(ctx, station, "", func(day string, data []byte) error {
		f, err := settlement.Parse(data)
		if err != nil {
			return fmt.Errorf("office: the file of %s day %s: %w", station, day, err)
		}
		for _, r := range f.Records {
			e, err := ledger.DecodeRecord(r.Raw)
			if err != nil {
				return fmt.Errorf("office: the file of %s day %s, entry %d: %w", station, day, r.Seq, err)
			}
			if err := s.Add(e); err != nil {
				return fmt.Errorf("office: the file of %s day %s: %w", station, day, err)
			}
			last = ledger.Checkpoint{Seq: e.Seq, Hash: e.Hash}
		}
		return nil
	})
	if err != nil {
		return nil, last, err
	}
	return s.Items(), last, nil
}

// carry is what a leaving station owes villagers, for its retirement.
func (o *Office) carry(ctx context.Context, station string) (registry.Carry, error) {
	items, last, err := o.Owed(ctx, station)
	if err != nil {
		return registry.Carry{}, err
	}
	c := registry.Carry{Through: last, Amount: handover.Total(items)}
	for _, it := range items {
		c.Lines = append(c.Lines, it.Line())
	}
	return c, nil
}

// HandoverPath is where the hand-over document from one station to its
// successor is written: DIR/handover/T0001-T0002.handover.
func (o *Office) HandoverPath(from, to string) string {
	return filepath.Join(o.Dir, "handover", from+"-"+to+".handover")
}

// Items reads the items of a retired station's close-out statement.
func Items(t *registry.Retirement) ([]handover.Item, error) {
	var out []handover.Item
	for i, l := range t.Items {
		it, err := handover.ParseItem(l, i)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, nil
}

// EnrolSuccessor enrols a station that takes over from a retired one, as
// postoffice enrol --succeeds does: what the old station owed villagers
// on leaving is carried to it in a hand-over document signed by the post
// office, written to HandoverPath. When only the writing fails, the
// station is enrolled and the error (a *HandoverFileError) says so.
func (o *Office) EnrolSuccessor(ctx context.Context, e registry.Enrolment, t *tariff.Tariff, old string) (registry.Station, handover.Doc, error) {
	issued := o.today(ctx, old)
	var s registry.Station
	var doc handover.Doc
	var msg []byte
	err := o.use(func(r *registry.Registry) (err error) {
		if t != nil {
			if err := r.Issue(ctx, t); err != nil {
				return err
			}
			e.Tariff = t.Version
		}
		var ost registry.Station
		s, ost, err = r.EnrolSuccessor(ctx, registry.Succession{Enrolment: e, Old: old, Sign: func(old *registry.Station) ([]byte, error) {
			items, err := Items(old.Retirement)
			if err != nil {
				return nil, err
			}
			doc = handover.Doc{From: old.ID, To: e.Station, Issued: issued, Through: old.Retirement.Last, Carried: old.Retirement.Carried, Items: items}
			return handover.Sign(doc, o.Signer)
		}})
		if err != nil {
			return err
		}
		msg = ost.Retirement.Handover
		return nil
	})
	if err != nil {
		return s, doc, err
	}
	path := o.HandoverPath(old, s.ID)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return s, doc, &HandoverFileError{Path: path, Err: err}
	}
	if err := os.WriteFile(path, msg, 0o644); err != nil {
		return s, doc, &HandoverFileError{Path: path, Err: err}
	}
	return s, doc, nil
}

// Handovers returns the hand-over documents that name station as the
// successor, in order of the station taken over: exactly the bytes
// EnrolSuccessor wrote to HandoverPath, from the registry, so that every
// server sharing it gives the same. A station that took over from nobody
// has none.
func (o *Office) Handovers(ctx context.Context, station string) ([]registry.Handover, error) {
	var list []registry.Handover
	err := o.use(func(r *registry.Registry) (err error) {
		list, err = r.Handovers(ctx, station)
		return err
	})
	return list, err
}

// HandoverFileError means the successor was enrolled but its hand-over
// document could not be written.
type HandoverFileError struct {
	Path string
	Err  error
}

func (e *HandoverFileError) Error() string {
	return fmt.Sprintf("office: the successor is enrolled, but the hand-over document cannot be written to %s: %v", e.Path, e.Err)
}

func (e *HandoverFileError) Unwrap() error { return e.Err }

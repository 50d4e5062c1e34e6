package office

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/villagepost/bianmin/registry"
)

// ArchivePath is where an accepted day file is copied in the office's
// folder: DIR/archive/T0001/T0001-20261120.bms. The registry keeps the
// same bytes (DayFile); the folder's copy is for people and backups.
func (o *Office) ArchivePath(station, day string) string {
	return filepath.Join(o.Dir, "archive", station, station+"-"+strings.ReplaceAll(day, "-", "")+".bms")
}

// MissingFileError means an accepted day's file is neither in the
// registry nor in this folder's archive: the day was accepted before the
// registry kept files, by a server with another folder.
type MissingFileError struct {
	Station, Day string
	Path         string // where this folder would have it
	// Differs: the folder has a file there, but not the one accepted
	// (its SHA-256 is not the day's).
	Differs bool
}

func (e *MissingFileError) Error() string {
	if e.Differs {
		return fmt.Sprintf("office: the file of station %s day %s is not in the registry, and %s is not the file accepted (its SHA-256 differs): put the file accepted there, or run this on the server that accepted the day",
			e.Station, e.Day, e.Path)
	}
	return fmt.Sprintf("office: the file of station %s day %s is neither in the registry nor at %s: it was accepted before the registry kept day files, by a server with another folder; run this once on that server (it then records the file in the registry), or copy the file to %s",
		e.Station, e.Day, e.Path, e.Path)
}

// DayFile returns the file of one accepted day as the station sent it:
// from the registry, which every server sharing it reads, or, for a day
// accepted before the registry kept files, from this folder's archive
// (then recorded in the registry, once, for every server). A day not
// accepted is a *registry.Error (ErrInput).
func (o *Office) DayFile(ctx context.Context, station, day string) ([]byte, error) {
	var file []byte
	err := o.use(func(r *registry.Registry) error {
		d, found, err := r.Day(ctx, station, day)
		if err != nil {
			return err
		}
		if !found {
			if _, err := r.Station(ctx, station); err != nil {
				return err
			}
			return &registry.Error{Kind: registry.ErrInput, Station: station, Detail: fmt.Sprintf("day: no file of day %q was accepted", day)}
		}
		file, err = o.dayFile(ctx, r, d)
		return err
	})
	return file, err
}

// dayFiles calls fn with each of the station's accepted files of day
// from on ("" for all), in order of day, as DayFile reads them.
func (o *Office) dayFiles(ctx context.Context, station, from string, fn func(day string, file []byte) error) error {
	return o.use(func(r *registry.Registry) error {
		var days []registry.Day
		err := r.Days(ctx, station, from, "", func(d registry.Day) error {
			d.Ack = nil
			days = append(days, d)
			return nil
		})
		if err != nil {
			return err
		}
		for _, d := range days {
			file, err := o.dayFile(ctx, r, d)
			if err != nil {
				return err
			}
			if err := fn(d.Day, file); err != nil {
				return err
			}
		}
		return nil
	})
}

// dayFile reads an accepted day's file from the registry, or from the
// archive into the registry.
func (o *Office) dayFile(ctx context.Context, r *registry.Registry, d registry.Day) ([]byte, error) {
	file, found, err := r.DayFile(ctx, d.Station, d.Day)
	if err != nil || found {
		return file, err
	}
	path := o.ArchivePath(d.Station, d.Day)
	file, err = os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &MissingFileError{Station: d.Station, Day: d.Day, Path: path}
	}
	if err != nil {
		return nil, fmt.Errorf("office: archive: %w", err)
	}
	sum := sha256.Sum256(file)
	if hex.EncodeToString(sum[:]) != d.SHA256 {
		return nil, &MissingFileError{Station: d.Station, Day: d.Day, Path: path, Differs: true}
	}
	if err := r.KeepDayFile(ctx, d.Station, d.Day, file); err != nil {
		return nil, fmt.Errorf("office: archive %s: %w", path, err)
	}
	return file, nil
}
